/*
 * Metadata a model carries itself, read within bounds and never executed:
 *   - Hugging Face config.json: architectures[0], model_type, torch_dtype,
 *     quantization_config and the common transformer hyperparameters;
 *   - GGUF (recognised by its magic): the header's key/value section
 *     (general.architecture, general.name, general.file_type -> quantisation,
 *     general.size_label, <arch>.context_length / embedding_length / ...);
 *     at most HS_GGUF_MAX_HEADER bytes are read;
 *   - safetensors (recognised by its 8-byte header length and '{'): the JSON
 *     header's __metadata__ strings and the tensors' dtype.
 * Hyperparameter names follow the CycloneDX property taxonomy
 * (cdx:ai-ml:model:hyperparameter:<name>).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hashsbom.h"

#define HS_GGUF_MAX_HEADER ((size_t)64 << 20)
#define HS_GGUF_MAX_KV 100000
#define HS_META_MAX_PROPS 256
#define HS_META_MAX_VALUE 1024

static int kv_add(struct mls_kv **v, size_t *n, size_t *cap, const char *key, const char *value)
{
	if (*n >= HS_META_MAX_PROPS)
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0)
			return 0; /* the first source wins */
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct mls_kv *p = realloc(*v, nc * sizeof(*p));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		*v = p;
		*cap = nc;
	}
	size_t vl = strlen(value);
	(*v)[*n].key = strdup(key);
	(*v)[*n].value = strndup(value, vl > HS_META_MAX_VALUE ? HS_META_MAX_VALUE : vl);
	if (!(*v)[*n].key || !(*v)[*n].value) {
		free((*v)[*n].key);
		free((*v)[*n].value);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	(*n)++;
	return 0;
}

static int hyper_add(struct hs_modelmeta *m, const char *key, const char *value)
{
	return kv_add(&m->hyper, &m->nhyper, &m->caphyper, key, value);
}

static int prop_add(struct hs_modelmeta *m, const char *key, const char *value)
{
	return kv_add(&m->props, &m->nprops, &m->capprops, key, value);
}

static void set_once(char **dst, const char *v)
{
	if (!*dst && v && *v) {
		size_t n = strlen(v);
		*dst = strndup(v, n > HS_META_MAX_VALUE ? HS_META_MAX_VALUE : n);
	}
}

void hs_modelmeta_release(struct hs_modelmeta *m)
{
	if (!m)
		return;
	free(m->architecture);
	free(m->family);
	free(m->quantization);
	free(m->name);
	free(m->param_count);
	for (size_t i = 0; i < m->nhyper; i++) {
		free(m->hyper[i].key);
		free(m->hyper[i].value);
	}
	free(m->hyper);
	for (size_t i = 0; i < m->nprops; i++) {
		free(m->props[i].key);
		free(m->props[i].value);
	}
	free(m->props);
	hs_warnings_release(&m->warnings);
	memset(m, 0, sizeof(*m));
}


static const char *dtype_short(const char *d)
{
	static const char *const map[][2] = {
		{ "float16", "f16" }, { "bfloat16", "bf16" }, { "float32", "f32" }, { "float64", "f64" },
		{ "F16", "f16" }, { "BF16", "bf16" }, { "F32", "f32" }, { "F64", "f64" }, { "I8", "i8" },
		{ "U8", "u8" }, { "F8_E4M3", "f8_e4m3" }, { "F8_E5M2", "f8_e5m2" }, { "I16", "i16" },
		{ "I32", "i32" }, { "I64", "i64" }, { "BOOL", "bool" },
	};
	for (size_t i = 0; i < MLS_ARRAY_SIZE(map); i++)
		if (strcmp(map[i][0], d) == 0)
			return map[i][1];
	return d;
}

