/*
 * TFLite flatbuffers ("TFL3" identifier): the operator code table is read
 * with every offset, vtable and vector checked against the mapped file.
 *
 *   MS-TFLITE-001 medium  custom operator: the interpreter needs native code
 *                         registered for it by the application
 *   MS-TFLITE-002 high    Flex (TF Select) operator that runs a TensorFlow op
 *                         reading or writing files, running Python or using
 *                         the network (see MS-TF-*)
 */
#include <string.h>
#include "formats_util.h"

#define TFL_CUSTOM 32

struct fb {
	const unsigned char *d;
	size_t n;
};

static int u32_at(const struct fb *b, uint64_t off, uint32_t *v)
{
	if (off > b->n || b->n - off < 4)
		return -1;
	const unsigned char *p = b->d + off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

static int u16_at(const struct fb *b, uint64_t off, uint16_t *v)
{
	if (off > b->n || b->n - off < 2)
		return -1;
	*v = (uint16_t)(b->d[off] | b->d[off + 1] << 8);
	return 0;
}

/* Offset of field `field` inside the table at t (0 when absent), -1 when malformed. */
static int64_t field_off(const struct fb *b, uint64_t t, unsigned field)
{
	uint32_t so;
	uint16_t vsize, fo;
	if (u32_at(b, t, &so) < 0)
		return -1;
	int64_t vt = (int64_t)t - (int32_t)so;
	if (vt < 0 || (uint64_t)vt >= b->n || u16_at(b, (uint64_t)vt, &vsize) < 0 || vsize < 4)
		return -1;
	if (4 + 2 * field + 2 > vsize)
		return 0;
	if (u16_at(b, (uint64_t)vt + 4 + 2 * field, &fo) < 0)
		return -1;
	return fo ? (int64_t)(t + fo) : 0;
}

/* Follows the uoffset stored at off. */
static int64_t deref(const struct fb *b, uint64_t off)
{
	uint32_t u;
	if (u32_at(b, off, &u) < 0 || off + u >= b->n)
		return -1;
	return (int64_t)(off + u);
}

int ms_probe_tflite(const struct ms_input *in)
{
	if (in->head_len >= 8 && memcmp(in->head + 4, "TFL3", 4) == 0)
		return 90;
	return 0;
}

static int32_t i32_field(const struct fb *b, uint64_t t, unsigned field, int32_t def, int *bad)
{
	int64_t o = field_off(b, t, field);
	uint32_t v;
	if (o < 0) {
		*bad = 1;
		return def;
	}
	if (o == 0)
		return def;
	if (u32_at(b, (uint64_t)o, &v) < 0) {
		*bad = 1;
		return def;
	}
	return (int32_t)v;
}

int ms_scan_tflite(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_view v;
	int rc = ms_view_open(&v, in, (size_t)ctx->limits->max_decompressed_bytes);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "TFLite model not examined: %s", mls_error_msg());
		return 0;
	}
	if (rc < 0)
		return rc;
	struct fb b = { v.data, v.len };
	int64_t root = deref(&b, 0);
	int64_t oc = root < 0 ? -1 : field_off(&b, (uint64_t)root, 1);
	int64_t vec = oc > 0 ? deref(&b, (uint64_t)oc) : oc;
	uint32_t count = 0;
	if (root < 0 || oc < 0 || vec < 0 || (vec > 0 && u32_at(&b, (uint64_t)vec, &count) < 0) ||
	    (uint64_t)count > (b.n - (uint64_t)vec) / 4) {
		rc = mls_error_set(MLS_EFORMAT, "corrupt TFLite flatbuffer: bad model table or operator codes");
		goto done;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint64_t slot = (uint64_t)vec + 4 + 4ull * i;
		int64_t t = deref(&b, slot);
		int bad = 0;
		if (t < 0) {
			rc = mls_error_set(MLS_EFORMAT, "corrupt TFLite flatbuffer: operator code %u", i);
			goto done;
		}
		int32_t dep = 0;
		int64_t dpos = field_off(&b, (uint64_t)t, 0);
		if (dpos < 0 || (uint64_t)dpos >= b.n)
			bad = 1;
		else if (dpos > 0)
			dep = (int8_t)b.d[dpos];
		int32_t code = i32_field(&b, (uint64_t)t, 3, 0, &bad);
		if (dep > code)
			code = dep;
		int64_t cs = field_off(&b, (uint64_t)t, 1);
		if (bad || cs < 0) {
			rc = mls_error_set(MLS_EFORMAT, "corrupt TFLite flatbuffer: operator code %u", i);
			goto done;
		}
		if (code != TFL_CUSTOM)
			continue;
		char name[160] = "?";
		if (cs > 0) {
			int64_t s = deref(&b, (uint64_t)cs);
			uint32_t len;
			if (s < 0 || u32_at(&b, (uint64_t)s, &len) < 0 || len > b.n - (uint64_t)s - 4) {
				rc = mls_error_set(MLS_EFORMAT, "corrupt TFLite flatbuffer: custom code of operator %u", i);
				goto done;
			}
			size_t k = len < sizeof(name) - 1 ? len : sizeof(name) - 1;
			for (size_t j = 0; j < k; j++) {
				unsigned char c = b.d[s + 4 + (int64_t)j];
				name[j] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			name[k] = '\0';
		}
		char loc[64];
		snprintf(loc, sizeof(loc), "operator_codes[%u]", i);
		int cls = strncmp(name, "Flex", 4) == 0 ? ms_tf_op_class((const unsigned char *)name + 4, strlen(name + 4)) : 0;
		if (cls && cls != 4)
			ms_finding(ctx, in, "MS-TFLITE-002", "flex-dangerous-op", MLS_SEV_HIGH, loc, name,
				   "Flex operator '%s' runs TensorFlow op '%s' that %s", name, name + 4,
				   cls == 1 ? "runs Python" : cls == 2 ? "reads or writes files" : "uses the network");
		else if (strncmp(name, "Flex", 4) == 0)
			ms_finding(ctx, in, "MS-TFLITE-001", "custom-operator", MLS_SEV_LOW, loc, name,
				   "Flex operator '%s' runs TensorFlow op '%s' through the TF Select delegate", name,
				   name + 4);
		else
			ms_finding(ctx, in, "MS-TFLITE-001", "custom-operator", MLS_SEV_MEDIUM, loc, name,
				   "custom operator '%s' needs native code registered by the application", name);
	}
done:
	ms_view_close(&v);
	return rc;
}
