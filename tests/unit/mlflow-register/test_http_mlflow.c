/* Unit tests for mlflow-register's transport helpers and MLflow response parsers. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "http.h"
#include "mlflow.h"
#include "mls/common.h"

TEST(retry_after_seconds_and_dates)
{
	CHECK(mr_http_parse_retry_after("3", 0) == 3.0);
	CHECK(mr_http_parse_retry_after(" 0 ", 0) == 0.0);
	CHECK(mr_http_parse_retry_after("99999999", 0) == 86400.0);
	CHECK(mr_http_parse_retry_after("", 0) < 0);
	CHECK(mr_http_parse_retry_after(NULL, 0) < 0);
	CHECK(mr_http_parse_retry_after("3x", 0) < 0);
	CHECK(mr_http_parse_retry_after("nonsense", 0) < 0);
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
	CHECK(mr_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470) == 10.0);
	CHECK(mr_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490) == 0.0);
}

TEST(backoff_grows_with_jitter_and_cap)
{
	unsigned seed = 42;
	for (int i = 0; i < 100; i++) {
		double d0 = mr_http_backoff(0, 0.5, 30, &seed);
		double d3 = mr_http_backoff(3, 0.5, 30, &seed);
		double d20 = mr_http_backoff(20, 0.5, 30, &seed);
		CHECK(d0 >= 0.25 && d0 < 0.5);
		CHECK(d3 >= 2.0 && d3 < 4.0);
		CHECK(d20 >= 15.0 && d20 < 30.0);
	}
	CHECK(mr_http_backoff(1000, 1, 5, &seed) < 5.0);
}

TEST(retryable_statuses)
{
	CHECK(mr_http_status_retryable(429));
	CHECK(mr_http_status_retryable(503));
	CHECK(mr_http_status_retryable(500));
	CHECK(!mr_http_status_retryable(400));
	CHECK(!mr_http_status_retryable(401));
	CHECK(!mr_http_status_retryable(403));
	CHECK(!mr_http_status_retryable(404));
	CHECK(!mr_http_status_retryable(200));
}

TEST(escape)
{
	char *e = mr_http_escape("a b/c'd");
	CHECK_EQ_STR(e, "a%20b%2Fc%27d");
	free(e);
}

TEST(error_bodies)
{
	char code[64], msg[256];
	const char *b = "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Could not find\"}";
	CHECK_EQ_INT(mr_parse_error(code, sizeof(code), msg, sizeof(msg), b, strlen(b)), 0);
	CHECK_EQ_STR(code, "RESOURCE_DOES_NOT_EXIST");
	CHECK_EQ_STR(msg, "Could not find");
	const char *html = "You are not authenticated.\nPlease see docs";
	CHECK(mr_parse_error(code, sizeof(code), msg, sizeof(msg), html, strlen(html)) < 0);
	CHECK_EQ_STR(code, "");
	CHECK_EQ_STR(msg, "You are not authenticated.");
	CHECK(mr_parse_error(code, sizeof(code), msg, sizeof(msg), "[]", 2) < 0);
	CHECK(mr_parse_error(code, 4, msg, 4, b, strlen(b)) == 0);
	CHECK_EQ_STR(code, "RES");
}

static yajl_val parse(const char *s)
{
	yajl_val v = NULL;
	CHECK_EQ_INT(mls_json_parse(&v, s, strlen(s), 1 << 20, 64), 0);
	return v;
}

TEST(model_version)
{
	yajl_val v = parse("{\"model_version\":{\"name\":\"m\",\"version\":\"3\",\"status\":\"READY\",\"run_id\":\"r\","
			   "\"source\":\"mlflow-artifacts:/1/r/artifacts/model\",\"creation_timestamp\":17,"
			   "\"tags\":[{\"key\":\"mlsecops.sha256\",\"value\":\"ab\"},{\"value\":\"nokey\"},{\"key\":\"x\"}],"
			   "\"aliases\":[\"champion\", 3]}}");
	struct mr_model_version mv;
	CHECK_EQ_INT(mr_parse_model_version(&mv, mls_json_get(v, "model_version")), 0);
	CHECK_EQ_STR(mv.version, "3");
	CHECK_EQ_STR(mv.status, "READY");
	CHECK_EQ_INT(mv.created, 17);
	CHECK_EQ_STR(mr_kvs_get(&mv.tags, "mlsecops.sha256"), "ab");
	CHECK_EQ_STR(mr_kvs_get(&mv.tags, "x"), "");
	CHECK_EQ_INT(mv.tags.n, 2);
	CHECK_EQ_INT(mv.naliases, 1);
	CHECK_EQ_STR(mv.aliases[0], "champion");
	mr_model_version_release(&mv);
	yajl_tree_free(v);

	v = parse("{\"name\":\"m\",\"version\":12}");
	CHECK_EQ_INT(mr_parse_model_version(&mv, v), 0);
	CHECK_EQ_STR(mv.version, "12");
	mr_model_version_release(&mv);
	yajl_tree_free(v);

	v = parse("{\"name\":\"m\"}");
	CHECK_EQ_INT(mr_parse_model_version(&mv, v), MLS_EFORMAT);
	yajl_tree_free(v);
	CHECK_EQ_INT(mr_parse_model_version(&mv, NULL), MLS_EFORMAT);
}

TEST(lists)
{
	yajl_val v = parse("{\"model_versions\":[{\"name\":\"a\",\"version\":\"1\"},{\"name\":\"a\",\"version\":\"2\"}],"
			   "\"next_page_token\":\"t\"}");
	struct mr_model_version *mv = NULL;
	size_t n = 0;
	CHECK_EQ_INT(mr_parse_model_version_list(&mv, &n, v, 10), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(mr_parse_model_version_list(&mv, &n, v, 3), MLS_ELIMIT);
	mr_model_versions_free(mv, n);
	yajl_tree_free(v);

	v = parse("{}");
	mv = NULL;
	n = 0;
	CHECK_EQ_INT(mr_parse_model_version_list(&mv, &n, v, 10), 0);
	CHECK_EQ_INT(n, 0);
	yajl_tree_free(v);

	v = parse("{\"runs\":[{\"info\":{\"run_uuid\":\"r1\",\"status\":\"FAILED\",\"artifact_uri\":\"mlflow-artifacts:/1/r1/artifacts\"},"
		  "\"data\":{\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}}]}");
	struct mr_run *runs = NULL;
	n = 0;
	CHECK_EQ_INT(mr_parse_run_list(&runs, &n, v, 10), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(runs[0].run_id, "r1");
	CHECK_EQ_STR(mr_kvs_get(&runs[0].tags, "k"), "v");
	mr_runs_free(runs, n);
	yajl_tree_free(v);

	v = parse("{\"files\":[{\"path\":\"model\",\"is_dir\":true},{\"path\":\"model/a\",\"is_dir\":false,\"file_size\":5},"
		  "{\"path\":\"b\",\"file_size\":\"7\"}]}");
	struct mr_artifact *a = NULL;
	n = 0;
	CHECK_EQ_INT(mr_parse_artifact_list(&a, &n, v, 10), 0);
	CHECK_EQ_INT(n, 3);
	CHECK(a[0].is_dir && a[0].size == -1);
	CHECK(!a[1].is_dir && a[1].size == 5);
	CHECK_EQ_INT(a[2].size, 7);
	mr_artifacts_free(a, n);
	yajl_tree_free(v);

	v = parse("{\"files\":{\"path\":1}}");
	a = NULL;
	n = 0;
	CHECK_EQ_INT(mr_parse_artifact_list(&a, &n, v, 10), MLS_EFORMAT);
	mr_artifacts_free(a, n);
	yajl_tree_free(v);
}

TEST(version_numbers_and_kvs)
{
	CHECK_EQ_INT(mr_version_number("12"), 12);
	CHECK_EQ_INT(mr_version_number("1a"), -1);
	CHECK_EQ_INT(mr_version_number(""), -1);
	CHECK_EQ_INT(mr_version_number(NULL), -1);
	struct mr_kvs k;
	mr_kvs_init(&k);
	mr_kvs_set(&k, "a", "1");
	mr_kvs_set(&k, "a", "2");
	mr_kvs_set(&k, "b", NULL);
	CHECK_EQ_INT(k.n, 2);
	CHECK_EQ_STR(mr_kvs_get(&k, "a"), "2");
	CHECK_EQ_STR(mr_kvs_get(&k, "b"), "");
	CHECK(mr_kvs_get(&k, "c") == NULL);
	mr_kvs_release(&k);
}

TEST(artifact_urls_and_filters)
{
	struct mr_client c;
	struct mr_http_opts o;
	mr_http_opts_default(&o);
	CHECK_EQ_INT(mr_client_init(&c, "http://h:5000/", &o), 0);
	CHECK_EQ_STR(c.base, "http://h:5000");
	char *u = NULL;
	CHECK_EQ_INT(mr_artifact_url(&c, "mlflow-artifacts:/1/abc/artifacts", "model/a b.bin", &u), 0);
	CHECK_EQ_STR(u, "http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/a%20b.bin");
	free(u);
	CHECK_EQ_INT(mr_artifact_url(&c, "mlflow-artifacts://other:1/2/r/artifacts", "x", &u), 0);
	CHECK_EQ_STR(u, "http://h:5000/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts/x");
	free(u);
	CHECK_EQ_INT(mr_artifact_url(&c, "s3://bucket/1/r/artifacts", "x", &u), MLS_EUNSUPPORTED);
	CHECK_EQ_INT(mr_artifact_url(&c, "mlflow-artifacts:/1/r/artifacts", "../x", &u), MLS_EUNSAFE);
	mr_client_release(&c);
	CHECK_EQ_INT(mr_client_init(&c, "file:///tmp/mlruns", &o), MLS_EINVAL);
	mr_client_release(&c);

	struct mls_buf b;
	mls_buf_init(&b, 1024);
	CHECK_EQ_INT(mr_filter_quote(&b, "plain"), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "'plain'");
	mls_buf_reset(&b);
	CHECK_EQ_INT(mr_filter_quote(&b, "it's"), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "\"it's\"");
	mls_buf_reset(&b);
	CHECK(mr_filter_quote(&b, "both'\"") < 0);
	mls_buf_release(&b);
}

TEST(env_options)
{
	struct mr_http_opts o;
	mr_http_opts_default(&o);
	setenv("MLFLOW_TRACKING_USERNAME", "u", 1);
	setenv("MLFLOW_TRACKING_PASSWORD", "p", 1);
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	unsetenv("MLFLOW_TRACKING_TOKEN");
	mr_http_opts_from_env(&o);
	CHECK_EQ_STR(o.user, "u");
	CHECK_EQ_STR(o.password, "p");
	CHECK(o.insecure);
	CHECK(o.token == NULL);
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "false", 1);
	mr_http_opts_from_env(&o);
	CHECK(!o.insecure);
	CHECK_EQ_INT(o.retries, 4);
}

TEST_MAIN()
