/* Escaping, time stamps, atomic writes, file reads and a parallel-for (see mls/util.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "mls/error.h"
#include "mls/util.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
	else return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int mls_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int mls_utf8_sanitize(struct mls_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;
	int rc = 0;
	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		if ((rc = mls_buf_append(out, s + start, i - start)) < 0 || (rc = mls_buf_puts(out, "\xef\xbf\xbd")) < 0)
			return rc;
		i++;
		start = i;
	}
	return mls_buf_append(out, s + start, i - start);
}

int mls_escape_term(struct mls_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;
	int rc = 0;
	while (i < len && rc == 0) {
		size_t n = utf8_seq(p + i, len - i);
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f) && p[i] != '\t') {
			rc = mls_buf_printf(out, "\\x%02x", p[i]);
			i++;
		} else if (n == 0) {
			rc = mls_buf_printf(out, "\\x%02x", p[i]);
			i++;
		} else if (n == 2 && p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			/* C1 controls (CSI = U+009B) can drive terminals too */
			rc = mls_buf_printf(out, "\\u%04x", p[i + 1]);
			i += 2;
		} else {
			rc = mls_buf_append(out, p + i, n);
			i += n;
		}
	}
	return rc;
}

int mls_escape_xml(struct mls_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;
	int rc = 0;
	while (i < len && rc == 0) {
		size_t n = utf8_seq(p + i, len - i);
		unsigned char c = p[i];
		if (n == 0) {
			rc = mls_buf_puts(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (n == 1) {
			switch (c) {
			case '&': rc = mls_buf_puts(out, "&amp;"); break;
			case '<': rc = mls_buf_puts(out, "&lt;"); break;
			case '>': rc = mls_buf_puts(out, "&gt;"); break;
			case '"': rc = mls_buf_puts(out, "&quot;"); break;
			case '\'': rc = mls_buf_puts(out, "&apos;"); break;
			case '\t': rc = mls_buf_puts(out, "&#9;"); break;
			case '\n': rc = mls_buf_puts(out, "&#10;"); break;
			case '\r': rc = mls_buf_puts(out, "&#13;"); break;
			default:
				if (c < 0x20 || c == 0x7f)
					rc = mls_buf_printf(out, "\\x%02x", c);
				else
					rc = mls_buf_putc(out, (char)c);
			}
			i++;
			continue;
		}
		/* U+FFFE / U+FFFF are not XML characters */
		if (n == 3 && c == 0xef && p[i + 1] == 0xbf && (p[i + 2] == 0xbe || p[i + 2] == 0xbf))
			rc = mls_buf_puts(out, "\xef\xbf\xbd");
		else
			rc = mls_buf_append(out, p + i, n);
		i += n;
	}
	return rc;
}

void mls_time_rfc3339(char out[40])
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03ldZ", base, (long)(tv.tv_usec / 1000));
}

/* Where the data of `path` really goes: a symlink to a regular file is
 * resolved (the link stays a link); anything that is not a regular file
 * (a FIFO, a device such as /dev/stdout, a dangling link) is written in
 * place, never renamed over.  Returns the final path (malloc'd) or NULL
 * for "write in place". */
static char *atomic_target(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return strdup(path); /* a new file */
	if (S_ISREG(st.st_mode))
		return strdup(path);
	if (S_ISLNK(st.st_mode)) {
		char *r = realpath(path, NULL);
		if (r && stat(r, &st) == 0 && S_ISREG(st.st_mode))
			return r;
		free(r);
	}
	return NULL;
}

int mls_atomic_open(struct mls_atomic *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	char *target = atomic_target(path);
	if (!target) {
		/* write in place: special files cannot be replaced atomically */
		a->fp = fopen(path, "wb");
		if (!a->fp)
			return mls_error_set(MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
		a->path = strdup(path);
		if (!a->path) {
			fclose(a->fp);
			a->fp = NULL;
			return mls_error_set(MLS_ENOMEM, "out of memory");
		}
		return 0;
	}
	size_t l = strlen(target) + 16;
	a->path = target;
	a->tmp = malloc(l);
	if (!a->tmp) {
		free(a->path);
		a->path = NULL;
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	snprintf(a->tmp, l, "%s.tmp.XXXXXX", target);
	int fd = mkstemp(a->tmp);
	if (fd < 0) {
		int e = errno;
		free(a->path);
		free(a->tmp);
		a->path = a->tmp = NULL;
		return mls_error_set(MLS_EIO, "cannot create '%s': %s", path, strerror(e));
	}
	fchmod(fd, 0644);
	a->fp = fdopen(fd, "wb");
	if (!a->fp) {
		close(fd);
		mls_atomic_abort(a);
		return mls_error_set(MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
	}
	return 0;
}

int mls_atomic_commit(struct mls_atomic *a)
{
	int rc = 0;
	if (!a->fp)
		return mls_error_set(MLS_EINVAL, "atomic write not open");
	if (fflush(a->fp) != 0 || ferror(a->fp))
		rc = mls_error_set(MLS_EIO, "cannot write '%s': %s", a->path, strerror(errno));
	/* fsync fails with EINVAL on pipes and character devices: only the data's arrival matters there */
	if (rc == 0 && fsync(fileno(a->fp)) != 0 && errno != EINVAL && errno != EROFS)
		rc = mls_error_set(MLS_EIO, "cannot write '%s': %s", a->path, strerror(errno));
	if (fclose(a->fp) != 0 && rc == 0)
		rc = mls_error_set(MLS_EIO, "cannot write '%s': %s", a->path, strerror(errno));
	a->fp = NULL;
	if (rc == 0 && a->tmp && rename(a->tmp, a->path) != 0)
		rc = mls_error_set(MLS_EIO, "cannot rename to '%s': %s", a->path, strerror(errno));
	if (rc < 0 && a->tmp)
		unlink(a->tmp);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	return rc;
}

void mls_atomic_abort(struct mls_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	free(a->path);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
}

int mls_write_file_atomic(const char *path, const void *data, size_t len)
{
	struct mls_atomic a;
	int rc = mls_atomic_open(&a, path);
	if (rc < 0)
		return rc;
	if (len && fwrite(data, 1, len, a.fp) != len) {
		int e = errno;
		mls_atomic_abort(&a);
		return mls_error_set(MLS_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	return mls_atomic_commit(&a);
}

int mls_read_file(struct mls_buf *out, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return mls_error_set(MLS_EINVAL, "cannot read '%s': not a regular file", path);
	}
	size_t total = 0;
	int rc = 0;
	char tmp[65536];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = mls_error_set(MLS_EIO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (total + (size_t)n > max) {
			rc = mls_error_set(MLS_ELIMIT, "'%s' is larger than the %zu byte limit", path, max);
			break;
		}
		if ((rc = mls_buf_append(out, tmp, (size_t)n)) < 0)
			break;
		total += (size_t)n;
	}
	close(fd);
	return rc;
}

struct pfor {
	size_t n;
	atomic_size_t next;
	int (*fn)(size_t, void *);
	void *ctx;
	atomic_int first_err;
};

static void *pfor_worker(void *arg)
{
	struct pfor *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		int rc = p->fn(i, p->ctx);
		if (rc < 0) {
			int zero = 0;
			atomic_compare_exchange_strong(&p->first_err, &zero, rc);
		}
	}
	return NULL;
}

int mls_parallel_for(size_t n, int jobs, int (*fn)(size_t i, void *ctx), void *ctx)
{
	struct pfor p = { .n = n, .fn = fn, .ctx = ctx };
	atomic_init(&p.next, 0);
	atomic_init(&p.first_err, 0);
	if (jobs > 256)
		jobs = 256;
	if ((size_t)jobs > n)
		jobs = (int)n;
	if (jobs <= 1) {
		pfor_worker(&p);
		return atomic_load(&p.first_err);
	}
	pthread_t th[256];
	int started = 0;
	for (int i = 0; i < jobs; i++) {
		if (pthread_create(&th[i], NULL, pfor_worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0)
		pfor_worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return atomic_load(&p.first_err);
}

int mls_array_reserve(void *arrp, size_t *cap, size_t n, size_t elem_size, size_t initial)
{
	void **arr = arrp;
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : (initial ? initial : 16);
	if (nc <= n || nc > SIZE_MAX / elem_size)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	void *p = realloc(*arr, nc * elem_size);
	if (!p)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	*arr = p;
	*cap = nc;
	return 0;
}

int mls_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (int)n;
}

int mls_use_color(int fd)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && nc[0])
		return 0;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}
