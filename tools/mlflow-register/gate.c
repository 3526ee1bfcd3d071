/* The registration gate over the stage reports and the SBOM (see gate.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "gate.h"
#include "mls/common.h"

#define REPORT_MAX ((size_t)256 << 20)
#define TAG_VALUE_MAX 5000

static const char *const stage_names[MR_NSTAGES] = { "av", "modelscan" };
static const char *const stage_labels[MR_NSTAGES] = { "AV report", "model scan report" };

void mr_gate_init(struct mr_gate *g)
{
	memset(g, 0, sizeof(*g));
	for (int i = 0; i < MR_NSTAGES; i++) {
		g->stages[i].name = stage_names[i];
		g->stages[i].label = stage_labels[i];
		g->stages[i].covers_model = -1;
		snprintf(g->stages[i].status, sizeof(g->stages[i].status), "missing");
		snprintf(g->stages[i].verdict, sizeof(g->stages[i].verdict), "missing");
		mls_buf_init(&g->stages[i].blocking, 1 << 20);
	}
	g->sbom_covers = -1;
}

void mr_gate_release(struct mr_gate *g)
{
	if (!g)
		return;
	for (int i = 0; i < MR_NSTAGES; i++)
		mls_buf_release(&g->stages[i].blocking);
	for (size_t i = 0; i < g->nissues; i++) {
		free(g->issues[i].subject);
		free(g->issues[i].message);
	}
	free(g->issues);
	g->issues = NULL;
	g->nissues = 0;
}

static int add_issue(struct mr_gate *g, const char *rule, enum mls_severity sev, const char *subject, int overridden,
		     int error, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int add_issue(struct mr_gate *g, const char *rule, enum mls_severity sev, const char *subject, int overridden,
		     int error, const char *fmt, ...)
{
	struct mr_gate_issue *p = realloc(g->issues, (g->nissues + 1) * sizeof(*p));
	if (!p)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	g->issues = p;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct mr_gate_issue *is = &p[g->nissues];
	is->rule = rule;
	is->severity = sev;
	is->subject = strdup(subject ? subject : "");
	is->message = strdup(msg);
	is->overridden = overridden;
	is->error = error;
	if (!is->subject || !is->message) {
		free(is->subject);
		free(is->message);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	g->nissues++;
	if (!overridden) {
		if (error)
			g->errored = 1;
		else
			g->refused = 1;
	}
	return 0;
}

static int digest_listed(const char *hex, const char *const *model, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (model[i] && !strcasecmp(hex, model[i]))
			return 1;
	return 0;
}

int mr_gate_parse_report(struct mr_stage *s, const char *text, size_t len, enum mls_severity fail_on,
			 const char *const *model_sha256, size_t nmodel)
{
	yajl_val v = NULL;
	int rc = mls_json_parse(&v, text, len, REPORT_MAX, MLS_JSON_DEFAULT_DEPTH);
	if (rc < 0)
		return rc;
	memset(s->counts, 0, sizeof(s->counts));
	s->at_or_above = 0;
	s->covers_model = -1;
	s->tool[0] = '\0';
	mls_buf_reset(&s->blocking);
	const char *schema = mls_json_get_str(v, "schema");
	if (!YAJL_IS_OBJECT(v) || !schema || strncmp(schema, "mlsecops-report/", 16) != 0) {
		rc = mls_error_set(MLS_EFORMAT, "not an mlsecops report (no \"schema\": \"mlsecops-report/1\")");
		goto done;
	}
	if (strcmp(schema, MLS_REPORT_SCHEMA) != 0) {
		rc = mls_error_set(MLS_EFORMAT, "unsupported report schema '%s' (expected %s)", schema, MLS_REPORT_SCHEMA);
		goto done;
	}
	const char *status = mls_json_get_str(v, "status");
	const char *verdict = mls_json_get_str(v, "verdict");
	/* anything but the three known statuses is treated as not complete */
	if (status && (!strcmp(status, "complete") || !strcmp(status, "incomplete") || !strcmp(status, "error")))
		snprintf(s->status, sizeof(s->status), "%s", status);
	else
		snprintf(s->status, sizeof(s->status), "error");
	if (verdict && (!strcmp(verdict, "clean") || !strcmp(verdict, "findings") || !strcmp(verdict, "unknown")))
		snprintf(s->verdict, sizeof(s->verdict), "%s", verdict);
	else
		snprintf(s->verdict, sizeof(s->verdict), "unknown");
	if (strcmp(s->status, "complete") != 0)
		snprintf(s->verdict, sizeof(s->verdict), "unknown");
	const char *tname = mls_json_str(mls_json_path(v, "tool", "name", NULL));
	const char *tver = mls_json_str(mls_json_path(v, "tool", "version", NULL));
	snprintf(s->tool, sizeof(s->tool), "%s%s%s", tname ? tname : "unknown", tver ? " " : "", tver ? tver : "");

	/* counts from the summary and from findings[]: the larger of the two wins */
	long long from_list[5] = { 0 };
	yajl_val sum = mls_json_path(v, "summary", "findings", NULL);
	for (int sev = MLS_SEV_INFO; sev <= MLS_SEV_CRITICAL; sev++) {
		long long n = 0;
		if (sum && mls_json_get_int(sum, mls_severity_name((enum mls_severity)sev), &n) == 0 && n > 0)
			s->counts[sev] = n;
	}
	yajl_val fl = mls_json_get(v, "findings");
	if (fl && YAJL_IS_ARRAY(fl)) {
		for (size_t i = 0; i < fl->u.array.len; i++) {
			yajl_val f = fl->u.array.values[i];
			enum mls_severity sev;
			const char *ss = mls_json_get_str(f, "severity");
			if (!ss || mls_severity_parse(&sev, ss) < 0)
				sev = MLS_SEV_CRITICAL; /* unknown severity: fail closed */
			from_list[sev]++;
			if (sev >= fail_on && s->blocking.len < TAG_VALUE_MAX) {
				const char *id = mls_json_get_str(f, "id");
				const char *path = mls_json_get_str(f, "path");
				mls_buf_printf(&s->blocking, "%s%s (%s)%s%s", s->blocking.len ? "; " : "", id ? id : "?",
					       mls_severity_name(sev), path ? " " : "", path ? path : "");
			}
		}
	} else if (fl && !YAJL_IS_NULL(fl)) {
		rc = mls_error_set(MLS_EFORMAT, "\"findings\" is not a list");
		goto done;
	}
	for (int sev = MLS_SEV_INFO; sev <= MLS_SEV_CRITICAL; sev++) {
		if (from_list[sev] > s->counts[sev])
			s->counts[sev] = from_list[sev];
		if (sev >= (int)fail_on)
			s->at_or_above += s->counts[sev];
	}
	if (s->at_or_above && !s->blocking.len)
		mls_buf_printf(&s->blocking, "%lld finding(s) counted in the summary", s->at_or_above);

	/* does the report examine this model?  (files[].sha256) */
	yajl_val files = mls_json_get(v, "files");
	if (files && YAJL_IS_ARRAY(files) && nmodel) {
		for (size_t i = 0; i < files->u.array.len; i++) {
			const char *h = mls_json_get_str(files->u.array.values[i], "sha256");
			if (!h || !*h)
				continue;
			if (digest_listed(h, model_sha256, nmodel)) {
				s->covers_model = 1;
				break;
			}
			s->covers_model = 0;
		}
	}
	s->present = 1;
