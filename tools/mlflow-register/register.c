/*
 * The registration flow (see register.h and docs/mlflow-register.md):
 *
 *   gate (local) -> already registered? -> experiment -> run (new, or the one
 *   an interrupted attempt left) -> artifacts (streamed, hashed) -> run
 *   FINISHED -> registered model -> model version -> keep the lowest of
 *   concurrent duplicates -> READY -> alias.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "model.h"
#include "register.h"
#include "mls/common.h"

#define CARD_MAX ((size_t)1 << 20)

void mr_options_init(struct mr_options *o)
{
	memset(o, 0, sizeof(*o));
	mr_http_opts_default(&o->http);
	mr_kvs_init(&o->tags);
	mr_kvs_init(&o->model_tags);
	o->gate.fail_on = MLS_SEV_MEDIUM;
	o->wait_timeout = 300;
	o->experiment = MR_DEFAULT_EXPERIMENT;
}

void mr_options_release(struct mr_options *o)
{
	if (!o)
		return;
	mr_kvs_release(&o->tags);
	mr_kvs_release(&o->model_tags);
}

const char *mr_who(void)
{
	const char *w = getenv("BUILD_USER_ID");
	if (w && *w)
		return w;
	w = getenv("USER");
	if (w && *w)
		return w;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

int mr_model_card(char **out, int *is_file, const char *arg)
{
	struct stat st;
	*out = NULL;
	*is_file = 0;
	if (!arg)
		return 0;
	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		struct mls_buf b;
		mls_buf_init(&b, CARD_MAX + 1);
		int rc = mls_read_file(&b, arg, CARD_MAX);
		if (rc < 0) {
			mls_buf_release(&b);
			mls_error_prefix("model card");
			return rc;
		}
		*out = mls_buf_detach(&b, NULL);
		*is_file = 1;
		return *out ? 0 : mls_error_set(MLS_ENOMEM, "out of memory");
	}
	*out = strdup(arg);
	return *out ? 0 : mls_error_set(MLS_ENOMEM, "out of memory");
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int mr_wait_ready(struct mr_client *c, const char *name, const char *version, double timeout,
		  struct mr_model_version *out)
{
	double start = mls_now(), delay = 0.2;
	for (;;) {
		int rc = mr_mv_get(c, name, version, out);
		if (rc < 0)
			return rc;
		if (out->status && !strcmp(out->status, "READY"))
			return 0;
		if (out->status && !strcmp(out->status, "FAILED_REGISTRATION")) {
			rc = mls_error_set(MLS_ESERVER, "model '%s' version %s failed to register: %s", name, version,
					   out->status_message ? out->status_message : "no message");
			mr_model_version_release(out);
			return rc;
		}
		if (mls_now() - start > timeout) {
			rc = mls_error_set(MLS_ELIMIT, "model '%s' version %s is still %s after %.0f s", name, version,
					   out->status ? out->status : "not ready", timeout);
			mr_model_version_release(out);
			return rc;
		}
		mls_debug("model '%s' version %s is %s; waiting", name, version, out->status ? out->status : "?");
		mr_model_version_release(out);
		sleep_s(delay);
		if (delay < 2)
			delay *= 2;
	}
}

/* "name='N' and tags.`KEY`='DIGEST'" */
static int digest_filter(struct mls_buf *f, const char *name, const struct mr_model *m)
{
	int rc = mls_buf_puts(f, "name=");
	if (rc == 0)
		rc = mr_filter_quote(f, name);
	if (rc == 0)
		rc = mls_buf_printf(f, " and tags.`%s`='%s'", m->digest_tag, m->digest);
	return rc;
}

/*
 * The registered versions of name carrying the model's digest tag: *lowest
 * gets the lowest-numbered one that has not failed (NULL-version when none).
 */
