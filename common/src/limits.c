/*
 * Budgets every parser takes, strict number parsing for their flags, and a
 * monotonic clock for wall-time limits.
 *
 * Defaults (chosen for real multi-gigabyte models; each one is a flag):
 *
 *   max_file_bytes          64 GiB  largest single input file examined
 *   max_decompressed_bytes  16 GiB  entry data read out of one archive or
 *                                   compressed stream (stored members count)
 *   max_ratio               200     decompressed / compressed input consumed;
 *                                   checked only once more than 1 MiB was
 *                                   produced (small files compress well)
 *   max_members             100000  members of one archive
 *   max_depth               8       nesting of archives, JSON, protobuf...
 *   max_opcodes             200M    pickle opcodes per file (a PyTorch
 *                                   data.pkl has a few hundred thousand)
 *   max_json_bytes          128 MiB one JSON document (a safetensors header
 *                                   may be up to 100 MB by its own spec)
 *   max_seconds             1800    wall time per top-level file
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "mls/error.h"
#include "mls/limits.h"
#include "mls/opt.h"
#include "mls/banned.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

void mls_limits_default(struct mls_limits *l)
{
	l->max_file_bytes = 64 * GIB;
	l->max_decompressed_bytes = 16 * GIB;
	l->max_ratio = 200.0;
	l->max_members = 100000;
	l->max_depth = 8;
	l->max_opcodes = 200000000;
	l->max_json_bytes = 128 * MIB;
	l->max_seconds = 1800.0;
}

/* Parses the leading decimal digits of s into *out; *end gets the first
 * non-digit.  Fails on no digit or overflow. */
static int parse_digits(uint64_t *out, const char *s, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return MLS_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return MLS_ELIMIT;
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return 0;
}

/*
 * Sizes: decimal digits, then an optional unit K, M, G or T (powers of 1024,
 * either case), optionally followed by "B" or "iB" ("4G", "4GiB", "4gb").
 * "123" and "123B" are bytes.  Signs, spaces, fractions, trailing text and
 * values past 2^64-1 are refused with MLS_EINVAL.
 */