done:
	yajl_tree_free(v);
	return rc;
}

/* Collects every {"alg": "SHA-256", "content": HEX} below v. */
static void sbom_walk(yajl_val v, const char *const *model, size_t n, int *seen, int *match, int depth)
{
	if (!v || depth > MLS_JSON_DEFAULT_DEPTH)
		return;
	if (YAJL_IS_OBJECT(v)) {
		const char *alg = mls_json_get_str(v, "alg");
		const char *content = mls_json_get_str(v, "content");
		if (alg && content && !strcasecmp(alg, "SHA-256")) {
			*seen = 1;
			if (digest_listed(content, model, n))
				*match = 1;
		}
		for (size_t i = 0; i < v->u.object.len; i++)
			sbom_walk(v->u.object.values[i], model, n, seen, match, depth + 1);
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			sbom_walk(v->u.array.values[i], model, n, seen, match, depth + 1);
	}
}

int mr_gate_sbom_covers(const char *text, size_t len, const char *const *model_sha256, size_t nmodel)
{
	yajl_val v = NULL;
	int rc = mls_json_parse(&v, text, len, REPORT_MAX, MLS_JSON_DEFAULT_DEPTH);
	if (rc < 0)
		return rc;
	int seen = 0, match = 0;
	if (!YAJL_IS_OBJECT(v) || !mls_json_get_str(v, "bomFormat")) {
		yajl_tree_free(v);
		return mls_error_set(MLS_EFORMAT, "not a CycloneDX JSON document (no \"bomFormat\")");
	}
	sbom_walk(v, model_sha256, nmodel, &seen, &match, 0);
	yajl_tree_free(v);
	if (!seen || !nmodel)
		return 2;
	return match ? 1 : 0;
}

