/*
 * safetensors: an 8-byte little-endian header length, a JSON header, then the
 * tensor bytes.  The header is the only thing read, so a 100 GB file takes
 * the time of its header.  Checked: header length within the file and under
 * 100 MB (the format's own limit), valid JSON within the JSON limits, every
 * entry {dtype, shape, data_offsets} with a known dtype, shape x dtype size
 * equal to the offsets span, offsets in range and non-overlapping,
 * "__metadata__" a string-to-string map.  Corrupt headers fail the file.
 *
 *   MS-ST-001  the name says safetensors but the content is another format
 *              (a pickle renamed .safetensors is the classic): reported and
 *              scanned as what it really is
 *   MS-ST-002  bytes not described by the header (gaps between tensors or
 *              after the last one): a hidden payload
 *   MS-ST-003  the same tensor name twice (loaders keep one; the other hides)
 */
#include <stdlib.h>
#include <string.h>
#include "formats_util.h"

#define ST_MAX_HEADER ((uint64_t)100 << 20)

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int header_plausible(const struct ms_input *in)
{
	if (in->head_len < 10)
		return 0;
	uint64_t n = le64(in->head);
	if (n < 2 || n > ST_MAX_HEADER)
		return 0;
	if (in->size != UINT64_MAX && n > in->size - 8)
		return 0;
	return in->head[8] == '{';
}

int ms_probe_safetensors(const struct ms_input *in)
{
	if (header_plausible(in))
		return 95;
	if (ms_name_ends(in->name, ".safetensors"))
		return 99; /* wrong content under a safetensors name: reported by the scan */
	return 0;
}

static const struct {
	const char *name;
	unsigned bits;
} dtypes[] = {
	{ "BOOL", 8 }, { "U8", 8 }, { "I8", 8 }, { "F8_E5M2", 8 }, { "F8_E4M3", 8 }, { "F8_E8M0", 8 },
	{ "I16", 16 }, { "U16", 16 }, { "F16", 16 }, { "BF16", 16 }, { "I32", 32 }, { "U32", 32 },
	{ "F32", 32 }, { "F64", 64 }, { "I64", 64 }, { "U64", 64 }, { "C64", 64 }, { "F4", 4 },
	{ "F6_E2M3", 6 }, { "F6_E3M2", 6 },
};

struct span {
	uint64_t begin, end;
	const char *name;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int json_u64(yajl_val v, uint64_t *out)
{
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return -1;
	*out = (uint64_t)YAJL_GET_INTEGER(v);
	return 0;
}

/* Checks a parsed header against data_len bytes of tensor data. */
static int check_header(struct ms_ctx *ctx, struct ms_input *in, yajl_val root, uint64_t data_len, int data_known)
{
	int rc = 0;
	size_t n = root->u.object.len, ns = 0;
	struct span *spans = calloc(n ? n : 1, sizeof(*spans));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!spans || !names) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const char *k = root->u.object.keys[i];
		yajl_val t = root->u.object.values[i];
		if (strcmp(k, "__metadata__") == 0) {
			if (!YAJL_IS_OBJECT(t)) {
				rc = mls_error_set(MLS_EFORMAT, "__metadata__ is not an object");
				goto done;
			}
			for (size_t j = 0; j < t->u.object.len; j++)
				if (!YAJL_IS_STRING(t->u.object.values[j])) {
					rc = mls_error_set(MLS_EFORMAT, "__metadata__ value '%s' is not a string",
							   t->u.object.keys[j]);
					goto done;
				}
			continue;
		}
		if (!YAJL_IS_OBJECT(t)) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' is not an object", k);
			goto done;
		}
		const char *dt = mls_json_get_str(t, "dtype");
		yajl_val shape = mls_json_get(t, "shape"), offs = mls_json_get(t, "data_offsets");
		if (!dt || !YAJL_IS_ARRAY(shape) || !YAJL_IS_ARRAY(offs) || offs->u.array.len != 2 ||
		    t->u.object.len != 3) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' needs exactly dtype, shape and data_offsets", k);
			goto done;
		}
		unsigned bits = 0;
		for (size_t d = 0; d < MLS_ARRAY_SIZE(dtypes); d++)
			if (strcmp(dt, dtypes[d].name) == 0)
				bits = dtypes[d].bits;
		if (!bits) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' has unknown dtype '%s'", k, dt);
			goto done;
		}
		uint64_t elems = 1, b, e, dim;
		for (size_t d = 0; d < shape->u.array.len; d++) {
			if (json_u64(shape->u.array.values[d], &dim) < 0 ||
			    __builtin_mul_overflow(elems, dim, &elems)) {
				rc = mls_error_set(MLS_EFORMAT, "tensor '%s' has an invalid shape", k);
				goto done;
			}
		}
		uint64_t nbits;
		if (__builtin_mul_overflow(elems, (uint64_t)bits, &nbits) || nbits % 8) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' size overflows or is not whole bytes", k);
			goto done;
		}
		if (json_u64(offs->u.array.values[0], &b) < 0 || json_u64(offs->u.array.values[1], &e) < 0 ||
		    e < b) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' has invalid data_offsets", k);
			goto done;
		}
		if (e - b != nbits / 8) {
			rc = mls_error_set(MLS_EFORMAT,
					   "tensor '%s': shape and dtype need %llu bytes, data_offsets span %llu", k,
					   (unsigned long long)(nbits / 8), (unsigned long long)(e - b));
			goto done;
		}
		if (data_known && e > data_len) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' ends at %llu, past the %llu data bytes", k,
					   (unsigned long long)e, (unsigned long long)data_len);
			goto done;
		}
		spans[ns].begin = b;
		spans[ns].end = e;
		spans[ns].name = k;
		names[ns] = k;
		ns++;
	}
	qsort(names, ns, sizeof(*names), cmp_str);
	for (size_t i = 1; i < ns; i++)
		if (strcmp(names[i - 1], names[i]) == 0) {
			char l[600];
			snprintf(l, sizeof(l), "tensor '%s'", names[i]);
			ms_finding(ctx, in, "MS-ST-003", "duplicate-tensor", MLS_SEV_MEDIUM, l, names[i],
				   "tensor name appears twice in the header: loaders keep one and the other is hidden");
		}
	qsort(spans, ns, sizeof(*spans), cmp_span);
	uint64_t at = 0, hidden = 0;
	for (size_t i = 0; i < ns; i++) {
		if (spans[i].begin < at && spans[i].end > spans[i].begin) {
			rc = mls_error_set(MLS_EFORMAT, "tensor '%s' overlaps the previous tensor", spans[i].name);
			goto done;
		}
		if (spans[i].begin > at)
			hidden += spans[i].begin - at;
		if (spans[i].end > at)
			at = spans[i].end;
	}
	if (data_known && data_len > at)
		hidden += data_len - at;
	if (hidden) {
		char ev[64];
		snprintf(ev, sizeof(ev), "%llu bytes", (unsigned long long)hidden);
		ms_finding(ctx, in, "MS-ST-002", "hidden-data", MLS_SEV_MEDIUM, "data section", ev,
			   "%llu bytes of the data section belong to no tensor (gaps or trailing bytes): a hidden "
			   "payload", (unsigned long long)hidden);
	}
