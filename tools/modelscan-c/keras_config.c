/*
 * Keras configuration walker, shared by Keras v3 archives (config.json),
 * legacy HDF5 files (model_config / training_config attributes) and
 * TensorFlow keras_metadata.pb.  The whole JSON tree is walked, so layers
 * wrapped in TimeDistributed or Bidirectional, nested Functional/Sequential
 * models and custom objects are all seen.  Reported:
 *
 *   MS-KERAS-001  Lambda / TFOpLambda layer calling a function
 *   MS-KERAS-002  embedded Python code (marshalled bytecode, "__lambda__")
 *   MS-KERAS-003  "module" outside Keras: the loader imports it (CVE-2025-1550)
 *   MS-KERAS-004  safe-mode switch in the config (CVE-2025-9906)
 *   MS-KERAS-005  Keras gadget function (get_file, load_model ...: CVE-2025-8747)
 *   MS-KERAS-006  layer that loads external code or pickles (TFSMLayer,
 *                 TorchModuleWrapper: CVE-2026-1462); embedded pickles are scanned
 */
#include <string.h>
#include "formats_util.h"

#define PATH_MAX_LEN 768

struct kwalk {
	struct ms_ctx *ctx;
	struct ms_input *in;
	const char *where;
	char layer[256];
	unsigned depth;
};

static const char *const keras_roots[] = { "keras", "tf_keras", "keras_hub", "keras_nlp", "keras_cv",
					   "keras_rs", "keras_tuner" };

static int keras_module(const char *m)
{
	for (size_t i = 0; i < MLS_ARRAY_SIZE(keras_roots); i++) {
		size_t n = strlen(keras_roots[i]);
		if (strncmp(m, keras_roots[i], n) == 0 && (m[n] == '\0' || m[n] == '.'))
			return 1;
	}
	return 0;
}

/* Functions reachable inside Keras that fetch, load or unlock code. */
static const char *const gadgets[] = {
	"get_file", "load_model", "load_weights", "enable_unsafe_deserialization", "set_global_attribute",
	"save_model", "save_weights", "model_from_json", "model_from_config", "deserialize_keras_object",
	"func_load", "load_img", "save_img", "array_to_img", "export", "copy", "exec", "eval", "rmtree",
	"open", "system", "Popen", "run", "import_module", "TFSMLayer", "set_file_pointer",
};

static int is_gadget(const char *name)
{
	if (!name)
		return 0;
	const char *dot = strrchr(name, '.');
	const char *base = dot ? dot + 1 : name;
	for (size_t i = 0; i < MLS_ARRAY_SIZE(gadgets); i++)
		if (strcmp(base, gadgets[i]) == 0)
			return 1;
	return 0;
}

static const char *const switches[] = { "enable_unsafe_deserialization", "safe_mode", "set_global_attribute",
					 "safe_mode_saving", "unsafe_deserialization" };

static const char *has_switch(const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < MLS_ARRAY_SIZE(switches); i++)
		if (strstr(s, switches[i]))
			return switches[i];
	return NULL;
}

static void loc(char *out, size_t n, const struct kwalk *w, const char *path)
{
	const char *sep = w->where[0] ? ", " : "";
	if (w->layer[0])
		snprintf(out, n, "%s%slayer '%s' (%s)", w->where, sep, w->layer, path[0] ? path : "/");
	else
		snprintf(out, n, "%s%s%s", w->where, sep, path[0] ? path : "/");
}

/* 1 when s is base64 of a marshalled code object (0x63 'c', 0xe3 with FLAG_REF). */
static int marshal_code(const char *s, size_t len)
{
	if (len < 16)
		return 0;
	for (size_t i = 0; i < len && i < 64; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/' || c == '=' || c == '\n' || c == '\r'))
			return 0;
	}
	struct mls_buf b;
	int r = 0;
	mls_buf_init(&b, len + 16);
	if (ms_base64_decode(&b, s, len) == 0 && b.len > 0)
		r = (unsigned char)b.data[0] == 0xe3 || (unsigned char)b.data[0] == 0x63;
	mls_buf_release(&b);
	return r;
}

