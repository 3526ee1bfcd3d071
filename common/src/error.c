/* Thread-local error message store (see mls/error.h). */
#include <stdio.h>
#include <string.h>
#include "mls/error.h"

static _Thread_local char err_msg[1024];
static _Thread_local int err_code;

int mls_error_setv(int code, const char *fmt, va_list ap)
{
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	err_code = code;
	return code;
}

int mls_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mls_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

void mls_error_prefix(const char *fmt, ...)
{
	char prefix[512], old[sizeof(err_msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err_msg, sizeof(old));
	if (old[0])
		snprintf(err_msg, sizeof(err_msg), "%s: %s", prefix, old);
	else
		snprintf(err_msg, sizeof(err_msg), "%s", prefix);
}

const char *mls_error_msg(void)
{
	return err_msg[0] ? err_msg : mls_strerror(err_code);
}

int mls_error_code(void)
{
	return err_code;
}

void mls_error_clear(void)
{
	err_msg[0] = '\0';
	err_code = 0;
}

const char *mls_strerror(int code)
{
	switch (code) {
	case MLS_OK: return "";
	case MLS_ENOMEM: return "out of memory";
	case MLS_EIO: return "input/output error";
	case MLS_EINVAL: return "invalid argument";
	case MLS_EFORMAT: return "corrupt or unrecognised data";
	case MLS_ELIMIT: return "limit reached";
	case MLS_ENOTFOUND: return "not found";
	case MLS_EUNSUPPORTED: return "not supported";
	case MLS_ENET: return "network error";
	case MLS_ESERVER: return "server error";
	case MLS_EAUTH: return "authentication or permission refused";
	case MLS_EUNSAFE: return "refused as unsafe";
	case MLS_ECANCELED: return "canceled";
	default: return "unknown error";
	}
}
