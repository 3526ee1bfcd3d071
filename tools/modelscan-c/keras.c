/*
 * Keras v3 ".keras" archives: a zip holding metadata.json, config.json and
 * model.weights.h5 (plus assets).  The zip goes through the shared archive
 * walker (names, links, bombs, encryption; every other member recognised and
 * scanned by content, the weights by the HDF5 scanner); config.json is walked
 * in full by the Keras config walker (keras_config.c, rules MS-KERAS-*).
 */
#include <string.h>
#include "formats_util.h"

struct kstate {
	int config, metadata;
	int err;          /* a corrupt config.json / metadata.json fails the file */
	char msg[512];
};

int ms_probe_keras(const struct ms_input *in)
{
	const unsigned char *h = in->head;
	if (in->head_len < 30 || memcmp(h, "PK\3\4", 4) != 0)
		return 0;
	size_t nlen = (size_t)h[26] | (size_t)h[27] << 8;
	if (30 + nlen <= in->head_len) {
		const char *n = (const char *)h + 30;
		if ((nlen == 13 && memcmp(n, "metadata.json", 13) == 0) || (nlen == 11 && memcmp(n, "config.json", 11) == 0))
			return 85;
	}
	return ms_name_ends(in->name, ".keras") ? 80 : 0;
}

static int load_member(struct ms_ctx *ctx, struct ms_input *m, struct mls_buf *b)
{
	mls_buf_init(b, (size_t)ctx->limits->max_json_bytes + 1);
	int rc = ms_input_load(m, b, (size_t)ctx->limits->max_json_bytes);
	if (rc < 0)
		mls_error_prefix("%s", m->name);
	return rc;
}

static int keras_member(struct ms_ctx *ctx, struct ms_input *m, const struct mls_archive_entry *e, void *arg)
{
	struct kstate *st = arg;
	struct mls_buf b;
	int rc;
	if (strcmp(e->path, "config.json") == 0) {
		st->config++;
		if ((rc = load_member(ctx, m, &b)) == 0)
			rc = ms_keras_check_json(ctx, m, b.data ? b.data : "", b.len, "");
		mls_buf_release(&b);
		if (rc == MLS_EFORMAT && !st->err) {
			st->err = rc;
			snprintf(st->msg, sizeof(st->msg), "%s", mls_error_msg());
			return 1;
		}
		return rc < 0 ? rc : 1;
	}
	if (strcmp(e->path, "metadata.json") == 0) {
		yajl_val v = NULL;
		st->metadata++;
		if ((rc = load_member(ctx, m, &b)) == 0)
			rc = mls_json_parse(&v, b.data ? b.data : "", b.len, (size_t)ctx->limits->max_json_bytes,
					    MLS_JSON_DEFAULT_DEPTH);
		if (rc == 0)
			ms_keras_walk(ctx, m, v, "");
		if (v)
			yajl_tree_free(v);
		mls_buf_release(&b);
		return rc < 0 ? rc : 1;
	}
	return 0;
}

int ms_scan_keras(struct ms_ctx *ctx, struct ms_input *in)
{
	struct kstate st = { 0, 0, 0, "" };
	int rc = ms_archive_walk(ctx, in, "keras", keras_member, &st);
	if (rc < 0)
		return rc;
	if (st.err)
		return mls_error_set(st.err, "%s", st.msg);
	if (!st.config)
		ms_incomplete(ctx, in, "Keras archive has no config.json: the model configuration was not examined");
	else if (st.config > 1)
		ms_finding(ctx, in, "MS-KERAS-007", "duplicate-config", MLS_SEV_HIGH, "config.json", NULL,
			   "Keras archive holds config.json %d times: loaders and scanners may read different ones",
			   st.config);
	return 0;
}