/* Reads a whole input file for the gate; 1 when absent (ENOENT), 0 read, <0 error. */
static int read_input(struct mls_buf *b, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 1;
	return mls_read_file(b, path, REPORT_MAX);
}

int mr_gate_evaluate(struct mr_gate *g, const struct mr_gate_opts *o)
{
	int rc = 0;
	g->fail_on = o->fail_on;
	for (int i = 0; i < MR_NSTAGES && rc == 0; i++) {
		struct mr_stage *s = &g->stages[i];
		struct mls_buf b;
		s->path = o->reports[i];
		if (!s->path) {
			rc = add_issue(g, "MR-GATE-003", MLS_SEV_HIGH, s->name, o->allow_missing, 1,
				       "no %s given (--%s-report)%s", s->label, i == MR_STAGE_AV ? "av" : "scan",
				       o->allow_missing ? "; accepted by --allow-missing-reports" : "");
			g->used_missing |= o->allow_missing;
			continue;
		}
		mls_buf_init(&b, REPORT_MAX + 1);
		int r = read_input(&b, s->path);
		if (r == 1) {
			rc = add_issue(g, "MR-GATE-003", MLS_SEV_HIGH, s->path, o->allow_missing, 1,
				       "%s '%s' does not exist%s", s->label, s->path,
				       o->allow_missing ? "; accepted by --allow-missing-reports" : "");
			g->used_missing |= o->allow_missing;
		} else if (r < 0) {
			rc = add_issue(g, "MR-GATE-006", MLS_SEV_HIGH, s->path, 0, 1, "cannot read %s '%s': %s", s->label,
				       s->path, mls_error_msg());
		} else {
			mls_hash_buffer(s->sha256, b.data, b.len, MLS_SHA256);
			r = mr_gate_parse_report(s, mls_buf_cstr(&b), b.len, o->fail_on, o->model_sha256, o->nmodel);
			if (r < 0) {
				rc = add_issue(g, "MR-GATE-006", MLS_SEV_HIGH, s->path, 0, 1, "%s '%s' is unusable: %s",
					       s->label, s->path, mls_error_msg());
			} else {
				if (s->at_or_above > 0) {
					rc = add_issue(g, "MR-GATE-001", MLS_SEV_HIGH, s->path, o->allow_findings, 0,
						       "%s '%s' shows %lld finding(s) at or above %s: %s%s", s->label,
						       s->path, s->at_or_above, mls_severity_name(o->fail_on),
						       mls_buf_cstr(&s->blocking),
						       o->allow_findings ? "; accepted by --allow-findings" : "");
					g->used_findings |= o->allow_findings;
				}
				if (rc == 0 && strcmp(s->status, "complete") != 0) {
					rc = add_issue(g, "MR-GATE-002", MLS_SEV_HIGH, s->path, o->allow_incomplete, 0,
						       "%s '%s' is %s: not everything was examined%s", s->label, s->path,
						       s->status,
						       o->allow_incomplete ? "; accepted by --allow-incomplete" : "");
					g->used_incomplete |= o->allow_incomplete;
				}
				if (rc == 0 && s->covers_model == 0)
					rc = add_issue(g, "MR-GATE-004", MLS_SEV_CRITICAL, s->path, 0, 0,
						       "%s '%s' was made for other files: none of its SHA-256 digests "
						       "is the model's",
						       s->label, s->path);
			}
		}
		mls_buf_release(&b);
	}
	if (rc < 0)
		return rc;
	if (!o->sbom) {
		rc = add_issue(g, "MR-GATE-003", MLS_SEV_HIGH, "sbom", o->allow_missing, 1, "no SBOM given (--sbom)%s",
			       o->allow_missing ? "; accepted by --allow-missing-reports" : "");
		g->used_missing |= o->allow_missing;
		return rc;
	}
	struct mls_buf b;
	mls_buf_init(&b, REPORT_MAX + 1);
	int r = read_input(&b, o->sbom);
	if (r == 1) {
		rc = add_issue(g, "MR-GATE-003", MLS_SEV_HIGH, o->sbom, o->allow_missing, 1, "SBOM '%s' does not exist%s",
			       o->sbom, o->allow_missing ? "; accepted by --allow-missing-reports" : "");
		g->used_missing |= o->allow_missing;
	} else if (r < 0) {
		rc = add_issue(g, "MR-GATE-006", MLS_SEV_HIGH, o->sbom, 0, 1, "cannot read SBOM '%s': %s", o->sbom,
			       mls_error_msg());
	} else {
		mls_hash_buffer(g->sbom_sha256, b.data, b.len, MLS_SHA256);
		r = mr_gate_sbom_covers(mls_buf_cstr(&b), b.len, o->model_sha256, o->nmodel);
		if (r < 0) {
			rc = add_issue(g, "MR-GATE-006", MLS_SEV_HIGH, o->sbom, 0, 1, "SBOM '%s' is unusable: %s", o->sbom,
				       mls_error_msg());
		} else {
			g->sbom_present = 1;
			g->sbom_covers = r == 2 ? -1 : r;
			if (r == 0)
				rc = add_issue(g, "MR-GATE-005", MLS_SEV_CRITICAL, o->sbom, 0, 0,
					       "SBOM '%s' describes other files: it lists SHA-256 digests but not the "
					       "model's",
					       o->sbom);
		}
	}
	mls_buf_release(&b);
	return rc;
}

