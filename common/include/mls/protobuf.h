/*
 * A bounded reader for the protobuf wire format (ONNX, TensorFlow SavedModel,
 * GraphDef, keras_metadata.pb).  It never allocates: a reader is a window over
 * caller-owned bytes, a field is a view into them.  Every length is checked
 * against the enclosing window, varints are at most 10 bytes, nesting is
 * bounded by max_depth, and the deprecated group wire types are refused
 * (MLS_EFORMAT), so a hostile message cannot make a caller read out of bounds
 * or recurse without limit.
 */
#ifndef MLS_PROTOBUF_H
#define MLS_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

enum mls_pb_wire { MLS_PB_VARINT = 0, MLS_PB_I64 = 1, MLS_PB_LEN = 2, MLS_PB_I32 = 5 };

struct mls_pb {
	const unsigned char *base; /* start of the outermost message (for offsets) */
	const unsigned char *p;    /* next byte */
	const unsigned char *end;  /* end of this message */
	unsigned depth;            /* 0 for the outermost message */
	unsigned max_depth;
	int short_read;            /* set when the last error was running out of bytes */
};

struct mls_pb_field {
	uint32_t num;              /* field number (>= 1) */
	enum mls_pb_wire wire;
	uint64_t u64;              /* VARINT, I64 and I32 values */
	const unsigned char *data; /* LEN payload */
	size_t len;
	size_t offset;             /* offset of the field's tag from base */
};

/* A reader over len bytes; nesting of mls_pb_sub is limited to max_depth. */
void mls_pb_init(struct mls_pb *r, const void *data, size_t len, unsigned max_depth);
/* Reads the next field: 1 = field read, 0 = end of message, MLS_EFORMAT on a
 * malformed field (message set, with the offset).  When a LEN field runs past
 * the end (short_read), f->data/len still cover the bytes that are present. */
int mls_pb_next(struct mls_pb *r, struct mls_pb_field *f);
/* A reader for a LEN field's payload as a nested message (depth + 1);
 * MLS_EFORMAT when f is not LEN, MLS_ELIMIT past max_depth. */
int mls_pb_sub(struct mls_pb *child, const struct mls_pb *parent, const struct mls_pb_field *f);
/* Decodes one varint from [*p, end), advancing *p; MLS_EFORMAT when truncated or longer than 10 bytes. */
int mls_pb_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);
/* 1 when data[0..len) parses as a sequence of well-formed fields (top level only). */
int mls_pb_looks_valid(const void *data, size_t len, int allow_truncated_tail);

#endif
