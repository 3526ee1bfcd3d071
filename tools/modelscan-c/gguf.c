/*
 * GGUF (llama.cpp): header v1-v3, metadata key/values and tensor infos are
 * parsed within bounds (counts against the bytes left, string lengths, value
 * types, array nesting, tensor dimensions, types and offsets); tensor data is
 * never read, so the time depends on the header, not the file size.
 * Templates (tokenizer.chat_template, tokenizer.chat_template.<name> and any
 * string key naming a template) go through the Jinja checker (MS-TMPL-*).
 *
 *   MS-GGUF-000 (info)  the model's metadata: architecture, name, file type,
 *                       counts, with the values in the finding's details
 */
#include <stdlib.h>
#include <string.h>
#include "formats_util.h"

#define GGUF_MAX_KEY 65536
#define GGUF_MAX_TEMPLATE ((size_t)16 << 20)
#define GGUF_MAX_DIMS 4

struct rd {
	struct ms_input *in;
	unsigned char buf[65536];
	size_t len, off;
	uint64_t abs;    /* bytes consumed */
	uint64_t size;   /* file size or UINT64_MAX */
	unsigned ver;
	struct ms_ctx *ctx;
};

static int rd_fill(struct rd *r)
{
	if (r->off < r->len)
		return 0;
	ssize_t k = ms_input_read(r->in, r->buf, sizeof(r->buf));
	if (k < 0)
		return (int)k;
	if (k == 0)
		return mls_error_set(MLS_EFORMAT, "truncated at offset %llu", (unsigned long long)r->abs);
	r->len = (size_t)k;
	r->off = 0;
	return 0;
}

static int rd_bytes(struct rd *r, void *dst, size_t n)
{
	unsigned char *d = dst;
	while (n) {
		int rc = rd_fill(r);
		if (rc < 0)
			return rc;
		size_t k = r->len - r->off < n ? r->len - r->off : n;
		memcpy(d, r->buf + r->off, k);
		r->off += k;
		r->abs += k;
		d += k;
		n -= k;
	}
	return 0;
}

static int rd_skip(struct rd *r, uint64_t n)
{
	if (r->size != UINT64_MAX && n > r->size - r->abs)
		return mls_error_set(MLS_EFORMAT, "value of %llu bytes at offset %llu runs past the end",
				     (unsigned long long)n, (unsigned long long)r->abs);
	size_t k = r->len - r->off < n ? r->len - r->off : (size_t)n;
	r->off += k;
	r->abs += k;
	n -= k;
	if (!n)
		return 0;
	if (r->in->mem || r->in->fd >= 0) {
		/* random access: move the input's cursor past the value */
		r->in->pos += n;
		r->abs += n;
		return 0;
	}
	while (n) {
		int rc = rd_fill(r);
		if (rc < 0)
			return rc;
		k = r->len - r->off < n ? r->len - r->off : (size_t)n;
		r->off += k;
		r->abs += k;
		n -= k;
	}
	return 0;
}

static int rd_u32(struct rd *r, uint32_t *v)
{
	unsigned char b[4] = { 0 };
	int rc = rd_bytes(r, b, 4);
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return rc;
}

static int rd_u64(struct rd *r, uint64_t *v)
{
	unsigned char b[8] = { 0 };
	int rc = rd_bytes(r, b, 8);
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = (*v << 8) | b[i];
	return rc;
}

/* A count or length: u32 in v1, u64 later. */
static int rd_len(struct rd *r, uint64_t *v)
{
	if (r->ver == 1) {
		uint32_t x;
		int rc = rd_u32(r, &x);
		*v = x;
		return rc;
	}
	return rd_u64(r, v);
}

static uint64_t left(const struct rd *r)
{
	return r->size == UINT64_MAX ? UINT64_MAX : r->size - r->abs;
}

