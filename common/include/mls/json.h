/*
 * yajl helpers: tree parsing with size and depth limits, lookups, and a
 * generator that always produces valid, escaped JSON (invalid UTF-8 becomes
 * U+FFFD, "</" is written as "<\/").
 */
#ifndef MLS_JSON_H
#define MLS_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define MLS_JSON_DEFAULT_DEPTH 64

/* Parses text (need not be NUL-terminated) into *out (yajl_tree_free it).
 * Fails with MLS_ELIMIT when len > max_bytes or nesting > max_depth, MLS_EFORMAT
 * with yajl's message when invalid. */
int mls_json_parse(yajl_val *out, const char *text, size_t len, size_t max_bytes, unsigned max_depth);
int mls_json_parse_file(yajl_val *out, const char *path, size_t max_bytes, unsigned max_depth);

/* Object member lookup (NULL when v is not an object or key is absent). */
yajl_val mls_json_get(yajl_val obj, const char *key);
/* Follows a NULL-terminated key path: mls_json_path(v, "tool", "name", NULL). */
yajl_val mls_json_path(yajl_val v, ...);
const char *mls_json_str(yajl_val v);              /* string value or NULL */
/* A scalar as text: strings, numbers as written, "true"/"false"; NULL for objects, arrays, null. */
const char *mls_json_scalar_text(yajl_val v);
const char *mls_json_get_str(yajl_val obj, const char *key);
int mls_json_get_int(yajl_val obj, const char *key, long long *out); /* 0 ok, <0 absent/not int */

/* A generator with our options (beautify optional). */
yajl_gen mls_jgen_new(int pretty);
/* Strings are sanitised to valid UTF-8; NULL writes null. */
void mls_jgen_str(yajl_gen g, const char *s);
void mls_jgen_strn(yajl_gen g, const char *s, size_t len);
void mls_jgen_kv_str(yajl_gen g, const char *key, const char *value);
void mls_jgen_kv_int(yajl_gen g, const char *key, long long value);
void mls_jgen_kv_uint(yajl_gen g, const char *key, uint64_t value);
void mls_jgen_kv_bool(yajl_gen g, const char *key, int value);
void mls_jgen_kv_double(yajl_gen g, const char *key, double value);
/* Copies a parsed value into g (for re-emitting parts of input documents). */
void mls_jgen_value(yajl_gen g, yajl_val v);

#endif
