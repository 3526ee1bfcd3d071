/* `mlflow-register show NAME [--version N | --alias A]` (see register.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "register.h"
#include "mls/common.h"

/* The highest-numbered version of name. */
static int latest_version(struct mr_client *c, const char *name, struct mr_model_version *out)
{
	struct mls_buf f;
	struct mr_model_version *v = NULL;
	size_t n = 0;
	mls_buf_init(&f, 1 << 16);
	int rc = mls_buf_puts(&f, "name=");
	if (rc == 0)
		rc = mr_filter_quote(&f, name);
	if (rc == 0)
		rc = mr_mv_search(c, mls_buf_cstr(&f), &v, &n, 100000);
	mls_buf_release(&f);
	if (rc < 0)
		return rc;
	size_t best = n;
	for (size_t i = 0; i < n; i++)
		if (best == n || mr_version_number(v[i].version) > mr_version_number(v[best].version))
			best = i;
	if (best == n)
		rc = mls_error_set(MLS_ENOTFOUND, "registered model '%s' has no versions", name);
	else {
		*out = v[best];
		memset(&v[best], 0, sizeof(v[best]));
	}
	mr_model_versions_free(v, n);
	return rc;
}

/* Terminal-safe copy of untrusted text. */
static const char *term(struct mls_buf *b, const char *s)
{
	mls_buf_reset(b);
	if (mls_escape_term(b, s ? s : "") < 0)
		return "?";
	return mls_buf_cstr(b);
}

static void print_text(const struct mr_registered_model *rm, const struct mr_model_version *mv,
		       const struct mr_artifact *a, size_t na)
{
	struct mls_buf b;
	mls_buf_init(&b, 1 << 20);
	printf("name:        %s\n", term(&b, mv->name));
	printf("version:     %s\n", term(&b, mv->version));
	printf("status:      %s\n", term(&b, mv->status));
	printf("run_id:      %s\n", term(&b, mv->run_id));
	printf("source:      %s\n", term(&b, mv->source));
	if (mv->naliases) {
		printf("aliases:    ");
		for (size_t i = 0; i < mv->naliases; i++)
			printf(" %s", term(&b, mv->aliases[i]));
		printf("\n");
	}
	printf("description:\n");
	if (mv->description && *mv->description) {
		const char *p = mv->description;
		while (*p) {
			size_t l = strcspn(p, "\n");
			char *line = strndup(p, l);
			printf("  %s\n", term(&b, line ? line : ""));
			free(line);
			p += l;
			if (*p == '\n')
				p++;
		}
	}
	printf("tags:\n");
	for (size_t i = 0; i < mv->tags.n; i++) {
		printf("  %s = ", term(&b, mv->tags.v[i].key));
		printf("%s\n", term(&b, mv->tags.v[i].value));
	}
	if (rm && rm->tags.n) {
		printf("registered model tags:\n");
		for (size_t i = 0; i < rm->tags.n; i++) {
			printf("  %s = ", term(&b, rm->tags.v[i].key));
			printf("%s\n", term(&b, rm->tags.v[i].value));
		}
	}
	printf("artifacts:\n");
	for (size_t i = 0; i < na; i++) {
		if (a[i].is_dir)
			continue;
		printf("  %-12lld %s\n", a[i].size, term(&b, a[i].path));
	}
	mls_buf_release(&b);
}

static void print_json(const struct mr_registered_model *rm, const struct mr_model_version *mv,
		       const struct mr_artifact *a, size_t na)
{
	yajl_gen g = mls_jgen_new(1);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", mv->name);
	mls_jgen_kv_str(g, "version", mv->version);
	mls_jgen_kv_str(g, "status", mv->status);
	mls_jgen_kv_str(g, "status_message", mv->status_message);
	mls_jgen_kv_str(g, "run_id", mv->run_id);
	mls_jgen_kv_str(g, "source", mv->source);
	mls_jgen_kv_str(g, "description", mv->description);
	mls_jgen_kv_int(g, "creation_timestamp", mv->created);
	mls_jgen_str(g, "aliases");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < mv->naliases; i++)
		mls_jgen_str(g, mv->aliases[i]);
	yajl_gen_array_close(g);
	mls_jgen_str(g, "tags");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < mv->tags.n; i++)
		mls_jgen_kv_str(g, mv->tags.v[i].key, mv->tags.v[i].value);
	yajl_gen_map_close(g);
	mls_jgen_str(g, "registered_model");
	yajl_gen_map_open(g);
	if (rm) {
		mls_jgen_kv_str(g, "description", rm->description);
		mls_jgen_str(g, "tags");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < rm->tags.n; i++)
			mls_jgen_kv_str(g, rm->tags.v[i].key, rm->tags.v[i].value);
		yajl_gen_map_close(g);
		mls_jgen_str(g, "aliases");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < rm->naliases; i++)
			mls_jgen_kv_str(g, rm->aliases[i].key, rm->aliases[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	mls_jgen_str(g, "artifacts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < na; i++) {
		if (a[i].is_dir)
			continue;
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", a[i].path);
		mls_jgen_kv_int(g, "size", a[i].size);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	if (len && buf[len - 1] != '\n')
		fputc('\n', stdout);
	yajl_gen_free(g);
}

int mr_show_run(const struct mr_options *o)
{
	struct mr_client c;
	struct mr_registered_model rm;
	struct mr_model_version mv;
	struct mr_artifact *a = NULL;
	size_t na = 0;
	int rc;

	memset(&rm, 0, sizeof(rm));
	memset(&mv, 0, sizeof(mv));
	rc = mr_client_init(&c, o->tracking_uri, &o->http);
	if (rc < 0)
		goto done;
	rc = mr_rm_get(&c, o->show_name, &rm);
	if (rc == MLS_ENOTFOUND) {
		rc = mls_error_set(MLS_ENOTFOUND, "registered model '%s' does not exist", o->show_name);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (o->show_version)
		rc = mr_mv_get(&c, o->show_name, o->show_version, &mv);
	else if (o->show_alias)
		rc = mr_alias_get(&c, o->show_name, o->show_alias, &mv);
	else
		rc = latest_version(&c, o->show_name, &mv);
	if (rc == MLS_ENOTFOUND && (o->show_version || o->show_alias))
		mls_error_prefix("model '%s' %s '%s'", o->show_name, o->show_version ? "version" : "alias",
				 o->show_version ? o->show_version : o->show_alias);
	if (rc < 0)
		goto done;
	if (mv.run_id && *mv.run_id) {
		rc = mr_artifacts_list(&c, mv.run_id, NULL, 1, &a, &na, 100000);
		if (rc < 0) {
			mls_warn("cannot list the artifacts of run %s: %s", mv.run_id, mls_error_msg());
			rc = 0;
		}
	}
	if (o->format == MLS_FMT_JSON)
		print_json(&rm, &mv, a, na);
	else
		print_text(&rm, &mv, a, na);
	fflush(stdout);
done:
	mr_artifacts_free(a, na);
	mr_model_version_release(&mv);
	mr_registered_model_release(&rm);
	mr_client_release(&c);
	return rc;
}
