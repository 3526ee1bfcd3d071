/* Unit tests for the bounded protobuf reader (common/src/protobuf.c). */
#include <stdint.h>
#include "harness.h"
#include "mls/common.h"
#include "mls/protobuf.h"

TEST(varints_and_fields)
{
	/* field 1 varint 150, field 2 "hi", field 3 fixed32 1, field 4 fixed64 2 */
	static const unsigned char m[] = { 0x08, 0x96, 0x01, 0x12, 0x02, 'h', 'i', 0x1d, 1, 0, 0, 0,
					   0x21, 2, 0, 0, 0, 0, 0, 0, 0 };
	struct mls_pb r;
	struct mls_pb_field f;
	mls_pb_init(&r, m, sizeof(m), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(f.num, 1);
	CHECK_EQ_INT(f.wire, MLS_PB_VARINT);
	CHECK_EQ_INT(f.u64, 150);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(f.num, 2);
	CHECK_EQ_INT(f.len, 2);
	CHECK(memcmp(f.data, "hi", 2) == 0);
	CHECK_EQ_INT(f.offset, 3);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(f.u64, 1);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(f.u64, 2);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 0);
}

TEST(length_past_end_is_refused)
{
	static const unsigned char m[] = { 0x12, 0x05, 'a', 'b' };
	struct mls_pb r;
	struct mls_pb_field f;
	mls_pb_init(&r, m, sizeof(m), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
	CHECK(r.short_read);
	CHECK_CONTAINS(mls_error_msg(), "claims 5 bytes");
	CHECK_EQ_INT(mls_pb_looks_valid(m, sizeof(m), 0), 0);
}

TEST(huge_length_no_overflow)
{
	/* length 2^63 must not wrap the pointer arithmetic */
	static const unsigned char m[] = { 0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 'x' };
	struct mls_pb r;
	struct mls_pb_field f;
	mls_pb_init(&r, m, sizeof(m), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
}

TEST(overlong_varint_and_bad_tags)
{
	static const unsigned char v11[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const unsigned char zero_field[] = { 0x00, 0x01 };
	static const unsigned char group[] = { 0x0b, 0x0c };
	static const unsigned char wire7[] = { 0x0f };
	struct mls_pb r;
	struct mls_pb_field f;
	mls_pb_init(&r, v11, sizeof(v11), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
	mls_pb_init(&r, zero_field, sizeof(zero_field), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
	mls_pb_init(&r, group, sizeof(group), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "wire type 3");
	mls_pb_init(&r, wire7, sizeof(wire7), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), MLS_EFORMAT);
}

TEST(depth_limit)
{
	/* 1 { 1 { 1 { } } } */
	static const unsigned char m[] = { 0x0a, 0x04, 0x0a, 0x02, 0x0a, 0x00 };
	struct mls_pb r, a, b, c;
	struct mls_pb_field f;
	mls_pb_init(&r, m, sizeof(m), 2);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(mls_pb_sub(&a, &r, &f), 0);
	CHECK_EQ_INT(mls_pb_next(&a, &f), 1);
	CHECK_EQ_INT(mls_pb_sub(&b, &a, &f), 0);
	CHECK_EQ_INT(mls_pb_next(&b, &f), 1);
	CHECK_EQ_INT(mls_pb_sub(&c, &b, &f), MLS_ELIMIT);
	CHECK_EQ_INT(f.offset, 4); /* offsets are from the outermost message */
}

TEST(sub_of_scalar_is_refused)
{
	static const unsigned char m[] = { 0x08, 0x01 };
	struct mls_pb r, s;
	struct mls_pb_field f;
	mls_pb_init(&r, m, sizeof(m), 4);
	CHECK_EQ_INT(mls_pb_next(&r, &f), 1);
	CHECK_EQ_INT(mls_pb_sub(&s, &r, &f), MLS_EFORMAT);
}

TEST(looks_valid_with_truncated_tail)
{
	static const unsigned char m[] = { 0x08, 0x07, 0x3a, 0x7f, 0x0a };
	CHECK_EQ_INT(mls_pb_looks_valid(m, sizeof(m), 1), 1);
	CHECK_EQ_INT(mls_pb_looks_valid(m, sizeof(m), 0), 0);
	CHECK_EQ_INT(mls_pb_looks_valid(m, 2, 0), 1);
	CHECK_EQ_INT(mls_pb_looks_valid("", 0, 1), 0);
	CHECK_EQ_INT(mls_pb_looks_valid(NULL, 0, 1), 0);
}

TEST_MAIN()