/* Hugging Face config.json. */
static int meta_hf_config(struct hs_modelmeta *m, yajl_val cfg)
{
	static const char *const hp[][2] = {
		{ "hidden_size", "hidden_size" }, { "d_model", "d_model" },
		{ "num_hidden_layers", "num_hidden_layers" }, { "num_layers", "num_layers" },
		{ "num_attention_heads", "num_attention_heads" }, { "num_key_value_heads", "num_key_value_heads" },
		{ "intermediate_size", "intermediate_size" }, { "max_position_embeddings", "max_position_embeddings" },
		{ "vocab_size", "vocab_size" }, { "hidden_act", "hidden_act" },
		{ "layer_norm_epsilon", "layer_norm_epsilon" }, { "layer_norm_eps", "layer_norm_epsilon" },
		{ "rms_norm_eps", "layer_norm_epsilon" }, { "tokenizer_class", "tokenizer_class" },
		{ "activation_dropout", "activation_dropout" },
	};
	char tmp[64], key[128];
	yajl_val arch = mls_json_get(cfg, "architectures");
	int rc = 0;

	if (!YAJL_IS_OBJECT(cfg))
		return 0;
	if (arch && YAJL_IS_ARRAY(arch) && arch->u.array.len > 0)
		set_once(&m->architecture, mls_json_str(arch->u.array.values[0]));
	set_once(&m->family, mls_json_get_str(cfg, "model_type"));
	for (size_t i = 0; rc == 0 && i < MLS_ARRAY_SIZE(hp); i++) {
		const char *v = mls_json_scalar_text(mls_json_get(cfg, hp[i][0]));
		if (v) {
			snprintf(key, sizeof(key), "%s", hp[i][1]);
			rc = hyper_add(m, key, v);
		}
	}
	yajl_val qc = mls_json_get(cfg, "quantization_config");
	if (qc && YAJL_IS_OBJECT(qc)) {
		const char *method = mls_json_get_str(qc, "quant_method");
		long long bits = 0;
		if (method) {
			if (mls_json_get_int(qc, "bits", &bits) == 0 && bits > 0 && bits < 64)
				snprintf(tmp, sizeof(tmp), "%.40s-%lldbit", method, bits);
			else if (YAJL_IS_TRUE(mls_json_get(qc, "load_in_4bit")))
				snprintf(tmp, sizeof(tmp), "%.40s-4bit", method);
			else if (YAJL_IS_TRUE(mls_json_get(qc, "load_in_8bit")))
				snprintf(tmp, sizeof(tmp), "%.40s-8bit", method);
			else
				snprintf(tmp, sizeof(tmp), "%.40s", method);
			set_once(&m->quantization, tmp);
		}
	}
	const char *dt = mls_json_get_str(cfg, "torch_dtype");
	if (!dt)
		dt = mls_json_get_str(cfg, "dtype");
	if (dt)
		set_once(&m->quantization, dtype_short(dt));
	const char *tv = mls_json_get_str(cfg, "transformers_version");
	if (tv && rc == 0)
		rc = prop_add(m, "mlsecops:hf:transformers_version", tv);
	return rc;
}

/* ---- GGUF ---- */

struct gcur {
	const unsigned char *b;
	size_t n, pos;
	int v1;       /* GGUF version 1: 32-bit lengths and counts */
};

static int g_need(struct gcur *c, size_t k)
{
	return c->n - c->pos >= k ? 0 : -1;
}

static int g_u32(struct gcur *c, uint32_t *out)
{
	if (g_need(c, 4))
		return -1;
	*out = (uint32_t)c->b[c->pos] | (uint32_t)c->b[c->pos + 1] << 8 | (uint32_t)c->b[c->pos + 2] << 16 |
	       (uint32_t)c->b[c->pos + 3] << 24;
	c->pos += 4;
	return 0;
}