static void finding(struct kwalk *w, const char *path, const char *id, const char *rule, enum mls_severity sev,
		    const char *evidence, const char *msg)
{
	char l[1200];
	loc(l, sizeof(l), w, path);
	ms_finding(w->ctx, w->in, id, rule, sev, l, evidence, "%s", msg);
}

static void scan_torch_module(struct kwalk *w, const char *path, const char *b64)
{
	struct mls_buf raw;
	char l[1200], m[1400];
	mls_buf_init(&raw, (size_t)w->ctx->limits->max_json_bytes);
	if (ms_base64_decode(&raw, b64, strlen(b64)) < 0) {
		mls_buf_release(&raw);
		return;
	}
	loc(l, sizeof(l), w, path);
	ms_member_location(m, sizeof(m), w->in, l);
	struct ms_input sub;
	ms_input_init_mem(&sub, raw.data, raw.len, m, "module.pt", w->in->depth + 1);
	enum ms_format f;
	int rc = ms_scan_input(w->ctx, &sub, &f);
	if (rc < 0)
		ms_incomplete(w->ctx, w->in, "%s: embedded torch module not examined: %s", l, mls_error_msg());
	else if (f == MS_FMT_UNKNOWN)
		ms_incomplete(w->ctx, w->in, "%s: embedded torch module of unknown format", l);
	mls_buf_release(&raw);
}

static void walk(struct kwalk *w, yajl_val v, char *path, size_t plen);

