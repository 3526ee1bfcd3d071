/*
 * Bounded protobuf wire-format reader (see mls/protobuf.h).
 */
#include <string.h>

#include "mls/error.h"
#include "mls/protobuf.h"
#include "mls/banned.h"

void mls_pb_init(struct mls_pb *r, const void *data, size_t len, unsigned max_depth)
{
	static const unsigned char empty[1];
	r->base = data ? data : empty;
	r->p = r->base;
	r->end = r->p + (data ? len : 0);
	r->depth = 0;
	r->max_depth = max_depth;
	r->short_read = 0;
}

int mls_pb_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	const unsigned char *q = *p;
	for (unsigned i = 0; i < 10; i++) {
		if (q >= end)
			return mls_error_set(MLS_EFORMAT, "truncated varint");
		unsigned char b = *q++;
		if (i == 9 && b > 1)
			return mls_error_set(MLS_EFORMAT, "varint overflows 64 bits");
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*p = q;
			*out = v;
			return 0;
		}
	}
	return mls_error_set(MLS_EFORMAT, "varint longer than 10 bytes");
}

/* A field that runs past the end of its message (the message may have been
 * cut short, which probes accept): records that, and fails. */
static int short_field(struct mls_pb *r, const char *what, const struct mls_pb_field *f)
{
	r->short_read = 1;
	return mls_error_set(MLS_EFORMAT, "protobuf: truncated %s at offset %zu", what, f->offset);
}

int mls_pb_next(struct mls_pb *r, struct mls_pb_field *f)
{
	if (r->p >= r->end)
		return 0;
	memset(f, 0, sizeof(*f));
	f->offset = (size_t)(r->p - r->base);
	r->short_read = 0;
	uint64_t key = 0;
	const unsigned char *q = r->p;
	if (mls_pb_varint(&q, r->end, &key) < 0)
		return r->end - q < 10 ? short_field(r, "field tag", f)
				       : mls_error_set(MLS_EFORMAT, "protobuf: bad field tag at offset %zu", f->offset);
	uint64_t num = key >> 3;
	if (num == 0 || num > 536870911u)
		return mls_error_set(MLS_EFORMAT, "protobuf: invalid field number at offset %zu", f->offset);
	f->num = (uint32_t)num;
	switch (key & 7) {
	case MLS_PB_VARINT:
		f->wire = MLS_PB_VARINT;
		if (mls_pb_varint(&q, r->end, &f->u64) < 0)
			return r->end - q < 10 ? short_field(r, "varint", f)
					       : mls_error_set(MLS_EFORMAT, "protobuf: bad varint at offset %zu", f->offset);
		break;
	case MLS_PB_I64:
		f->wire = MLS_PB_I64;
		if (r->end - q < 8)
			return short_field(r, "fixed64", f);
		for (int i = 7; i >= 0; i--)
			f->u64 = (f->u64 << 8) | q[i];
		q += 8;
		break;
	case MLS_PB_I32:
		f->wire = MLS_PB_I32;
		if (r->end - q < 4)
			return short_field(r, "fixed32", f);
		f->u64 = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24;
		q += 4;
		break;
	case MLS_PB_LEN: {
		uint64_t len = 0;
		f->wire = MLS_PB_LEN;
		if (mls_pb_varint(&q, r->end, &len) < 0)
			return r->end - q < 10 ? short_field(r, "length", f)
					       : mls_error_set(MLS_EFORMAT, "protobuf: bad length at offset %zu", f->offset);
		if (len > (uint64_t)(r->end - q)) {
			/* the bytes present stay visible, for probes working on a file's head */
			f->data = q;
			f->len = (size_t)(r->end - q);
			r->short_read = 1;
			return mls_error_set(MLS_EFORMAT,
					     "protobuf: field %u at offset %zu claims %llu bytes, %zu left",
					     f->num, f->offset, (unsigned long long)len, (size_t)(r->end - q));
		}
		f->data = q;
		f->len = (size_t)len;
		q += len;
		break;
	}
	default:
		return mls_error_set(MLS_EFORMAT, "protobuf: unsupported wire type %u at offset %zu",
				     (unsigned)(key & 7), f->offset);
	}
	r->p = q;
	return 1;
}

int mls_pb_sub(struct mls_pb *child, const struct mls_pb *parent, const struct mls_pb_field *f)
{
	if (f->wire != MLS_PB_LEN || !f->data)
		return mls_error_set(MLS_EFORMAT, "protobuf: field %u at offset %zu is not a message", f->num,
				     f->offset);
	if (parent->depth + 1 > parent->max_depth)
		return mls_error_set(MLS_ELIMIT, "protobuf: nesting deeper than %u at offset %zu", parent->max_depth,
				     f->offset);
	child->base = parent->base;
	child->p = f->data;
	child->end = f->data + f->len;
	child->depth = parent->depth + 1;
	child->max_depth = parent->max_depth;
	child->short_read = 0;
	return 0;
}

int mls_pb_looks_valid(const void *data, size_t len, int allow_truncated_tail)
{
	struct mls_pb r;
	struct mls_pb_field f;
	int n = 0, rc;
	mls_pb_init(&r, data, len, 1);
	while ((rc = mls_pb_next(&r, &f)) == 1)
		n++;
	if (rc == 0)
		return n > 0;
	return allow_truncated_tail && n > 0 && r.short_read;
}
