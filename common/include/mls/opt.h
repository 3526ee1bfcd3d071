/*
 * One option table per tool, which both drives parsing (getopt_long, GNU
 * style, permuting positionals to the end) and prints --help.  --help and
 * --version are added to every table automatically.
 *
 *   static const struct mls_opt opts[] = {
 *       { OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files scanned in parallel" },
 *       MLS_OPT_INCLUDE(mls_report_opts),
 *       MLS_OPT_END
 *   };
 */
#ifndef MLS_OPT_H
#define MLS_OPT_H

enum mls_opt_arg { MLS_OPT_NOARG = 0, MLS_OPT_REQARG = 1, MLS_OPT_OPTARG = 2 };

struct mls_opt {
	int id;                       /* > 0, returned to the callback; ids >= 9000 are reserved for common/ */
	const char *long_name;        /* "jobs" for --jobs; NULL for a short-only option */
	int short_name;               /* 'j', or 0 */
	enum mls_opt_arg arg;
	const char *argname;          /* shown in --help: --jobs=N */
	const char *help;             /* one line; NULL hides the option from --help */
	const struct mls_opt *include;/* when set, the entries of another table go here */
};

#define MLS_OPT_INCLUDE(table) { 0, NULL, 0, MLS_OPT_NOARG, NULL, NULL, (table) }
#define MLS_OPT_END { 0, NULL, 0, MLS_OPT_NOARG, NULL, NULL, NULL }
#define MLS_OPT_SECTION(title) { -1, NULL, 0, MLS_OPT_NOARG, NULL, (title), NULL }

struct mls_cli {
	const char *tool;         /* "modelscan-c" */
	const char *version;      /* MLS_VERSION */
	const char *usage;        /* "[OPTIONS] PATH..." (after the tool name) */
	const char *summary;      /* one paragraph under the usage line */
	const struct mls_opt *opts;
	const char *footer;       /* printed after the options (exit codes...), may be NULL */
};

/* Called for each option; return 0 to continue, or a negative value after
 * mls_error_set(MLS_EINVAL, "...") for a bad value. */
typedef int (*mls_opt_cb)(int id, const char *arg, void *ctx);

enum { MLS_OPT_DONE = 1 /* --help or --version was printed: exit 0 */ };

/* Parses argv.  On success returns 0 and sets *first_positional to the index
 * of the first non-option argument (they are permuted to the end); returns
 * MLS_OPT_DONE after printing help/version to stdout, or a negative code after
 * printing "tool: message" and "Try 'tool --help'" to stderr (exit 4). */
int mls_opt_parse(const struct mls_cli *cli, int argc, char **argv, mls_opt_cb cb, void *ctx,
		  int *first_positional);
/* Prints the generated help to f. */
void mls_opt_print_help(const struct mls_cli *cli, void *f /* FILE * */);

/* Common logging options (-q/--quiet, -v/--verbose, --no-color).  Handled
 * inside mls_opt_parse when included; ids 9100..9109. */
extern const struct mls_opt mls_log_opts[];

#endif
