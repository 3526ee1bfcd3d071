/*
 * The report model every tool fills and the four writers (text, JSON in the
 * DESIGN.md envelope, SARIF 2.1.0, JUnit XML).  Adding files/findings/errors
 * is thread-safe.  Untrusted strings are escaped by each writer for its
 * format.  Reports written to a path are written atomically.
 */
#ifndef MLS_REPORT_H
#define MLS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include "buf.h"
#include "opt.h"

#define MLS_REPORT_SCHEMA "mlsecops-report/1"

enum mls_severity { MLS_SEV_INFO = 0, MLS_SEV_LOW, MLS_SEV_MEDIUM, MLS_SEV_HIGH, MLS_SEV_CRITICAL };
const char *mls_severity_name(enum mls_severity s);            /* "critical"... */
int mls_severity_parse(enum mls_severity *out, const char *s); /* accepts the names, case-insensitive */

enum mls_file_status {
	MLS_FILE_SCANNED = 0,   /* fully examined */
	MLS_FILE_SKIPPED,       /* deliberately not examined (unsupported kind): does not make the report incomplete */
	MLS_FILE_INCOMPLETE,    /* examined in part (a limit, an undecodable part): report incomplete */
	MLS_FILE_FAILED         /* could not be examined (unreadable, corrupt): report incomplete */
};
const char *mls_file_status_name(enum mls_file_status s);

enum mls_report_status { MLS_STATUS_COMPLETE = 0, MLS_STATUS_INCOMPLETE, MLS_STATUS_ERROR };
enum mls_verdict { MLS_VERDICT_CLEAN = 0, MLS_VERDICT_FINDINGS, MLS_VERDICT_UNKNOWN };
const char *mls_report_status_name(enum mls_report_status s);
const char *mls_verdict_name(enum mls_verdict v);

struct mls_kv { char *key; char *value; };

struct mls_report_file {
	char *path;
	uint64_t size;
	char *sha256;     /* may be NULL */
	char *format;     /* "pickle", "pytorch-zip", ... may be NULL */
	enum mls_file_status status;
	char *reason;     /* may be NULL */
};

struct mls_finding {
	char *id;         /* stable rule code: "MS-PICKLE-001" */
	char *rule;       /* short rule name: "dangerous-global" */
	enum mls_severity severity;
	char *path;       /* file */
	char *location;   /* "member archive/data.pkl, offset 1234" */
	char *message;    /* one line */
	char *evidence;   /* e.g. "os.system"; may be NULL */
	struct mls_kv *details; /* extra key/values, written under "details" */
	size_t ndetails;
	uint64_t order;   /* insertion order, for stable sorting */
};

struct mls_report_error { char *path; char *message; };

struct mls_rule_info { char *id; char *name; char *description; char *help_uri; enum mls_severity severity; };

/* Writes tool-specific top-level JSON fields; gen is a yajl_gen. */
typedef void (*mls_report_extra_fn)(void *gen, void *ctx);

struct mls_report {
	char *tool_name, *tool_version, *target;
	char started_at[40], finished_at[40];
	struct mls_report_file *files; size_t nfiles, capfiles;
	struct mls_finding *findings; size_t nfindings, capfindings;
	struct mls_report_error *errors; size_t nerrors, caperrors;
	struct mls_rule_info *rules; size_t nrules, caprules;
	struct mls_kv *props; size_t nprops, capprops;   /* written under "properties" */
	enum mls_report_status status;
	enum mls_verdict verdict;
	enum mls_severity threshold;
	int fatal;        /* set by mls_report_set_fatal: the tool could not run at all */
	mls_report_extra_fn extra_fn; void *extra_ctx;
	pthread_mutex_t lock;
};

int mls_report_new(struct mls_report **out, const char *tool, const char *version, const char *target);
void mls_report_free(struct mls_report *r);

/* Returns the new file's index (>= 0) or a negative code. */
long mls_report_add_file(struct mls_report *r, const char *path, uint64_t size, const char *sha256,
			 const char *format, enum mls_file_status status, const char *reason);
/* Updates a file's status; a worse status (failed > incomplete > skipped > scanned) wins and replaces
 * the reason; the same status appends a new reason ("a; b"); a better one is ignored. */
void mls_report_file_status(struct mls_report *r, long idx, enum mls_file_status status, const char *reason);
void mls_report_file_set(struct mls_report *r, long idx, const char *sha256, const char *format);

/* Returns the new finding's index or a negative code.  location/evidence may be NULL. */
long mls_report_add_finding(struct mls_report *r, const char *id, const char *rule, enum mls_severity sev,
			    const char *path, const char *location, const char *message, const char *evidence);
int mls_report_finding_detail(struct mls_report *r, long idx, const char *key, const char *value);
int mls_report_add_error(struct mls_report *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mls_report_add_rule(struct mls_report *r, const char *id, const char *name, const char *description,
			const char *help_uri, enum mls_severity default_sev);
int mls_report_set_property(struct mls_report *r, const char *key, const char *value);
void mls_report_set_extra(struct mls_report *r, mls_report_extra_fn fn, void *ctx);
void mls_report_set_fatal(struct mls_report *r); /* status error: nothing could be examined */

/* Stamps finished_at, sorts files (by path) and findings (by path, then order),
 * so indices returned by the add functions are stale afterwards,
 * and computes status and verdict for the given threshold:
 *   status  = error if fatal; incomplete if any file failed/incomplete or any error; else complete
 *   verdict = unknown unless complete; findings if any finding >= threshold; else clean */
void mls_report_finish(struct mls_report *r, enum mls_severity threshold);
/* Exit code: 1 if any finding >= threshold (even when incomplete); else 2 if
 * status is not complete; else 0.  (shared/DESIGN.md) */
int mls_report_exit_code(const struct mls_report *r);
size_t mls_report_count_at_least(const struct mls_report *r, enum mls_severity sev);

enum mls_format { MLS_FMT_TEXT = 0, MLS_FMT_JSON, MLS_FMT_SARIF, MLS_FMT_JUNIT };
int mls_format_parse(enum mls_format *out, const char *s); /* text|console|json|sarif|junit */
const char *mls_format_name(enum mls_format f);

/* Renders into out (appended). */
int mls_report_render(struct mls_buf *out, const struct mls_report *r, enum mls_format fmt, int color);
/* Writes to path atomically (temp + rename), or to stdout when path is NULL or "-". */
int mls_report_write(const struct mls_report *r, enum mls_format fmt, const char *path);

/* Shared output options: --format, -o/--output, --json, --sarif, --junit, --fail-on. */
#define MLS_OPT_REPORT_BASE 9200
enum {
	MLS_OPT_FORMAT = MLS_OPT_REPORT_BASE,
	MLS_OPT_OUTPUT,
	MLS_OPT_JSON_OUT,
	MLS_OPT_SARIF_OUT,
	MLS_OPT_JUNIT_OUT,
	MLS_OPT_FAIL_ON
};
extern const struct mls_opt mls_report_opts[];

struct mls_output_opts {
	enum mls_format format;       /* main report format (default text) */
	const char *output;           /* -o FILE; NULL = stdout */
	const char *json_path, *sarif_path, *junit_path; /* extra reports, written too */
	enum mls_severity fail_on;    /* default medium */
};
void mls_output_opts_init(struct mls_output_opts *o);
/* 1 if id was an output option (applied), 0 if not, <0 on a bad value (message set). */
int mls_output_apply_opt(struct mls_output_opts *o, int id, const char *arg);
/* Writes the main report (format to -o or stdout) and every extra report. */
int mls_report_write_outputs(const struct mls_report *r, const struct mls_output_opts *o);

#endif
