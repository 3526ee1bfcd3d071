/*
 * Logging to stderr: "tool: message" lines, optional level prefix and colour.
 * Colour only when stderr is a terminal and NO_COLOR is unset.  Messages are
 * escaped (control characters shown as \xNN) so untrusted names cannot drive
 * the terminal.  Never pass secrets here; use mls_redact_url() for URLs.
 */
#ifndef MLS_LOG_H
#define MLS_LOG_H

#include <stddef.h>

enum mls_log_level { MLS_LOG_QUIET = 0, MLS_LOG_ERROR, MLS_LOG_WARN, MLS_LOG_INFO, MLS_LOG_DEBUG };

void mls_log_init(const char *tool_name);
void mls_log_set_level(enum mls_log_level level);
enum mls_log_level mls_log_get_level(void);
const char *mls_log_tool(void);
int mls_log_color_enabled(void);

void mls_log(enum mls_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mls_err(...) mls_log(MLS_LOG_ERROR, __VA_ARGS__)
#define mls_warn(...) mls_log(MLS_LOG_WARN, __VA_ARGS__)
#define mls_info(...) mls_log(MLS_LOG_INFO, __VA_ARGS__)
#define mls_debug(...) mls_log(MLS_LOG_DEBUG, __VA_ARGS__)

/* Copies url into out (size outsz) with any user:password@ removed and query
 * values of token/password/secret/key parameters replaced by "***". */
void mls_redact_url(char *out, size_t outsz, const char *url);

#endif