static int find_lowest(struct mr_client *c, const char *name, const struct mr_model *m, char **lowest,
		       size_t *count)
{
	struct mls_buf f;
	struct mr_model_version *v = NULL;
	size_t n = 0;
	*lowest = NULL;
	*count = 0;
	mls_buf_init(&f, 1 << 16);
	int rc = digest_filter(&f, name, m);
	if (rc == 0)
		rc = mr_mv_search(c, mls_buf_cstr(&f), &v, &n, 10000);
	long long best = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		long long num = mr_version_number(v[i].version);
		if (num < 0 || (v[i].status && !strcmp(v[i].status, "FAILED_REGISTRATION")))
			continue;
		/* a tag match from a look-alike name (search is by exact name) is impossible; check anyway */
		if (!v[i].name || strcmp(v[i].name, name) != 0)
			continue;
		(*count)++;
		if (best < 0 || num < best) {
			best = num;
			free(*lowest);
			*lowest = strdup(v[i].version);
			if (!*lowest)
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
		}
	}
	mr_model_versions_free(v, n);
	mls_buf_release(&f);
	return rc;
}

/* Applies --alias and --model-tag to an existing version. */
static int finish_extras(struct mr_client *c, const struct mr_options *o, const char *version)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < o->model_tags.n; i++)
		rc = mr_rm_set_tag(c, o->model_name, o->model_tags.v[i].key, o->model_tags.v[i].value);
	if (rc == 0 && o->alias) {
		rc = mr_alias_set(c, o->model_name, o->alias, version);
		if (rc == 0)
			mls_info("alias '%s' -> version %s", o->alias, version);
	}
	return rc;
}

struct result {
	char *version, *run_id, *status, *source;
	int created;
};

static void result_release(struct result *r)
{
	free(r->version);
	free(r->run_id);
	free(r->status);
	free(r->source);
}

static int write_result(const struct mr_options *o, const struct mr_client *c, const struct mr_model *m,
			const struct result *res)
{
	char safe[2048];
	struct mls_buf url;
	int rc = 0;
	mls_redact_url(safe, sizeof(safe), c->base);
	mls_buf_init(&url, 1 << 16);
	char *en = mr_http_escape(o->model_name);
	mls_buf_printf(&url, "%s/#/models/%s/versions/%s", safe, en ? en : o->model_name, res->version);
	free(en);

	yajl_gen g = mls_jgen_new(1);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", o->model_name);
	mls_jgen_kv_str(g, "version", res->version);
	mls_jgen_kv_str(g, "run_id", res->run_id);
	mls_jgen_kv_str(g, "status", res->status ? res->status : "READY");
	mls_jgen_kv_str(g, "url", mls_buf_cstr(&url));
	mls_jgen_kv_bool(g, "created", res->created);
	mls_jgen_kv_str(g, "source", res->source);
	mls_jgen_kv_str(g, "digest_tag", m->digest_tag);
	mls_jgen_kv_str(g, "digest", m->digest);
	mls_jgen_kv_str(g, "alias", o->alias);
	mls_jgen_kv_str(g, "tracking_uri", safe);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	if (o->result_path)
		rc = mls_write_file_atomic(o->result_path, buf, len);
	if (o->format == MLS_FMT_JSON) {
		fwrite(buf, 1, len, stdout);
		if (len && buf[len - 1] != '\n')
			fputc('\n', stdout);
	}
	else if (res->created)
		printf("registered model '%s' version %s\n", o->model_name, res->version);
	else
		printf("model '%s' version %s already registered (%s %s)\n", o->model_name, res->version,
		       m->digest_tag, m->digest);
	fflush(stdout);
	yajl_gen_free(g);
	mls_buf_release(&url);
	return rc;
}

/* Writes the gate's report (--json/--sarif/--junit) when asked for. */
static int write_gate_reports(const struct mr_options *o, const struct mr_gate *g, const char *target)
{
	if (!o->json_path && !o->sarif_path && !o->junit_path)
		return 0;
	struct mls_report *r = NULL;
	int rc = mls_report_new(&r, "mlflow-register", MLS_VERSION, target);
	if (rc == 0)
		rc = mr_gate_fill_report(g, r);
	if (rc == 0) {
		mls_report_finish(r, o->gate.fail_on);
		if (o->json_path)
			rc = mls_report_write(r, MLS_FMT_JSON, o->json_path);
		if (rc == 0 && o->sarif_path)
			rc = mls_report_write(r, MLS_FMT_SARIF, o->sarif_path);
		if (rc == 0 && o->junit_path)
			rc = mls_report_write(r, MLS_FMT_JUNIT, o->junit_path);
	}
	mls_report_free(r);
	return rc;
}

