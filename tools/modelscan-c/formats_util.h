/*
 * Helpers shared by the part-2 format modules (Keras, HDF5, TensorFlow,
 * TFLite, ONNX, GGUF, safetensors, archives, JSON/text): whole-input views,
 * location strings for members, the Keras config walker, the chat-template
 * checker and the generic archive walker.  Like every format module they
 * never print and keep no global state.
 */
#ifndef MS_FORMATS_UTIL_H
#define MS_FORMATS_UTIL_H

#include <yajl/yajl_tree.h>
#include "scanner.h"

/* A read-only view of a whole input: mmap for files, the buffer itself for
 * memory inputs, a bounded copy for archive members. */
struct ms_view {
	const unsigned char *data;
	size_t len;
	void *mapped;
	size_t mapped_len;
	struct mls_buf buf;
};
/* Fails with MLS_ELIMIT when a member is larger than max (files are mapped whatever their size). */
int ms_view_open(struct ms_view *v, struct ms_input *in, size_t max);
void ms_view_close(struct ms_view *v);

/* 1 when name ends with ext (".keras"), ignoring case. */
int ms_name_ends(const char *name, const char *ext);
/* "parent > member" (or "member" at the top level) into out. */
void ms_member_location(char *out, size_t outsz, const struct ms_input *parent, const char *member);
/* The best handler for in other than `except` (for content that lies about its kind). */
const struct ms_format_handler *ms_detect_except(const struct ms_input *in, enum ms_format except);
/* Decodes base64 (whitespace ignored) into out; MLS_EFORMAT when it is not base64. */
int ms_base64_decode(struct mls_buf *out, const char *s, size_t len);
/* 1 for Python modules whose import or attributes run code, touch files or the
 * network (os, subprocess, builtins, importlib, socket ...), judged on the root. */
int ms_py_module_dangerous(const char *module);

/* TensorFlow operation classes (tf.c): 0 harmless, 1 runs Python, 2 file I/O,
 * 3 network, 4 print/debug output. */
int ms_tf_op_class(const unsigned char *op, size_t n);

/* Keras configuration walker (keras_config.c): walks a whole model config
 * (config.json, model_config, keras_metadata.pb metadata) and reports Lambda
 * layers, embedded code, imports outside Keras, gadget functions and
 * safe-mode switches.  where names the document ("config.json"). */
int ms_keras_check_json(struct ms_ctx *ctx, struct ms_input *in, const char *text, size_t len, const char *where);
void ms_keras_walk(struct ms_ctx *ctx, struct ms_input *in, yajl_val root, const char *where);

/* Jinja chat-template checker (template_check.c): reports sandbox-escape
 * constructs in a template; where is e.g. "metadata tokenizer.chat_template".
 * Returns the number of findings. */
int ms_template_check(struct ms_ctx *ctx, const struct ms_input *in, const char *where, const char *tpl, size_t len);

/* Generic archive walker (archive_scan.c).  Opens in with libarchive and
 * scans every member through ms_scan_input, reporting traversal names,
 * links, bombs and encrypted members.  fn (may be NULL) sees every regular
 * member first: it returns 1 when it consumed the member itself, 0 to let
 * the walker dispatch it, <0 on failure.  kind names the container in
 * messages ("zip", "keras"). */
typedef int (*ms_member_fn)(struct ms_ctx *ctx, struct ms_input *member, const struct mls_archive_entry *e,
			    void *arg);
int ms_archive_walk(struct ms_ctx *ctx, struct ms_input *in, const char *kind, ms_member_fn fn, void *arg);

#endif
