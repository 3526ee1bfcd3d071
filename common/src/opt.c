/* Option tables that drive getopt_long and print --help (see mls/opt.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mls/buf.h"
#include "mls/error.h"
#include "mls/log.h"
#include "mls/opt.h"

enum { OPT_HELP = 9990, OPT_VERSION = 9991, OPT_QUIET = 9100, OPT_VERBOSE = 9101, OPT_NO_COLOR = 9102 };

const struct mls_opt mls_log_opts[] = {
	{ OPT_QUIET, "quiet", 'q', MLS_OPT_NOARG, NULL, "print errors only", NULL },
	{ OPT_VERBOSE, "verbose", 'v', MLS_OPT_NOARG, NULL, "print progress and details (repeat for debug)", NULL },
	{ OPT_NO_COLOR, "no-color", 0, MLS_OPT_NOARG, NULL, "never colour the output (also: NO_COLOR=1)", NULL },
	MLS_OPT_END
};

static const struct mls_opt builtin_opts[] = {
	{ OPT_HELP, "help", 'h', MLS_OPT_NOARG, NULL, "show this help and exit", NULL },
	{ OPT_VERSION, "version", 'V', MLS_OPT_NOARG, NULL, "show the version and exit", NULL },
	MLS_OPT_END
};

/* Flattens a table (following includes) into an array of pointers. */
static int flatten(const struct mls_opt ***out, size_t *n, size_t *cap, const struct mls_opt *t, int depth)
{
	if (depth > 8)
		return mls_error_set(MLS_EINVAL, "option tables nested too deeply");
	for (; t && (t->id || t->include || t->long_name || t->short_name || t->help); t++) {
		if (t->include) {
			int rc = flatten(out, n, cap, t->include, depth + 1);
			if (rc < 0)
				return rc;
			continue;
		}
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			const struct mls_opt **p = realloc(*out, nc * sizeof(**out));
			if (!p)
				return mls_error_set(MLS_ENOMEM, "out of memory");
			*out = p;
			*cap = nc;
		}
		(*out)[(*n)++] = t;
	}
	return 0;
}

static int flatten_cli(const struct mls_opt ***out, size_t *n, const struct mls_cli *cli)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc = flatten(out, n, &cap, cli->opts, 0);
	if (rc == 0)
		rc = flatten(out, n, &cap, builtin_opts, 0);
	return rc;
}

void mls_opt_print_help(const struct mls_cli *cli, void *fp)
{
	FILE *f = fp;
	const struct mls_opt **all = NULL;
	size_t n = 0;
	fprintf(f, "Usage: %s %s\n", cli->tool, cli->usage ? cli->usage : "[OPTIONS]");
	if (cli->summary)
		fprintf(f, "\n%s\n", cli->summary);
	if (flatten_cli(&all, &n, cli) == 0) {
		fprintf(f, "\nOptions:\n");
		for (size_t i = 0; i < n; i++) {
			const struct mls_opt *o = all[i];
			if (o->id == -1) {
				size_t hl = strlen(o->help);
				fprintf(f, "\n%s%s\n", o->help, hl && o->help[hl - 1] == ':' ? "" : ":");
				continue;
			}
			if (!o->help)
				continue;
			char left[96];
			int k = 0;
			if (o->short_name && o->long_name)
				k = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->long_name);
			else if (o->short_name)
				k = snprintf(left, sizeof(left), "  -%c", o->short_name);
			else
				k = snprintf(left, sizeof(left), "      --%s", o->long_name);
			if (o->arg != MLS_OPT_NOARG && k > 0 && (size_t)k < sizeof(left)) {
				const char *an = o->argname ? o->argname : "ARG";
				if (o->long_name)
					snprintf(left + k, sizeof(left) - (size_t)k, o->arg == MLS_OPT_OPTARG ? "[=%s]" : "=%s", an);
				else
					snprintf(left + k, sizeof(left) - (size_t)k, " %s", an);
			}
			if (strlen(left) < 30)
				fprintf(f, "%-30s %s\n", left, o->help);
			else
				fprintf(f, "%s\n%-30s %s\n", left, "", o->help);
		}
	}
	if (cli->footer)
		fprintf(f, "\n%s\n", cli->footer);
	free(all);
}

