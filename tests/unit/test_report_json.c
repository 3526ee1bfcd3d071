/*
 * JSON writer tests: the DESIGN.md envelope parsed back with yajl and checked
 * field by field; hostile strings come out valid and escaped.
 */
#include "harness.h"
#include "test_report_fixture.h"

static const char *get_s(yajl_val v, const char *k)
{
	return fx_str(FX_GET(v, k));
}

TEST(envelope_fields)
{
	struct mls_report *r = fx_sample(1);
	char *text = fx_render(r, MLS_FMT_JSON, 0);
	char err[256];
	CHECK(text != NULL);
	yajl_val v = fx_parse_json(text, err, sizeof(err));
	if (!v)
		fprintf(stderr, "parse error: %s\n", err);
	CHECK(v != NULL && YAJL_IS_OBJECT(v));
	if (!v) {
		free(text);
		mls_report_free(r);
		return;
	}
	/* pretty-printed */
	CHECK_CONTAINS(text, "\n  \"schema\": ");
	/* the envelope's keys, in order */
	const char *keys[] = { "schema", "tool", "started_at", "finished_at", "target", "status", "verdict",
			       "threshold", "summary", "files", "findings", "errors", "properties" };
	CHECK_EQ_INT(v->u.object.len, MLS_ARRAY_SIZE(keys));
	for (size_t i = 0; i < MLS_ARRAY_SIZE(keys) && i < v->u.object.len; i++)
		CHECK_EQ_STR(v->u.object.keys[i], keys[i]);

	CHECK_EQ_STR(get_s(v, "schema"), "mlsecops-report/1");
	CHECK_EQ_STR(fx_str(FX_GET(v, "tool", "name")), "modelscan-c");
	CHECK_EQ_STR(fx_str(FX_GET(v, "tool", "version")), "1.2.3");
	CHECK_EQ_STR(get_s(v, "started_at"), r->started_at);
	CHECK_EQ_STR(get_s(v, "finished_at"), r->finished_at);
	CHECK_EQ_STR(get_s(v, "status"), "incomplete");
	CHECK_EQ_STR(get_s(v, "verdict"), "unknown");
	CHECK_EQ_STR(get_s(v, "threshold"), "medium");

	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "files", "scanned")), 3);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "files", "skipped")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "files", "failed")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "files", "incomplete")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "findings", "critical")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "findings", "high")), 2);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "findings", "medium")), 2);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "findings", "low")), 1);
	CHECK_EQ_INT(fx_int(FX_GET(v, "summary", "findings", "info")), 1);

	/* files: sorted by path, every field present */
	yajl_val files = FX_GET(v, "files");
	CHECK_EQ_INT(fx_len(files), r->nfiles);
	for (size_t i = 0; i < r->nfiles && i < fx_len(files); i++) {
		yajl_val f = fx_at(files, i);
		CHECK_EQ_INT(fx_len(f), 6);
		CHECK(YAJL_IS_STRING(FX_GET(f, "path")));
		CHECK_EQ_INT(fx_int(FX_GET(f, "size")), (long long)r->files[i].size);
		CHECK(FX_GET(f, "sha256") != NULL && FX_GET(f, "format") != NULL && FX_GET(f, "reason") != NULL);
		CHECK_EQ_STR(get_s(f, "status"), mls_file_status_name(r->files[i].status));
	}
	yajl_val f0 = fx_at(files, 0);
	CHECK_EQ_STR(get_s(f0, "path"), "/abs/path/model.onnx");
	CHECK_EQ_STR(get_s(f0, "sha256"), "bb22");
	CHECK_EQ_STR(get_s(f0, "format"), "onnx");
	CHECK(YAJL_IS_NULL(FX_GET(f0, "reason")));
	yajl_val f1 = fx_at(files, 1);
	CHECK_EQ_STR(get_s(f1, "path"), "a/weights 1.bin");
	CHECK(YAJL_IS_NULL(FX_GET(f1, "sha256")) && YAJL_IS_NULL(FX_GET(f1, "format")));
	yajl_val f4 = fx_at(files, 4);
	CHECK_EQ_STR(get_s(f4, "path"), "d/broken.h5");
	CHECK_EQ_STR(get_s(f4, "status"), "failed");
	CHECK_EQ_STR(get_s(f4, "reason"), "corrupt header");

	/* findings: sorted by path then insertion, every field present */
	yajl_val fs = FX_GET(v, "findings");
	CHECK_EQ_INT(fx_len(fs), r->nfindings);
	const char *fkeys[] = { "id", "rule", "severity", "path", "location", "message", "evidence", "details" };
	for (size_t i = 0; i < fx_len(fs) && i < r->nfindings; i++) {
		yajl_val f = fx_at(fs, i);
		CHECK_EQ_INT(fx_len(f), MLS_ARRAY_SIZE(fkeys));
		for (size_t k = 0; k < MLS_ARRAY_SIZE(fkeys) && k < fx_len(f); k++)
			CHECK_EQ_STR(f->u.object.keys[k], fkeys[k]);
		CHECK_EQ_STR(get_s(f, "severity"), mls_severity_name(r->findings[i].severity));
		CHECK(YAJL_IS_OBJECT(FX_GET(f, "details")));
	}
	yajl_val run = fx_at(fs, 0); /* no path sorts first */
	CHECK_EQ_STR(get_s(run, "id"), "MS-RUN-001");
	CHECK(YAJL_IS_NULL(FX_GET(run, "path")) && YAJL_IS_NULL(FX_GET(run, "location")));
	CHECK(YAJL_IS_NULL(FX_GET(run, "evidence")));
	CHECK_EQ_INT(fx_len(FX_GET(run, "details")), 0);
	yajl_val crit = NULL;
	for (size_t i = 0; i < fx_len(fs); i++)
		if (strcmp(get_s(fx_at(fs, i), "severity"), "critical") == 0)
			crit = fx_at(fs, i);
	CHECK(crit != NULL);
	if (crit) {
		CHECK_EQ_STR(get_s(crit, "id"), "MS-PICKLE-001");
		CHECK_EQ_STR(get_s(crit, "rule"), "dangerous-global");
		CHECK_EQ_STR(get_s(crit, "path"), "b/model.pkl");
		CHECK_EQ_STR(get_s(crit, "location"), "member archive/data.pkl, offset 1234");
		CHECK_EQ_STR(get_s(crit, "message"), "pickle calls os.system");
		CHECK_EQ_STR(get_s(crit, "evidence"), "os.system");
		CHECK_EQ_STR(fx_str(FX_GET(crit, "details", "opcode")), "GLOBAL");
		CHECK_EQ_INT(fx_len(FX_GET(crit, "details")), 2);
	}

	yajl_val es = FX_GET(v, "errors");
	CHECK_EQ_INT(fx_len(es), 3);
	CHECK(YAJL_IS_NULL(FX_GET(fx_at(es, 0), "path"))); /* sorted: no path first */
	CHECK_EQ_STR(get_s(fx_at(es, 0), "message"), "database main.cvd is old");
	CHECK_EQ_STR(get_s(fx_at(es, 1), "path"), "d/broken.h5");
	CHECK_EQ_STR(get_s(fx_at(es, 1), "message"), "cannot parse 'd/broken.h5': bad magic");

	CHECK_EQ_STR(fx_str(FX_GET(v, "properties", "jenkins.build_url")), "http://jenkins/job/x/1/?a=<b>&c=\"d\"");
	yajl_tree_free(v);
	free(text);
	mls_report_free(r);
}

