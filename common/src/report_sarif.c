/*
 * SARIF 2.1.0 writer: one run whose driver lists every rule (registered with
 * mls_report_add_rule, plus one synthesized per other finding id), one result
 * per finding, one invocation (success, times, notifications for errors and
 * unfinished files) and the files as artifacts.  Every result carries a
 * `level` and a `region.startLine` (1: findings are about whole files), as
 * Jenkins' warnings-ng plugin requires.  Produced with yajl, so every string
 * is valid UTF-8 and escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "mls/common.h"
#include "report_priv.h"

#ifndef MLS_PROJECT_URL
#define MLS_PROJECT_URL "https://github.com/mlsecops/mlsecops"
#endif
#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"

/* A rule as written in driver.rules[]. */
struct rule_ref {
	const char *id, *name, *description, *help_uri;
	enum mls_severity severity;
};

/* An id with an index (into r->rules, r->findings or the rule_ref table). */
struct id_idx {
	const char *id;
	size_t idx;
};

static int cmp_id_idx(const void *a, const void *b)
{
	return strcmp(((const struct id_idx *)a)->id, ((const struct id_idx *)b)->id);
}

static const char *sarif_level(enum mls_severity s)
{
	if (s >= MLS_SEV_HIGH)
		return "error";
	return s == MLS_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning reads rules' properties."security-severity" (0.0-10.0). */
static const char *security_severity(enum mls_severity s)
{
	static const char *const score[] = { "0.0", "2.0", "5.5", "8.0", "9.5" };
	return (unsigned)s <= MLS_SEV_CRITICAL ? score[s] : "0.0";
}

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void gen_text(yajl_gen g, const char *k, const char *text)
{
	key(g, k);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "text", text);
	yajl_gen_map_close(g);
}

/* Percent-encodes everything but RFC 3986 unreserved characters and "/". */
static int uri_encode(struct mls_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
			rc = mls_buf_putc(out, (char)*p);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			rc = mls_buf_append(out, e, 3);
		}
	}
	return rc;
}

/*
 * A relative path becomes a relative reference ("a b/c" -> "a%20b/c", "./"
 * prefixes dropped); an absolute path a file:// URI; NULL or "" is ".".
 */
int mls_report_path_uri(struct mls_buf *out, const char *path)
{
	if (!path || !*path)
		return mls_buf_putc(out, '.');
	if (path[0] == '/') {
		int rc = mls_buf_puts(out, "file://");
		while (rc == 0 && path[0] == '/' && path[1] == '/')
			path++; /* "//x" would read as an authority */
		return rc ? rc : uri_encode(out, path);
	}
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (*path == '/')
			path++;
	}
	return *path ? uri_encode(out, path) : mls_buf_putc(out, '.');
}

static void gen_artifact_location(yajl_gen g, struct mls_buf *tmp, const char *path)
{
	mls_buf_reset(tmp);
	key(g, "artifactLocation");
	yajl_gen_map_open(g);
	if (mls_report_path_uri(tmp, path) == 0)
		mls_jgen_kv_str(g, "uri", mls_buf_cstr(tmp));
	else
		mls_jgen_kv_str(g, "uri", ".");
	yajl_gen_map_close(g);
}

/* Only absolute http(s) URIs are written as helpUri (the schema wants a URI). */
static int is_web_uri(const char *s)
{
	if (!s || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p))
			return 0;
	return 1;
}

/* The rule table of a run, and the rule of each finding. */
struct rules {
	struct rule_ref *refs; /* registered rules first, then one per other finding id (by id) */
	size_t nrefs;
	size_t *rule_of;       /* finding index -> index in refs */
	char **owned;          /* sanitised copies of ids that were not valid UTF-8 */
	size_t nowned;
};

static void rules_release(struct rules *t)
{
	for (size_t i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->refs);
	free(t->rule_of);
	memset(t, 0, sizeof(*t));
}

/* The id as it will be written: invalid UTF-8 replaced, so that two ids that
 * print the same are one rule. */
static const char *rule_key(struct rules *t, const char *id)
{
	struct mls_buf b;
	if (mls_utf8_valid(id, strlen(id)))
		return id;
	mls_buf_init(&b, 0);
	if (mls_utf8_sanitize(&b, id, strlen(id)) < 0 || mls_buf_puts(&b, "") < 0) {
		mls_buf_release(&b);
		return id;
	}
	char *k = mls_buf_detach(&b, NULL);
	t->owned[t->nowned++] = k;
	return k;
}

