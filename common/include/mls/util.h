/*
 * Small cross-cutting helpers: escaping for each output medium, UTF-8
 * sanitising, time stamps, atomic file writes, whole-file reads, and a
 * parallel-for over a thread pool.
 */
#ifndef MLS_UTIL_H
#define MLS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "buf.h"

/* Appends s (len bytes) as valid UTF-8: each invalid byte becomes U+FFFD. */
int mls_utf8_sanitize(struct mls_buf *out, const char *s, size_t len);
int mls_utf8_valid(const char *s, size_t len);
/* For terminals: control characters and DEL as \xNN, invalid UTF-8 as \xNN. */
int mls_escape_term(struct mls_buf *out, const char *s);
/* For XML text and attributes: & < > " ' escaped; characters XML 1.0 forbids
 * (most C0 controls) written as "\xNN" text; invalid UTF-8 as U+FFFD. */
int mls_escape_xml(struct mls_buf *out, const char *s);

/* "2026-11-25T17:19:55.123Z" (UTC, millisecond precision) into out[40]. */
void mls_time_rfc3339(char out[40]);

/* Atomic write: data goes to "path.tmp.XXXXXX" in the same directory, then
 * fsync + rename over path on commit; abort removes the temporary file. */
struct mls_atomic { FILE *fp; char *path; char *tmp; };
int mls_atomic_open(struct mls_atomic *a, const char *path);
int mls_atomic_commit(struct mls_atomic *a);
void mls_atomic_abort(struct mls_atomic *a);
int mls_write_file_atomic(const char *path, const void *data, size_t len);

/* Reads a whole file into out (appended) failing with MLS_ELIMIT past max bytes. */
int mls_read_file(struct mls_buf *out, const char *path, size_t max);

/* Runs fn(i, ctx) for i in [0, n) on `jobs` threads (jobs <= 1 runs inline).
 * Returns 0, or the first negative value an fn returned (the rest still run). */
int mls_parallel_for(size_t n, int jobs, int (*fn)(size_t i, void *ctx), void *ctx);
int mls_default_jobs(void); /* online CPUs, at least 1 */

/* 1 if stdout/stderr (fd) is a terminal and NO_COLOR is not set. */
int mls_use_color(int fd);

/* Makes room for one more element in the array *arrp holding n elements of
 * elem_size bytes in *cap slots: grows by doubling, starting at `initial`.
 * Returns 0 or MLS_ENOMEM (the array is unchanged on failure). */
int mls_array_reserve(void *arrp, size_t *cap, size_t n, size_t elem_size, size_t initial);

#define MLS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
