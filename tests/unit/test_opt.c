/* Unit tests for option tables: parsing, includes, errors, help. */
#include <stdio.h>
#include "harness.h"
#include "mls/common.h"

enum { O_JOBS = 1, O_FLAG, O_OPT };
static const struct mls_opt inner[] = {
	{ O_FLAG, "flag", 'f', MLS_OPT_NOARG, NULL, "a flag", NULL },
	MLS_OPT_END
};
static const struct mls_opt table[] = {
	MLS_OPT_SECTION("Scanning"),
	{ O_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "parallel jobs", NULL },
	{ O_OPT, "color", 0, MLS_OPT_OPTARG, "WHEN", "colour", NULL },
	MLS_OPT_INCLUDE(inner),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};
static const struct mls_cli cli = { "tooltest", "1.2.3", "[OPTIONS] PATH...", "Tests options.", table, "Exit codes: ..." };

struct seen { int jobs, flag; char color[16]; };
static int cb(int id, const char *arg, void *ctx)
{
	struct seen *s = ctx;
	switch (id) {
	case O_JOBS:
		if (atoi(arg) <= 0)
			return mls_error_set(MLS_EINVAL, "'%s' is not a positive number", arg);
		s->jobs = atoi(arg);
		return 0;
	case O_FLAG: s->flag++; return 0;
	case O_OPT: snprintf(s->color, sizeof(s->color), "%s", arg ? arg : "(none)"); return 0;
	}
	return 0;
}

TEST(parse_options)
{
	char *argv[] = { "tooltest", "a", "-j", "3", "--flag", "b", "--color=always", "-f", NULL };
	struct seen s = { 0 };
	int first = -1;
	CHECK_EQ_INT(mls_opt_parse(&cli, 8, argv, cb, &s, &first), 0);
	CHECK_EQ_INT(s.jobs, 3);
	CHECK_EQ_INT(s.flag, 2);
	CHECK_EQ_STR(s.color, "always");
	CHECK_EQ_INT(first, 6);
	CHECK_EQ_STR(argv[first], "a");
	CHECK_EQ_STR(argv[first + 1], "b");
}

TEST(parse_errors)
{
	struct seen s = { 0 };
	int first;
	char *a1[] = { "tooltest", "--nope", NULL };
	CHECK(mls_opt_parse(&cli, 2, a1, cb, &s, &first) < 0);
	char *a2[] = { "tooltest", "--jobs", NULL };
	CHECK(mls_opt_parse(&cli, 2, a2, cb, &s, &first) < 0);
	char *a3[] = { "tooltest", "--jobs=0", NULL };
	CHECK(mls_opt_parse(&cli, 2, a3, cb, &s, &first) < 0);
	char *a4[] = { "tooltest", "--version", NULL };
	CHECK_EQ_INT(mls_opt_parse(&cli, 2, a4, cb, &s, &first), MLS_OPT_DONE);
}

TEST(help_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	mls_opt_print_help(&cli, f);
	fclose(f);
	CHECK_CONTAINS(buf, "Usage: tooltest [OPTIONS] PATH...");
	CHECK_CONTAINS(buf, "-j, --jobs=N");
	CHECK_CONTAINS(buf, "--color[=WHEN]");
	CHECK_CONTAINS(buf, "-f, --flag");
	CHECK_CONTAINS(buf, "Scanning:");
	CHECK_CONTAINS(buf, "-q, --quiet");
	CHECK_CONTAINS(buf, "--help");
	CHECK_CONTAINS(buf, "Exit codes");
	free(buf);
}

TEST_MAIN()