/* Every tag the run and the version carry. */
static int build_tags(struct mr_kvs *t, const struct mr_options *o, const struct mr_model *m,
		      const struct mr_gate *g, const char *card_sha256)
{
	char key[64], val[1024];
	int rc = 0;
	rc |= mr_kvs_set(t, m->digest_tag, m->digest);
	rc |= mr_kvs_set(t, "mlsecops.model.kind", m->is_dir ? "directory" : "file");
	rc |= mr_kvs_set(t, "mlsecops.model.name", mls_path_basename(o->model_file));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)m->total);
	rc |= mr_kvs_set(t, "mlsecops.model.size", val);
	snprintf(val, sizeof(val), "%zu", m->n);
	rc |= mr_kvs_set(t, "mlsecops.model.files", val);
	if (m->is_dir) {
		/* one tag per file up to 100; all of them are in the manifest artifact */
		for (size_t i = 0; i < m->n && i < 100; i++) {
			snprintf(key, sizeof(key), "mlsecops.file.%zu", i + 1);
			snprintf(val, sizeof(val), "%s  %s", m->files[i].sha256, m->files[i].rel);
			rc |= mr_kvs_set(t, key, val);
		}
	}
	rc |= mr_kvs_set(t, "mlsecops.registered_model", o->model_name);
	rc |= mr_kvs_set(t, "mlsecops.register.tool", "mlflow-register " MLS_VERSION);
	if (card_sha256)
		rc |= mr_kvs_set(t, "mlsecops.model_card.sha256", card_sha256);
	if (o->build_url)
		rc |= mr_kvs_set(t, "mlsecops.build_url", o->build_url);
	if (rc < 0)
		return MLS_ENOMEM;
	rc = mr_gate_tags(g, t, mr_who(), o->reason);
	for (size_t i = 0; rc == 0 && i < o->tags.n; i++)
		rc = mr_kvs_set(t, o->tags.v[i].key, o->tags.v[i].value);
	return rc;
}

/* Uploads one file and checks the streamed SHA-256 against want (may be NULL). */
static int upload(struct mr_client *c, const struct mr_run *run, const char *rel, const char *path, const char *want,
		  uint64_t *bytes)
{
	char hex[MLS_HASH_HEX_MAX];
	uint64_t sent = 0;
	double t0 = mls_now();
	int rc = mr_artifact_put(c, run->artifact_uri, rel, path, hex, &sent);
	if (rc < 0)
		return rc;
	if (want && strcmp(hex, want) != 0)
		return mls_error_set(MLS_EIO, "'%s' changed while it was being registered: SHA-256 %s was sent, %s was "
				     "checked", path, hex, want);
	double dt = mls_now() - t0;
	mls_info("uploaded %s (%llu bytes, %.1f MB/s)", rel, (unsigned long long)sent,
		 dt > 0 ? (double)sent / dt / 1e6 : 0.0);
	if (bytes)
		*bytes += sent;
	return 0;
}

/* Checks that every model file is listed under model/ with its size, and when
 * asked downloads each one back and compares its SHA-256. */
static int verify_artifacts(struct mr_client *c, const struct mr_options *o, const struct mr_run *run,
			    const struct mr_model *m)
{
	struct mr_artifact *a = NULL;
	size_t n = 0;
	int rc = mr_artifacts_list(c, run->run_id, "model", 1, &a, &n, 200000);
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		char want[4096];
		snprintf(want, sizeof(want), "model/%s", m->files[i].rel);
		int found = 0;
		for (size_t j = 0; j < n; j++)
			if (!a[j].is_dir && !strcmp(a[j].path, want)) {
				found = 1;
				if (a[j].size >= 0 && (uint64_t)a[j].size != m->files[i].size)
					rc = mls_error_set(MLS_ESERVER, "artifact '%s' has %lld bytes on the server, %llu "
							   "were sent", want, a[j].size,
							   (unsigned long long)m->files[i].size);
				break;
			}
		if (rc == 0 && !found)
			rc = mls_error_set(MLS_ESERVER, "artifact '%s' is missing on the server after upload", want);
		if (rc == 0 && o->verify_download) {
			char hex[MLS_HASH_HEX_MAX];
			uint64_t size = 0;
			rc = mr_artifact_hash(c, run->artifact_uri, want, hex, &size);
			if (rc == 0 && strcmp(hex, m->files[i].sha256) != 0)
				rc = mls_error_set(MLS_ESERVER, "artifact '%s' downloaded back has SHA-256 %s, expected %s",
						   want, hex, m->files[i].sha256);
			if (rc == 0)
				mls_info("verified %s by download (SHA-256 matches)", want);
		}
	}
	mr_artifacts_free(a, n);
	return rc;
}

