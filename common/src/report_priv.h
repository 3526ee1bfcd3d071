/*
 * Private helpers shared by the report model (report.c) and its writers
 * (report_text.c, report_json.c, report_sarif.c, report_junit.c).  Not part
 * of the public API: tools use mls/report.h.
 */
#ifndef MLS_REPORT_PRIV_H
#define MLS_REPORT_PRIV_H

#include <stddef.h>
#include "mls/report.h"

/* One writer per format; each appends to out and returns 0 or a negative code. */
int mls_report_render_text(struct mls_buf *out, const struct mls_report *r, int color);
int mls_report_render_json(struct mls_buf *out, const struct mls_report *r);
int mls_report_render_sarif(struct mls_buf *out, const struct mls_report *r);
int mls_report_render_junit(struct mls_buf *out, const struct mls_report *r);

/* Stable merge sort (qsort's signature); returns 0 or MLS_ENOMEM. */
int mls_report_stable_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Counts files per mls_file_status (files[4]) and findings per severity (sev[5]). */
void mls_report_counts(const struct mls_report *r, size_t files[4], size_t sev[5]);

/* Seconds between started_at and finished_at (0 when either is missing). */
double mls_report_duration(const struct mls_report *r);

/* "path" as a SARIF artifactLocation.uri: a relative path becomes a
 * percent-encoded relative reference ("./" prefixes dropped), an absolute
 * one a file:// URI.  NULL or "" becomes ".". */
int mls_report_path_uri(struct mls_buf *out, const char *path);

/* The string shown for a missing path (findings/errors of the whole run). */
#define MLS_REPORT_RUN_NAME "(run)"

#endif
