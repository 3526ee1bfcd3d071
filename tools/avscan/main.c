/* avscan: parse options, run the scan, map the outcome to an exit code. */
#include <stdlib.h>
#include <string.h>
#include "avscan.h"

enum {
	OPT_DATABASE = 1, OPT_SIGNATURES, OPT_NO_SYSTEM_DB, OPT_NO_SIGNATURES, OPT_JOBS, OPT_INFECTED,
	OPT_RECURSIVE, OPT_REMOVE, OPT_MOVE, OPT_MAX_FILESIZE, OPT_MAX_SCANSIZE, OPT_MAX_RECURSION,
	OPT_MAX_FILES, OPT_MAX_SCANTIME, OPT_MAX_DB_AGE, OPT_NO_SUMMARY, OPT_NO_ARCHIVE_CHECK, OPT_NO_HASH
};

static const struct mls_opt options[] = {
	MLS_OPT_SECTION("Databases"),
	{ OPT_DATABASE, "database", 'd', MLS_OPT_REQARG, "PATH",
	  "load ClamAV databases from PATH, a file or directory (repeatable; default " AVSCAN_SYSTEM_DB ")", NULL },
	{ OPT_SIGNATURES, "signatures", 0, MLS_OPT_REQARG, "DIR",
	  "the mlsecops signature set (default $MLS_SIGNATURES, else " AVSCAN_SIGNATURES_DIR ")", NULL },
	{ OPT_NO_SYSTEM_DB, "no-system-db", 0, MLS_OPT_NOARG, NULL,
	  "do not load " AVSCAN_SYSTEM_DB " when no -d is given (mlsecops signatures only)", NULL },
	{ OPT_NO_SIGNATURES, "no-signatures", 0, MLS_OPT_NOARG, NULL, "do not load the mlsecops signature set", NULL },
	{ OPT_MAX_DB_AGE, "max-db-age", 0, MLS_OPT_REQARG, "DAYS",
	  "warn when the newest ClamAV database is older than DAYS (default 7; 0 = never)", NULL },
	MLS_OPT_SECTION("Scanning (clamscan-compatible)"),
	{ OPT_RECURSIVE, "recursive", 'r', MLS_OPT_OPTARG, "yes|no", "scan directories recursively", NULL },
	{ OPT_INFECTED, "infected", 'i', MLS_OPT_NOARG, NULL, "print only infected files", NULL },
	{ OPT_REMOVE, "remove", 0, MLS_OPT_OPTARG, "yes|no", "remove infected files", NULL },
	{ OPT_MOVE, "move", 0, MLS_OPT_REQARG, "DIR",
	  "move infected files into the quarantine DIR, with a JSON record each", NULL },
	{ OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files scanned in parallel (default: the number of CPUs)", NULL },
	{ OPT_NO_SUMMARY, "no-summary", 0, MLS_OPT_NOARG, NULL, "do not print the summary block (text format)", NULL },
	{ OPT_NO_HASH, "no-hash", 0, MLS_OPT_NOARG, NULL,
	  "do not record the SHA-256 of every scanned file in the report (infected files keep theirs)", NULL },
	MLS_OPT_SECTION("Limits (a file over a limit is reported not scanned, exit 2)"),
	{ OPT_MAX_FILESIZE, "max-filesize", 0, MLS_OPT_REQARG, "SIZE",
	  "largest file or member scanned (default and maximum 2G-1, libclamav's limit)", NULL },
	{ OPT_MAX_SCANSIZE, "max-scansize", 0, MLS_OPT_REQARG, "SIZE",
	  "most data scanned per file, members included (default 4G)", NULL },
	{ OPT_MAX_RECURSION, "max-recursion", 0, MLS_OPT_REQARG, "N", "deepest archive nesting (default 17)", NULL },
	{ OPT_MAX_FILES, "max-files", 0, MLS_OPT_REQARG, "N", "most members scanned per file (default 100000)", NULL },
	{ OPT_MAX_SCANTIME, "max-scantime", 0, MLS_OPT_REQARG, "MS",
	  "longest scan of one file in milliseconds (default 600000)", NULL },
	{ OPT_NO_ARCHIVE_CHECK, "no-archive-check", 0, MLS_OPT_NOARG, NULL,
	  "do not read top-level archives back with libarchive to detect corruption", NULL },
	MLS_OPT_SECTION("Reports"),
	MLS_OPT_INCLUDE(mls_report_opts),
	MLS_OPT_SECTION("Messages"),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_cli cli = {
	AVSCAN_TOOL, MLS_VERSION, "[OPTIONS] PATH...",
	"Scans model files and directories with libclamav (the ClamAV engine) and the mlsecops signature set, "
	"on several threads sharing one engine. A file or archive member that was not fully scanned "
	"(a limit, encryption, corruption, an unreadable file) is reported 'not scanned', never OK.",
	options,
	"Exit status: 0 nothing found, 1 infected files found, 2 could not finish (a file not scanned, "
	"no usable database, an error), 4 usage error.\nDocumentation: docs/avscan.md"
};

static int yes_no(int *out, const char *arg, const char *name)
{
	if (!arg || strcmp(arg, "yes") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(arg, "no") == 0) {
		*out = 0;
		return 0;
	}
	return mls_error_set(MLS_EINVAL, "invalid value '%s' for --%s (expected yes or no)", arg, name);
}

static int parse_count(uint64_t *out, const char *arg, const char *name, uint64_t max)
{
	if (mls_parse_uint(out, arg) < 0 || *out > max)
		return mls_error_set(MLS_EINVAL, "invalid value '%s' for --%s", arg, name);
	return 0;
}

static int on_option(int id, const char *arg, void *ctx)
{
	struct avscan_opts *o = ctx;
	uint64_t v;
	int rc = mls_output_apply_opt(&o->out, id, arg);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (id) {
	case OPT_DATABASE: {
		const char **p = realloc(o->databases, (o->ndatabases + 1) * sizeof(*p));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		o->databases = p;
		o->databases[o->ndatabases++] = arg;
		return 0;
	}
	case OPT_SIGNATURES:
		o->signatures = arg;
		return 0;
	case OPT_NO_SYSTEM_DB:
		o->no_system_db = 1;
		return 0;
	case OPT_NO_SIGNATURES:
		o->no_signatures = 1;
		return 0;
	case OPT_JOBS:
		if ((rc = parse_count(&v, arg, "jobs", 256)) < 0)
			return rc;
		if (v == 0)
			return mls_error_set(MLS_EINVAL, "invalid value '%s' for --jobs (1 to 256)", arg);
		o->jobs = (int)v;
		return 0;
	case OPT_INFECTED:
		o->infected_only = 1;
		return 0;
	case OPT_RECURSIVE:
		return yes_no(&o->recursive, arg, "recursive");
	case OPT_REMOVE:
		return yes_no(&o->remove, arg, "remove");
	case OPT_MOVE:
		if (!arg || !*arg)
			return mls_error_set(MLS_EINVAL, "option '--move' needs a directory");
		o->move_dir = arg;
		return 0;
	case OPT_MAX_FILESIZE:
		if (mls_parse_size(&o->max_filesize, arg) < 0 || o->max_filesize == 0)
			return mls_error_set(MLS_EINVAL, "invalid size '%s' for --max-filesize", arg);
		return 0;
	case OPT_MAX_SCANSIZE:
		if (mls_parse_size(&o->max_scansize, arg) < 0 || o->max_scansize == 0)
			return mls_error_set(MLS_EINVAL, "invalid size '%s' for --max-scansize", arg);
		return 0;
	case OPT_MAX_RECURSION:
		if ((rc = parse_count(&o->max_recursion, arg, "max-recursion", 100)) < 0)
			return rc;
		return o->max_recursion ? 0 : mls_error_set(MLS_EINVAL, "--max-recursion must be 1 to 100");
	case OPT_MAX_FILES:
		if ((rc = parse_count(&o->max_files, arg, "max-files", 0xffffffffu)) < 0)
			return rc;
		return o->max_files ? 0 : mls_error_set(MLS_EINVAL, "--max-files must be at least 1");
	case OPT_MAX_SCANTIME:
		if ((rc = parse_count(&o->max_scantime_ms, arg, "max-scantime", 0xffffffffu)) < 0)
			return rc;
		return o->max_scantime_ms ? 0 : mls_error_set(MLS_EINVAL, "--max-scantime must be at least 1");
	case OPT_MAX_DB_AGE:
		return parse_count(&o->max_db_age_days, arg, "max-db-age", 100000);
	case OPT_NO_SUMMARY:
		o->summary = 0;
		return 0;
	case OPT_NO_ARCHIVE_CHECK:
		o->archive_check = 0;
		return 0;
	case OPT_NO_HASH:
		o->hash = 0;
		return 0;
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	struct avscan_opts o;
	int first = 0, rc, code;

	mls_log_init(AVSCAN_TOOL);
	avscan_opts_init(&o);
	rc = mls_opt_parse(&cli, argc, argv, on_option, &o, &first);
	if (rc == MLS_OPT_DONE) {
		avscan_opts_release(&o);
		return MLS_EXIT_OK;
	}
	if (rc < 0) {
		avscan_opts_release(&o);
		return MLS_EXIT_USAGE;
	}
	if (first >= argc) {
		mls_err("no PATH to scan\nTry 'avscan --help' for more information.");
		avscan_opts_release(&o);
		return MLS_EXIT_USAGE;
	}
	if (o.remove && o.move_dir) {
		mls_err("--remove and --move cannot be used together\nTry 'avscan --help' for more information.");
		avscan_opts_release(&o);
		return MLS_EXIT_USAGE;
	}
	o.paths = calloc((size_t)(argc - first), sizeof(*o.paths));
	if (!o.paths) {
		mls_err("out of memory");
		avscan_opts_release(&o);
		return MLS_EXIT_ERROR;
	}
	for (int i = first; i < argc; i++)
		o.paths[o.npaths++] = argv[i];
	code = avscan_run(&o);
	avscan_opts_release(&o);
	return code;
}