/* Reads a string into out (when non-NULL and len <= max) or skips it. */
static int rd_string(struct rd *r, struct mls_buf *out, size_t max, uint64_t *len_out)
{
	uint64_t n = 0;
	int rc = rd_len(r, &n);
	if (rc < 0)
		return rc;
	if (n > left(r))
		return mls_error_set(MLS_EFORMAT, "string of %llu bytes at offset %llu runs past the end",
				     (unsigned long long)n, (unsigned long long)r->abs);
	if (len_out)
		*len_out = n;
	if (!out || n > max)
		return rd_skip(r, n);
	mls_buf_reset(out);
	if ((rc = mls_buf_reserve(out, (size_t)n + 1)) < 0)
		return rc;
	if ((rc = rd_bytes(r, out->data, (size_t)n)) < 0)
		return rc;
	out->len = (size_t)n;
	out->data[n] = '\0';
	return 0;
}

static const unsigned scalar_size[13] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

static int skip_value(struct rd *r, uint32_t type, int depth)
{
	if (type > 12)
		return mls_error_set(MLS_EFORMAT, "unknown value type %u at offset %llu", type,
				     (unsigned long long)r->abs);
	if (type == 8)
		return rd_string(r, NULL, 0, NULL);
	if (type != 9)
		return rd_skip(r, scalar_size[type]);
	if (depth >= 2)
		return mls_error_set(MLS_EFORMAT, "arrays nested too deeply at offset %llu", (unsigned long long)r->abs);
	uint32_t et;
	uint64_t n = 0;
	int rc;
	if ((rc = rd_u32(r, &et)) < 0 || (rc = rd_len(r, &n)) < 0)
		return rc;
	if (et > 12)
		return mls_error_set(MLS_EFORMAT, "unknown array type %u at offset %llu", et,
				     (unsigned long long)r->abs);
	if (et != 8 && et != 9) {
		uint64_t bytes;
		if (__builtin_mul_overflow(n, (uint64_t)scalar_size[et], &bytes))
			return mls_error_set(MLS_EFORMAT, "array too large at offset %llu", (unsigned long long)r->abs);
		return rd_skip(r, bytes);
	}
	uint64_t min = et == 8 ? (r->ver == 1 ? 4 : 8) : 12;
	if (n > left(r) / min)
		return mls_error_set(MLS_EFORMAT, "array of %llu items at offset %llu cannot fit in the file",
				     (unsigned long long)n, (unsigned long long)r->abs);
	for (uint64_t i = 0; i < n; i++) {
		if ((i & 0xffff) == 0 && ms_out_of_time(r->ctx, r->in))
			return mls_error_set(MLS_ELIMIT, "time limit reached");
		if ((rc = skip_value(r, et, depth + 1)) < 0)
			return rc;
	}
	return 0;
}

static const struct {
	unsigned type, blck, size;
} ggml_types[] = {
	{ 0, 1, 4 }, { 1, 1, 2 }, { 2, 32, 18 }, { 3, 32, 20 }, { 6, 32, 22 }, { 7, 32, 24 }, { 8, 32, 34 },
	{ 9, 32, 40 }, { 10, 256, 84 }, { 11, 256, 110 }, { 12, 256, 144 }, { 13, 256, 176 }, { 14, 256, 210 },
	{ 15, 256, 292 }, { 16, 256, 66 }, { 17, 256, 74 }, { 18, 256, 98 }, { 19, 256, 50 }, { 20, 32, 18 },
	{ 21, 256, 110 }, { 22, 256, 82 }, { 23, 256, 136 }, { 24, 1, 1 }, { 25, 1, 2 }, { 26, 1, 4 },
	{ 27, 1, 8 }, { 28, 1, 8 }, { 29, 256, 56 }, { 30, 1, 2 }, { 34, 256, 54 }, { 35, 256, 66 },
	{ 39, 32, 17 }, { 40, 64, 36 }, { 41, 128, 18 },
};

int ms_probe_gguf(const struct ms_input *in)
{
	if (in->head_len >= 4 && memcmp(in->head, "GGUF", 4) == 0)
		return 95;
	return 0;
}

static int is_template_key(const char *k)
{
	return strncmp(k, "tokenizer.chat_template", 23) == 0 || strstr(k, "template") != NULL;
}

struct meta {
	char arch[128], name[256], ftype[32], quant[32];
};

