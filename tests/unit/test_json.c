/* Unit tests for the yajl wrappers: bounded parsing, lookups, the safe generator. */
#include "harness.h"
#include "mls/common.h"

TEST(parse_and_lookup)
{
	const char *t = "{\"tool\":{\"name\":\"avscan\",\"n\":42},\"list\":[1,2]}";
	yajl_val v;
	CHECK_EQ_INT(mls_json_parse(&v, t, strlen(t), 1024, 8), 0);
	CHECK_EQ_STR(mls_json_str(mls_json_path(v, "tool", "name", NULL)), "avscan");
	long long n = 0;
	CHECK_EQ_INT(mls_json_get_int(mls_json_get(v, "tool"), "n", &n), 0);
	CHECK_EQ_INT(n, 42);
	CHECK(mls_json_get(v, "missing") == NULL);
	CHECK_EQ_STR(mls_json_scalar_text(mls_json_path(v, "tool", "n", NULL)), "42");
	CHECK_EQ_STR(mls_json_scalar_text(mls_json_path(v, "tool", "name", NULL)), "avscan");
	CHECK(mls_json_scalar_text(mls_json_get(v, "list")) == NULL);
	CHECK(mls_json_get_str(v, "list") == NULL);
	yajl_tree_free(v);
}

TEST(parse_limits)
{
	yajl_val v;
	char deep[300];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	CHECK_EQ_INT(mls_json_parse(&v, deep, 200, 1024, 64), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "depth");
	CHECK_EQ_INT(mls_json_parse(&v, deep, 200, 1024, 128), 0);
	yajl_tree_free(v);
	CHECK_EQ_INT(mls_json_parse(&v, "[1,2,3]", 7, 5, 8), MLS_ELIMIT);
	CHECK_EQ_INT(mls_json_parse(&v, "{\"a\":", 5, 100, 8), MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "invalid JSON");
	CHECK_EQ_INT(mls_json_parse(&v, "\"[[[[\"", 6, 100, 1), 0); /* brackets in strings do not count */
	yajl_tree_free(v);
	CHECK_EQ_INT(mls_json_parse(&v, "[1]\0", 4, 100, 8), MLS_EFORMAT);
}

TEST(generator_escapes)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "s", "</script>\"\x01\xff");
	mls_jgen_kv_str(g, "null", NULL);
	mls_jgen_kv_uint(g, "big", UINT64_MAX);
	mls_jgen_kv_int(g, "neg", -5);
	mls_jgen_kv_bool(g, "t", 1);
	mls_jgen_kv_double(g, "nan", 0.0 / 0.0);
	yajl_gen_map_close(g);
	const unsigned char *out;
	size_t len;
	CHECK_EQ_INT(yajl_gen_get_buf(g, &out, &len), yajl_gen_status_ok);
	CHECK_EQ_STR((const char *)out,
		     "{\"s\":\"<\\/script>\\\"\\u0001\xef\xbf\xbd\",\"null\":null,\"big\":18446744073709551615,"
		     "\"neg\":-5,\"t\":true,\"nan\":null}");
	/* and it parses back */
	yajl_val v;
	CHECK_EQ_INT(mls_json_parse(&v, (const char *)out, len, 0, 8), 0);
	CHECK_EQ_STR(mls_json_get_str(v, "s"), "</script>\"\x01\xef\xbf\xbd");
	/* copying a parsed value reproduces it */
	yajl_gen g2 = mls_jgen_new(0);
	mls_jgen_value(g2, v);
	const unsigned char *out2;
	size_t len2;
	yajl_gen_get_buf(g2, &out2, &len2);
	CHECK_EQ_STR((const char *)out2, (const char *)out);
	yajl_gen_free(g2);
	yajl_tree_free(v);
	yajl_gen_free(g);
}

TEST_MAIN()
