/*
 * SARIF writer tests: the log parsed back with yajl; every result has a
 * level and region.startLine (Jenkins warnings-ng), ruleIndex points at its
 * rule, levels follow severities, URIs are encoded, invocations carry the
 * run's outcome.  Schema validation is in tests/integration/test_report_schemas.py.
 */
#include "harness.h"
#include "test_report_fixture.h"
#include "../../common/src/report_priv.h" /* mls_report_path_uri */

static yajl_val render_parse(const struct mls_report *r, char **text_out)
{
	char err[256];
	char *text = fx_render(r, MLS_FMT_SARIF, 0);
	yajl_val v = text ? fx_parse_json(text, err, sizeof(err)) : NULL;
	if (text && !v)
		fprintf(stderr, "SARIF does not parse: %s\n", err);
	if (text_out)
		*text_out = text;
	else
		free(text);
	return v;
}

static const char *uri_of(const char *path)
{
	static char out[1024];
	struct mls_buf b;
	mls_buf_init(&b, 0);
	mls_report_path_uri(&b, path);
	snprintf(out, sizeof(out), "%s", mls_buf_cstr(&b));
	mls_buf_release(&b);
	return out;
}

TEST(path_uris)
{
	CHECK_EQ_STR(uri_of("model.pkl"), "model.pkl");
	CHECK_EQ_STR(uri_of("dir/sub/model.pkl"), "dir/sub/model.pkl");
	CHECK_EQ_STR(uri_of("./dir/m.pkl"), "dir/m.pkl");
	CHECK_EQ_STR(uri_of(".//./m.pkl"), "m.pkl");
	CHECK_EQ_STR(uri_of("a b/c#d?e%f.pkl"), "a%20b/c%23d%3Fe%25f.pkl");
	CHECK_EQ_STR(uri_of("c:/x"), "c%3A/x"); /* never read as a scheme */
	CHECK_EQ_STR(uri_of("caf\xc3\xa9.bin"), "caf%C3%A9.bin");
	CHECK_EQ_STR(uri_of("bad\xff\x1b[31m"), "bad%FF%1B%5B31m");
	CHECK_EQ_STR(uri_of("/abs/m.pkl"), "file:///abs/m.pkl");
	CHECK_EQ_STR(uri_of("//net/share"), "file:///net/share");
	CHECK_EQ_STR(uri_of("../up/m.pkl"), "../up/m.pkl");
	CHECK_EQ_STR(uri_of(""), ".");
	CHECK_EQ_STR(uri_of(NULL), ".");
	CHECK_EQ_STR(uri_of("./"), ".");
}

