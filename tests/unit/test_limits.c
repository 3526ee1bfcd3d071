/* Unit tests for common/src/limits.c: defaults, strict parsers, deadlines, option table. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mls/error.h"
#include "mls/limits.h"
#include "mls/opt.h"

TEST(defaults_suit_large_models)
{
	struct mls_limits l;
	mls_limits_default(&l);
	CHECK_EQ_INT(l.max_file_bytes, (uint64_t)64 << 30);
	CHECK_EQ_INT(l.max_decompressed_bytes, (uint64_t)16 << 30);
	CHECK(l.max_ratio == 200.0);
	CHECK_EQ_INT(l.max_members, 100000);
	CHECK_EQ_INT(l.max_depth, 8);
	CHECK_EQ_INT(l.max_opcodes, 200000000);
	CHECK_EQ_INT(l.max_json_bytes, (uint64_t)128 << 20);
	CHECK(l.max_seconds > 0);
}

TEST(parse_size_units)
{
	uint64_t v = 0;
	CHECK_EQ_INT(mls_parse_size(&v, "123"), 0);
	CHECK_EQ_INT(v, 123);
	CHECK_EQ_INT(mls_parse_size(&v, "0"), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(mls_parse_size(&v, "100k"), 0);
	CHECK_EQ_INT(v, 102400);
	CHECK_EQ_INT(mls_parse_size(&v, "512M"), 0);
	CHECK_EQ_INT(v, (uint64_t)512 << 20);
	CHECK_EQ_INT(mls_parse_size(&v, "4G"), 0);
	CHECK_EQ_INT(v, (uint64_t)4 << 30);
	CHECK_EQ_INT(mls_parse_size(&v, "2T"), 0);
	CHECK_EQ_INT(v, (uint64_t)2 << 40);
	CHECK_EQ_INT(mls_parse_size(&v, "4GiB"), 0);
	CHECK_EQ_INT(v, (uint64_t)4 << 30);
	CHECK_EQ_INT(mls_parse_size(&v, "4gb"), 0);
	CHECK_EQ_INT(v, (uint64_t)4 << 30);
	CHECK_EQ_INT(mls_parse_size(&v, "77B"), 0);
	CHECK_EQ_INT(v, 77);
	CHECK_EQ_INT(mls_parse_size(&v, "18446744073709551615"), 0);
	CHECK(v == UINT64_MAX);
}

TEST(parse_size_rejects_junk)
{
	static const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1.5G", "1X", "1KK", "G", "1Gi", "1iB",
				     "0x10", "18446744073709551616", "17179869184G", "99999999999999999999999" };
	uint64_t v = 42;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = mls_parse_size(&v, bad[i]);
		if (rc != MLS_EINVAL)
			fprintf(stderr, "accepted size '%s'\n", bad[i]);
		CHECK_EQ_INT(rc, MLS_EINVAL);
	}
	CHECK_EQ_INT(v, 42);
	CHECK_EQ_INT(mls_parse_size(&v, NULL), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "invalid size");
}

TEST(parse_uint_strict)
{
	uint64_t v = 0;
	CHECK_EQ_INT(mls_parse_uint(&v, "100000"), 0);
	CHECK_EQ_INT(v, 100000);
	CHECK_EQ_INT(mls_parse_uint(&v, "18446744073709551615"), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ_INT(mls_parse_uint(&v, "18446744073709551616"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "too large");
	CHECK_EQ_INT(mls_parse_uint(&v, "-5"), MLS_EINVAL);
	CHECK_EQ_INT(mls_parse_uint(&v, "5k"), MLS_EINVAL);
	CHECK_EQ_INT(mls_parse_uint(&v, "5 "), MLS_EINVAL);
	CHECK_EQ_INT(mls_parse_uint(&v, " 5"), MLS_EINVAL);
	CHECK_EQ_INT(mls_parse_uint(&v, ""), MLS_EINVAL);
	CHECK_EQ_INT(mls_parse_uint(&v, "0x5"), MLS_EINVAL);
}

TEST(parse_double_strict)
{
	double d = 0;
	CHECK_EQ_INT(mls_parse_double(&d, "200"), 0);
	CHECK(d == 200.0);
	CHECK_EQ_INT(mls_parse_double(&d, "2.5"), 0);
	CHECK(d == 2.5);
	CHECK_EQ_INT(mls_parse_double(&d, ".5"), 0);
	CHECK(d == 0.5);
	CHECK_EQ_INT(mls_parse_double(&d, "1e3"), 0);
	CHECK(d == 1000.0);
	CHECK_EQ_INT(mls_parse_double(&d, "0"), 0);
	CHECK(d == 0.0);
	static const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1s", "nan", "inf", "0x10", "1e999", ".", "e5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = mls_parse_double(&d, bad[i]);
		if (rc != MLS_EINVAL)
			fprintf(stderr, "accepted number '%s'\n", bad[i]);
		CHECK_EQ_INT(rc, MLS_EINVAL);
	}
}

TEST(clock_and_deadline)
{
	double a = mls_now();
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	double b = mls_now();
	CHECK(b - a >= 0.015);
	CHECK(b - a < 5.0);

	struct mls_deadline none, soon, later;
	mls_deadline_start(&none, 0);
	CHECK(!mls_deadline_passed(&none));
	CHECK(!mls_deadline_passed(NULL));
	mls_deadline_start(&soon, 0.001);
	mls_deadline_start(&later, 3600);
	nanosleep(&ts, NULL);
	CHECK(mls_deadline_passed(&soon));
	CHECK(!mls_deadline_passed(&later));
}

TEST(option_table)
{
	static const char *names[] = { "max-file-size", "max-decompressed", "max-ratio", "max-members",
				       "max-depth", "max-opcodes", "max-json", "timeout" };
	int found = 0;
	const struct mls_opt *o;
	for (o = mls_limit_opts; o->id || o->long_name || o->help || o->include; o++) {
		if (o->id < MLS_OPT_LIMIT_BASE)
			continue; /* section title */
		CHECK(o->id >= MLS_OPT_MAX_FILE_SIZE && o->id <= MLS_OPT_TIMEOUT);
		CHECK_EQ_INT(o->arg, MLS_OPT_REQARG);
		CHECK(o->argname && o->help);
		CHECK_EQ_STR(o->long_name, names[o->id - MLS_OPT_MAX_FILE_SIZE]);
		found++;
	}
	CHECK_EQ_INT(found, 8);
}

