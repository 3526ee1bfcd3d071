/* Bounded growable buffer (see mls/buf.h). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mls/buf.h"
#include "mls/error.h"

void mls_buf_init(struct mls_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : MLS_BUF_DEFAULT_MAX;
}

void mls_buf_release(struct mls_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mls_buf_reset(struct mls_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int mls_buf_reserve(struct mls_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return mls_error_set(MLS_ENOMEM, "buffer limit of %zu bytes reached", b->max);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = realloc(b->data, cap);
	if (!p)
		return mls_error_set(MLS_ENOMEM, "out of memory (%zu bytes)", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int mls_buf_append(struct mls_buf *b, const void *data, size_t len)
{
	int rc = mls_buf_reserve(b, len);
	if (rc < 0)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int mls_buf_puts(struct mls_buf *b, const char *s)
{
	return mls_buf_append(b, s, strlen(s));
}

int mls_buf_putc(struct mls_buf *b, char c)
{
	return mls_buf_append(b, &c, 1);
}

int mls_buf_vprintf(struct mls_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return mls_error_set(MLS_EINVAL, "bad format string");
	int rc = mls_buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int mls_buf_printf(struct mls_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = mls_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *mls_buf_cstr(const struct mls_buf *b)
{
	return b->data ? b->data : "";
}

char *mls_buf_detach(struct mls_buf *b, size_t *len)
{
	char *d = b->data;
	if (!d)
		d = calloc(1, 1);
	if (len)
		*len = b->len;
	mls_buf_init(b, b->max);
	return d;
}
