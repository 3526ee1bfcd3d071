/* MLflow REST API 2.0 calls and response parsers (see mlflow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include "mlflow.h"
#include "mls/common.h"

/* ---------- key/value lists ---------- */

void mr_kvs_init(struct mr_kvs *k)
{
	memset(k, 0, sizeof(*k));
}

void mr_kvs_release(struct mr_kvs *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].value);
	}
	free(k->v);
	memset(k, 0, sizeof(*k));
}

int mr_kvs_set(struct mr_kvs *k, const char *key, const char *value)
{
	char *nv = strdup(value ? value : "");
	if (!nv)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].key, key)) {
			free(k->v[i].value);
			k->v[i].value = nv;
			return 0;
		}
	if (k->n == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 16;
		struct mls_kv *p = realloc(k->v, nc * sizeof(*p));
		if (!p) {
			free(nv);
			return mls_error_set(MLS_ENOMEM, "out of memory");
		}
		k->v = p;
		k->cap = nc;
	}
	char *nk = strdup(key);
	if (!nk) {
		free(nv);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	k->v[k->n].key = nk;
	k->v[k->n].value = nv;
	k->n++;
	return 0;
}

const char *mr_kvs_get(const struct mr_kvs *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].key, key))
			return k->v[i].value;
	return NULL;
}

/* ---------- parsers ---------- */

static char *dup_str(yajl_val obj, const char *key)
{
	const char *s = mls_json_get_str(obj, key);
	return s ? strdup(s) : NULL;
}

static long long get_ll(yajl_val obj, const char *key)
{
	yajl_val x = mls_json_get(obj, key);
	const char *s = mls_json_str(x);
	if (x && YAJL_IS_INTEGER(x))
		return YAJL_GET_INTEGER(x);
	if (s)
		return strtoll(s, NULL, 10);
	return 0;
}

/* [{"key":..,"value":..}, ...] into k (entries without a string key are skipped). */
static int parse_tags(struct mr_kvs *k, yajl_val arr)
{
	if (!arr || !YAJL_IS_ARRAY(arr))
		return 0;
	for (size_t i = 0; i < arr->u.array.len && i < 100000; i++) {
		yajl_val t = arr->u.array.values[i];
		const char *key = mls_json_get_str(t, "key");
		const char *val = mls_json_get_str(t, "value");
		if (!key)
			continue;
		if (mr_kvs_set(k, key, val ? val : "") < 0)
			return MLS_ENOMEM;
	}
	return 0;
}

int mr_parse_error(char *code, size_t code_sz, char *msg, size_t msg_sz, const char *body, size_t len)
{
	if (code_sz)
		code[0] = '\0';
	if (msg_sz)
		msg[0] = '\0';
	yajl_val v = NULL;
	int rc = mls_json_parse(&v, body, len, MR_JSON_MAX, MLS_JSON_DEFAULT_DEPTH);
	if (rc == 0 && YAJL_IS_OBJECT(v)) {
		const char *c = mls_json_get_str(v, "error_code");
		const char *m = mls_json_get_str(v, "message");
		if (c && code_sz)
			snprintf(code, code_sz, "%s", c);
		if (m && msg_sz)
			snprintf(msg, msg_sz, "%s", m);
		rc = (c || m) ? 0 : MLS_EFORMAT;
	} else {
		rc = MLS_EFORMAT;
	}
	if (rc < 0 && msg_sz) {
		/* not MLflow JSON (a proxy, the auth app): keep the first line of text */
		size_t n = 0;
		while (n < len && n + 1 < msg_sz && body[n] != '\n' && body[n] != '\r')
			n++;
		memcpy(msg, body, n);
		msg[n] = '\0';
	}
	yajl_tree_free(v);
	mls_error_clear();
	return rc;
}

void mr_model_version_release(struct mr_model_version *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->version);
	free(m->status);
	free(m->status_message);
	free(m->run_id);
	free(m->source);
	free(m->description);
	mr_kvs_release(&m->tags);
	for (size_t i = 0; i < m->naliases; i++)
		free(m->aliases[i]);
	free(m->aliases);
	memset(m, 0, sizeof(*m));
}

void mr_run_release(struct mr_run *r)
{
	if (!r)
		return;
	free(r->run_id);
	free(r->experiment_id);
	free(r->status);
	free(r->artifact_uri);
	free(r->run_name);
	mr_kvs_release(&r->tags);
	memset(r, 0, sizeof(*r));
}

