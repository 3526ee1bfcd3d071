/*
 * Errors and exit codes shared by every mlsecops tool.
 *
 * Library functions return 0 on success or a negative MLS_E* code; the
 * human-readable detail of the most recent failure on this thread is kept in
 * a thread-local message store (mls_error_set / mls_error_msg).  Only a
 * tool's main.c turns outcomes into process exit codes (shared/DESIGN.md).
 */
#ifndef MLS_ERROR_H
#define MLS_ERROR_H

#include <stdarg.h>

enum mls_err {
	MLS_OK = 0,
	MLS_ENOMEM = -1,   /* allocation failed or a buffer hit its hard maximum */
	MLS_EIO = -2,      /* read/write/open failed (errno detail in the message) */
	MLS_EINVAL = -3,   /* bad argument or value */
	MLS_EFORMAT = -4,  /* input is corrupt or not the expected format */
	MLS_ELIMIT = -5,   /* a configured limit (bytes, depth, members, time...) was reached */
	MLS_ENOTFOUND = -6,/* a file, key or object does not exist */
	MLS_EUNSUPPORTED = -7, /* recognised but not supported (e.g. encrypted member) */
	MLS_ENET = -8,     /* network / transport failure */
	MLS_ESERVER = -9,  /* a server answered with an error */
	MLS_EAUTH = -10,   /* authentication or permission refused */
	MLS_EUNSAFE = -11, /* refused for safety (path escapes root, symlink out of root) */
	MLS_ECANCELED = -12
};

/* Process exit codes, exactly as shared/DESIGN.md defines them. */
enum mls_exit {
	MLS_EXIT_OK = 0,       /* finished; nothing at or above the threshold */
	MLS_EXIT_FINDINGS = 1, /* finished; findings at or above the threshold */
	MLS_EXIT_ERROR = 2,    /* could not finish; never "clean" */
	MLS_EXIT_NOTHING = 3,  /* nothing to do (no supported file) */
	MLS_EXIT_USAGE = 4     /* usage error */
};

/* Records code + formatted message for this thread; returns code (so callers
 * can write `return mls_error_set(MLS_EIO, "cannot open '%s': %s", p, strerror(errno));`). */
int mls_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mls_error_setv(int code, const char *fmt, va_list ap);
/* Prefixes the current message with "prefix: " (context added by callers). */
void mls_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message set on this thread ("" if none); valid until the next set. */
const char *mls_error_msg(void);
int mls_error_code(void);
void mls_error_clear(void);
/* A short generic description of a code ("out of memory", "limit reached"...). */
const char *mls_strerror(int code);

#endif
