/*
 * modelscan-c as a library: options and the run entry point (scan.c).
 * main.c parses the command line into ms_opts and calls ms_run.
 */
#ifndef MS_MODELSCAN_H
#define MS_MODELSCAN_H

#include <stddef.h>
#include "mls/common.h"

#define MS_MAX_POLICIES 16

struct ms_opts {
	const char *const *paths;
	size_t npaths;
	struct mls_output_opts out;
	struct mls_limits limits;
	int strict;                 /* unknown globals are high */
	const char *policies[MS_MAX_POLICIES];
	size_t npolicies;
	int jobs;                   /* files scanned in parallel (<= 0: CPUs) */
	int show_skipped;           /* list unsupported files in the report */
	int progress;               /* -1 auto (stderr is a terminal), 0 off, 1 on */
	int no_hash;                /* skip the SHA-256 of each file */
};

void ms_opts_init(struct ms_opts *o);
/* Scans every path and writes the reports; *exit_code gets the tool's exit
 * code (0-3).  Returns 0, or <0 when nothing could run (message set). */
int ms_run(const struct ms_opts *o, int *exit_code);
/* Registers modelscan-c's rule descriptions (ids, names, help) in r. */
void ms_register_rules(struct mls_report *r);

#endif
