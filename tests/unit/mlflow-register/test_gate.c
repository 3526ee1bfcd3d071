/* Unit tests for the registration gate (reports, SBOM, overrides, tags). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gate.h"
#include "harness.h"
#include "mls/common.h"

#define SHA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define OTHER "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char *const model[] = { SHA };

static char *report(const char *status, const char *findings, const char *file_sha)
{
	struct mls_buf b;
	mls_buf_init(&b, 1 << 20);
	mls_buf_printf(&b,
		       "{\"schema\":\"mlsecops-report/1\",\"tool\":{\"name\":\"avscan\",\"version\":\"0.1.0\"},"
		       "\"status\":\"%s\",\"verdict\":\"clean\",\"summary\":{\"findings\":{\"critical\":0,\"high\":0,"
		       "\"medium\":0,\"low\":0,\"info\":0}},\"files\":[{\"path\":\"m\",\"sha256\":\"%s\"}],"
		       "\"findings\":[%s],\"errors\":[]}",
		       status, file_sha, findings);
	return mls_buf_detach(&b, NULL);
}

static struct mr_stage stage(void)
{
	struct mr_stage s;
	memset(&s, 0, sizeof(s));
	mls_buf_init(&s.blocking, 1 << 20);
	return s;
}

TEST(clean_report)
{
	struct mr_stage s = stage();
	char *r = report("complete", "", SHA);
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_MEDIUM, model, 1), 0);
	CHECK_EQ_STR(s.status, "complete");
	CHECK_EQ_STR(s.verdict, "clean");
	CHECK_EQ_STR(s.tool, "avscan 0.1.0");
	CHECK_EQ_INT(s.at_or_above, 0);
	CHECK_EQ_INT(s.covers_model, 1);
	free(r);
	mls_buf_release(&s.blocking);
}

TEST(findings_counted_against_threshold)
{
	struct mr_stage s = stage();
	char *r = report("complete",
			 "{\"id\":\"MS-PICKLE-001\",\"severity\":\"high\",\"path\":\"m\"},"
			 "{\"id\":\"MS-X\",\"severity\":\"low\"},{\"id\":\"MS-Y\",\"severity\":\"weird\"}",
			 SHA);
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_MEDIUM, model, 1), 0);
	CHECK_EQ_INT(s.at_or_above, 2); /* high + unknown severity (counted as critical) */
	CHECK_EQ_INT(s.counts[MLS_SEV_LOW], 1);
	CHECK_CONTAINS(mls_buf_cstr(&s.blocking), "MS-PICKLE-001 (high) m");
	CHECK(strstr(mls_buf_cstr(&s.blocking), "MS-X") == NULL);
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_CRITICAL, model, 1), 0);
	CHECK_EQ_INT(s.at_or_above, 1);
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_LOW, model, 1), 0);
	CHECK_EQ_INT(s.at_or_above, 3);
	free(r);
	mls_buf_release(&s.blocking);
}

TEST(summary_only_counts_and_status)
{
	struct mr_stage s = stage();
	const char *r = "{\"schema\":\"mlsecops-report/1\",\"status\":\"partial\",\"verdict\":\"clean\","
			"\"summary\":{\"findings\":{\"critical\":2}}}";
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_MEDIUM, model, 1), 0);
	CHECK_EQ_STR(s.status, "error"); /* unknown status: not complete */
	CHECK_EQ_STR(s.verdict, "unknown");
	CHECK_EQ_INT(s.at_or_above, 2);
	CHECK_EQ_STR(s.tool, "unknown");
	CHECK_EQ_INT(s.covers_model, -1);
	CHECK_CONTAINS(mls_buf_cstr(&s.blocking), "counted in the summary");
	mls_buf_release(&s.blocking);
}

TEST(bad_reports)
{
	struct mr_stage s = stage();
	const char *bad[] = { "{}", "[]", "{\"schema\":\"other\"}", "{\"schema\":\"mlsecops-report/2\"}",
			      "{\"schema\":\"mlsecops-report/1\",\"findings\":{}}", "not json", "" };
	for (size_t i = 0; i < MLS_ARRAY_SIZE(bad); i++)
		CHECK(mr_gate_parse_report(&s, bad[i], strlen(bad[i]), MLS_SEV_MEDIUM, model, 1) < 0);
	char *r = report("complete", "", OTHER);
	CHECK_EQ_INT(mr_gate_parse_report(&s, r, strlen(r), MLS_SEV_MEDIUM, model, 1), 0);
	CHECK_EQ_INT(s.covers_model, 0);
	free(r);
	mls_buf_release(&s.blocking);
}

