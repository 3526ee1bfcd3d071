/*
 * Fuzzes the bounded protobuf reader: walks arbitrary bytes as a message,
 * descending into every length-delimited field as if it were a message, with
 * a small depth limit.  Never reads out of bounds, never recurses past the limit.
 */
#include <stdint.h>
#include <stddef.h>
#include "mls/protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long walk(const struct mls_pb *r0, unsigned long budget)
{
	struct mls_pb r = *r0, sub;
	struct mls_pb_field f;
	unsigned long n = 0;
	while (n < budget && mls_pb_next(&r, &f) == 1) {
		n++;
		if (f.wire == MLS_PB_LEN) {
			volatile unsigned char sink = f.len ? f.data[f.len - 1] : 0;
			(void)sink;
			if (mls_pb_sub(&sub, &r, &f) == 0)
				n += walk(&sub, budget - n);
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls_pb r;
	mls_pb_init(&r, data, size, 12);
	walk(&r, 100000);
	(void)mls_pb_looks_valid(data, size, 1);
	return 0;
}
