/*
 * JSON and text files that travel with models (config.json,
 * tokenizer_config.json, tokenizer.json, generation_config.json, README.md,
 * vocab.txt, chat_template.jinja ...), so that every file of a Hugging Face
 * folder is recognised and reported.  JSON must parse within the JSON limits
 * (invalid JSON fails the file).  Checked:
 *
 *   chat_template (string or list of named templates) and *.jinja files:
 *                 the Jinja checker (MS-TMPL-*)
 *   MS-HF-001 medium  auto_map: the model needs trust_remote_code, which
 *                     imports and runs Python files from the repository
 *   MS-HF-002 low     Python source shipped with the model (runs with
 *                     trust_remote_code)
 *   a Keras model JSON (class_name + config at the top): the Keras walker
 */
#include <string.h>
#include "formats_util.h"

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
	if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static int textual(const struct ms_input *in)
{
	if (in->head_len == 0 || memchr(in->head, 0, in->head_len))
		return 0;
	size_t n = in->head_len;
	/* a multi-byte sequence may be cut at the end of the head */
	for (size_t k = 0; k < 4 && n > 0 && (in->head[n - 1] & 0x80); k++)
		n--;
	if (!mls_utf8_valid((const char *)in->head, n))
		return 0;
	size_t ctl = 0;
	for (size_t i = 0; i < in->head_len; i++) {
		unsigned char c = in->head[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
			ctl++;
	}
	return ctl * 100 <= in->head_len;
}

int ms_probe_json(const struct ms_input *in)
{
	if (!textual(in))
		return 0;
	const unsigned char *p = skip_ws(in->head, in->head + in->head_len), *end = in->head + in->head_len;
	if (p >= end)
		return 0;
	const unsigned char *q = p + 1 < end ? skip_ws(p + 1, end) : end;
	int score = 0;
	if (*p == '{' && (q >= end || *q == '"' || *q == '}'))
		score = 30;
	else if (*p == '[' && (q >= end || strchr("[{\"-0123456789tfn]", *q)))
		score = 25;
	if (score && ms_name_ends(in->name, ".json"))
		score += 10;
	return score;
}

int ms_probe_text(const struct ms_input *in)
{
	return textual(in) ? 5 : 0;
}

static void check_chat_templates(struct ms_ctx *ctx, struct ms_input *in, yajl_val root)
{
	yajl_val t = mls_json_get(root, "chat_template");
	if (YAJL_IS_STRING(t)) {
		ms_template_check(ctx, in, "chat_template", t->u.string, strlen(t->u.string));
	} else if (YAJL_IS_ARRAY(t)) {
		for (size_t i = 0; i < t->u.array.len; i++) {
			yajl_val e = t->u.array.values[i];
			const char *s = mls_json_get_str(e, "template");
			const char *nm = mls_json_get_str(e, "name");
			char where[300];
			snprintf(where, sizeof(where), "chat_template '%s'", nm ? nm : "?");
			if (s)
				ms_template_check(ctx, in, where, s, strlen(s));
		}
	}
}

int ms_scan_json(struct ms_ctx *ctx, struct ms_input *in)
{
	struct mls_buf b;
	yajl_val root = NULL;
	mls_buf_init(&b, (size_t)ctx->limits->max_json_bytes + 1);
	int rc = ms_input_load(in, &b, (size_t)ctx->limits->max_json_bytes);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "JSON file larger than the JSON limit (--max-json)");
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	rc = mls_json_parse(&root, b.data ? b.data : "", b.len, (size_t)ctx->limits->max_json_bytes,
			    MLS_JSON_DEFAULT_DEPTH);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "JSON: %s", mls_error_msg());
		rc = 0;
		goto done;
	}
	if (rc < 0) {
		mls_error_prefix("invalid JSON");
		goto done;
	}
	if (!YAJL_IS_OBJECT(root))
		goto done;
	check_chat_templates(ctx, in, root);
	yajl_val am = mls_json_get(root, "auto_map");
	if (YAJL_IS_OBJECT(am) && am->u.object.len > 0) {
		char ev[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < am->u.object.len && used < sizeof(ev) - 64; i++) {
			yajl_val v = am->u.object.values[i];
			const char *s = YAJL_IS_STRING(v) ? v->u.string
				       : YAJL_IS_ARRAY(v) && v->u.array.len ? mls_json_str(v->u.array.values[0]) : NULL;
			int k = snprintf(ev + used, sizeof(ev) - used, "%s%s=%s", used ? ", " : "", am->u.object.keys[i],
					 s ? s : "?");
			if (k > 0)
				used += (size_t)k < sizeof(ev) - used ? (size_t)k : sizeof(ev) - used - 1;
		}
		ms_finding(ctx, in, "MS-HF-001", "remote-code", MLS_SEV_MEDIUM, "auto_map", ev,
			   "auto_map makes loaders import Python code from the repository (trust_remote_code=True)");
	}
	if (mls_json_get_str(root, "class_name") && mls_json_get(root, "config"))
		ms_keras_walk(ctx, in, root, "model JSON");
done:
	if (root)
		yajl_tree_free(root);
	mls_buf_release(&b);
	return rc;
}

int ms_scan_text(struct ms_ctx *ctx, struct ms_input *in)
{
	if (ms_name_ends(in->name, ".py")) {
		ms_finding(ctx, in, "MS-HF-002", "python-source", MLS_SEV_LOW, NULL, in->name,
			   "Python source shipped with the model: trust_remote_code loaders import it");
		return 0;
	}
	if (ms_name_ends(in->name, ".jinja") || ms_name_ends(in->name, ".j2") || ms_name_ends(in->name, ".jinja2")) {
		struct mls_buf b;
		mls_buf_init(&b, (size_t)ctx->limits->max_json_bytes + 1);
		int rc = ms_input_load(in, &b, (size_t)ctx->limits->max_json_bytes);
		if (rc == 0)
			ms_template_check(ctx, in, "template", b.data ? b.data : "", b.len);
		else if (rc == MLS_ELIMIT)
			ms_incomplete(ctx, in, "template larger than the JSON limit");
		mls_buf_release(&b);
		return rc == MLS_ELIMIT ? 0 : rc;
	}
	return 0;
}