static int tag(struct mr_kvs *t, const char *key, const char *value)
{
	if (!value)
		return 0;
	if (strlen(value) <= TAG_VALUE_MAX)
		return mr_kvs_set(t, key, value);
	char cut[TAG_VALUE_MAX + 1];
	size_t n = TAG_VALUE_MAX - 4;
	while (n > 0 && ((unsigned char)value[n] & 0xc0) == 0x80) /* keep UTF-8 whole */
		n--;
	memcpy(cut, value, n);
	memcpy(cut + n, " ...", 5);
	return mr_kvs_set(t, key, cut);
}

int mr_gate_tags(const struct mr_gate *g, struct mr_kvs *t, const char *who, const char *reason)
{
	int rc = 0;
	char key[128], val[256];
	int overridden = g->used_findings || g->used_incomplete || g->used_missing;
	rc |= tag(t, "mlsecops.gate", overridden ? "overridden" : "passed");
	rc |= tag(t, "mlsecops.gate.fail_on", mls_severity_name(g->fail_on));
	for (int i = 0; i < MR_NSTAGES; i++) {
		const struct mr_stage *s = &g->stages[i];
		snprintf(key, sizeof(key), "mlsecops.%s.status", s->name);
		rc |= tag(t, key, s->status);
		snprintf(key, sizeof(key), "mlsecops.%s.verdict", s->name);
		rc |= tag(t, key, s->verdict);
		if (!s->present)
			continue;
		snprintf(key, sizeof(key), "mlsecops.%s.tool", s->name);
		rc |= tag(t, key, s->tool);
		snprintf(key, sizeof(key), "mlsecops.%s.findings", s->name);
		snprintf(val, sizeof(val), "critical=%lld high=%lld medium=%lld low=%lld info=%lld",
			 s->counts[MLS_SEV_CRITICAL], s->counts[MLS_SEV_HIGH], s->counts[MLS_SEV_MEDIUM],
			 s->counts[MLS_SEV_LOW], s->counts[MLS_SEV_INFO]);
		rc |= tag(t, key, val);
		snprintf(key, sizeof(key), "mlsecops.%s.report_sha256", s->name);
		rc |= tag(t, key, s->sha256);
	}
	rc |= tag(t, "mlsecops.sbom.status", g->sbom_present ? "present" : "missing");
	if (g->sbom_present)
		rc |= tag(t, "mlsecops.sbom.sha256", g->sbom_sha256);
	if (overridden) {
		struct mls_buf what, list;
		mls_buf_init(&what, 4096);
		mls_buf_init(&list, 1 << 20);
		if (g->used_findings)
			mls_buf_puts(&what, "findings");
		if (g->used_incomplete)
			mls_buf_printf(&what, "%sincomplete", what.len ? "," : "");
		if (g->used_missing)
			mls_buf_printf(&what, "%smissing_reports", what.len ? "," : "");
		for (size_t i = 0; i < g->nissues; i++)
			if (g->issues[i].overridden)
				mls_buf_printf(&list, "%s%s: %s", list.len ? " | " : "", g->issues[i].rule,
					       g->issues[i].message);
		rc |= tag(t, "mlsecops.override", mls_buf_cstr(&what));
		rc |= tag(t, "mlsecops.override.by", who ? who : "unknown");
		rc |= tag(t, "mlsecops.override.reason", reason ? reason : "");
		rc |= tag(t, "mlsecops.override.issues", mls_buf_cstr(&list));
		for (int i = 0; i < MR_NSTAGES; i++)
			if (g->used_findings && g->stages[i].at_or_above) {
				snprintf(key, sizeof(key), "mlsecops.override.%s.findings", g->stages[i].name);
				rc |= tag(t, key, mls_buf_cstr(&g->stages[i].blocking));
			}
		mls_buf_release(&what);
		mls_buf_release(&list);
	}
	return rc < 0 ? mls_error_set(MLS_ENOMEM, "out of memory") : 0;
}

