/* Small helpers shared by the hashsbom modules. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hashsbom.h"

#define HS_MAX_WARNINGS 10000

/* Records one formatted warning (the list keeps at most HS_MAX_WARNINGS). */
void hs_warnings_add(struct hs_warnings *w, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (w->n >= HS_MAX_WARNINGS)
		return;
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 16;
		char **p = realloc(w->v, nc * sizeof(*p));
		if (!p)
			return;
		w->v = p;
		w->cap = nc;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		w->v[w->n++] = s;
}

void hs_warnings_release(struct hs_warnings *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

/*
 * Writes an output file: atomically (temporary file + rename) for a new name
 * or an existing regular file, but through the name for anything a rename
 * would wrongly replace: a symbolic link (/dev/stdout), a device
 * (/dev/null), a FIFO.
 */
int hs_write_output(const char *path, const void *data, size_t len)
{
	struct stat st;
	const char *p = data;
	int fd;

	if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
		return mls_write_file_atomic(path, data, len);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return mls_error_set(MLS_EINVAL, "cannot write '%s': is a directory", path);
	do
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return mls_error_set(MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			return mls_error_set(MLS_EIO, "cannot write '%s': %s", path, strerror(e));
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0)
		return mls_error_set(MLS_EIO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