done:
	free(spans);
	free(names);
	return rc;
}

static int scan_disguised(struct ms_ctx *ctx, struct ms_input *in)
{
	const struct ms_format_handler *h = ms_detect_except(in, MS_FMT_SAFETENSORS);
	if (!h)
		return mls_error_set(MLS_EFORMAT, "not a safetensors file: bad header length or no JSON header");
	int pickly = h->fmt == MS_FMT_PICKLE || h->fmt == MS_FMT_PYTORCH_ZIP || h->fmt == MS_FMT_PYTORCH_LEGACY ||
		     h->fmt == MS_FMT_PYTORCH_TAR || h->fmt == MS_FMT_JOBLIB || h->fmt == MS_FMT_NUMPY ||
		     h->fmt == MS_FMT_NPZ;
	ms_finding(ctx, in, "MS-ST-001", "format-mismatch", pickly ? MLS_SEV_HIGH : MLS_SEV_MEDIUM, NULL, h->name,
		   "named .safetensors but the content is %s%s", h->name,
		   pickly ? ": a pickle in disguise, loaded by tools that sniff content" : "");
	if (in->depth == 0)
		ctx->format = h->name;
	return h->scan(ctx, in);
}

int ms_scan_safetensors(struct ms_ctx *ctx, struct ms_input *in)
{
	int rc = ms_input_fill_head(in);
	if (rc < 0)
		return rc;
	if (!header_plausible(in))
		return scan_disguised(ctx, in);

	unsigned char lenb[8];
	struct mls_buf hdr;
	yajl_val root = NULL;
	uint64_t n = le64(in->head);
	mls_buf_init(&hdr, (size_t)n + 1);
	if (n > ctx->limits->max_json_bytes) {
		ms_incomplete(ctx, in, "safetensors header of %llu bytes is over the JSON limit",
			      (unsigned long long)n);
		goto done;
	}
	if (ms_input_read(in, lenb, 8) != 8) {
		rc = mls_error_set(MLS_EFORMAT, "truncated safetensors header");
		goto done;
	}
	while (hdr.len < n) {
		char tmp[65536];
		size_t want = n - hdr.len < sizeof(tmp) ? (size_t)(n - hdr.len) : sizeof(tmp);
		ssize_t k = ms_input_read(in, tmp, want);
		if (k < 0) {
			rc = (int)k;
			goto done;
		}
		if (k == 0) {
			rc = mls_error_set(MLS_EFORMAT, "header claims %llu bytes, file ends after %zu",
					   (unsigned long long)n, hdr.len);
			goto done;
		}
		if ((rc = mls_buf_append(&hdr, tmp, (size_t)k)) < 0)
			goto done;
	}
	rc = mls_json_parse(&root, hdr.data, hdr.len, (size_t)ctx->limits->max_json_bytes, MLS_JSON_DEFAULT_DEPTH);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "safetensors header: %s", mls_error_msg());
		rc = 0;
		goto done;
	}
	if (rc < 0) {
		mls_error_prefix("invalid safetensors header");
		goto done;
	}
	if (!YAJL_IS_OBJECT(root)) {
		rc = mls_error_set(MLS_EFORMAT, "safetensors header is not a JSON object");
		goto done;
	}
	uint64_t data_len = 0;
	int known = 0;
	if (in->size != UINT64_MAX) {
		data_len = in->size - 8 - n;
		known = 1;
	} else {
		/* size unknown (streamed member): count the rest within the archive limits */
		char tmp[65536];
		ssize_t k;
		while ((k = ms_input_read(in, tmp, sizeof(tmp))) > 0)
			data_len += (uint64_t)k;
		if (k < 0) {
			rc = (int)k;
			goto done;
		}
		known = 1;
	}
	rc = check_header(ctx, in, root, data_len, known);
done:
	if (root)
		yajl_tree_free(root);
	mls_buf_release(&hdr);
	return rc;
}