int ms_scan_gguf(struct ms_ctx *ctx, struct ms_input *in)
{
	struct rd *r = calloc(1, sizeof(*r));
	struct mls_buf key, val;
	struct meta m = { "", "", "", "" };
	uint32_t version = 0, alignment = 32;
	uint64_t ntensors = 0, nkv = 0, max_end = 0;
	char max_name[256] = "";
	int rc;
	if (!r)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	mls_buf_init(&key, GGUF_MAX_KEY + 1);
	mls_buf_init(&val, GGUF_MAX_TEMPLATE + 1);
	r->in = in;
	r->ctx = ctx;
	r->size = in->size;
	unsigned char magic[4];
	if ((rc = rd_bytes(r, magic, 4)) < 0 || (rc = rd_u32(r, &version)) < 0)
		goto done;
	if (version == 0 || version > 3) {
		if ((version & 0xffff) == 0)
			rc = mls_error_set(MLS_EFORMAT, "big-endian GGUF (version 0x%08x) is not supported", version);
		else
			rc = mls_error_set(MLS_EFORMAT, "unsupported GGUF version %u", version);
		goto done;
	}
	r->ver = version;
	if ((rc = rd_len(r, &ntensors)) < 0 || (rc = rd_len(r, &nkv)) < 0)
		goto done;
	if (nkv > left(r) / 13 || ntensors > left(r) / 16) {
		rc = mls_error_set(MLS_EFORMAT, "header claims %llu tensors and %llu keys: more than the file holds",
				   (unsigned long long)ntensors, (unsigned long long)nkv);
		goto done;
	}
	for (uint64_t i = 0; i < nkv; i++) {
		uint64_t klen = 0;
		uint32_t type;
		if ((rc = rd_string(r, &key, GGUF_MAX_KEY, &klen)) < 0)
			goto done;
		if (klen > GGUF_MAX_KEY) {
			rc = mls_error_set(MLS_EFORMAT, "metadata key %llu is %llu bytes long", (unsigned long long)i,
					   (unsigned long long)klen);
			goto done;
		}
		if ((rc = rd_u32(r, &type)) < 0)
			goto done;
		const char *k = mls_buf_cstr(&key);
		if (type == 8) {
			uint64_t vlen = 0;
			int want = is_template_key(k) || !strcmp(k, "general.architecture") || !strcmp(k, "general.name");
			uint64_t vstart = r->abs;
			if ((rc = rd_string(r, want ? &val : NULL, GGUF_MAX_TEMPLATE, &vlen)) < 0)
				goto done;
			if (want && vlen > GGUF_MAX_TEMPLATE) {
				ms_incomplete(ctx, in, "metadata '%s': %llu-byte string not examined", k,
					      (unsigned long long)vlen);
				continue;
			}
			if (!want)
				continue;
			if (!strcmp(k, "general.architecture"))
				snprintf(m.arch, sizeof(m.arch), "%s", mls_buf_cstr(&val));
			else if (!strcmp(k, "general.name"))
				snprintf(m.name, sizeof(m.name), "%s", mls_buf_cstr(&val));
			else {
				char where[600];
				snprintf(where, sizeof(where), "metadata %s at offset %llu", k,
					 (unsigned long long)vstart);
				ms_template_check(ctx, in, where, val.data ? val.data : "", val.len);
			}
		} else if ((type == 4 || type == 5) &&
			   (!strcmp(k, "general.alignment") || !strcmp(k, "general.file_type") ||
			    !strcmp(k, "general.quantization_version"))) {
			uint32_t v;
			if ((rc = rd_u32(r, &v)) < 0)
				goto done;
			if (!strcmp(k, "general.alignment")) {
				if (v == 0 || (v & (v - 1)) || v > (1u << 20)) {
					rc = mls_error_set(MLS_EFORMAT, "general.alignment %u is not a power of two", v);
					goto done;
				}
				alignment = v;
			} else if (!strcmp(k, "general.file_type")) {
				snprintf(m.ftype, sizeof(m.ftype), "%u", v);
			} else {
				snprintf(m.quant, sizeof(m.quant), "%u", v);
			}
		} else if ((rc = skip_value(r, type, 0)) < 0) {
			goto done;
		}
		if ((i & 0xff) == 0 && ms_out_of_time(ctx, in))
			goto done;
	}
	for (uint64_t i = 0; i < ntensors; i++) {
		uint32_t ndims, type;
		uint64_t elems = 1, off, dim;
		if ((rc = rd_string(r, &key, GGUF_MAX_KEY, NULL)) < 0 || (rc = rd_u32(r, &ndims)) < 0)
			goto done;
		if (ndims == 0 || ndims > GGUF_MAX_DIMS) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' has %u dimensions", mls_buf_cstr(&key), ndims);
			goto done;
		}
		uint64_t first = 0;
		for (uint32_t d = 0; d < ndims; d++) {
			if ((rc = rd_len(r, &dim)) < 0)
				goto done;
			if (d == 0)
				first = dim;
			if (__builtin_mul_overflow(elems, dim, &elems)) {
				rc = mls_error_set(MLS_EFORMAT, "tensor '%s' shape overflows", mls_buf_cstr(&key));
				goto done;
			}
		}
		if ((rc = rd_u32(r, &type)) < 0 || (rc = rd_u64(r, &off)) < 0)
			goto done;
		unsigned blck = 0, tsz = 0;
		for (size_t t = 0; t < MLS_ARRAY_SIZE(ggml_types); t++)
			if (ggml_types[t].type == type) {
				blck = ggml_types[t].blck;
				tsz = ggml_types[t].size;
			}
		if (!blck) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' has unknown type %u", mls_buf_cstr(&key), type);
			goto done;
		}
		uint64_t bytes;
		if (first % blck || __builtin_mul_overflow(elems / blck, (uint64_t)tsz, &bytes)) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' size is invalid for type %u", mls_buf_cstr(&key),
					   type);
			goto done;
		}
		if (off % alignment) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' offset %llu is not aligned to %u",
					   mls_buf_cstr(&key), (unsigned long long)off, alignment);
			goto done;
		}
		/* data starts at the aligned end of the tensor infos: checked after the loop */
		uint64_t end;
		if (__builtin_add_overflow(off, bytes, &end)) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' offset overflows", mls_buf_cstr(&key));
			goto done;
		}
		if (end > max_end) {
			max_end = end;
			snprintf(max_name, sizeof(max_name), "%s", mls_buf_cstr(&key));
		}
		if ((i & 0xff) == 0 && ms_out_of_time(ctx, in))
			goto done;
	}
	if (ntensors && r->size != UINT64_MAX) {
		uint64_t data_start = (r->abs + alignment - 1) / alignment * alignment;
		if (data_start > r->size || max_end > r->size - data_start) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' data ends at %llu, past the end of the file",
					   max_name, (unsigned long long)(data_start + max_end));
			goto done;
		}
	}
