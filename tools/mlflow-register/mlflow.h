/*
 * MLflow REST API 2.0 client: the calls mlflow-register needs, and parsers
 * for their responses (pure functions over yajl trees, fuzzed).  Every
 * response is parsed with mls_json_parse limits; failures carry MLflow's
 * error_code and message.
 */
#ifndef MR_MLFLOW_H
#define MR_MLFLOW_H

#include <stddef.h>
#include <stdint.h>
#include "http.h"
#include "mls/json.h"
#include "mls/report.h"

#define MR_JSON_MAX ((size_t)16 << 20)

/* A growable list of key/value pairs (tags, params); keys unique on set. */
struct mr_kvs {
	struct mls_kv *v;
	size_t n, cap;
};
void mr_kvs_init(struct mr_kvs *k);
void mr_kvs_release(struct mr_kvs *k);
/* Adds or replaces key. */
int mr_kvs_set(struct mr_kvs *k, const char *key, const char *value);
const char *mr_kvs_get(const struct mr_kvs *k, const char *key);

struct mr_client {
	struct mr_http *http;
	char *base;  /* tracking URI without the trailing slash */
};

/* Accepts http:// and https:// tracking URIs only. */
int mr_client_init(struct mr_client *c, const char *tracking_uri, const struct mr_http_opts *o);
void mr_client_release(struct mr_client *c);

/* Calls /api/2.0/mlflow/<endpoint> with an optional query (already encoded,
 * without '?') or JSON body.  On 2xx, *out (may be NULL to ignore) gets the
 * parsed body.  Failures: MLS_ENOTFOUND (RESOURCE_DOES_NOT_EXIST / 404),
 * MLS_EAUTH (401, 403), MLS_ESERVER (other answers, "HTTP n: CODE: message"),
 * MLS_ENET (unreachable).  err_code (may be NULL) gets MLflow's error_code. */
int mr_api(struct mr_client *c, const char *method, const char *endpoint, const char *query, const char *json,
	   yajl_val *out, char *err_code, size_t err_code_sz);

/* --- response objects --- */
struct mr_model_version {
	char *name, *version, *status, *status_message, *run_id, *source, *description;
	long long created;
	struct mr_kvs tags;
	char **aliases;
	size_t naliases;
};
struct mr_run {
	char *run_id, *experiment_id, *status, *artifact_uri, *run_name;
	long long start_time;
	struct mr_kvs tags;
};
struct mr_registered_model {
	char *name, *description;
	struct mr_kvs tags;
	struct mls_kv *aliases; /* key alias, value version */
	size_t naliases;
};
struct mr_artifact {
	char *path;
	int is_dir;
	long long size; /* -1 when absent */
};

void mr_model_version_release(struct mr_model_version *m);
void mr_run_release(struct mr_run *r);
void mr_registered_model_release(struct mr_registered_model *m);
void mr_model_versions_free(struct mr_model_version *v, size_t n);
void mr_runs_free(struct mr_run *v, size_t n);
void mr_artifacts_free(struct mr_artifact *v, size_t n);

/* Parsers: take the object itself ({"name":..,"version":..}), or for the lists
 * the whole response.  Missing optional fields are NULL; a missing identity
 * (name/version, run_id) is MLS_EFORMAT. */
int mr_parse_error(char *code, size_t code_sz, char *msg, size_t msg_sz, const char *body, size_t len);
int mr_parse_model_version(struct mr_model_version *out, yajl_val v);
int mr_parse_run(struct mr_run *out, yajl_val v);
int mr_parse_registered_model(struct mr_registered_model *out, yajl_val v);
int mr_parse_model_version_list(struct mr_model_version **out, size_t *n, yajl_val resp, size_t max);
int mr_parse_run_list(struct mr_run **out, size_t *n, yajl_val resp, size_t max);
int mr_parse_artifact_list(struct mr_artifact **out, size_t *n, yajl_val resp, size_t max);
/* Version number of a model version ("12" -> 12), -1 when not a number. */
long long mr_version_number(const char *v);

/* --- calls --- */
int mr_experiment_get_or_create(struct mr_client *c, const char *name, char **id_out);
/* ENOTFOUND when absent. */
int mr_experiment_get_by_name(struct mr_client *c, const char *name, char **id_out);
int mr_run_create(struct mr_client *c, const char *experiment_id, const char *run_name, const struct mr_kvs *tags,
		  struct mr_run *out);
int mr_run_get(struct mr_client *c, const char *run_id, struct mr_run *out);
int mr_run_search(struct mr_client *c, const char *experiment_id, const char *filter, struct mr_run **out,
		  size_t *n);
int mr_run_log_batch(struct mr_client *c, const char *run_id, const struct mr_kvs *params,
		     const struct mr_kvs *tags);
int mr_run_set_status(struct mr_client *c, const char *run_id, const char *status);
int mr_rm_get(struct mr_client *c, const char *name, struct mr_registered_model *out);
/* Creates the registered model; an existing one is not an error (*created = 0). */
int mr_rm_create(struct mr_client *c, const char *name, const struct mr_kvs *tags, int *created);
int mr_rm_set_tag(struct mr_client *c, const char *name, const char *key, const char *value);
int mr_mv_create(struct mr_client *c, const char *name, const char *source, const char *run_id,
		 const char *description, const struct mr_kvs *tags, struct mr_model_version *out);
int mr_mv_get(struct mr_client *c, const char *name, const char *version, struct mr_model_version *out);
/* All versions matching filter (pages followed), at most max. */
int mr_mv_search(struct mr_client *c, const char *filter, struct mr_model_version **out, size_t *n, size_t max);
int mr_mv_delete(struct mr_client *c, const char *name, const char *version);
int mr_mv_set_tag(struct mr_client *c, const char *name, const char *version, const char *key, const char *value);
int mr_alias_set(struct mr_client *c, const char *name, const char *alias, const char *version);
int mr_alias_get(struct mr_client *c, const char *name, const char *alias, struct mr_model_version *out);
/* Lists the run's artifacts below path (NULL = root), recursively; at most max entries. */
int mr_artifacts_list(struct mr_client *c, const char *run_id, const char *path, int recursive,
		      struct mr_artifact **out, size_t *n, size_t max);

/* URL of an artifact in the artifact proxy, from a run's artifact_uri
 * ("mlflow-artifacts:/1/<run>/artifacts") and a relative path. */
int mr_artifact_url(struct mr_client *c, const char *artifact_uri, const char *rel, char **url_out);
int mr_artifact_put(struct mr_client *c, const char *artifact_uri, const char *rel, const char *local_path,
		    char *hex, uint64_t *sent);
int mr_artifact_hash(struct mr_client *c, const char *artifact_uri, const char *rel, char *hex, uint64_t *size);

/* A JSON string literal for s, for building filters ("name='x'" needs quote escaping). */
int mr_filter_quote(struct mls_buf *out, const char *s);

#endif