/* Writes text to a temporary file (for uploading generated artifacts). */
static int temp_file(char *path, size_t pathsz, const char *text, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, pathsz, "%s/mlflow-register.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return mls_error_set(MLS_EIO, "cannot create a temporary file in '%s': %s", dir && *dir ? dir : "/tmp",
				     strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return mls_error_set(MLS_EIO, "cannot write '%s': %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	close(fd);
	return 0;
}

/* Finds the run an earlier, interrupted attempt left for this model, or creates one. */
static int get_run(struct mr_client *c, const struct mr_options *o, const char *exp_id, const struct mr_model *m,
		   const struct mr_kvs *tags, struct mr_run *run, int *reused)
{
	struct mls_buf f;
	struct mr_run *runs = NULL;
	size_t n = 0;
	*reused = 0;
	mls_buf_init(&f, 1 << 16);
	int rc = mls_buf_printf(&f, "tags.`%s` = '%s' and tags.`mlsecops.registered_model` = ", m->digest_tag,
				m->digest);
	if (rc == 0)
		rc = mr_filter_quote(&f, o->model_name);
	if (rc == 0)
		rc = mr_run_search(c, exp_id, mls_buf_cstr(&f), &runs, &n);
	mls_buf_release(&f);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *st = runs[i].status ? runs[i].status : "";
		if (!strcmp(st, "KILLED"))
			continue;
		*run = runs[i];
		memset(&runs[i], 0, sizeof(runs[i]));
		*reused = 1;
		break;
	}
	mr_runs_free(runs, n);
	if (*reused) {
		mls_warn("resuming run %s (status %s) left by an earlier attempt for this model", run->run_id,
			 run->status ? run->status : "?");
		rc = mr_run_set_status(c, run->run_id, "RUNNING");
		if (rc == 0)
			rc = mr_run_log_batch(c, run->run_id, NULL, tags);
		return rc;
	}
	char name[128];
	snprintf(name, sizeof(name), "register-%.12s", m->digest);
	rc = mr_run_create(c, exp_id, name, tags, run);
	if (rc < 0)
		return rc;
	struct mr_kvs params;
	char val[64];
	mr_kvs_init(&params);
	mr_kvs_set(&params, "model_name", o->model_name);
	mr_kvs_set(&params, "model_file", mls_path_basename(o->model_file));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)m->total);
	mr_kvs_set(&params, "model_size_bytes", val);
	mr_kvs_set(&params, "fail_on", mls_severity_name(o->gate.fail_on));
	rc = mr_run_log_batch(c, run->run_id, &params, NULL);
	mr_kvs_release(&params);
	mls_info("created run %s in experiment %s", run->run_id, exp_id);
	return rc;
}