/* What mls_jgen_str should make of HOSTILE: invalid bytes become U+FFFD, the rest is kept. */
#define HOSTILE_SANITIZED                                                                               \
	"evil \x1b[31mred\x1b[0m \"dq\" 'sq' </script> ]]> &amp; <x a='1'> \x01\x07\x08\x7f \xc2\x9b" \
	"2J bad\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd( tab\there\nline2\r"

TEST(hostile_strings_round_trip)
{
	struct mls_report *r = fx_sample(1);
	char *text = fx_render(r, MLS_FMT_JSON, 0);
	char err[256];
	CHECK(text != NULL);
	if (!text) {
		mls_report_free(r);
		return;
	}
	size_t len = strlen(text);
	CHECK(fx_utf8_valid(text, len));
	CHECK(!fx_has_raw_forbidden(text, len, 1));
	CHECK(strstr(text, "</") == NULL); /* written as <\/ */
	CHECK(strcasestr(text, "\\u001b[31m") != NULL);
	CHECK_CONTAINS(text, "\\\"dq\\\"");
	CHECK(!strchr(text, '\r'));
	yajl_val v = fx_parse_json(text, err, sizeof(err));
	CHECK(v != NULL);
	if (v) {
		CHECK_EQ_STR(fx_str(FX_GET(v, "target")), "models/" HOSTILE_SANITIZED);
		yajl_val fs = FX_GET(v, "findings");
		int found = 0;
		for (size_t i = 0; i < fx_len(fs); i++) {
			yajl_val f = fx_at(fs, i);
			if (strcmp(get_s(f, "severity"), "medium") != 0 || strncmp(get_s(f, "id"), "MS-evil", 7) != 0)
				continue;
			found = 1;
			CHECK_EQ_STR(get_s(f, "id"), "MS-" HOSTILE_SANITIZED);
			CHECK_EQ_STR(get_s(f, "rule"), HOSTILE_SANITIZED);
			CHECK_EQ_STR(get_s(f, "message"), HOSTILE_SANITIZED);
			CHECK_EQ_STR(get_s(f, "evidence"), HOSTILE_SANITIZED);
			CHECK_EQ_STR(get_s(f, "location"), HOSTILE_SANITIZED);
			CHECK_EQ_STR(get_s(f, "path"), "c/\xc3\xa9vil" HOSTILE_SANITIZED ".pt");
		}
		CHECK(found);
		CHECK_EQ_STR(fx_str(FX_GET(v, "properties", HOSTILE_SANITIZED)), HOSTILE_SANITIZED);
		yajl_tree_free(v);
	}
	free(text);
	mls_report_free(r);
}