static int build_rules(struct rules *t, const struct mls_report *r)
{
	struct id_idx *fids = NULL, *look = NULL;
	size_t n = 0, nreg = 0;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->refs = calloc(r->nrules + r->nfindings + 1, sizeof(*t->refs));
	t->rule_of = calloc(r->nfindings + 1, sizeof(*t->rule_of));
	t->owned = calloc(r->nrules + r->nfindings + 1, sizeof(*t->owned));
	look = calloc(r->nrules + r->nfindings + 1, sizeof(*look));
	fids = calloc(r->nfindings + 1, sizeof(*fids));
	if (!t->refs || !t->rule_of || !t->owned || !look || !fids) {
		rc = mls_error_set(MLS_ENOMEM, "report: out of memory");
		goto done;
	}
	for (size_t i = 0; i < r->nrules; i++) {
		const struct mls_rule_info *ri = &r->rules[i];
		struct id_idx k = { rule_key(t, ri->id), 0 };
		int dup = 0;
		for (size_t j = 0; j < nreg && !dup; j++) /* registered rules are few */
			dup = strcmp(look[j].id, k.id) == 0;
		if (dup)
			continue;
		t->refs[n] = (struct rule_ref){ k.id, ri->name, ri->description, ri->help_uri, ri->severity };
		look[n] = (struct id_idx){ k.id, n };
		nreg = ++n;
	}
	qsort(look, nreg, sizeof(*look), cmp_id_idx);

	for (size_t i = 0; i < r->nfindings; i++)
		fids[i] = (struct id_idx){ rule_key(t, r->findings[i].id), i };
	if ((rc = mls_report_stable_sort(fids, r->nfindings, sizeof(*fids), cmp_id_idx)) < 0)
		goto done;
	for (size_t i = 0; i < r->nfindings;) {
		size_t j = i;
		enum mls_severity worst = MLS_SEV_INFO;
		for (; j < r->nfindings && strcmp(fids[j].id, fids[i].id) == 0; j++)
			if (r->findings[fids[j].idx].severity > worst)
				worst = r->findings[fids[j].idx].severity;
		if (!bsearch(&fids[i], look, nreg, sizeof(*look), cmp_id_idx)) {
			const struct mls_finding *f = &r->findings[fids[i].idx];
			t->refs[n] = (struct rule_ref){ fids[i].id, f->rule, NULL, NULL, worst };
			look[n] = (struct id_idx){ fids[i].id, n };
			n++;
		}
		i = j;
	}
	qsort(look, n, sizeof(*look), cmp_id_idx);
	t->nrefs = n;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct id_idx *hit = bsearch(&fids[i], look, n, sizeof(*look), cmp_id_idx);
		t->rule_of[fids[i].idx] = hit ? hit->idx : 0; /* always found */
	}
done:
	free(look);
	free(fids);
	if (rc < 0)
		rules_release(t);
	return rc;
}