void mr_registered_model_release(struct mr_registered_model *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->description);
	mr_kvs_release(&m->tags);
	for (size_t i = 0; i < m->naliases; i++) {
		free(m->aliases[i].key);
		free(m->aliases[i].value);
	}
	free(m->aliases);
	memset(m, 0, sizeof(*m));
}

void mr_model_versions_free(struct mr_model_version *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		mr_model_version_release(&v[i]);
	free(v);
}

void mr_runs_free(struct mr_run *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		mr_run_release(&v[i]);
	free(v);
}

void mr_artifacts_free(struct mr_artifact *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].path);
	free(v);
}

int mr_parse_model_version(struct mr_model_version *out, yajl_val v)
{
	memset(out, 0, sizeof(*out));
	if (!v || !YAJL_IS_OBJECT(v))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: model version is not an object");
	out->name = dup_str(v, "name");
	out->version = dup_str(v, "version");
	if (!out->version) {
		/* the version may come as a number */
		yajl_val x = mls_json_get(v, "version");
		if (x && YAJL_IS_INTEGER(x)) {
			char b[32];
			snprintf(b, sizeof(b), "%lld", YAJL_GET_INTEGER(x));
			out->version = strdup(b);
		}
	}
	if (!out->name || !out->version) {
		mr_model_version_release(out);
		return mls_error_set(MLS_EFORMAT, "unexpected answer: model version without name or version");
	}
	out->status = dup_str(v, "status");
	out->status_message = dup_str(v, "status_message");
	out->run_id = dup_str(v, "run_id");
	out->source = dup_str(v, "source");
	out->description = dup_str(v, "description");
	out->created = get_ll(v, "creation_timestamp");
	if (parse_tags(&out->tags, mls_json_get(v, "tags")) < 0) {
		mr_model_version_release(out);
		return MLS_ENOMEM;
	}
	yajl_val al = mls_json_get(v, "aliases");
	if (al && YAJL_IS_ARRAY(al) && al->u.array.len) {
		size_t n = al->u.array.len < 1000 ? al->u.array.len : 1000;
		out->aliases = calloc(n, sizeof(char *));
		if (!out->aliases) {
			mr_model_version_release(out);
			return mls_error_set(MLS_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < n; i++) {
			const char *s = mls_json_str(al->u.array.values[i]);
			if (s && (out->aliases[out->naliases] = strdup(s)))
				out->naliases++;
		}
	}
	return 0;
}

int mr_parse_run(struct mr_run *out, yajl_val v)
{
	memset(out, 0, sizeof(*out));
	yajl_val info = mls_json_get(v, "info");
	if (!info || !YAJL_IS_OBJECT(info))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: run without info");
	out->run_id = dup_str(info, "run_id");
	if (!out->run_id)
		out->run_id = dup_str(info, "run_uuid");
	if (!out->run_id) {
		mr_run_release(out);
		return mls_error_set(MLS_EFORMAT, "unexpected answer: run without run_id");
	}
	out->experiment_id = dup_str(info, "experiment_id");
	out->status = dup_str(info, "status");
	out->artifact_uri = dup_str(info, "artifact_uri");
	out->run_name = dup_str(info, "run_name");
	out->start_time = get_ll(info, "start_time");
	if (parse_tags(&out->tags, mls_json_path(v, "data", "tags", NULL)) < 0) {
		mr_run_release(out);
		return MLS_ENOMEM;
	}
	return 0;
}

int mr_parse_registered_model(struct mr_registered_model *out, yajl_val v)
{
	memset(out, 0, sizeof(*out));
	if (!v || !YAJL_IS_OBJECT(v))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: registered model is not an object");
	out->name = dup_str(v, "name");
	if (!out->name)
		return mls_error_set(MLS_EFORMAT, "unexpected answer: registered model without a name");
	out->description = dup_str(v, "description");
	if (parse_tags(&out->tags, mls_json_get(v, "tags")) < 0) {
		mr_registered_model_release(out);
		return MLS_ENOMEM;
	}
	yajl_val al = mls_json_get(v, "aliases");
	if (al && YAJL_IS_ARRAY(al) && al->u.array.len) {
		size_t n = al->u.array.len < 1000 ? al->u.array.len : 1000;
		out->aliases = calloc(n, sizeof(*out->aliases));
		if (!out->aliases) {
			mr_registered_model_release(out);
			return mls_error_set(MLS_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < n; i++) {
			yajl_val a = al->u.array.values[i];
			const char *name = mls_json_get_str(a, "alias");
			const char *ver = mls_json_get_str(a, "version");
			if (!name || !ver)
				continue;
			out->aliases[out->naliases].key = strdup(name);
			out->aliases[out->naliases].value = strdup(ver);
			if (!out->aliases[out->naliases].key || !out->aliases[out->naliases].value) {
				free(out->aliases[out->naliases].key);
				free(out->aliases[out->naliases].value);
				continue;
			}
			out->naliases++;
		}
	}
	return 0;
}

int mr_parse_model_version_list(struct mr_model_version **out, size_t *n, yajl_val resp, size_t max)
{
	yajl_val arr = mls_json_get(resp, "model_versions");
	size_t have = *n;
	if (!arr)
		return 0; /* no matches: MLflow omits the field */
	if (!YAJL_IS_ARRAY(arr))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: model_versions is not a list");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		if (have >= max)
			return mls_error_set(MLS_ELIMIT, "more than %zu model versions", max);
		struct mr_model_version *p = realloc(*out, (have + 1) * sizeof(**out));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		*out = p;
		int rc = mr_parse_model_version(&p[have], arr->u.array.values[i]);
		if (rc < 0)
			return rc;
		*n = ++have;
	}
	return 0;
}

int mr_parse_run_list(struct mr_run **out, size_t *n, yajl_val resp, size_t max)
{
	yajl_val arr = mls_json_get(resp, "runs");
	size_t have = *n;
	if (!arr)
		return 0;
	if (!YAJL_IS_ARRAY(arr))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: runs is not a list");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		if (have >= max)
			return mls_error_set(MLS_ELIMIT, "more than %zu runs", max);
		struct mr_run *p = realloc(*out, (have + 1) * sizeof(**out));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		*out = p;
		int rc = mr_parse_run(&p[have], arr->u.array.values[i]);
		if (rc < 0)
			return rc;
		*n = ++have;
	}
	return 0;
}