int mr_gate_fill_report(const struct mr_gate *g, struct mls_report *r)
{
	mls_report_add_rule(r, "MR-GATE-001", "findings-at-threshold",
			    "a stage report shows findings at or above --fail-on", NULL, MLS_SEV_HIGH);
	mls_report_add_rule(r, "MR-GATE-002", "incomplete-scan", "a stage report is not complete", NULL, MLS_SEV_HIGH);
	mls_report_add_rule(r, "MR-GATE-003", "missing-report", "a report or the SBOM was not given or does not exist",
			    NULL, MLS_SEV_HIGH);
	mls_report_add_rule(r, "MR-GATE-004", "report-for-other-files",
			    "a stage report lists SHA-256 digests, none of them the model's", NULL, MLS_SEV_CRITICAL);
	mls_report_add_rule(r, "MR-GATE-005", "sbom-for-other-files",
			    "the SBOM lists SHA-256 digests, none of them the model's", NULL, MLS_SEV_CRITICAL);
	mls_report_add_rule(r, "MR-GATE-006", "unusable-report", "a report or the SBOM cannot be read or understood",
			    NULL, MLS_SEV_HIGH);
	for (size_t i = 0; i < g->nissues; i++) {
		const struct mr_gate_issue *is = &g->issues[i];
		long idx = mls_report_add_finding(r, is->rule, is->rule, is->overridden ? MLS_SEV_INFO : is->severity,
						  is->subject, NULL, is->message, NULL);
		if (idx < 0)
			return (int)idx;
		if (is->overridden)
			mls_report_finding_detail(r, idx, "overridden", "true");
		if (is->error && !is->overridden)
			mls_report_add_error(r, is->subject, "%s", is->message);
	}
	return 0;
}

void mr_gate_print(const struct mr_gate *g)
{
	for (size_t i = 0; i < g->nissues; i++) {
		const struct mr_gate_issue *is = &g->issues[i];
		if (is->overridden)
			mls_warn("override: %s %s", is->rule, is->message);
		else
			mls_err("%s: %s [%s]", is->error ? "error" : "refused", is->message, is->rule);
	}
}