TEST(log_structure)
{
	struct mls_report *r = fx_sample(1);
	char *text = NULL;
	yajl_val v = render_parse(r, &text);
	CHECK(v != NULL);
	if (!v) {
		free(text);
		mls_report_free(r);
		return;
	}
	CHECK(fx_utf8_valid(text, strlen(text)));
	CHECK(!fx_has_raw_forbidden(text, strlen(text), 1));
	CHECK_EQ_STR(fx_str(FX_GET(v, "version")), "2.1.0");
	CHECK(YAJL_IS_STRING(FX_GET(v, "$schema")));
	yajl_val runs = FX_GET(v, "runs");
	CHECK_EQ_INT(fx_len(runs), 1);
	yajl_val run = fx_at(runs, 0);
	CHECK_EQ_STR(fx_str(FX_GET(run, "tool", "driver", "name")), "modelscan-c");
	CHECK_EQ_STR(fx_str(FX_GET(run, "tool", "driver", "version")), "1.2.3");
	const char *info = fx_str(FX_GET(run, "tool", "driver", "informationUri"));
	CHECK(info && strncmp(info, "https://", 8) == 0);

	/* rules: the two registered first, then one per other finding id */
	yajl_val rules = FX_GET(run, "tool", "driver", "rules");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "id")), "MS-PICKLE-001");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "helpUri")), "https://example.org/rules#MS-PICKLE-001");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "defaultConfiguration", "level")), "error");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "fullDescription", "text")),
		     "Pickle imports a callable that runs code");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 1), "id")), "MS-BADURI-001");
	CHECK(FX_GET(fx_at(rules, 1), "helpUri") == NULL); /* not a web URI: left out */
	/* distinct ids: MS-PICKLE-001 (registered), MS-PICKLE-002, MS-INFO-001, MS-evil..., MS-RUN-001, MS-ONNX-001 */
	CHECK_EQ_INT(fx_len(rules), 2 + 5);
	for (size_t i = 0; i < fx_len(rules); i++) {
		yajl_val ru = fx_at(rules, i);
		CHECK(YAJL_IS_STRING(FX_GET(ru, "id")));
		CHECK(YAJL_IS_STRING(FX_GET(ru, "shortDescription", "text")));
		CHECK(YAJL_IS_STRING(FX_GET(ru, "defaultConfiguration", "level")));
		for (size_t k = 0; k < i; k++) /* unique ids */
			CHECK(strcmp(fx_str(FX_GET(ru, "id")), fx_str(FX_GET(fx_at(rules, k), "id"))) != 0);
	}

	/* results: one per finding, each with ruleId/ruleIndex/level/message/location/startLine */
	yajl_val results = FX_GET(run, "results");
	CHECK_EQ_INT(fx_len(results), r->nfindings);
	for (size_t i = 0; i < fx_len(results) && i < r->nfindings; i++) {
		yajl_val res = fx_at(results, i);
		const struct mls_finding *f = &r->findings[i];
		long long idx = fx_int(FX_GET(res, "ruleIndex"));
		CHECK(idx >= 0 && (size_t)idx < fx_len(rules));
		if (idx >= 0 && (size_t)idx < fx_len(rules))
			CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, (size_t)idx), "id")), fx_str(FX_GET(res, "ruleId")));
		const char *lvl = fx_str(FX_GET(res, "level"));
		const char *want = f->severity >= MLS_SEV_HIGH ? "error" : f->severity == MLS_SEV_MEDIUM ? "warning" : "note";
		CHECK_EQ_STR(lvl, want);
		CHECK(YAJL_IS_STRING(FX_GET(res, "message", "text")));
		yajl_val loc = fx_at(FX_GET(res, "locations"), 0);
		CHECK(YAJL_IS_STRING(FX_GET(loc, "physicalLocation", "artifactLocation", "uri")));
		CHECK_EQ_INT(fx_int(FX_GET(loc, "physicalLocation", "region", "startLine")), 1);
		CHECK_EQ_STR(fx_str(FX_GET(res, "properties", "severity")), mls_severity_name(f->severity));
	}
	/* the critical finding in detail */
	yajl_val crit = NULL;
	for (size_t i = 0; i < fx_len(results); i++)
		if (strcmp(fx_str(FX_GET(fx_at(results, i), "properties", "severity")), "critical") == 0)
			crit = fx_at(results, i);
	CHECK(crit != NULL);
	if (crit) {
		CHECK_EQ_STR(fx_str(FX_GET(crit, "ruleId")), "MS-PICKLE-001");
		CHECK_EQ_INT(fx_int(FX_GET(crit, "ruleIndex")), 0);
		CHECK_EQ_STR(fx_str(FX_GET(crit, "message", "text")),
			     "pickle calls os.system (evidence: os.system) [member archive/data.pkl, offset 1234]");
		yajl_val loc = fx_at(FX_GET(crit, "locations"), 0);
		CHECK_EQ_STR(fx_str(FX_GET(loc, "physicalLocation", "artifactLocation", "uri")), "b/model.pkl");
		CHECK_EQ_STR(fx_str(FX_GET(fx_at(FX_GET(loc, "logicalLocations"), 0), "fullyQualifiedName")),
			     "member archive/data.pkl, offset 1234");
		CHECK_EQ_STR(fx_str(FX_GET(crit, "properties", "evidence")), "os.system");
		CHECK_EQ_STR(fx_str(FX_GET(crit, "properties", "location")), "member archive/data.pkl, offset 1234");
		CHECK_EQ_STR(fx_str(FX_GET(crit, "properties", "details", "opcode")), "GLOBAL");
	}
	/* the hostile path is percent-encoded: pure ASCII, no raw escapes */
	int hostile_seen = 0;
	for (size_t i = 0; i < fx_len(results); i++) {
		const char *u = fx_str(FX_GET(fx_at(FX_GET(fx_at(results, i), "locations"), 0), "physicalLocation",
					      "artifactLocation", "uri"));
		if (u && strncmp(u, "c/", 2) == 0) {
			hostile_seen = 1;
			CHECK_CONTAINS(u, "c/%C3%A9vilevil%20%1B%5B31mred");
			for (const char *p = u; *p; p++)
				CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
		}
	}
	CHECK(hostile_seen);

	/* invocation: incomplete is still a successful execution; errors are notifications */
	yajl_val inv = fx_at(FX_GET(run, "invocations"), 0);
	CHECK(YAJL_IS_TRUE(FX_GET(inv, "executionSuccessful")));
	CHECK_EQ_STR(fx_str(FX_GET(inv, "startTimeUtc")), r->started_at);
	CHECK_EQ_STR(fx_str(FX_GET(inv, "endTimeUtc")), r->finished_at);
	yajl_val notes = FX_GET(inv, "toolExecutionNotifications");
	CHECK_EQ_INT(fx_len(notes), 3 + 2); /* three errors, one failed and one incomplete file */
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(notes, 0), "level")), "error");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(notes, 0), "message", "text")), "database main.cvd is old");

	/* artifacts: the files, with digests */
	yajl_val arts = FX_GET(run, "artifacts");
	CHECK_EQ_INT(fx_len(arts), r->nfiles);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(arts, 0), "location", "uri")), "file:///abs/path/model.onnx");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(arts, 0), "hashes", "sha-256")), "bb22");
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(arts, 0), "length")), 8);

	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "status")), "incomplete");
	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "verdict")), "unknown");
	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "threshold")), "medium");
	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "report", "jenkins.build_url")),
		     "http://jenkins/job/x/1/?a=<b>&c=\"d\"");
	yajl_tree_free(v);
	free(text);
	mls_report_free(r);
}