static void gen_rules(yajl_gen g, const struct rule_ref *rr, size_t n)
{
	key(g, "rules");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "id", rr[i].id);
		if (rr[i].name && *rr[i].name)
			mls_jgen_kv_str(g, "name", rr[i].name);
		gen_text(g, "shortDescription",
			 rr[i].name && *rr[i].name ? rr[i].name : (rr[i].description ? rr[i].description : rr[i].id));
		if (rr[i].description && *rr[i].description)
			gen_text(g, "fullDescription", rr[i].description);
		if (is_web_uri(rr[i].help_uri))
			mls_jgen_kv_str(g, "helpUri", rr[i].help_uri);
		key(g, "defaultConfiguration");
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "level", sarif_level(rr[i].severity));
		yajl_gen_map_close(g);
		key(g, "properties");
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "severity", mls_severity_name(rr[i].severity));
		mls_jgen_kv_str(g, "security-severity", security_severity(rr[i].severity));
		key(g, "tags");
		yajl_gen_array_open(g);
		mls_jgen_str(g, "security");
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_result(yajl_gen g, struct mls_buf *tmp, const struct mls_finding *f, const struct rule_ref *rule,
		       size_t rule_index)
{
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "ruleId", rule->id);
	mls_jgen_kv_uint(g, "ruleIndex", rule_index);
	mls_jgen_kv_str(g, "level", sarif_level(f->severity));

	mls_buf_reset(tmp);
	(void)mls_buf_puts(tmp, f->message ? f->message : f->id);
	if (f->evidence && *f->evidence)
		(void)mls_buf_printf(tmp, " (evidence: %s)", f->evidence);
	if (f->location && *f->location)
		(void)mls_buf_printf(tmp, " [%s]", f->location);
	gen_text(g, "message", mls_buf_cstr(tmp));

	key(g, "locations");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	key(g, "physicalLocation");
	yajl_gen_map_open(g);
	gen_artifact_location(g, tmp, f->path);
	key(g, "region");
	yajl_gen_map_open(g);
	mls_jgen_kv_int(g, "startLine", 1);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	if (f->location && *f->location) {
		key(g, "logicalLocations");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "fullyQualifiedName", f->location);
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);

	key(g, "properties");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "severity", mls_severity_name(f->severity));
	if (f->rule)
		mls_jgen_kv_str(g, "rule", f->rule);
	if (f->path)
		mls_jgen_kv_str(g, "path", f->path);
	if (f->location)
		mls_jgen_kv_str(g, "location", f->location);
	if (f->evidence)
		mls_jgen_kv_str(g, "evidence", f->evidence);
	if (f->ndetails) {
		key(g, "details");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < f->ndetails; i++) {
			mls_jgen_str(g, f->details[i].key);
			mls_jgen_str(g, f->details[i].value);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_notification(yajl_gen g, struct mls_buf *tmp, const char *level, const char *path,
			     const char *text)
{
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "level", level);
	gen_text(g, "message", text);
	if (path) {
		key(g, "locations");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		key(g, "physicalLocation");
		yajl_gen_map_open(g);
		gen_artifact_location(g, tmp, path);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_invocation(yajl_gen g, struct mls_buf *tmp, const struct mls_report *r)
{
	struct mls_buf msg;
	mls_buf_init(&msg, (size_t)1 << 20);
	key(g, "invocations");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	mls_jgen_kv_bool(g, "executionSuccessful", r->status != MLS_STATUS_ERROR);
	if (r->started_at[0])
		mls_jgen_kv_str(g, "startTimeUtc", r->started_at);
	if (r->finished_at[0])
		mls_jgen_kv_str(g, "endTimeUtc", r->finished_at);
	key(g, "toolExecutionNotifications");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nerrors; i++) {
		mls_buf_reset(&msg);
		if (r->errors[i].path)
			(void)mls_buf_printf(&msg, "%s: ", r->errors[i].path);
		(void)mls_buf_puts(&msg, r->errors[i].message ? r->errors[i].message : "error");
		gen_notification(g, tmp, "error", r->errors[i].path, mls_buf_cstr(&msg));
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct mls_report_file *f = &r->files[i];
		if (f->status != MLS_FILE_FAILED && f->status != MLS_FILE_INCOMPLETE)
			continue;
		mls_buf_reset(&msg);
		(void)mls_buf_printf(&msg, "%s: %s", f->path, mls_file_status_name(f->status));
		if (f->reason)
			(void)mls_buf_printf(&msg, ": %s", f->reason);
		gen_notification(g, tmp, f->status == MLS_FILE_FAILED ? "error" : "warning", f->path,
				 mls_buf_cstr(&msg));
	}
	if (r->status == MLS_STATUS_ERROR && r->nerrors == 0)
		gen_notification(g, tmp, "error", NULL, "the tool could not examine the target");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	mls_buf_release(&msg);
}

struct uri_idx {
	char *uri;
	size_t idx;
};

static int cmp_uri_idx(const void *a, const void *b)
{
	return strcmp(((const struct uri_idx *)a)->uri, ((const struct uri_idx *)b)->uri);
}

/* run.artifacts: one per distinct URI (the schema wants unique items), in file order. */
static int gen_artifacts(yajl_gen g, const struct mls_report *r)
{
	struct uri_idx *u = calloc(r->nfiles + 1, sizeof(*u));
	unsigned char *skip = calloc(r->nfiles + 1, 1);
	struct mls_buf b;
	int rc = 0;

	if (!u || !skip) {
		rc = mls_error_set(MLS_ENOMEM, "report: out of memory");
		goto done;
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		mls_buf_init(&b, 0);
		if ((rc = mls_report_path_uri(&b, r->files[i].path)) < 0) {
			mls_buf_release(&b);
			goto done;
		}
		u[i] = (struct uri_idx){ mls_buf_detach(&b, NULL), i };
	}
	if ((rc = mls_report_stable_sort(u, r->nfiles, sizeof(*u), cmp_uri_idx)) < 0)
		goto done;
	for (size_t i = 1; i < r->nfiles; i++)
		if (strcmp(u[i].uri, u[i - 1].uri) == 0)
			skip[u[i].idx] = 1;
	/* back to file order */
	for (size_t i = 0; i < r->nfiles; i++) {
		while (u[i].idx != i) {
			struct uri_idx t = u[u[i].idx];
			u[u[i].idx] = u[i];
			u[i] = t;
		}
	}

	key(g, "artifacts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct mls_report_file *f = &r->files[i];
		if (skip[i])
			continue;
		yajl_gen_map_open(g);
		key(g, "location");
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "uri", u[i].uri);
		yajl_gen_map_close(g);
		mls_jgen_kv_uint(g, "length", f->size);
		if (f->sha256 && *f->sha256) {
			key(g, "hashes");
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "sha-256", f->sha256);
			yajl_gen_map_close(g);
		}
		key(g, "properties");
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "status", mls_file_status_name(f->status));
		if (f->format)
			mls_jgen_kv_str(g, "format", f->format);
		if (f->reason)
			mls_jgen_kv_str(g, "reason", f->reason);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