TEST(sbom)
{
	const char *ok = "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" SHA "\"}]}]}";
	const char *other = "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" OTHER "\"}]}]}";
	const char *none = "{\"bomFormat\":\"CycloneDX\"}";
	CHECK_EQ_INT(mr_gate_sbom_covers(ok, strlen(ok), model, 1), 1);
	CHECK_EQ_INT(mr_gate_sbom_covers(other, strlen(other), model, 1), 0);
	CHECK_EQ_INT(mr_gate_sbom_covers(none, strlen(none), model, 1), 2);
	CHECK_EQ_INT(mr_gate_sbom_covers("{}", 2, model, 1), MLS_EFORMAT);
	CHECK_EQ_INT(mr_gate_sbom_covers("<bom/>", 6, model, 1), MLS_EFORMAT);
}

static char *write_tmp(const char *text)
{
	char *p = strdup("/tmp/mr-gate-XXXXXX");
	int fd = mkstemp(p);
	if (write(fd, text, strlen(text)) < 0)
		perror("write");
	close(fd);
	return p;
}

TEST(evaluate_and_overrides)
{
	char *clean = report("complete", "", SHA);
	char *dirty = report("complete", "{\"id\":\"MS-PICKLE-001\",\"severity\":\"critical\",\"path\":\"m\"}", SHA);
	char *inc = report("incomplete", "", SHA);
	const char *sb = "{\"bomFormat\":\"CycloneDX\",\"metadata\":{\"component\":{\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" SHA "\"}]}}}";
	char *pc = write_tmp(clean), *pd = write_tmp(dirty), *pi = write_tmp(inc), *ps = write_tmp(sb);
	struct mr_gate_opts o;
	struct mr_gate g;
	struct mr_kvs t;

	memset(&o, 0, sizeof(o));
	o.fail_on = MLS_SEV_MEDIUM;
	o.model_sha256 = model;
	o.nmodel = 1;
	o.reports[0] = pc;
	o.reports[1] = pc;
	o.sbom = ps;
	mr_gate_init(&g);
	CHECK_EQ_INT(mr_gate_evaluate(&g, &o), 0);
	CHECK(!g.refused && !g.errored);
	CHECK_EQ_INT(g.nissues, 0);
	mr_kvs_init(&t);
	CHECK_EQ_INT(mr_gate_tags(&g, &t, "bob", NULL), 0);
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.gate"), "passed");
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.av.verdict"), "clean");
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.sbom.status"), "present");
	CHECK(mr_kvs_get(&t, "mlsecops.override") == NULL);
	mr_kvs_release(&t);
	mr_gate_release(&g);

	o.reports[1] = pd;
	o.reports[0] = pi;
	mr_gate_init(&g);
	CHECK_EQ_INT(mr_gate_evaluate(&g, &o), 0);
	CHECK(g.refused);
	CHECK_EQ_INT(g.nissues, 2);
	mr_gate_release(&g);

	o.allow_findings = 1;
	o.allow_incomplete = 1;
	mr_gate_init(&g);
	CHECK_EQ_INT(mr_gate_evaluate(&g, &o), 0);
	CHECK(!g.refused && !g.errored);
	mr_kvs_init(&t);
	CHECK_EQ_INT(mr_gate_tags(&g, &t, "alice", "ticket 1"), 0);
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.gate"), "overridden");
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.override"), "findings,incomplete");
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.override.by"), "alice");
	CHECK_EQ_STR(mr_kvs_get(&t, "mlsecops.override.reason"), "ticket 1");
	CHECK_CONTAINS(mr_kvs_get(&t, "mlsecops.override.modelscan.findings"), "MS-PICKLE-001 (critical)");
	mr_kvs_release(&t);
	struct mls_report *r = NULL;
	CHECK_EQ_INT(mls_report_new(&r, "mlflow-register", "0", "m"), 0);
	CHECK_EQ_INT(mr_gate_fill_report(&g, r), 0);
	CHECK_EQ_INT(r->nfindings, 2);
	mls_report_free(r);
	mr_gate_release(&g);

	/* missing: an error unless allowed */
	memset(&o, 0, sizeof(o));
	o.fail_on = MLS_SEV_MEDIUM;
	o.reports[0] = "/nonexistent/av.json";
	mr_gate_init(&g);
	CHECK_EQ_INT(mr_gate_evaluate(&g, &o), 0);
	CHECK(g.errored && !g.refused);
	CHECK_EQ_INT(g.nissues, 3);
	mr_gate_release(&g);
	o.allow_missing = 1;
	mr_gate_init(&g);
	CHECK_EQ_INT(mr_gate_evaluate(&g, &o), 0);
	CHECK(!g.errored && !g.refused && g.used_missing);
	mr_gate_release(&g);

	unlink(pc); unlink(pd); unlink(pi); unlink(ps);
	free(pc); free(pd); free(pi); free(ps);
	free(clean); free(dirty); free(inc);
}

TEST_MAIN()