done:
	if (rc == 0 && !ctx->incomplete) {
		char ev[512];
		snprintf(ev, sizeof(ev), "%s%s%s", m.arch[0] ? m.arch : "unknown architecture", m.name[0] ? " / " : "",
			 m.name);
		long idx = ms_finding(ctx, in, "MS-GGUF-000", "gguf-metadata", MLS_SEV_INFO, NULL, ev,
				      "GGUF v%u model: %llu tensors, %llu metadata keys", version,
				      (unsigned long long)ntensors, (unsigned long long)nkv);
		if (idx >= 0) {
			char num[32];
			snprintf(num, sizeof(num), "%u", version);
			mls_report_finding_detail(ctx->report, idx, "gguf_version", num);
			if (m.arch[0])
				mls_report_finding_detail(ctx->report, idx, "architecture", m.arch);
			if (m.name[0])
				mls_report_finding_detail(ctx->report, idx, "name", m.name);
			if (m.ftype[0])
				mls_report_finding_detail(ctx->report, idx, "file_type", m.ftype);
			if (m.quant[0])
				mls_report_finding_detail(ctx->report, idx, "quantization_version", m.quant);
			snprintf(num, sizeof(num), "%llu", (unsigned long long)ntensors);
			mls_report_finding_detail(ctx->report, idx, "tensors", num);
		}
	}
	mls_buf_release(&key);
	mls_buf_release(&val);
	free(r);
	return rc;
}
