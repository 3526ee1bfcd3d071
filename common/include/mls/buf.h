/*
 * Growable byte buffer with a hard maximum size (curl dynbuf, git strbuf).
 * data is always NUL-terminated after a successful append.  Appending past
 * max fails with MLS_ENOMEM and leaves the buffer unchanged.
 */
#ifndef MLS_BUF_H
#define MLS_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct mls_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define MLS_BUF_DEFAULT_MAX ((size_t)64 << 20)

void mls_buf_init(struct mls_buf *b, size_t max);
void mls_buf_release(struct mls_buf *b);
void mls_buf_reset(struct mls_buf *b);
int mls_buf_reserve(struct mls_buf *b, size_t extra);
int mls_buf_append(struct mls_buf *b, const void *data, size_t len);
int mls_buf_puts(struct mls_buf *b, const char *s);
int mls_buf_putc(struct mls_buf *b, char c);
int mls_buf_printf(struct mls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mls_buf_vprintf(struct mls_buf *b, const char *fmt, va_list ap);
/* Returns data ("" for an empty buffer, never NULL). */
const char *mls_buf_cstr(const struct mls_buf *b);
/* Hands data to the caller (free() it) and re-initialises b. */
char *mls_buf_detach(struct mls_buf *b, size_t *len);

#endif