int mr_parse_artifact_list(struct mr_artifact **out, size_t *n, yajl_val resp, size_t max)
{
	yajl_val arr = mls_json_get(resp, "files");
	size_t have = *n;
	if (!arr)
		return 0;
	if (!YAJL_IS_ARRAY(arr))
		return mls_error_set(MLS_EFORMAT, "unexpected answer: files is not a list");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val f = arr->u.array.values[i];
		const char *path = mls_json_get_str(f, "path");
		if (!path)
			return mls_error_set(MLS_EFORMAT, "unexpected answer: artifact without a path");
		if (have >= max)
			return mls_error_set(MLS_ELIMIT, "more than %zu artifacts", max);
		struct mr_artifact *p = realloc(*out, (have + 1) * sizeof(**out));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		*out = p;
		yajl_val d = mls_json_get(f, "is_dir");
		p[have].is_dir = d && YAJL_IS_TRUE(d);
		yajl_val s = mls_json_get(f, "file_size");
		p[have].size = -1;
		if (s && YAJL_IS_INTEGER(s))
			p[have].size = YAJL_GET_INTEGER(s);
		else if (mls_json_str(s))
			p[have].size = strtoll(mls_json_str(s), NULL, 10);
		p[have].path = strdup(path);
		if (!p[have].path)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		*n = ++have;
	}
	return 0;
}

long long mr_version_number(const char *v)
{
	if (!v || !*v)
		return -1;
	char *end = NULL;
	long long n = strtoll(v, &end, 10);
	if (!end || *end || n < 0)
		return -1;
	return n;
}

/* ---------- client ---------- */

int mr_client_init(struct mr_client *c, const char *tracking_uri, const struct mr_http_opts *o)
{
	memset(c, 0, sizeof(*c));
	if (!tracking_uri || !*tracking_uri)
		return mls_error_set(MLS_EINVAL, "no tracking URI: use --tracking-uri or MLFLOW_TRACKING_URI");
	if (strncasecmp(tracking_uri, "http://", 7) && strncasecmp(tracking_uri, "https://", 8)) {
		char safe[1024];
		mls_redact_url(safe, sizeof(safe), tracking_uri);
		return mls_error_set(MLS_EINVAL,
				     "tracking URI '%s' is not http(s): mlflow-register talks to an MLflow server "
				     "(mlflow server ... --serve-artifacts)",
				     safe);
	}
	c->base = strdup(tracking_uri);
	if (!c->base)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	size_t l = strlen(c->base);
	while (l > 0 && c->base[l - 1] == '/')
		c->base[--l] = '\0';
	return mr_http_new(&c->http, o);
}