int mr_register_run(const struct mr_options *o)
{
	struct mr_model m;
	struct mr_gate g;
	struct mr_gate_opts go;
	struct mr_client c;
	struct mr_run run;
	struct mr_model_version mv, ready;
	struct mr_kvs tags;
	struct result res;
	char *card = NULL, *exp_id = NULL, *lowest = NULL, *source = NULL;
	char card_sha[MLS_HASH_HEX_MAX], tmp_manifest[4096] = "";
	int card_is_file = 0, reused = 0, run_open = 0, rc;
	size_t count = 0;
	uint64_t sent = 0;
	double t0 = mls_now();

	memset(&c, 0, sizeof(c));
	memset(&run, 0, sizeof(run));
	memset(&mv, 0, sizeof(mv));
	memset(&ready, 0, sizeof(ready));
	memset(&res, 0, sizeof(res));
	mr_kvs_init(&tags);
	mr_gate_init(&g);
	memset(&m, 0, sizeof(m));

	/* 1. the model and the gate: nothing leaves this machine before both pass */
	rc = mr_model_load(&m, o->model_file);
	if (rc < 0)
		goto done;
	mls_info("model '%s': %zu file(s), %llu bytes, %s %s", o->model_file, m.n, (unsigned long long)m.total,
		 m.digest_tag, m.digest);
	go = o->gate;
	go.model_sha256 = m.digests;
	go.nmodel = m.n;
	rc = mr_gate_evaluate(&g, &go);
	if (rc < 0)
		goto done;
	mr_gate_print(&g);
	rc = write_gate_reports(o, &g, o->model_file);
	if (rc < 0)
		goto done;
	if (g.refused) {
		rc = MR_REFUSED;
		mls_err("refused: model '%s' was not registered (nothing was sent to MLflow)", o->model_file);
		goto done;
	}
	if (g.errored) {
		rc = mls_error_set(MLS_EINVAL, "cannot decide: a report is missing or unusable (nothing was sent to "
				   "MLflow; --allow-missing-reports accepts missing ones)");
		goto done;
	}
	if (o->gate_only) {
		printf("gate passed: %s %s\n", m.digest_tag, m.digest);
		goto done;
	}
	rc = mr_model_card(&card, &card_is_file, o->model_card);
	if (rc < 0)
		goto done;
	if (card_is_file)
		mls_hash_buffer(card_sha, card, strlen(card), MLS_SHA256);
	rc = build_tags(&tags, o, &m, &g, card_is_file ? card_sha : NULL);
	if (rc < 0)
		goto done;

	rc = mr_client_init(&c, o->tracking_uri, &o->http);
	if (rc < 0)
		goto done;

	/* 2. already registered (same bytes, same name)? */
	rc = find_lowest(&c, o->model_name, &m, &lowest, &count);
	if (rc < 0)
		goto done;
	if (lowest) {
		rc = mr_wait_ready(&c, o->model_name, lowest, o->wait_timeout, &ready);
		if (rc == 0)
			rc = finish_extras(&c, o, lowest);
		if (rc < 0)
			goto done;
		res.version = strdup(lowest);
		res.run_id = ready.run_id ? strdup(ready.run_id) : NULL;
		res.status = strdup("READY");
		res.source = ready.source ? strdup(ready.source) : NULL;
		res.created = 0;
		rc = write_result(o, &c, &m, &res);
		goto done;
	}

	/* 3. experiment and run */
	rc = mr_experiment_get_or_create(&c, o->experiment, &exp_id);
	if (rc < 0)
		goto done;
	rc = get_run(&c, o, exp_id, &m, &tags, &run, &reused);
	if (rc < 0)
		goto done;
	run_open = 1;

	/* 4. artifacts, streamed and hashed.  A FINISHED run left by an attempt that
	 * failed later (creating the version) already holds verified model files. */
	int have_model = 0;
	if (reused && run.status && !strcmp(run.status, "FINISHED")) {
		struct mr_options quick = *o;
		quick.verify_download = 0;
		have_model = verify_artifacts(&c, &quick, &run, &m) == 0;
		mls_error_clear();
		if (have_model)
			mls_info("run %s already holds the model files; not uploading them again", run.run_id);
	}
	for (size_t i = 0; i < m.n && !have_model; i++) {
		char rel[4096];
		snprintf(rel, sizeof(rel), "model/%s", m.files[i].rel);
		rc = upload(&c, &run, rel, m.files[i].path, m.files[i].sha256, &sent);
		if (rc < 0)
			goto done;
	}
	if (m.is_dir) {
		rc = temp_file(tmp_manifest, sizeof(tmp_manifest), m.manifest.data, m.manifest.len);
		if (rc == 0)
			rc = upload(&c, &run, "mlsecops/manifest.sha256", tmp_manifest, m.digest, NULL);
		if (rc < 0)
			goto done;
	}
	for (int i = 0; i < MR_NSTAGES; i++) {
		const struct mr_stage *s = &g.stages[i];
		if (!s->present)
			continue;
		char rel[128];
		snprintf(rel, sizeof(rel), "mlsecops/reports/%s.json", s->name);
		rc = upload(&c, &run, rel, s->path, s->sha256, NULL);
		if (rc < 0)
			goto done;
	}
	if (g.sbom_present && (rc = upload(&c, &run, "mlsecops/sbom.cdx.json", o->gate.sbom, g.sbom_sha256, NULL)) < 0)
		goto done;
	if (card_is_file && (rc = upload(&c, &run, "mlsecops/model_card.md", o->model_card, card_sha, NULL)) < 0)
		goto done;
	rc = verify_artifacts(&c, o, &run, &m);
	if (rc < 0)
		goto done;
	double up = mls_now() - t0;
	mls_info("uploaded %llu model bytes in %.1f s", (unsigned long long)sent, up);
	rc = mr_run_set_status(&c, run.run_id, "FINISHED");
	if (rc < 0)
		goto done;
	run_open = 0;

	/* 5. registered model and version */
	{
		int created = 0;
		rc = mr_rm_create(&c, o->model_name, &o->model_tags, &created);
		if (rc < 0)
			goto done;
		if (created)
			mls_info("created registered model '%s'", o->model_name);
	}
	{
		size_t l = strlen(run.artifact_uri) + 8;
		source = malloc(l);
		if (!source) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
			goto done;
		}
		snprintf(source, l, "%s/model", run.artifact_uri);
	}
	rc = mr_mv_create(&c, o->model_name, source, run.run_id, card, &tags, &mv);
	if (rc < 0)
		goto done;
	mls_info("created model '%s' version %s", o->model_name, mv.version);

	/* 6. concurrent registrations of the same bytes: the lowest version wins */
	rc = find_lowest(&c, o->model_name, &m, &lowest, &count);
	if (rc < 0)
		goto done;
	res.created = 1;
	res.version = strdup(mv.version);
	if (lowest && strcmp(lowest, mv.version) != 0 && mr_version_number(lowest) < mr_version_number(mv.version)) {
		mls_warn("version %s of '%s' with the same %s was registered concurrently: deleting version %s",
			 lowest, o->model_name, m.digest_tag, mv.version);
		rc = mr_mv_delete(&c, o->model_name, mv.version);
		if (rc == MLS_EAUTH) {
			/* deleting needs MANAGE: mark ours instead; searches keep picking the lowest */
			mls_warn("cannot delete version %s (%s): tagging it mlsecops.duplicate_of=%s", mv.version,
				 mls_error_msg(), lowest);
			rc = mr_mv_set_tag(&c, o->model_name, mv.version, "mlsecops.duplicate_of", lowest);
		}
		if (rc < 0)
			goto done;
		free(res.version);
		res.version = strdup(lowest);
		res.created = 0;
	}
	if (!res.version) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}

	/* 7. READY, alias, registered-model tags */
	rc = mr_wait_ready(&c, o->model_name, res.version, o->wait_timeout, &ready);
	if (rc == 0)
		rc = finish_extras(&c, o, res.version);
	if (rc < 0)
		goto done;
	res.run_id = ready.run_id ? strdup(ready.run_id) : strdup(run.run_id);
	res.status = strdup(ready.status ? ready.status : "READY");
	res.source = ready.source ? strdup(ready.source) : NULL;
	rc = write_result(o, &c, &m, &res);

done:
	if (rc < 0 && run_open && run.run_id) {
		/* best effort: mark the run so a re-run finds and finishes it */
		char saved[2048];
		int code = mls_error_code();
		snprintf(saved, sizeof(saved), "%s", mls_error_msg());
		if (code != MLS_ENET)
			mr_run_set_status(&c, run.run_id, "FAILED");
		mls_error_set(code, "%s", saved);
		rc = code;
	}
	if (tmp_manifest[0])
		unlink(tmp_manifest);
	free(card);
	free(exp_id);
	free(lowest);
	free(source);
	result_release(&res);
	mr_model_version_release(&mv);
	mr_model_version_release(&ready);
	mr_run_release(&run);
	mr_kvs_release(&tags);
	mr_client_release(&c);
	mr_gate_release(&g);
	mr_model_release(&m);
	return rc;
}
