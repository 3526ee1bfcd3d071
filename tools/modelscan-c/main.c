/*
 * modelscan-c: static scanner for ML model files, a drop-in for `modelscan -p`.
 * Parses the command line, calls ms_run, exits with its code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modelscan.h"

enum {
	OPT_PATH = 1,
	OPT_REPORTING,
	OPT_SHOW_SKIPPED,
	OPT_STRICT,
	OPT_POLICY,
	OPT_JOBS,
	OPT_NO_HASH,
	OPT_PROGRESS,
	OPT_NO_PROGRESS
};

static const struct mls_opt opts[] = {
	MLS_OPT_SECTION("Scanning"),
	{ OPT_PATH, "path", 'p', MLS_OPT_REQARG, "PATH", "file or directory to scan (repeatable; ModelScan's -p)", NULL },
	{ OPT_STRICT, "strict", 0, MLS_OPT_NOARG, NULL, "report globals outside the allowlist as high, not low", NULL },
	{ OPT_POLICY, "policy", 0, MLS_OPT_REQARG, "FILE",
	  "add the deny/allow/alias entries of a JSON policy FILE to the built-in policy (repeatable)", NULL },
	{ OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files scanned in parallel (default: number of CPUs)", NULL },
	{ OPT_NO_HASH, "no-hash", 0, MLS_OPT_NOARG, NULL, "do not compute the SHA-256 of each file", NULL },
	{ OPT_PROGRESS, "progress", 0, MLS_OPT_NOARG, NULL, "show a progress line on standard error", NULL },
	{ OPT_NO_PROGRESS, "no-progress", 0, MLS_OPT_NOARG, NULL,
	  "never show the progress line (default: shown on a terminal)", NULL },
	MLS_OPT_SECTION("Report"),
	{ OPT_REPORTING, "reporting-format", 'r', MLS_OPT_REQARG, "FMT",
	  "ModelScan's report format: console (= text) or json", NULL },
	{ OPT_SHOW_SKIPPED, "show-skipped", 0, MLS_OPT_NOARG, NULL, "list unsupported (skipped) files in the report", NULL },
	MLS_OPT_INCLUDE(mls_report_opts),
	MLS_OPT_INCLUDE(mls_limit_opts),
	MLS_OPT_SECTION("Output"),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_cli cli = {
	"modelscan-c", MLS_VERSION, "[OPTIONS] [-p] PATH...",
	"Scans model files and directories for code that runs when the model is loaded (pickle imports and calls, "
	"PyTorch, NumPy, joblib, and the other formats), without ever loading them. Formats are recognised by "
	"content, not by file name.",
	opts,
	"Exit status: 0 nothing at or above the --fail-on threshold; 1 findings at or above it; 2 could not "
	"finish (unreadable, corrupt or incomplete input, a limit reached); 3 no supported file; 4 usage error.\n"
};

struct args {
	struct ms_opts o;
	const char *paths[4096];
	size_t npaths;
};

static int on_opt(int id, const char *arg, void *vctx)
{
	struct args *a = vctx;
	int r = mls_output_apply_opt(&a->o.out, id, arg);
	if (r != 0)
		return r < 0 ? r : 0;
	r = mls_limits_apply_opt(&a->o.limits, id, arg);
	if (r != 0)
		return r < 0 ? r : 0;
	switch (id) {
	case OPT_PATH:
		if (a->npaths >= MLS_ARRAY_SIZE(a->paths))
			return mls_error_set(MLS_EINVAL, "too many paths");
		a->paths[a->npaths++] = arg;
		return 0;
	case OPT_REPORTING: {
		enum mls_format f;
		if (strcmp(arg, "console") != 0 && strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0)
			return mls_error_set(MLS_EINVAL, "invalid reporting format '%s' (console or json)", arg);
		mls_format_parse(&f, arg);
		a->o.out.format = f;
		return 0;
	}
	case OPT_SHOW_SKIPPED: a->o.show_skipped = 1; return 0;
	case OPT_STRICT: a->o.strict = 1; return 0;
	case OPT_NO_HASH: a->o.no_hash = 1; return 0;
	case OPT_PROGRESS: a->o.progress = 1; return 0;
	case OPT_NO_PROGRESS: a->o.progress = 0; return 0;
	case OPT_POLICY:
		if (a->o.npolicies >= MS_MAX_POLICIES)
			return mls_error_set(MLS_EINVAL, "at most %d --policy files", MS_MAX_POLICIES);
		a->o.policies[a->o.npolicies++] = arg;
		return 0;
	case OPT_JOBS: {
		uint64_t n;
		if (mls_parse_uint(&n, arg) < 0 || n < 1 || n > 256)
			return mls_error_set(MLS_EINVAL, "invalid --jobs '%s' (1 to 256)", arg);
		a->o.jobs = (int)n;
		return 0;
	}
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	static struct args a;
	int first = 0, code = MLS_EXIT_ERROR;

	mls_log_init("modelscan-c");
	ms_opts_init(&a.o);
	int rc = mls_opt_parse(&cli, argc, argv, on_opt, &a, &first);
	if (rc == MLS_OPT_DONE)
		return MLS_EXIT_OK;
	if (rc < 0)
		return MLS_EXIT_USAGE;
	for (int i = first; i < argc; i++) {
		if (a.npaths >= MLS_ARRAY_SIZE(a.paths)) {
			fprintf(stderr, "modelscan-c: too many paths\n");
			return MLS_EXIT_USAGE;
		}
		a.paths[a.npaths++] = argv[i];
	}
	if (a.npaths == 0) {
		fprintf(stderr, "modelscan-c: no path to scan (use -p PATH or PATH)\nTry 'modelscan-c --help'\n");
		return MLS_EXIT_USAGE;
	}
	a.o.paths = a.paths;
	a.o.npaths = a.npaths;
	if (ms_run(&a.o, &code) < 0) {
		mls_err("%s", mls_error_msg());
		return MLS_EXIT_ERROR;
	}
	return code;
}