void mr_client_release(struct mr_client *c)
{
	if (!c)
		return;
	mr_http_free(c->http);
	free(c->base);
	memset(c, 0, sizeof(*c));
}

int mr_api(struct mr_client *c, const char *method, const char *endpoint, const char *query, const char *json,
	   yajl_val *out, char *err_code, size_t err_code_sz)
{
	struct mr_http_resp r;
	struct mls_buf url;
	int rc;
	if (out)
		*out = NULL;
	if (err_code && err_code_sz)
		err_code[0] = '\0';
	mr_http_resp_init(&r);
	mls_buf_init(&url, 1 << 20);
	mls_buf_printf(&url, "%s/api/2.0/mlflow/%s", c->base, endpoint);
	if (query && *query)
		mls_buf_printf(&url, "?%s", query);
	rc = mr_http_request(c->http, method, mls_buf_cstr(&url), json, &r);
	if (rc < 0)
		goto done;
	if (r.status >= 200 && r.status < 300) {
		if (out) {
			rc = mls_json_parse(out, r.body.len ? r.body.data : "{}", r.body.len ? r.body.len : 2, MR_JSON_MAX,
					    MLS_JSON_DEFAULT_DEPTH);
			if (rc < 0)
				mls_error_prefix("%s: unexpected answer from the server", endpoint);
		}
		goto done;
	}
	{
		char code[128], msg[1024];
		mr_parse_error(code, sizeof(code), msg, sizeof(msg), mls_buf_cstr(&r.body), r.body.len);
		if (err_code && err_code_sz)
			snprintf(err_code, err_code_sz, "%s", code);
		if (r.status == 401) {
			rc = mls_error_set(MLS_EAUTH,
					   "authentication failed (HTTP 401%s%s): check MLFLOW_TRACKING_USERNAME and "
					   "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)",
					   msg[0] ? ": " : "", msg);
		} else if (r.status == 403) {
			rc = mls_error_set(MLS_EAUTH, "permission denied (HTTP 403%s%s%s%s) for %s %s: the user needs "
				"EDIT/MANAGE permission on the experiment and registered model",
				code[0] ? ": " : "", code, msg[0] ? ": " : "", msg, method, endpoint);
		} else if (!strcmp(code, "RESOURCE_DOES_NOT_EXIST") || (r.status == 404 && !code[0])) {
			rc = mls_error_set(MLS_ENOTFOUND, "%s", msg[0] ? msg : "not found");
		} else {
			rc = mls_error_set(MLS_ESERVER, "%s %s failed: HTTP %ld%s%s%s%s", method, endpoint, r.status,
					   code[0] ? ": " : "", code, msg[0] ? ": " : "", msg);
		}
	}
done:
	mr_http_resp_release(&r);
	mls_buf_release(&url);
	return rc;
}

/* ---------- JSON bodies ---------- */

static char *gen_take(yajl_gen g)
{
	const unsigned char *buf = NULL;
	size_t len = 0;
	char *s = NULL;
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (s = malloc(len + 1))) {
		memcpy(s, buf, len);
		s[len] = '\0';
	}
	yajl_gen_free(g);
	if (!s)
		mls_error_set(MLS_ENOMEM, "out of memory");
	return s;
}