static int g_u64(struct gcur *c, uint64_t *out)
{
	uint32_t lo, hi;
	if (g_u32(c, &lo) || g_u32(c, &hi))
		return -1;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

static int g_len(struct gcur *c, uint64_t *out)
{
	uint32_t v;
	if (!c->v1)
		return g_u64(c, out);
	if (g_u32(c, &v))
		return -1;
	*out = v;
	return 0;
}

/* A GGUF string: *s points into the buffer (not NUL-terminated). */
static int g_str(struct gcur *c, const char **s, size_t *len)
{
	uint64_t n;
	if (g_len(c, &n) || n > c->n - c->pos)
		return -1;
	*s = (const char *)c->b + c->pos;
	*len = (size_t)n;
	c->pos += (size_t)n;
	return 0;
}

enum { GT_U8 = 0, GT_I8, GT_U16, GT_I16, GT_U32, GT_I32, GT_F32, GT_BOOL, GT_STR, GT_ARR, GT_U64, GT_I64, GT_F64 };

static size_t g_scalar_size(uint32_t t)
{
	switch (t) {
	case GT_U8: case GT_I8: case GT_BOOL: return 1;
	case GT_U16: case GT_I16: return 2;
	case GT_U32: case GT_I32: case GT_F32: return 4;
	case GT_U64: case GT_I64: case GT_F64: return 8;
	}
	return 0;
}

/* Reads a value of type t; a scalar is rendered into txt (empty for arrays). */
static int g_value(struct gcur *c, uint32_t t, char *txt, size_t txtsz, int depth)
{
	txt[0] = '\0';
	if (t == GT_STR) {
		const char *s;
		size_t n;
		if (g_str(c, &s, &n))
			return -1;
		if (n >= txtsz)
			n = txtsz - 1;
		memcpy(txt, s, n);
		txt[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (txt[i] == '\0')
				txt[i] = ' ';
		return 0;
	}
	if (t == GT_ARR) {
		uint32_t et;
		uint64_t cnt;
		char sub[8];
		if (depth > 4 || g_u32(c, &et) || g_len(c, &cnt))
			return -1;
		size_t es = g_scalar_size(et);
		if (es) {
			if (cnt > (c->n - c->pos) / es)
				return -1;
			c->pos += (size_t)cnt * es;
			return 0;
		}
		if (et != GT_STR && et != GT_ARR)
			return -1;
		for (uint64_t i = 0; i < cnt; i++)
			if (g_value(c, et, sub, sizeof(sub), depth + 1))
				return -1;
		return 0;
	}
	size_t es = g_scalar_size(t);
	if (!es || g_need(c, es))
		return -1;
	const unsigned char *p = c->b + c->pos;
	uint64_t u = 0;
	for (size_t i = 0; i < es; i++)
		u |= (uint64_t)p[i] << (8 * i);
	c->pos += es;
	switch (t) {
	case GT_U8: case GT_U16: case GT_U32: case GT_U64:
		snprintf(txt, txtsz, "%llu", (unsigned long long)u);
		break;
	case GT_I8: snprintf(txt, txtsz, "%d", (int)(int8_t)u); break;
	case GT_I16: snprintf(txt, txtsz, "%d", (int)(int16_t)u); break;
	case GT_I32: snprintf(txt, txtsz, "%d", (int)(int32_t)u); break;
	case GT_I64: snprintf(txt, txtsz, "%lld", (long long)(int64_t)u); break;
	case GT_BOOL: snprintf(txt, txtsz, "%s", u ? "true" : "false"); break;
	case GT_F32: {
		uint32_t w = (uint32_t)u;
		float f;
		memcpy(&f, &w, 4);
		snprintf(txt, txtsz, "%g", (double)f);
		break;
	}
	case GT_F64: {
		double d;
		memcpy(&d, &u, 8);
		snprintf(txt, txtsz, "%g", d);
		break;
	}
	}
	return 0;
}

/* llama.cpp's llama_ftype values (general.file_type). */
static const char *gguf_ftype_name(long v)
{
	static const char *const names[] = {
		[0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [7] = "Q8_0", [8] = "Q5_0", [9] = "Q5_1",
		[10] = "Q2_K", [11] = "Q3_K_S", [12] = "Q3_K_M", [13] = "Q3_K_L", [14] = "Q4_K_S", [15] = "Q4_K_M",
		[16] = "Q5_K_S", [17] = "Q5_K_M", [18] = "Q6_K", [19] = "IQ2_XXS", [20] = "IQ2_XS", [21] = "Q2_K_S",
		[22] = "IQ3_XS", [23] = "IQ3_XXS", [24] = "IQ1_S", [25] = "IQ4_NL", [26] = "IQ3_S", [27] = "IQ3_M",
		[28] = "IQ2_S", [29] = "IQ2_M", [30] = "IQ4_XS", [31] = "IQ1_M", [32] = "BF16", [36] = "TQ1_0",
		[37] = "TQ2_0",
	};
	if (v >= 0 && (size_t)v < MLS_ARRAY_SIZE(names) && names[v])
		return names[v];
	return NULL;
}

int hs_modelmeta_gguf_buf(struct hs_modelmeta *m, const unsigned char *buf, size_t len)
{
	struct gcur c = { buf, len, 0, 0 };
	uint32_t version, type;
	uint64_t ntensors, nkv;
	char arch[128] = "";
	char val[HS_META_MAX_VALUE + 1];
	int rc = 0;

	if (len < 4 || memcmp(buf, "GGUF", 4) != 0)
		return mls_error_set(MLS_EFORMAT, "not a GGUF file");
	c.pos = 4;
	if (g_u32(&c, &version))
		return mls_error_set(MLS_EFORMAT, "truncated GGUF header");
	if (version < 1 || version > 3)
		return mls_error_set(MLS_EUNSUPPORTED, "GGUF version %u not supported", version);
	c.v1 = version == 1;
	if (g_len(&c, &ntensors) || g_len(&c, &nkv))
		return mls_error_set(MLS_EFORMAT, "truncated GGUF header");
	if (nkv > HS_GGUF_MAX_KV)
		return mls_error_set(MLS_ELIMIT, "GGUF header declares %llu metadata entries (limit %d)",
				     (unsigned long long)nkv, HS_GGUF_MAX_KV);
	snprintf(val, sizeof(val), "%u", version);
	prop_add(m, "mlsecops:gguf:version", val);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)ntensors);
	prop_add(m, "mlsecops:gguf:tensor_count", val);
	for (uint64_t i = 0; i < nkv && rc == 0; i++) {
		const char *k;
		size_t kl;
		char key[256];
		if (g_str(&c, &k, &kl) || g_u32(&c, &type))
			return mls_error_set(MLS_EFORMAT, "truncated GGUF metadata (entry %llu)", (unsigned long long)i);
		if (kl >= sizeof(key))
			kl = sizeof(key) - 1;
		memcpy(key, k, kl);
		key[kl] = '\0';
		for (size_t j = 0; j < kl; j++)
			if (key[j] == '\0')
				key[j] = ' ';
		if (g_value(&c, type, val, sizeof(val), 0))
			return mls_error_set(MLS_EFORMAT, "truncated or invalid GGUF metadata value '%s'", key);
		if (type == GT_ARR)
			continue;
		if (!strcmp(key, "general.architecture")) {
			snprintf(arch, sizeof(arch), "%s", val);
			set_once(&m->family, val);
			set_once(&m->architecture, val);
		} else if (!strcmp(key, "general.name")) {
			set_once(&m->name, val);
		} else if (!strcmp(key, "general.size_label")) {
			set_once(&m->param_count, val);
		} else if (!strcmp(key, "general.file_type")) {
			const char *q = gguf_ftype_name(strtol(val, NULL, 10));
			set_once(&m->quantization, q ? q : val);
		} else if (!strcmp(key, "general.quantization_version")) {
			rc = prop_add(m, "mlsecops:gguf:quantization_version", val);
		} else if (!strcmp(key, "tokenizer.ggml.model")) {
			rc = prop_add(m, "mlsecops:gguf:tokenizer_model", val);
		} else if (arch[0] && !strncmp(key, arch, strlen(arch)) && key[strlen(arch)] == '.') {
			static const char *const map[][2] = {
				{ "context_length", "context_length" }, { "embedding_length", "hidden_size" },
				{ "block_count", "num_hidden_layers" }, { "feed_forward_length", "intermediate_size" },
				{ "attention.head_count", "num_attention_heads" },
				{ "attention.head_count_kv", "num_key_value_heads" },
				{ "attention.layer_norm_rms_epsilon", "layer_norm_epsilon" },
				{ "attention.layer_norm_epsilon", "layer_norm_epsilon" }, { "vocab_size", "vocab_size" },
			};
			const char *sub = key + strlen(arch) + 1;
			for (size_t j = 0; j < MLS_ARRAY_SIZE(map); j++)
				if (!strcmp(sub, map[j][0]))
					rc = hyper_add(m, map[j][1], val);
		}
	}
	return rc;
}

/* ---- safetensors ---- */

static int meta_safetensors(struct hs_modelmeta *m, yajl_val hdr, const char *rel)
{
	char key[256];
	const char *dtype = NULL;
	int mixed = 0, rc = 0;

	if (!YAJL_IS_OBJECT(hdr))
		return mls_error_set(MLS_EFORMAT, "safetensors header is not an object");
	for (size_t i = 0; i < hdr->u.object.len; i++) {
		const char *k = hdr->u.object.keys[i];
		yajl_val v = hdr->u.object.values[i];
		if (!strcmp(k, "__metadata__")) {
			if (!YAJL_IS_OBJECT(v))
				continue;
			for (size_t j = 0; rc == 0 && j < v->u.object.len && j < 64; j++) {
				const char *s = mls_json_str(v->u.object.values[j]);
				if (!s)
					continue;
				snprintf(key, sizeof(key), "mlsecops:safetensors:metadata:%.200s", v->u.object.keys[j]);
				rc = prop_add(m, key, s);
			}
			continue;
		}
		const char *dt = mls_json_get_str(v, "dtype");
		if (dt) {
			if (!dtype)
				dtype = dt;
			else if (strcmp(dtype, dt) != 0)
				mixed = 1;
		}
	}
	if (dtype && !mixed)
		set_once(&m->quantization, dtype_short(dtype));
	(void)rel;
	return rc;
}

/* Reads up to max bytes of path from offset 0 into b. */
static int read_prefix(struct mls_buf *b, int fd, size_t max)
{
	unsigned char tmp[65536];
	while (b->len < max) {
		size_t want = max - b->len < sizeof(tmp) ? max - b->len : sizeof(tmp);
		ssize_t n = read(fd, tmp, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mls_error_set(MLS_EIO, "read failed: %s", strerror(errno));
		}
		if (n == 0)
			break;
		if (mls_buf_append(b, tmp, (size_t)n) < 0)
			return MLS_ENOMEM;
	}
	return 0;
}

int hs_modelmeta_file(struct hs_modelmeta *m, const char *path, const char *rel, uint64_t max_json, unsigned max_depth)
{
	unsigned char head[9];
	struct mls_buf b;
	struct stat st;
	int fd, rc = 0;
	ssize_t got;
	const char *base = mls_path_basename(rel ? rel : path);

	mls_buf_init(&b, HS_GGUF_MAX_HEADER + 16);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return mls_error_set(MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto done;
	if (!strcmp(base, "config.json")) {
		yajl_val cfg = NULL;
		if ((uint64_t)st.st_size > max_json) {
			hs_warnings_add(&m->warnings, "'%s' is larger than %llu bytes: not read", rel,
					(unsigned long long)max_json);
			goto done;
		}
		rc = read_prefix(&b, fd, (size_t)max_json);
		if (rc == 0 && mls_json_parse(&cfg, b.data ? b.data : "", b.len, max_json, max_depth) == 0) {
			rc = meta_hf_config(m, cfg);
			yajl_tree_free(cfg);
		} else if (rc == 0) {
			hs_warnings_add(&m->warnings, "'%s': %s", rel, mls_error_msg());
		}
		goto done;
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got < (ssize_t)sizeof(head))
		goto done;
	if (!memcmp(head, "GGUF", 4)) {
		rc = read_prefix(&b, fd, HS_GGUF_MAX_HEADER);
		if (rc == 0 && hs_modelmeta_gguf_buf(m, (const unsigned char *)b.data, b.len) < 0)
			hs_warnings_add(&m->warnings, "'%s': %s", rel, mls_error_msg());
		rc = 0;
		goto done;
	}
	uint64_t hl = 0;
	for (int i = 0; i < 8; i++)
		hl |= (uint64_t)head[i] << (8 * i);
	if (head[8] == '{' && hl >= 2 && hl <= (uint64_t)st.st_size - 8) {
		yajl_val hdr = NULL;
		if (hl > max_json) {
			hs_warnings_add(&m->warnings, "'%s': safetensors header of %llu bytes not read (limit %llu)", rel,
					(unsigned long long)hl, (unsigned long long)max_json);
			goto done;
		}
		if (lseek(fd, 8, SEEK_SET) != 8)
			goto done;
		rc = read_prefix(&b, fd, (size_t)hl);
		if (rc == 0 && mls_json_parse(&hdr, b.data ? b.data : "", b.len, max_json, max_depth) == 0) {
			rc = meta_safetensors(m, hdr, rel);
			yajl_tree_free(hdr);
		} else if (rc == 0) {
			hs_warnings_add(&m->warnings, "'%s': safetensors header: %s", rel, mls_error_msg());
		}
	}
done:
	close(fd);
	mls_buf_release(&b);
	return rc;
}
