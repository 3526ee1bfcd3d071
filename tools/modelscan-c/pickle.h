/*
 * The pickle engine: a streaming opcode reader (protocols 0 to 5) with a
 * symbolic stack and memo, judging every import against the policy.  Used
 * by every container that carries pickles (raw pickles, PyTorch zip and
 * legacy files, NumPy object arrays, joblib).  Never unpickles anything.
 */
#ifndef MS_PICKLE_H
#define MS_PICKLE_H

#include <stdint.h>
#include "scanner.h"

struct ms_pickle_opts {
	int joblib;          /* joblib: NumpyArrayWrapper array bytes follow BUILD inline */
	unsigned max_streams;/* stop after this many streams (0 = until the end of the input) */
	int ignore_trailing; /* bytes after max_streams streams are data, not reported */
	int opportunistic;   /* input may not be a pickle at all: a break is not incomplete */
};

struct ms_pickle_stats {
	unsigned streams;    /* streams that reached STOP */
	int broken;          /* a stream broke (bad opcode, truncation, no STOP) */
	size_t denied;       /* imports judged dangerous */
	uint64_t end;        /* input offset after the last stream read */
	uint64_t opcodes;    /* opcodes executed */
};

/* Scans every pickle stream of in from its current position.  Findings and
 * incompleteness go to ctx; returns 0, or <0 only for an internal failure
 * (out of memory). */
int ms_pickle_scan(struct ms_ctx *ctx, struct ms_input *in, const struct ms_pickle_opts *o, struct ms_pickle_stats *st);

/* 1 if the bytes look like the start of a pickle stream (protocol 2-5 header,
 * or a protocol 0/1 opening that a pickler writes). */
int ms_pickle_looks_like(const unsigned char *p, size_t n);

#endif