static void gen_kvs(yajl_gen g, const char *key, const struct mr_kvs *k)
{
	mls_jgen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; k && i < k->n; i++) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "key", k->v[i].key);
		mls_jgen_kv_str(g, "value", k->v[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int query_kv(struct mls_buf *q, const char *key, const char *value)
{
	char *e = mr_http_escape(value);
	if (!e)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	int rc = mls_buf_printf(q, "%s%s=%s", q->len ? "&" : "", key, e);
	free(e);
	return rc;
}

int mr_filter_quote(struct mls_buf *out, const char *s)
{
	char q = '\'';
	if (strchr(s, '\'')) {
		if (strchr(s, '"'))
			return mls_error_set(MLS_EINVAL, "'%s' contains both quote characters and cannot be searched", s);
		q = '"';
	}
	return mls_buf_printf(out, "%c%s%c", q, s, q);
}

/* ---------- calls ---------- */

int mr_experiment_get_by_name(struct mr_client *c, const char *name, char **id_out)
{
	struct mls_buf q;
	yajl_val v = NULL;
	*id_out = NULL;
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "experiment_name", name);
	if (rc == 0)
		rc = mr_api(c, "GET", "experiments/get-by-name", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	if (rc == 0) {
		const char *id = mls_json_str(mls_json_path(v, "experiment", "experiment_id", NULL));
		const char *stage = mls_json_str(mls_json_path(v, "experiment", "lifecycle_stage", NULL));
		if (!id)
			rc = mls_error_set(MLS_EFORMAT, "unexpected answer: experiment without an id");
		else if (stage && !strcmp(stage, "deleted"))
			rc = mls_error_set(MLS_ESERVER,
					   "experiment '%s' is deleted: restore it in MLflow or choose another --experiment", name);
		else if (!(*id_out = strdup(id)))
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
	}
	yajl_tree_free(v);
	mls_buf_release(&q);
	return rc;
}

int mr_experiment_get_or_create(struct mr_client *c, const char *name, char **id_out)
{
	int rc = mr_experiment_get_by_name(c, name, id_out);
	if (rc != MLS_ENOTFOUND)
		return rc;
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", name);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	yajl_val v = NULL;
	char code[128];
	rc = mr_api(c, "POST", "experiments/create", NULL, body, &v, code, sizeof(code));
	free(body);
	if (rc == 0) {
		const char *id = mls_json_get_str(v, "experiment_id");
		if (!id)
			rc = mls_error_set(MLS_EFORMAT, "unexpected answer: created experiment without an id");
		else if (!(*id_out = strdup(id)))
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
		else
			mls_info("created experiment '%s' (%s)", name, id);
	} else if (!strcmp(code, "RESOURCE_ALREADY_EXISTS")) {
		rc = mr_experiment_get_by_name(c, name, id_out); /* created concurrently */
	}
	yajl_tree_free(v);
	return rc;
}

int mr_run_create(struct mr_client *c, const char *experiment_id, const char *run_name, const struct mr_kvs *tags,
		  struct mr_run *out)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "experiment_id", experiment_id);
	if (run_name)
		mls_jgen_kv_str(g, "run_name", run_name);
	mls_jgen_kv_int(g, "start_time", now_ms());
	gen_kvs(g, "tags", tags);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	yajl_val v = NULL;
	int rc = mr_api(c, "POST", "runs/create", NULL, body, &v, NULL, 0);
	free(body);
	if (rc == 0)
		rc = mr_parse_run(out, mls_json_get(v, "run"));
	yajl_tree_free(v);
	return rc;
}

int mr_run_get(struct mr_client *c, const char *run_id, struct mr_run *out)
{
	struct mls_buf q;
	yajl_val v = NULL;
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "run_id", run_id);
	if (rc == 0)
		rc = mr_api(c, "GET", "runs/get", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	if (rc == 0)
		rc = mr_parse_run(out, mls_json_get(v, "run"));
	yajl_tree_free(v);
	mls_buf_release(&q);
	return rc;
}

int mr_run_search(struct mr_client *c, const char *experiment_id, const char *filter, struct mr_run **out,
		  size_t *n)
{
	*out = NULL;
	*n = 0;
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_str(g, "experiment_ids");
	yajl_gen_array_open(g);
	mls_jgen_str(g, experiment_id);
	yajl_gen_array_close(g);
	mls_jgen_kv_str(g, "filter", filter);
	mls_jgen_kv_int(g, "max_results", 100);
	mls_jgen_str(g, "order_by");
	yajl_gen_array_open(g);
	mls_jgen_str(g, "attributes.start_time ASC");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	yajl_val v = NULL;
	int rc = mr_api(c, "POST", "runs/search", NULL, body, &v, NULL, 0);
	free(body);
	if (rc == 0)
		rc = mr_parse_run_list(out, n, v, 100);
	yajl_tree_free(v);
	return rc;
}

/* One runs/log-batch request (MLflow takes at most 100 params and 100 tags per request). */
static int log_batch_one(struct mr_client *c, const char *run_id, const struct mr_kvs *params,
			 const struct mr_kvs *tags);

