/* Path helpers that refuse to escape a root (see mls/path.h). */
#include <ctype.h>
#include <string.h>
#include "mls/error.h"
#include "mls/path.h"

int mls_path_is_safe_relative(const char *name)
{
	if (!name || !name[0] || name[0] == '/' || name[0] == '\\')
		return 0;
	if (isalpha((unsigned char)name[0]) && name[1] == ':')
		return 0; /* C:\x or C:x */
	int depth = 0;
	const char *p = name;
	while (*p) {
		size_t n = strcspn(p, "/\\");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n == 1 && p[0] == '.') {
			/* stays */
		} else if (n > 0) {
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
					return 0;
			depth++;
		}
		p += n;
		if (*p)
			p++;
	}
	return 1;
}

int mls_path_join(struct mls_buf *out, const char *a, const char *b)
{
	if (!mls_path_is_safe_relative(b))
		return mls_error_set(MLS_EUNSAFE, "path '%s' escapes its root", b ? b : "");
	size_t al = strlen(a);
	int rc = mls_buf_append(out, a, al);
	if (rc < 0)
		return rc;
	if (al && a[al - 1] != '/' && (rc = mls_buf_putc(out, '/')) < 0)
		return rc;
	while (b[0] == '.' && b[1] == '/')
		b += 2;
	return mls_buf_puts(out, b);
}

const char *mls_path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return path;
	if (s[1] == '\0') {
		/* trailing slash: find the component before it */
		const char *e = s;
		while (e > path && *e == '/')
			e--;
		const char *st = e;
		while (st > path && st[-1] != '/')
			st--;
		return st;
	}
	return s + 1;
}

void mls_path_ext(char *out, size_t outsz, const char *path)
{
	const char *base = mls_path_basename(path);
	const char *dot = strrchr(base, '.');
	size_t i = 0;
	if (dot && dot != base) {
		for (const char *p = dot + 1; *p && *p != '/' && i + 1 < outsz; p++)
			out[i++] = (char)tolower((unsigned char)*p);
	}
	if (outsz)
		out[i] = '\0';
}

int mls_path_is_within(const char *root, const char *inner)
{
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (strncmp(root, inner, rl) != 0)
		return 0;
	if (rl == 1 && root[0] == '/')
		return 1;
	return inner[rl] == '\0' || inner[rl] == '/';
}