TEST(fatal_run_and_empty_run)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "avscan", "0.1.0", "/m");
	mls_report_set_fatal(r);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	yajl_val v = render_parse(r, NULL);
	CHECK(v != NULL);
	yajl_val run = fx_at(FX_GET(v, "runs"), 0);
	yajl_val inv = fx_at(FX_GET(run, "invocations"), 0);
	CHECK(YAJL_IS_FALSE(FX_GET(inv, "executionSuccessful")));
	CHECK_EQ_INT(fx_len(FX_GET(inv, "toolExecutionNotifications")), 1);
	CHECK_EQ_INT(fx_len(FX_GET(run, "results")), 0);
	CHECK_EQ_INT(fx_len(FX_GET(run, "tool", "driver", "rules")), 0);
	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "status")), "error");
	yajl_tree_free(v);
	mls_report_free(r);

	mls_report_new(&r, "hashsbom", "0.1.0", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	v = render_parse(r, NULL);
	CHECK(v != NULL);
	run = fx_at(FX_GET(v, "runs"), 0);
	CHECK(YAJL_IS_TRUE(FX_GET(fx_at(FX_GET(run, "invocations"), 0), "executionSuccessful")));
	CHECK_EQ_STR(fx_str(FX_GET(run, "properties", "verdict")), "clean");
	CHECK(FX_GET(run, "properties", "target") == NULL);
	yajl_tree_free(v);
	mls_report_free(r);
}

TEST(synthesized_rule_takes_worst_severity)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "t", "1", "x");
	mls_report_add_finding(r, "X-1", "x-rule", MLS_SEV_LOW, "a", NULL, "m", NULL);
	mls_report_add_finding(r, "X-1", "x-rule", MLS_SEV_CRITICAL, "b", NULL, "m", NULL);
	mls_report_add_finding(r, "A-1", NULL, MLS_SEV_MEDIUM, "c", NULL, "m", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	yajl_val v = render_parse(r, NULL);
	yajl_val run = fx_at(FX_GET(v, "runs"), 0);
	yajl_val rules = FX_GET(run, "tool", "driver", "rules");
	CHECK_EQ_INT(fx_len(rules), 2);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "id")), "A-1"); /* synthesized ones by id */
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "shortDescription", "text")), "A-1");
	CHECK(FX_GET(fx_at(rules, 0), "name") == NULL);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 1), "id")), "X-1");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 1), "defaultConfiguration", "level")), "error");
	yajl_val results = FX_GET(run, "results");
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(results, 0), "ruleIndex")), 1);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(results, 0), "level")), "note");
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(results, 2), "ruleIndex")), 0);
	yajl_tree_free(v);
	mls_report_free(r);
}