int mls_parse_size(uint64_t *out, const char *s)
{
	uint64_t v, mult = 1;
	const char *p;

	if (parse_digits(&v, s, &p) != 0)
		return mls_error_set(MLS_EINVAL, "invalid size '%s'", s ? s : "");
	switch (*p) {
	case 'k': case 'K': mult = KIB; p++; break;
	case 'm': case 'M': mult = MIB; p++; break;
	case 'g': case 'G': mult = GIB; p++; break;
	case 't': case 'T': mult = TIB; p++; break;
	default: break;
	}
	if (mult != 1 && (p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' || p[1] == 'B'))
		p += 2;
	else if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		return mls_error_set(MLS_EINVAL, "invalid size '%s'", s);
	if (v > UINT64_MAX / mult)
		return mls_error_set(MLS_EINVAL, "size '%s' is too large", s);
	*out = v * mult;
	return 0;
}

/* Plain non-negative decimal integers: no sign, no spaces, no trailing text. */
int mls_parse_uint(uint64_t *out, const char *s)
{
	uint64_t v;
	const char *p;
	int rc = parse_digits(&v, s, &p);

	if (rc == MLS_ELIMIT)
		return mls_error_set(MLS_EINVAL, "number '%s' is too large", s);
	if (rc != 0 || *p != '\0')
		return mls_error_set(MLS_EINVAL, "invalid number '%s'", s ? s : "");
	*out = v;
	return 0;
}

/* Finite non-negative decimal numbers ("200", "2.5", "1e3"); no sign, no
 * spaces, no hexadecimal, nan or inf, no trailing text. */
int mls_parse_double(double *out, const char *s)
{
	char *end = NULL;
	double v;

	if (!s || !((*s >= '0' && *s <= '9') || (*s == '.' && s[1] >= '0' && s[1] <= '9')))
		return mls_error_set(MLS_EINVAL, "invalid number '%s'", s ? s : "");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return mls_error_set(MLS_EINVAL, "invalid number '%s'", s);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0')
		return mls_error_set(MLS_EINVAL, "invalid number '%s'", s);
	if (errno == ERANGE && v != 0.0)
		return mls_error_set(MLS_EINVAL, "number '%s' is out of range", s);
	if (!isfinite(v) || v < 0)
		return mls_error_set(MLS_EINVAL, "invalid number '%s'", s);
	*out = v;
	return 0;
}

double mls_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* seconds <= 0 (or not finite) means no deadline. */
void mls_deadline_start(struct mls_deadline *d, double seconds)
{
	d->at = (seconds > 0 && isfinite(seconds)) ? mls_now() + seconds : 0;
}

int mls_deadline_passed(const struct mls_deadline *d)
{
	return d && d->at > 0 && mls_now() >= d->at;
}

const struct mls_opt mls_limit_opts[] = {
	MLS_OPT_SECTION("Limits (reaching one makes the file incomplete, never clean):"),
	{ MLS_OPT_MAX_FILE_SIZE, "max-file-size", 0, MLS_OPT_REQARG, "SIZE",
	  "largest file examined (default 64G; K/M/G/T suffixes)", NULL },
	{ MLS_OPT_MAX_DECOMPRESSED, "max-decompressed", 0, MLS_OPT_REQARG, "SIZE",
	  "bytes read out of one archive or compressed file (default 16G)", NULL },
	{ MLS_OPT_MAX_RATIO, "max-ratio", 0, MLS_OPT_REQARG, "N",
	  "largest decompressed/compressed ratio, past 1 MiB of output (default 200; 0 = off)", NULL },
	{ MLS_OPT_MAX_MEMBERS, "max-members", 0, MLS_OPT_REQARG, "N",
	  "members per archive (default 100000)", NULL },
	{ MLS_OPT_MAX_DEPTH, "max-depth", 0, MLS_OPT_REQARG, "N",
	  "nesting depth: archives in archives, JSON, embedded data (default 8)", NULL },
	{ MLS_OPT_MAX_OPCODES, "max-opcodes", 0, MLS_OPT_REQARG, "N",
	  "pickle opcodes per file (default 200000000)", NULL },
	{ MLS_OPT_MAX_JSON, "max-json", 0, MLS_OPT_REQARG, "SIZE",
	  "largest JSON document: configs, headers, cards (default 128M)", NULL },
	{ MLS_OPT_TIMEOUT, "timeout", 0, MLS_OPT_REQARG, "SECONDS",
	  "wall time per file (default 1800; 0 = no limit)", NULL },
	MLS_OPT_END
};

/* The message leaves the flag out: mls_opt_parse prefixes "--flag: ". */
static int bad_value(const char *arg, const char *expected)
{
	return mls_error_set(MLS_EINVAL, "invalid value '%s' (expected %s)", arg ? arg : "", expected);
}

/*
 * Applies one limit option.  Returns 1 when id is a limit option and arg was
 * valid, 0 when id is not a limit option, MLS_EINVAL (message set) for a bad
 * value.  l is unchanged on failure.
 */
int mls_limits_apply_opt(struct mls_limits *l, int id, const char *arg)
{
	uint64_t u;
	double d;

	switch (id) {
	case MLS_OPT_MAX_FILE_SIZE:
		if (mls_parse_size(&u, arg) != 0)
			return bad_value(arg, "a size such as 512M or 64G");
		l->max_file_bytes = u;
		return 1;
	case MLS_OPT_MAX_DECOMPRESSED:
		if (mls_parse_size(&u, arg) != 0)
			return bad_value(arg, "a size such as 512M or 16G");
		l->max_decompressed_bytes = u;
		return 1;
	case MLS_OPT_MAX_RATIO:
		if (mls_parse_double(&d, arg) != 0)
			return bad_value(arg, "a non-negative number");
		l->max_ratio = d;
		return 1;
	case MLS_OPT_MAX_MEMBERS:
		if (mls_parse_uint(&u, arg) != 0)
			return bad_value(arg, "a non-negative integer");
		l->max_members = u;
		return 1;
	case MLS_OPT_MAX_DEPTH:
		if (mls_parse_uint(&u, arg) != 0 || u > 1000)
			return bad_value(arg, "an integer from 0 to 1000");
		l->max_depth = (unsigned)u;
		return 1;
	case MLS_OPT_MAX_OPCODES:
		if (mls_parse_uint(&u, arg) != 0)
			return bad_value(arg, "a non-negative integer");
		l->max_opcodes = u;
		return 1;
	case MLS_OPT_MAX_JSON:
		if (mls_parse_size(&u, arg) != 0)
			return bad_value(arg, "a size such as 64M");
		l->max_json_bytes = u;
		return 1;
	case MLS_OPT_TIMEOUT:
		if (mls_parse_double(&d, arg) != 0 || d > 1e9)
			return bad_value(arg, "a number of seconds, 0 for no limit");
		l->max_seconds = d;
		return 1;
	default:
		return 0;
	}
}
