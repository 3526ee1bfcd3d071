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