TEST(many_rules_and_results)
{
	struct mls_report *r = NULL;
	char id[32], p[32];
	mls_report_new(&r, "t", "1", "x");
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "R-%04d", (i * 7919) % 3000);
		snprintf(p, sizeof(p), "f%d", i % 17);
		mls_report_add_finding(r, id, "r", (enum mls_severity)(i % 5), p, NULL, "m", NULL);
	}
	mls_report_finish(r, MLS_SEV_MEDIUM);
	yajl_val v = render_parse(r, NULL);
	yajl_val run = fx_at(FX_GET(v, "runs"), 0);
	yajl_val rules = FX_GET(run, "tool", "driver", "rules");
	yajl_val results = FX_GET(run, "results");
	CHECK_EQ_INT(fx_len(rules), 3000);
	CHECK_EQ_INT(fx_len(results), 3000);
	int bad = 0;
	for (size_t i = 0; i < fx_len(results); i++) {
		yajl_val res = fx_at(results, i);
		long long k = fx_int(FX_GET(res, "ruleIndex"));
		if (k < 0 || (size_t)k >= fx_len(rules) ||
		    strcmp(fx_str(FX_GET(fx_at(rules, (size_t)k), "id")), fx_str(FX_GET(res, "ruleId"))) != 0)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	yajl_tree_free(v);
	mls_report_free(r);
}

TEST(ids_that_print_alike_are_one_rule)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "t", "1", "x");
	mls_report_add_rule(r, "R\xff", "reg", NULL, NULL, MLS_SEV_HIGH);
	mls_report_add_rule(r, "R\xfe", "reg2", NULL, NULL, MLS_SEV_LOW); /* prints as R\ufffd too */
	mls_report_add_finding(r, "R\xfe", "r", MLS_SEV_LOW, "a", NULL, "m", NULL);
	mls_report_add_finding(r, "S\xff", "s", MLS_SEV_LOW, "b", NULL, "m", NULL);
	mls_report_add_finding(r, "S\xc0", "s", MLS_SEV_HIGH, "c", NULL, "m", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	yajl_val v = render_parse(r, NULL);
	yajl_val run = fx_at(FX_GET(v, "runs"), 0);
	yajl_val rules = FX_GET(run, "tool", "driver", "rules");
	CHECK_EQ_INT(fx_len(rules), 2);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "id")), "R\xef\xbf\xbd");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 0), "name")), "reg");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 1), "id")), "S\xef\xbf\xbd");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(rules, 1), "defaultConfiguration", "level")), "error");
	yajl_val results = FX_GET(run, "results");
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(results, 0), "ruleIndex")), 0);
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(results, 1), "ruleIndex")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(fx_at(results, 2), "ruleIndex")), 1);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(results, 2), "ruleId")), "S\xef\xbf\xbd");
	yajl_tree_free(v);
	mls_report_free(r);
}

TEST(artifacts_are_unique)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "t", "1", "x");
	mls_report_add_file(r, "b", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "a", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "./a", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "a", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "/c", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "//c", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	yajl_val v = render_parse(r, NULL); /* not finished: file order kept */
	yajl_val arts = FX_GET(fx_at(FX_GET(v, "runs"), 0), "artifacts");
	CHECK_EQ_INT(fx_len(arts), 3);
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(arts, 0), "location", "uri")), "b");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(arts, 1), "location", "uri")), "a");
	CHECK_EQ_STR(fx_str(FX_GET(fx_at(arts, 2), "location", "uri")), "file:///c");
	yajl_tree_free(v);
	mls_report_free(r);
}

TEST_MAIN()