done:
	for (size_t i = 0; u && i < r->nfiles; i++)
		free(u[i].uri);
	free(u);
	free(skip);
	return rc;
}

/* Appends the SARIF log to out; returns 0 or a negative code. */
int mls_report_render_sarif(struct mls_buf *out, const struct mls_report *r)
{
	struct rules rules;
	size_t len = 0;
	const unsigned char *text = NULL;
	struct mls_buf tmp;
	yajl_gen g = NULL;
	int rc;

	mls_buf_init(&tmp, (size_t)1 << 20);
	if ((rc = build_rules(&rules, r)) < 0) {
		mls_buf_release(&tmp);
		return rc;
	}
	if (!(g = mls_jgen_new(1))) {
		rc = mls_error_set(MLS_ENOMEM, "report: out of memory");
		goto done;
	}
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "$schema", SARIF_SCHEMA_URI);
	mls_jgen_kv_str(g, "version", "2.1.0");
	key(g, "runs");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);

	key(g, "tool");
	yajl_gen_map_open(g);
	key(g, "driver");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", r->tool_name);
	mls_jgen_kv_str(g, "version", r->tool_version);
	mls_jgen_kv_str(g, "informationUri", MLS_PROJECT_URL);
	gen_rules(g, rules.refs, rules.nrefs);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	gen_invocation(g, &tmp, r);
	if ((rc = gen_artifacts(g, r)) < 0)
		goto done;

	key(g, "results");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nfindings; i++)
		gen_result(g, &tmp, &r->findings[i], &rules.refs[rules.rule_of[i]], rules.rule_of[i]);
	yajl_gen_array_close(g);

	key(g, "properties");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "schema", MLS_REPORT_SCHEMA);
	mls_jgen_kv_str(g, "status", mls_report_status_name(r->status));
	mls_jgen_kv_str(g, "verdict", mls_verdict_name(r->verdict));
	mls_jgen_kv_str(g, "threshold", mls_severity_name(r->threshold));
	if (r->target)
		mls_jgen_kv_str(g, "target", r->target);
	if (r->nprops) {
		key(g, "report");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < r->nprops; i++) {
			mls_jgen_str(g, r->props[i].key);
			mls_jgen_str(g, r->props[i].value);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);

	yajl_gen_map_close(g); /* run */
	yajl_gen_array_close(g);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok || yajl_gen_get_buf(g, &text, &len) != yajl_gen_status_ok) {
		rc = mls_error_set(MLS_EINVAL, "report: cannot generate SARIF");
		goto done;
	}
	if ((rc = mls_buf_append(out, text, len)) == 0 && len && text[len - 1] != '\n')
		rc = mls_buf_putc(out, '\n');
done:
	if (g)
		yajl_gen_free(g);
	rules_release(&rules);
	mls_buf_release(&tmp);
	return rc;
}