int mr_run_log_batch(struct mr_client *c, const char *run_id, const struct mr_kvs *params, const struct mr_kvs *tags)
{
	size_t np = params ? params->n : 0, nt = tags ? tags->n : 0;
	int rc = 0;
	for (size_t off = 0; rc == 0 && (off < np || off < nt || off == 0); off += 100) {
		struct mr_kvs p = { 0 }, t = { 0 };
		if (off < np) {
			p.v = params->v + off;
			p.n = np - off < 100 ? np - off : 100;
		}
		if (off < nt) {
			t.v = tags->v + off;
			t.n = nt - off < 100 ? nt - off : 100;
		}
		rc = log_batch_one(c, run_id, p.n ? &p : NULL, t.n ? &t : NULL);
		if (np <= off + 100 && nt <= off + 100)
			break;
	}
	return rc;
}

static int log_batch_one(struct mr_client *c, const char *run_id, const struct mr_kvs *params,
			 const struct mr_kvs *tags)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "run_id", run_id);
	if (params)
		gen_kvs(g, "params", params);
	if (tags)
		gen_kvs(g, "tags", tags);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	int rc = mr_api(c, "POST", "runs/log-batch", NULL, body, NULL, NULL, 0);
	free(body);
	return rc;
}

int mr_run_set_status(struct mr_client *c, const char *run_id, const char *status)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "run_id", run_id);
	mls_jgen_kv_str(g, "status", status);
	if (strcmp(status, "RUNNING"))
		mls_jgen_kv_int(g, "end_time", now_ms());
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	int rc = mr_api(c, "POST", "runs/update", NULL, body, NULL, NULL, 0);
	free(body);
	return rc;
}

int mr_rm_get(struct mr_client *c, const char *name, struct mr_registered_model *out)
{
	struct mls_buf q;
	yajl_val v = NULL;
	memset(out, 0, sizeof(*out));
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "name", name);
	if (rc == 0)
		rc = mr_api(c, "GET", "registered-models/get", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	if (rc == 0)
		rc = mr_parse_registered_model(out, mls_json_get(v, "registered_model"));
	yajl_tree_free(v);
	mls_buf_release(&q);
	return rc;
}

int mr_rm_create(struct mr_client *c, const char *name, const struct mr_kvs *tags, int *created)
{
	*created = 0;
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", name);
	if (tags)
		gen_kvs(g, "tags", tags);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	char code[128];
	int rc = mr_api(c, "POST", "registered-models/create", NULL, body, NULL, code, sizeof(code));
	free(body);
	if (rc == 0)
		*created = 1;
	else if (!strcmp(code, "RESOURCE_ALREADY_EXISTS"))
		rc = 0, mls_error_clear();
	return rc;
}

static int post_simple(struct mr_client *c, const char *method, const char *endpoint, const char *const *kv)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	for (size_t i = 0; kv[i]; i += 2)
		mls_jgen_kv_str(g, kv[i], kv[i + 1]);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	int rc = mr_api(c, method, endpoint, NULL, body, NULL, NULL, 0);
	free(body);
	return rc;
}

int mr_rm_set_tag(struct mr_client *c, const char *name, const char *key, const char *value)
{
	const char *kv[] = { "name", name, "key", key, "value", value, NULL };
	return post_simple(c, "POST", "registered-models/set-tag", kv);
}

int mr_mv_create(struct mr_client *c, const char *name, const char *source, const char *run_id,
		 const char *description, const struct mr_kvs *tags, struct mr_model_version *out)
{
	yajl_gen g = mls_jgen_new(0);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", name);
	mls_jgen_kv_str(g, "source", source);
	if (run_id)
		mls_jgen_kv_str(g, "run_id", run_id);
	if (description)
		mls_jgen_kv_str(g, "description", description);
	if (tags)
		gen_kvs(g, "tags", tags);
	yajl_gen_map_close(g);
	char *body = gen_take(g);
	if (!body)
		return MLS_ENOMEM;
	yajl_val v = NULL;
	int rc = mr_api(c, "POST", "model-versions/create", NULL, body, &v, NULL, 0);
	free(body);
	if (rc == 0)
		rc = mr_parse_model_version(out, mls_json_get(v, "model_version"));
	yajl_tree_free(v);
	return rc;
}

