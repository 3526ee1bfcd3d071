/* yajl helpers: bounded tree parsing, lookups, and a safe generator (see mls/json.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mls/buf.h"
#include "mls/error.h"
#include "mls/json.h"
#include "mls/util.h"

/* Maximum nesting depth of text, counting [ and { outside strings. */
static unsigned json_depth(const char *text, size_t len)
{
	unsigned depth = 0, max = 0;
	int in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return max;
}

int mls_json_parse(yajl_val *out, const char *text, size_t len, size_t max_bytes, unsigned max_depth)
{
	*out = NULL;
	if (max_bytes && len > max_bytes)
		return mls_error_set(MLS_ELIMIT, "JSON document of %zu bytes exceeds the %zu byte limit", len, max_bytes);
	if (!max_depth)
		max_depth = MLS_JSON_DEFAULT_DEPTH;
	unsigned d = json_depth(text, len);
	if (d > max_depth)
		return mls_error_set(MLS_ELIMIT, "JSON nesting depth %u exceeds the limit of %u", d, max_depth);
	if (memchr(text, '\0', len))
		return mls_error_set(MLS_EFORMAT, "invalid JSON: contains a NUL byte");
	char *copy = malloc(len + 1);
	if (!copy)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	char err[512];
	err[0] = '\0';
	yajl_val v = yajl_tree_parse(copy, err, sizeof(err));
	free(copy);
	if (!v) {
		/* yajl's message spans lines; keep the first */
		err[strcspn(err, "\n")] = '\0';
		return mls_error_set(MLS_EFORMAT, "invalid JSON: %s", err[0] ? err : "parse error");
	}
	*out = v;
	return 0;
}

int mls_json_parse_file(yajl_val *out, const char *path, size_t max_bytes, unsigned max_depth)
{
	struct mls_buf b;
	mls_buf_init(&b, max_bytes ? max_bytes + 1 : MLS_BUF_DEFAULT_MAX);
	*out = NULL;
	int rc = mls_read_file(&b, path, max_bytes ? max_bytes : MLS_BUF_DEFAULT_MAX);
	if (rc == 0) {
		rc = mls_json_parse(out, mls_buf_cstr(&b), b.len, max_bytes, max_depth);
		if (rc < 0)
			mls_error_prefix("'%s'", path);
	}
	mls_buf_release(&b);
	return rc;
}

yajl_val mls_json_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

yajl_val mls_json_path(yajl_val v, ...)
{
	va_list ap;
	va_start(ap, v);
	const char *k;
	while (v && (k = va_arg(ap, const char *)) != NULL)
		v = mls_json_get(v, k);
	va_end(ap);
	return v;
}

const char *mls_json_str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

const char *mls_json_scalar_text(yajl_val v)
{
	if (!v)
		return NULL;
	if (YAJL_IS_STRING(v))
		return v->u.string;
	if (YAJL_IS_NUMBER(v))
		return v->u.number.r;
	if (YAJL_IS_TRUE(v))
		return "true";
	if (YAJL_IS_FALSE(v))
		return "false";
	return NULL;
}

const char *mls_json_get_str(yajl_val obj, const char *key)
{
	return mls_json_str(mls_json_get(obj, key));
}

int mls_json_get_int(yajl_val obj, const char *key, long long *out)
{
	yajl_val v = mls_json_get(obj, key);
	if (!v || !YAJL_IS_INTEGER(v))
		return MLS_ENOTFOUND;
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

yajl_gen mls_jgen_new(int pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	if (pretty)
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_config(g, yajl_gen_escape_solidus, 1);
	yajl_gen_config(g, yajl_gen_validate_utf8, 0);
	return g;
}

void mls_jgen_strn(yajl_gen g, const char *s, size_t len)
{
	if (!s) {
		yajl_gen_null(g);
		return;
	}
	if (mls_utf8_valid(s, len)) {
		yajl_gen_string(g, (const unsigned char *)s, len);
		return;
	}
	struct mls_buf b;
	mls_buf_init(&b, len * 3 + 16);
	if (mls_utf8_sanitize(&b, s, len) == 0)
		yajl_gen_string(g, (const unsigned char *)mls_buf_cstr(&b), b.len);
	else
		yajl_gen_string(g, (const unsigned char *)"", 0);
	mls_buf_release(&b);
}

void mls_jgen_str(yajl_gen g, const char *s)
{
	mls_jgen_strn(g, s, s ? strlen(s) : 0);
}

void mls_jgen_kv_str(yajl_gen g, const char *key, const char *value)
{
	mls_jgen_str(g, key);
	mls_jgen_str(g, value);
}

void mls_jgen_kv_int(yajl_gen g, const char *key, long long value)
{
	mls_jgen_str(g, key);
	yajl_gen_integer(g, value);
}

void mls_jgen_kv_uint(yajl_gen g, const char *key, uint64_t value)
{
	char num[32];
	mls_jgen_str(g, key);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
	yajl_gen_number(g, num, strlen(num));
}

void mls_jgen_kv_bool(yajl_gen g, const char *key, int value)
{
	mls_jgen_str(g, key);
	yajl_gen_bool(g, value ? 1 : 0);
}

void mls_jgen_kv_double(yajl_gen g, const char *key, double value)
{
	mls_jgen_str(g, key);
	if (isfinite(value))
		yajl_gen_double(g, value);
	else
		yajl_gen_null(g);
}

void mls_jgen_value(yajl_gen g, yajl_val v)
{
	if (!v) {
		yajl_gen_null(g);
		return;
	}
	switch (v->type) {
	case yajl_t_string: mls_jgen_str(g, v->u.string); break;
	case yajl_t_number:
		if (v->u.number.r)
			yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
		else
			yajl_gen_null(g);
		break;
	case yajl_t_object:
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			mls_jgen_str(g, v->u.object.keys[i]);
			mls_jgen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
		break;
	case yajl_t_array:
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			mls_jgen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
		break;
	case yajl_t_true: yajl_gen_bool(g, 1); break;
	case yajl_t_false: yajl_gen_bool(g, 0); break;
	default: yajl_gen_null(g); break;
	}
}
