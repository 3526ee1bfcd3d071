/* stderr logging with levels, colour and escaping (see mls/log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mls/buf.h"
#include "mls/log.h"
#include "mls/util.h"

static const char *log_tool = "mlsecops";
static enum mls_log_level log_level = MLS_LOG_WARN;
static int log_color = -1;

void mls_log_init(const char *tool_name)
{
	log_tool = tool_name;
	log_color = mls_use_color(STDERR_FILENO);
}

void mls_log_set_level(enum mls_log_level level)
{
	log_level = level;
}

enum mls_log_level mls_log_get_level(void)
{
	return log_level;
}

const char *mls_log_tool(void)
{
	return log_tool;
}

int mls_log_color_enabled(void)
{
	if (log_color < 0)
		log_color = mls_use_color(STDERR_FILENO);
	return log_color;
}

void mls_log(enum mls_log_level level, const char *fmt, ...)
{
	if (level > log_level || level == MLS_LOG_QUIET)
		return;
	char raw[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);

	struct mls_buf msg;
	mls_buf_init(&msg, 64 * 1024);
	if (mls_escape_term(&msg, raw) < 0)
		mls_buf_puts(&msg, "(message could not be escaped)");

	const char *label = "", *color = "";
	switch (level) {
	case MLS_LOG_ERROR: label = ""; color = "\033[31m"; break;
	case MLS_LOG_WARN: label = "warning: "; color = "\033[33m"; break;
	case MLS_LOG_INFO: label = ""; color = ""; break;
	case MLS_LOG_DEBUG: label = "debug: "; color = "\033[2m"; break;
	default: break;
	}
	int c = mls_log_color_enabled() && color[0];
	/* One fprintf call so lines from several threads do not interleave. */
	fprintf(stderr, "%s%s: %s%s%s\n", c ? color : "", log_tool, label, mls_buf_cstr(&msg), c ? "\033[0m" : "");
	mls_buf_release(&msg);
}

static int is_secret_param(const char *name, size_t len)
{
	static const char *const words[] = { "token", "password", "passwd", "secret", "key", "auth", "signature", "sig" };
	for (size_t i = 0; i < MLS_ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i]);
		for (size_t j = 0; j + wl <= len; j++)
			if (strncasecmp(name + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

void mls_redact_url(char *out, size_t outsz, const char *url)
{
	struct mls_buf b;
	mls_buf_init(&b, 64 * 1024);
	const char *p = url ? url : "";
	const char *scheme = strstr(p, "://");
	const char *auth_start = scheme ? scheme + 3 : p;
	const char *end_auth = auth_start + strcspn(auth_start, "/?#");
	const char *at = NULL;
	for (const char *q = auth_start; q < end_auth; q++)
		if (*q == '@')
			at = q;
	if (at) {
		mls_buf_append(&b, p, (size_t)(auth_start - p));
		mls_buf_puts(&b, "***@");
		p = at + 1;
	}
	const char *qm = strchr(p, '?');
	if (!qm) {
		mls_buf_puts(&b, p);
	} else {
		mls_buf_append(&b, p, (size_t)(qm + 1 - p));
		const char *s = qm + 1;
		while (*s && *s != '#') {
			size_t n = strcspn(s, "&#");
			const char *eq = memchr(s, '=', n);
			if (eq && is_secret_param(s, (size_t)(eq - s))) {
				mls_buf_append(&b, s, (size_t)(eq + 1 - s));
				mls_buf_puts(&b, "***");
			} else {
				mls_buf_append(&b, s, n);
			}
			s += n;
			if (*s == '&') {
				mls_buf_putc(&b, '&');
				s++;
			}
		}
		mls_buf_puts(&b, s);
	}
	snprintf(out, outsz, "%s", mls_buf_cstr(&b));
	mls_buf_release(&b);
}