static void check_object(struct kwalk *w, yajl_val v, char *path, size_t plen)
{
	const char *cls = mls_json_get_str(v, "class_name");
	const char *module = mls_json_get_str(v, "module");
	const char *reg = mls_json_get_str(v, "registered_name");
	yajl_val cfg = mls_json_get(v, "config");
	char msg[1024], ev[512];
	(void)plen;

	if (cls && strcmp(cls, "__lambda__") == 0) {
		const char *code = mls_json_get_str(cfg, "code");
		snprintf(ev, sizeof(ev), "%s", code && marshal_code(code, strlen(code)) ? "marshal code object"
											 : "__lambda__");
		finding(w, path, "MS-KERAS-002", "embedded-code", MLS_SEV_CRITICAL, ev,
			"Python bytecode is embedded in the config; loading with safe_mode=False (or through a "
			"safe-mode bypass) runs it");
		return;
	}
	if (cls && (strcmp(cls, "Lambda") == 0 || strcmp(cls, "TFOpLambda") == 0 ||
		    strcmp(cls, "SlicingOpLambda") == 0)) {
		yajl_val fn = mls_json_get(cfg, "function");
		const char *fname = mls_json_str(fn);
		const char *ftype = mls_json_get_str(cfg, "function_type");
		if (YAJL_IS_ARRAY(fn) || (ftype && strcmp(ftype, "lambda") == 0)) {
			/* legacy: [base64 marshal, defaults, closure] */
			finding(w, path, "MS-KERAS-002", "embedded-code", MLS_SEV_CRITICAL,
				"Lambda function (marshalled bytecode)",
				"Lambda layer carries marshalled Python bytecode; legacy loaders run it without "
				"asking (CVE-2024-3660, CVE-2025-9905)");
		} else if (fname && strcmp(cls, "Lambda") != 0) {
			static const char *const tfbad[] = { "io.", "py_func", "numpy_function", "gfile", "read_file",
							     "write_file", "matching_files", "print", "compat.v1.",
							     "debugging", "summary", "saved_model", "load_library",
							     "load_op_library", "experimental" };
			for (size_t i = 0; i < MLS_ARRAY_SIZE(tfbad); i++)
				if (strstr(fname, tfbad[i])) {
					snprintf(msg, sizeof(msg),
						 "%s layer calls TensorFlow function '%s' that reads or writes files "
						 "or runs Python", cls, fname);
					finding(w, path, "MS-KERAS-001", "lambda-layer", MLS_SEV_HIGH, fname, msg);
					break;
				}
		} else if (strcmp(cls, "Lambda") == 0 && !(mls_json_get_str(fn, "class_name") &&
							     strcmp(mls_json_get_str(fn, "class_name"), "__lambda__") == 0)) {
			const char *fmod = mls_json_get_str(fn, "module");
			const char *fcfg = mls_json_get_str(fn, "config");
			if (!fname && fcfg)
				fname = fcfg;
			const char *lmod = fmod ? fmod : mls_json_get_str(cfg, "module");
			snprintf(ev, sizeof(ev), "%s%s%s", lmod ? lmod : "", lmod ? "." : "", fname ? fname : "?");
			snprintf(msg, sizeof(msg),
				 "Lambda layer calls '%s': a Lambda runs arbitrary Python when the model is used", ev);
			finding(w, path, "MS-KERAS-001", "lambda-layer", MLS_SEV_MEDIUM, ev, msg);
			if (lmod && !keras_module(lmod) && fname) {
				snprintf(msg, sizeof(msg),
					 "Lambda function from module '%s' outside Keras is imported when loading", lmod);
				finding(w, path, "MS-KERAS-003", "non-keras-module",
					ms_py_module_dangerous(lmod) ? MLS_SEV_CRITICAL : MLS_SEV_HIGH, ev, msg);
			} else if (fname && is_gadget(fname)) {
				snprintf(msg, sizeof(msg),
					 "Lambda calls Keras function '%s' that downloads, loads or unlocks code "
					 "(CVE-2025-8747, CVE-2025-9906)", fname);
				finding(w, path, "MS-KERAS-005", "keras-gadget", MLS_SEV_HIGH, ev, msg);
			}
		}
	}
	if (cls && (strcmp(cls, "TFSMLayer") == 0)) {
		const char *fp = mls_json_get_str(cfg, "filepath");
		finding(w, path, "MS-KERAS-006", "external-code-layer", MLS_SEV_HIGH, fp ? fp : cls,
			"TFSMLayer loads an external TensorFlow SavedModel when the model loads (CVE-2026-1462)");
	}
	if (cls && strcmp(cls, "TorchModuleWrapper") == 0) {
		const char *b64 = mls_json_get_str(cfg, "module");
		finding(w, path, "MS-KERAS-006", "external-code-layer", MLS_SEV_HIGH, cls,
			"TorchModuleWrapper holds a torch.save pickle that is unpickled when the model loads");
		if (b64)
			scan_torch_module(w, path, b64);
	}
	if (module && cls) {
		if (!keras_module(module)) {
			int bad = ms_py_module_dangerous(module);
			snprintf(ev, sizeof(ev), "%s.%s", module, strcmp(cls, "function") == 0 && mls_json_str(cfg)
								     ? mls_json_str(cfg) : cls);
			snprintf(msg, sizeof(msg),
				 "config names module '%s': the Keras loader imports it and resolves '%s' from it%s",
				 module, cls,
				 bad ? " (module runs code or touches files: CVE-2025-1550)"
				     : " (custom code outside Keras)");
			finding(w, path, "MS-KERAS-003", "non-keras-module", bad ? MLS_SEV_CRITICAL : MLS_SEV_MEDIUM, ev,
				msg);
		} else if (strcmp(cls, "function") != 0 && is_gadget(cls)) {
			snprintf(ev, sizeof(ev), "%s.%s", module, cls);
			snprintf(msg, sizeof(msg),
				 "config resolves Keras function '%s' as a class: it downloads, loads or unlocks code "
				 "(CVE-2025-1550 style gadget)", ev);
			finding(w, path, "MS-KERAS-005", "keras-gadget", MLS_SEV_HIGH, ev, msg);
		} else if (strcmp(cls, "function") == 0 && is_gadget(mls_json_str(cfg))) {
			snprintf(ev, sizeof(ev), "%s.%s", module, mls_json_str(cfg));
			snprintf(msg, sizeof(msg),
				 "config references Keras function '%s' that downloads, loads or unlocks code "
				 "(CVE-2025-8747, CVE-2025-9906)", ev);
			finding(w, path, "MS-KERAS-005", "keras-gadget", MLS_SEV_HIGH, ev, msg);
		}
	}
	if (reg && strchr(reg, '>') && !module) {
		snprintf(msg, sizeof(msg), "custom object '%s' is resolved from user code when loading", reg);
		finding(w, path, "MS-KERAS-003", "non-keras-module", MLS_SEV_LOW, reg, msg);
	}
}