TEST(apply_opt)
{
	struct mls_limits l;
	mls_limits_default(&l);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_FILE_SIZE, "1G"), 1);
	CHECK_EQ_INT(l.max_file_bytes, (uint64_t)1 << 30);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_DECOMPRESSED, "2M"), 1);
	CHECK_EQ_INT(l.max_decompressed_bytes, (uint64_t)2 << 20);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_RATIO, "50.5"), 1);
	CHECK(l.max_ratio == 50.5);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_MEMBERS, "10"), 1);
	CHECK_EQ_INT(l.max_members, 10);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_DEPTH, "3"), 1);
	CHECK_EQ_INT(l.max_depth, 3);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_OPCODES, "1000"), 1);
	CHECK_EQ_INT(l.max_opcodes, 1000);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_JSON, "1k"), 1);
	CHECK_EQ_INT(l.max_json_bytes, 1024);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_TIMEOUT, "0"), 1);
	CHECK(l.max_seconds == 0);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, 42, "1"), 0);

	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_DEPTH, "-1"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "invalid value '-1' (expected an integer from 0 to 1000)");
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_DEPTH, "99999999999"), MLS_EINVAL);
	CHECK_EQ_INT(l.max_depth, 3);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_FILE_SIZE, "1Q"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "'1Q'");
	CHECK_EQ_INT(l.max_file_bytes, (uint64_t)1 << 30);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_TIMEOUT, "soon"), MLS_EINVAL);
	CHECK_EQ_INT(mls_limits_apply_opt(&l, MLS_OPT_MAX_RATIO, NULL), MLS_EINVAL);
}

TEST_MAIN()