struct extra_ctx {
	int calls;
};

static void extra_fields(void *gen, void *ctx)
{
	struct extra_ctx *c = ctx;
	c->calls++;
	mls_jgen_kv_str(gen, "engine", "libclamav 1.0.7");
	mls_jgen_str(gen, "signatures");
	yajl_gen_map_open(gen);
	mls_jgen_kv_uint(gen, "count", 8700000);
	mls_jgen_kv_str(gen, "note", HOSTILE);
	yajl_gen_map_close(gen);
}

TEST(extra_fields_and_minimal_report)
{
	struct mls_report *r = NULL;
	struct extra_ctx c = { 0 };
	char err[256];
	CHECK_EQ_INT(mls_report_new(&r, "avscan", "0.1.0", NULL), 0);
	mls_report_set_extra(r, extra_fields, &c);
	char *text = fx_render(r, MLS_FMT_JSON, 0); /* not finished: finished_at null */
	yajl_val v = text ? fx_parse_json(text, err, sizeof(err)) : NULL;
	CHECK(v != NULL);
	CHECK_EQ_INT(c.calls, 1);
	if (v) {
		CHECK(YAJL_IS_NULL(FX_GET(v, "finished_at")));
		CHECK(YAJL_IS_NULL(FX_GET(v, "target")));
		CHECK(FX_GET(v, "properties") == NULL); /* only when there are some */
		CHECK_EQ_INT(fx_len(FX_GET(v, "files")), 0);
		CHECK_EQ_INT(fx_len(FX_GET(v, "findings")), 0);
		CHECK_EQ_INT(fx_len(FX_GET(v, "errors")), 0);
		CHECK_EQ_STR(fx_str(FX_GET(v, "engine")), "libclamav 1.0.7");
		CHECK_EQ_INT(fx_int(FX_GET(v, "signatures", "count")), 8700000);
		CHECK_EQ_STR(fx_str(FX_GET(v, "verdict")), "unknown");
		yajl_tree_free(v);
	}
	free(text);

	mls_report_finish(r, MLS_SEV_HIGH);
	text = fx_render(r, MLS_FMT_JSON, 0);
	v = text ? fx_parse_json(text, err, sizeof(err)) : NULL;
	CHECK(v != NULL);
	if (v) {
		CHECK_EQ_STR(fx_str(FX_GET(v, "status")), "complete");
		CHECK_EQ_STR(fx_str(FX_GET(v, "verdict")), "clean");
		CHECK_EQ_STR(fx_str(FX_GET(v, "threshold")), "high");
		CHECK(YAJL_IS_STRING(FX_GET(v, "finished_at")));
		yajl_tree_free(v);
	}
	free(text);
	mls_report_free(r);
}

static void bad_extra(void *gen, void *ctx)
{
	(void)ctx;
	mls_jgen_str(gen, "open");
	yajl_gen_array_open(gen);
}

TEST(unbalanced_extra_is_an_error)
{
	struct mls_report *r = NULL;
	struct mls_buf b;
	mls_report_new(&r, "t", "1", "x");
	mls_report_set_extra(r, bad_extra, NULL);
	mls_buf_init(&b, 0);
	CHECK(mls_report_render(&b, r, MLS_FMT_JSON, 0) < 0);
	CHECK_CONTAINS(mls_error_msg(), "not well formed");
	mls_buf_release(&b);
	mls_report_free(r);
}

TEST(render_bad_arguments)
{
	struct mls_report *r = NULL;
	struct mls_buf b;
	mls_report_new(&r, "t", "1", "x");
	mls_buf_init(&b, 0);
	CHECK_EQ_INT(mls_report_render(&b, r, (enum mls_format)17, 0), MLS_EINVAL);
	CHECK_EQ_INT(mls_report_render(NULL, r, MLS_FMT_JSON, 0), MLS_EINVAL);
	CHECK_EQ_INT(mls_report_render(&b, NULL, MLS_FMT_JSON, 0), MLS_EINVAL);
	/* a buffer too small for the report fails cleanly */
	struct mls_buf small;
	mls_buf_init(&small, 64);
	CHECK(mls_report_render(&small, r, MLS_FMT_JSON, 0) < 0);
	CHECK(mls_report_render(&small, r, MLS_FMT_SARIF, 0) < 0);
	CHECK(mls_report_render(&small, r, MLS_FMT_JUNIT, 0) < 0);
	CHECK(mls_report_render(&small, r, MLS_FMT_TEXT, 0) < 0);
	mls_buf_release(&small);
	mls_buf_release(&b);
	mls_report_free(r);
}

TEST_MAIN()