static void walk(struct kwalk *w, yajl_val v, char *path, size_t plen)
{
	if (!v || w->depth > 256)
		return;
	w->depth++;
	if (YAJL_IS_OBJECT(v)) {
		char saved[256];
		memcpy(saved, w->layer, sizeof(saved));
		const char *cls = mls_json_get_str(v, "class_name");
		const char *nm = mls_json_get_str(mls_json_get(v, "config"), "name");
		if (!nm)
			nm = mls_json_get_str(v, "name");
		if (cls && nm && strcmp(cls, "__keras_tensor__") != 0)
			snprintf(w->layer, sizeof(w->layer), "%s", nm);
		check_object(w, v, path, plen);
		if (!(cls && strcmp(cls, "__lambda__") == 0)) {
			for (size_t i = 0; i < v->u.object.len; i++) {
				const char *k = v->u.object.keys[i];
				yajl_val c = v->u.object.values[i];
				const char *sw = has_switch(k);
				if (sw) {
					char p2[PATH_MAX_LEN];
					snprintf(p2, sizeof(p2), "%s.%s", path, k);
					finding(w, p2, "MS-KERAS-004", "safe-mode-switch", MLS_SEV_CRITICAL, k,
						"config sets a Keras safe-mode switch: loading it turns the protection "
						"off (CVE-2025-9906)");
				}
				if ((strcmp(k, "function") == 0 || strcmp(k, "output_shape") == 0) &&
				    YAJL_IS_ARRAY(c) && c->u.array.len > 0 && YAJL_IS_STRING(c->u.array.values[0]))
					continue; /* legacy code tuple, reported with its layer */
				size_t n = strlen(path);
				if (n + strlen(k) + 2 < PATH_MAX_LEN) {
					snprintf(path + n, PATH_MAX_LEN - n, "%s%s", n ? "." : "", k);
					walk(w, c, path, plen);
					path[n] = '\0';
				} else {
					walk(w, c, path, plen);
				}
			}
		}
		memcpy(w->layer, saved, sizeof(saved));
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++) {
			size_t n = strlen(path);
			if (n + 24 < PATH_MAX_LEN)
				snprintf(path + n, PATH_MAX_LEN - n, "[%zu]", i);
			walk(w, v->u.array.values[i], path, plen);
			path[n] = '\0';
		}
	} else if (YAJL_IS_STRING(v)) {
		const char *s = v->u.string;
		const char *sw = has_switch(s);
		if (sw && strcmp(sw, "safe_mode") != 0) {
			finding(w, path, "MS-KERAS-004", "safe-mode-switch", MLS_SEV_CRITICAL, sw,
				"config refers to a Keras safe-mode switch: loading it can turn the protection off "
				"(CVE-2025-9906)");
		} else if (strlen(s) >= 40 && marshal_code(s, strlen(s))) {
			finding(w, path, "MS-KERAS-002", "embedded-code", MLS_SEV_CRITICAL, "marshal code object",
				"a config string is base64 of marshalled Python bytecode");
		}
	}
	w->depth--;
}

void ms_keras_walk(struct ms_ctx *ctx, struct ms_input *in, yajl_val root, const char *where)
{
	struct kwalk w = { .ctx = ctx, .in = in, .where = where ? where : "" };
	char path[PATH_MAX_LEN] = "";
	walk(&w, root, path, sizeof(path));
}

int ms_keras_check_json(struct ms_ctx *ctx, struct ms_input *in, const char *text, size_t len, const char *where)
{
	yajl_val root = NULL;
	int rc = mls_json_parse(&root, text, len, (size_t)ctx->limits->max_json_bytes, MLS_JSON_DEFAULT_DEPTH);
	if (rc < 0) {
		mls_error_prefix("%s", where && where[0] ? where : (in->location[0] ? in->location : "JSON"));
		return rc;
	}
	ms_keras_walk(ctx, in, root, where);
	yajl_tree_free(root);
	return 0;
}