int mr_mv_get(struct mr_client *c, const char *name, const char *version, struct mr_model_version *out)
{
	struct mls_buf q;
	yajl_val v = NULL;
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "name", name);
	if (rc == 0)
		rc = query_kv(&q, "version", version);
	if (rc == 0)
		rc = mr_api(c, "GET", "model-versions/get", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	if (rc == 0)
		rc = mr_parse_model_version(out, mls_json_get(v, "model_version"));
	yajl_tree_free(v);
	mls_buf_release(&q);
	return rc;
}

int mr_mv_search(struct mr_client *c, const char *filter, struct mr_model_version **out, size_t *n, size_t max)
{
	char *token = NULL;
	int rc = 0;
	*out = NULL;
	*n = 0;
	for (int page = 0; page < 1000; page++) {
		struct mls_buf q;
		yajl_val v = NULL;
		mls_buf_init(&q, 1 << 16);
		rc = query_kv(&q, "filter", filter);
		if (rc == 0)
			rc = query_kv(&q, "max_results", "200");
		if (rc == 0 && token)
			rc = query_kv(&q, "page_token", token);
		if (rc == 0)
			rc = mr_api(c, "GET", "model-versions/search", mls_buf_cstr(&q), NULL, &v, NULL, 0);
		mls_buf_release(&q);
		free(token);
		token = NULL;
		if (rc == 0)
			rc = mr_parse_model_version_list(out, n, v, max);
		if (rc == 0) {
			const char *t = mls_json_get_str(v, "next_page_token");
			if (t && *t && !(token = strdup(t)))
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
		}
		yajl_tree_free(v);
		if (rc < 0 || !token)
			break;
	}
	free(token);
	if (rc < 0) {
		mr_model_versions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int mr_mv_delete(struct mr_client *c, const char *name, const char *version)
{
	const char *kv[] = { "name", name, "version", version, NULL };
	return post_simple(c, "DELETE", "model-versions/delete", kv);
}

int mr_mv_set_tag(struct mr_client *c, const char *name, const char *version, const char *key, const char *value)
{
	const char *kv[] = { "name", name, "version", version, "key", key, "value", value, NULL };
	return post_simple(c, "POST", "model-versions/set-tag", kv);
}

int mr_alias_set(struct mr_client *c, const char *name, const char *alias, const char *version)
{
	const char *kv[] = { "name", name, "alias", alias, "version", version, NULL };
	return post_simple(c, "POST", "registered-models/alias", kv);
}

int mr_alias_get(struct mr_client *c, const char *name, const char *alias, struct mr_model_version *out)
{
	struct mls_buf q;
	yajl_val v = NULL;
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "name", name);
	if (rc == 0)
		rc = query_kv(&q, "alias", alias);
	if (rc == 0)
		rc = mr_api(c, "GET", "registered-models/alias", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	if (rc == 0)
		rc = mr_parse_model_version(out, mls_json_get(v, "model_version"));
	yajl_tree_free(v);
	mls_buf_release(&q);
	return rc;
}

static int list_dir(struct mr_client *c, const char *run_id, const char *path, int recursive, int depth,
		    struct mr_artifact **out, size_t *n, size_t max)
{
	struct mls_buf q;
	yajl_val v = NULL;
	size_t first = *n;
	if (depth > 32)
		return mls_error_set(MLS_ELIMIT, "artifact directories nested deeper than 32");
	mls_buf_init(&q, 1 << 16);
	int rc = query_kv(&q, "run_id", run_id);
	if (rc == 0 && path && *path)
		rc = query_kv(&q, "path", path);
	if (rc == 0)
		rc = mr_api(c, "GET", "artifacts/list", mls_buf_cstr(&q), NULL, &v, NULL, 0);
	mls_buf_release(&q);
	if (rc == 0)
		rc = mr_parse_artifact_list(out, n, v, max);
	yajl_tree_free(v);
	if (rc < 0 || !recursive)
		return rc;
	size_t last = *n;
	for (size_t i = first; i < last && rc == 0; i++) {
		if (!(*out)[i].is_dir)
			continue;
		char *sub = strdup((*out)[i].path);
		if (!sub)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		if (path && *path && strcmp(sub, path) == 0)
			rc = mls_error_set(MLS_EFORMAT, "unexpected answer: artifact directory lists itself");
		else
			rc = list_dir(c, run_id, sub, recursive, depth + 1, out, n, max);
		free(sub);
	}
	return rc;
}

int mr_artifacts_list(struct mr_client *c, const char *run_id, const char *path, int recursive,
		      struct mr_artifact **out, size_t *n, size_t max)
{
	*out = NULL;
	*n = 0;
	int rc = list_dir(c, run_id, path, recursive, 0, out, n, max);
	if (rc < 0) {
		mr_artifacts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int mr_artifact_url(struct mr_client *c, const char *artifact_uri, const char *rel, char **url_out)
{
	static const char scheme[] = "mlflow-artifacts:";
	*url_out = NULL;
	if (!artifact_uri || strncmp(artifact_uri, scheme, sizeof(scheme) - 1) != 0)
		return mls_error_set(MLS_EUNSUPPORTED,
				     "the run's artifact location '%s' is not served by the tracking server: start "
				     "`mlflow server` with --serve-artifacts (artifact proxy) or choose an experiment "
				     "whose artifact location is mlflow-artifacts:/...",
				     artifact_uri ? artifact_uri : "(none)");
	const char *p = artifact_uri + sizeof(scheme) - 1;
	if (p[0] == '/' && p[1] == '/') { /* mlflow-artifacts://host:port/path: the host is the server's */
		p = strchr(p + 2, '/');
		if (!p)
			p = "";
	}
	if (!mls_path_is_safe_relative(rel))
		return mls_error_set(MLS_EUNSAFE, "artifact path '%s' is not a safe relative path", rel);
	struct mls_buf u;
	mls_buf_init(&u, 1 << 20);
	int rc = mls_buf_printf(&u, "%s/api/2.0/mlflow-artifacts/artifacts", c->base);
	/* encode every component of both the location path and rel */
	const char *parts[2] = { p, rel };
	for (int k = 0; k < 2 && rc == 0; k++) {
		const char *s = parts[k];
		while (*s && rc == 0) {
			while (*s == '/')
				s++;
			size_t len = strcspn(s, "/");
			if (!len)
				break;
			char *comp = strndup(s, len);
			char *e = comp ? mr_http_escape(comp) : NULL;
			if (!e)
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
			else
				rc = mls_buf_printf(&u, "/%s", e);
			free(comp);
			free(e);
			s += len;
		}
	}
	if (rc == 0)
		*url_out = mls_buf_detach(&u, NULL);
	mls_buf_release(&u);
	return rc;
}

static int artifact_status(struct mr_http_resp *r, const char *what, const char *rel)
{
	if (r->status >= 200 && r->status < 300)
		return 0;
	char code[128], msg[1024];
	mr_parse_error(code, sizeof(code), msg, sizeof(msg), mls_buf_cstr(&r->body), r->body.len);
	if (r->status == 401)
		return mls_error_set(MLS_EAUTH, "authentication failed (HTTP 401) while %s '%s': check "
				     "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)",
				     what, rel);
	if (r->status == 403)
		return mls_error_set(MLS_EAUTH, "permission denied (HTTP 403) while %s '%s'%s%s", what, rel,
				     msg[0] ? ": " : "", msg);
	return mls_error_set(r->status == 404 ? MLS_ENOTFOUND : MLS_ESERVER, "%s '%s' failed: HTTP %ld%s%s%s%s", what,
			     rel, r->status, code[0] ? ": " : "", code, msg[0] ? ": " : "", msg);
}

int mr_artifact_put(struct mr_client *c, const char *artifact_uri, const char *rel, const char *local_path,
		    char *hex, uint64_t *sent)
{
	char *url = NULL;
	struct mr_http_resp r;
	mr_http_resp_init(&r);
	int rc = mr_artifact_url(c, artifact_uri, rel, &url);
	if (rc == 0)
		rc = mr_http_put_file(c->http, url, local_path, hex, sent, &r);
	if (rc == 0)
		rc = artifact_status(&r, "uploading", rel);
	free(url);
	mr_http_resp_release(&r);
	return rc;
}

int mr_artifact_hash(struct mr_client *c, const char *artifact_uri, const char *rel, char *hex, uint64_t *size)
{
	char *url = NULL;
	struct mr_http_resp r;
	mr_http_resp_init(&r);
	int rc = mr_artifact_url(c, artifact_uri, rel, &url);
	if (rc == 0)
		rc = mr_http_get_hash(c->http, url, hex, size, &r);
	if (rc == 0)
		rc = artifact_status(&r, "downloading", rel);
	free(url);
	mr_http_resp_release(&r);
	return rc;
}
