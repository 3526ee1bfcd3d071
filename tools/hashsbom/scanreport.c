/*
 * Scan reports of avscan and modelscan-c (the DESIGN.md envelope), read so
 * that sbom.c can record them: tool.name/version, status, verdict,
 * summary.files and summary.findings counts, and the findings themselves
 * (at most HS_SCAN_MAX_FINDINGS are imported; the total is kept).  The
 * report's own SHA-256 is recorded too.
 */
#include <stdlib.h>
#include <string.h>
#include "hashsbom.h"

#define HS_SCAN_MAX_FINDINGS 10000

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static long long get_count(yajl_val obj, const char *key)
{
	long long v = 0;
	if (mls_json_get_int(obj, key, &v) < 0 || v < 0)
		return 0;
	return v;
}

int hs_scan_report_load(struct hs_scan_report *r, const char *path, uint64_t max_bytes, unsigned max_depth)
{
	static const char *const sev[5] = { "critical", "high", "medium", "low", "info" };
	struct mls_buf b;
	yajl_val root = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	mls_buf_init(&b, (size_t)max_bytes + 1);
	rc = mls_read_file(&b, path, (size_t)max_bytes);
	if (rc == 0)
		rc = mls_json_parse(&root, mls_buf_cstr(&b), b.len, max_bytes, max_depth);
	if (rc < 0) {
		mls_error_prefix("scan report '%s'", path);
		goto done;
	}
	char hex[MLS_HASH_HEX_MAX];
	if (mls_hash_buffer(hex, b.data ? b.data : "", b.len, MLS_SHA256) == 0)
		r->sha256 = strdup(hex);
	r->file = strdup(path);
	const char *name = mls_json_str(mls_json_path(root, "tool", "name", NULL));
	if (!YAJL_IS_OBJECT(root) || !name || !*name) {
		rc = mls_error_set(MLS_EFORMAT, "scan report '%s' has no tool.name: not an mlsecops report", path);
		goto done;
	}
	/* the tool name becomes part of property names: keep [a-z0-9_-] */
	r->tool = strdup(name);
	if (!r->tool) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	for (char *p = r->tool; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			*p = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			*p = '_';
	}
	r->tool_version = dup_or_null(mls_json_str(mls_json_path(root, "tool", "version", NULL)));
	r->status = dup_or_null(mls_json_get_str(root, "status"));
	r->verdict = dup_or_null(mls_json_get_str(root, "verdict"));
	r->finished_at = dup_or_null(mls_json_get_str(root, "finished_at"));
	yajl_val sf = mls_json_path(root, "summary", "findings", NULL);
	for (int i = 0; i < 5; i++)
		r->counts[i] = get_count(sf, sev[i]);
	yajl_val files = mls_json_path(root, "summary", "files", NULL);
	r->files_scanned = get_count(files, "scanned");
	r->files_skipped = get_count(files, "skipped");
	r->files_failed = get_count(files, "failed");
	yajl_val fs = mls_json_get(root, "findings");
	if (fs && YAJL_IS_ARRAY(fs)) {
		size_t n = fs->u.array.len;
		r->nfindings_total = n;
		if (n > HS_SCAN_MAX_FINDINGS)
			n = HS_SCAN_MAX_FINDINGS;
		r->findings = calloc(n ? n : 1, sizeof(*r->findings));
		if (!r->findings) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n; i++) {
			yajl_val f = fs->u.array.values[i];
			if (!YAJL_IS_OBJECT(f))
				continue;
			struct hs_scan_finding *o = &r->findings[r->nfindings++];
			o->id = dup_or_null(mls_json_get_str(f, "id"));
			o->severity = dup_or_null(mls_json_get_str(f, "severity"));
			o->path = dup_or_null(mls_json_get_str(f, "path"));
			o->location = dup_or_null(mls_json_get_str(f, "location"));
			o->message = dup_or_null(mls_json_get_str(f, "message"));
			o->evidence = dup_or_null(mls_json_get_str(f, "evidence"));
		}
	}
done:
	if (root)
		yajl_tree_free(root);
	mls_buf_release(&b);
	if (rc < 0)
		hs_scan_report_release(r);
	return rc;
}

void hs_scan_report_release(struct hs_scan_report *r)
{
	if (!r)
		return;
	free(r->tool);
	free(r->tool_version);
	free(r->status);
	free(r->verdict);
	free(r->finished_at);
	free(r->sha256);
	free(r->file);
	for (size_t i = 0; i < r->nfindings; i++) {
		struct hs_scan_finding *f = &r->findings[i];
		free(f->id);
		free(f->severity);
		free(f->path);
		free(f->location);
		free(f->message);
		free(f->evidence);
	}
	free(r->findings);
	memset(r, 0, sizeof(*r));
}