static int usage_error(const struct mls_cli *cli, const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", cli->tool, msg, cli->tool);
	return MLS_EINVAL;
}

int mls_opt_parse(const struct mls_cli *cli, int argc, char **argv, mls_opt_cb cb, void *ctx, int *first_positional)
{
	const struct mls_opt **all = NULL;
	size_t n = 0;
	struct option *lopts = NULL;
	struct mls_buf shorts;
	int rc = 0, verbosity = 0;
	char msg[512];

	mls_buf_init(&shorts, 4096);
	if ((rc = flatten_cli(&all, &n, cli)) < 0)
		goto done;
	lopts = calloc(n + 1, sizeof(*lopts));
	if (!lopts) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	mls_buf_puts(&shorts, ":");
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mls_opt *o = all[i];
		if (o->id <= 0)
			continue;
		if (o->long_name) {
			lopts[nl].name = o->long_name;
			lopts[nl].has_arg = (int)o->arg;
			lopts[nl].flag = NULL;
			lopts[nl].val = 0x10000 + (int)i;
			nl++;
		}
		if (o->short_name) {
			mls_buf_putc(&shorts, (char)o->short_name);
			if (o->arg == MLS_OPT_REQARG)
				mls_buf_putc(&shorts, ':');
			else if (o->arg == MLS_OPT_OPTARG)
				mls_buf_puts(&shorts, "::");
		}
	}

	optind = 0; /* full re-initialisation (GNU) so tests can parse several times */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, mls_buf_cstr(&shorts), lopts, NULL);
		if (c == -1)
			break;
		const struct mls_opt *o = NULL;
		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1] ? argv[optind - 1] : "?";
			if (optopt && optopt < 0x10000)
				snprintf(msg, sizeof(msg), c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'", optopt);
			else
				snprintf(msg, sizeof(msg), c == ':' ? "option '%s' needs a value" : "unknown option '%s'", what);
			rc = usage_error(cli, msg);
			goto done;
		}
		if (c >= 0x10000) {
			o = all[c - 0x10000];
		} else {
			for (size_t i = 0; i < n; i++)
				if (all[i]->id > 0 && all[i]->short_name == c) {
					o = all[i];
					break;
				}
		}
		if (!o) {
			rc = usage_error(cli, "internal option error");
			goto done;
		}
		switch (o->id) {
		case OPT_HELP:
			mls_opt_print_help(cli, stdout);
			rc = MLS_OPT_DONE;
			goto done;
		case OPT_VERSION:
			printf("%s (mlsecops) %s\n", cli->tool, cli->version ? cli->version : "");
			rc = MLS_OPT_DONE;
			goto done;
		case OPT_QUIET:
			mls_log_set_level(MLS_LOG_ERROR);
			break;
		case OPT_VERBOSE:
			verbosity++;
			mls_log_set_level(verbosity > 1 ? MLS_LOG_DEBUG : MLS_LOG_INFO);
			break;
		case OPT_NO_COLOR:
			setenv("NO_COLOR", "1", 1);
			mls_log_init(mls_log_tool());
			break;
		default:
			mls_error_clear();
			if (cb && (rc = cb(o->id, optarg, ctx)) < 0) {
				const char *m = mls_error_msg();
				if (o->long_name)
					snprintf(msg, sizeof(msg), "--%s: %s", o->long_name, m[0] ? m : "invalid value");
				else
					snprintf(msg, sizeof(msg), "-%c: %s", o->short_name, m[0] ? m : "invalid value");
				rc = usage_error(cli, msg);
				goto done;
			}
			rc = 0;
		}
	}
	if (first_positional)
		*first_positional = optind;
done:
	free(all);
	free(lopts);
	mls_buf_release(&shorts);
	return rc;
}
