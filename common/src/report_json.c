/*
 * JSON writer: the report envelope of shared/DESIGN.md ("mlsecops-report/1"),
 * pretty-printed, produced with yajl.  Every string goes through
 * mls_jgen_str, so the document is valid UTF-8 and escaped whatever the
 * tool put in the report.  Tools add top-level fields through extra_fn.
 */
#include <string.h>

#include "mls/common.h"
#include "report_priv.h"

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void gen_kvs(yajl_gen g, const struct mls_kv *kv, size_t n)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		mls_jgen_str(g, kv[i].key);
		mls_jgen_str(g, kv[i].value);
	}
	yajl_gen_map_close(g);
}

static void gen_summary(yajl_gen g, const struct mls_report *r)
{
	size_t files[4], sev[5];
	mls_report_counts(r, files, sev);
	key(g, "summary");
	yajl_gen_map_open(g);
	key(g, "files");
	yajl_gen_map_open(g);
	mls_jgen_kv_uint(g, "scanned", files[MLS_FILE_SCANNED]);
	mls_jgen_kv_uint(g, "skipped", files[MLS_FILE_SKIPPED]);
	mls_jgen_kv_uint(g, "failed", files[MLS_FILE_FAILED]);
	mls_jgen_kv_uint(g, "incomplete", files[MLS_FILE_INCOMPLETE]);
	yajl_gen_map_close(g);
	key(g, "findings");
	yajl_gen_map_open(g);
	for (int s = MLS_SEV_CRITICAL; s >= MLS_SEV_INFO; s--)
		mls_jgen_kv_uint(g, mls_severity_name((enum mls_severity)s), sev[s]);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_files(yajl_gen g, const struct mls_report *r)
{
	key(g, "files");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct mls_report_file *f = &r->files[i];
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", f->path);
		mls_jgen_kv_uint(g, "size", f->size);
		mls_jgen_kv_str(g, "sha256", f->sha256);
		mls_jgen_kv_str(g, "format", f->format);
		mls_jgen_kv_str(g, "status", mls_file_status_name(f->status));
		mls_jgen_kv_str(g, "reason", f->reason);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_findings(yajl_gen g, const struct mls_report *r)
{
	key(g, "findings");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mls_finding *f = &r->findings[i];
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "id", f->id);
		mls_jgen_kv_str(g, "rule", f->rule);
		mls_jgen_kv_str(g, "severity", mls_severity_name(f->severity));
		mls_jgen_kv_str(g, "path", f->path);
		mls_jgen_kv_str(g, "location", f->location);
		mls_jgen_kv_str(g, "message", f->message);
		mls_jgen_kv_str(g, "evidence", f->evidence);
		key(g, "details");
		gen_kvs(g, f->details, f->ndetails);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_errors(yajl_gen g, const struct mls_report *r)
{
	key(g, "errors");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->nerrors; i++) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", r->errors[i].path);
		mls_jgen_kv_str(g, "message", r->errors[i].message);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/*
 * Appends the JSON report to out.  Fails with MLS_EINVAL when the tool's
 * extra_fn left the document unbalanced, MLS_ENOMEM when out is full.
 */
int mls_report_render_json(struct mls_buf *out, const struct mls_report *r)
{
	const unsigned char *text = NULL;
	size_t len = 0;
	int rc = 0;
	yajl_gen g = mls_jgen_new(1);
	if (!g)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");

	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "schema", MLS_REPORT_SCHEMA);
	key(g, "tool");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", r->tool_name);
	mls_jgen_kv_str(g, "version", r->tool_version);
	yajl_gen_map_close(g);
	mls_jgen_kv_str(g, "started_at", r->started_at[0] ? r->started_at : NULL);
	mls_jgen_kv_str(g, "finished_at", r->finished_at[0] ? r->finished_at : NULL);
	mls_jgen_kv_str(g, "target", r->target);
	mls_jgen_kv_str(g, "status", mls_report_status_name(r->status));
	mls_jgen_kv_str(g, "verdict", mls_verdict_name(r->verdict));
	mls_jgen_kv_str(g, "threshold", mls_severity_name(r->threshold));
	gen_summary(g, r);
	gen_files(g, r);
	gen_findings(g, r);
	gen_errors(g, r);
	if (r->nprops) {
		key(g, "properties");
		gen_kvs(g, r->props, r->nprops);
	}
	if (r->extra_fn)
		r->extra_fn(g, r->extra_ctx);
	/* Once the top-level object is closed, yajl refuses anything more: a
	 * second close that succeeds means extra_fn left a container open. */
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_generation_complete ||
	    yajl_gen_get_buf(g, &text, &len) != yajl_gen_status_ok) {
		rc = mls_error_set(MLS_EINVAL, "report: the JSON document is not well formed (extra fields?)");
		goto done;
	}
	if ((rc = mls_buf_append(out, text, len)) < 0)
		goto done;
	if (len && text[len - 1] != '\n')
		rc = mls_buf_putc(out, '\n');
done:
	yajl_gen_free(g);
	return rc;
}
