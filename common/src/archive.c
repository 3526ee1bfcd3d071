/*
 * Thin wrapper over libarchive's reader with the limits enforced
 * (see mls/archive.h for the contract).
 *
 * What is enabled:
 * - formats: 7zip, ar, cab, cpio, empty, iso9660, lha, rar, rar5, tar, warc,
 *   xar and zip (seekable by central directory when the input can seek,
 *   streaming by local headers otherwise or with MLS_ARCHIVE_ZIP_STREAMING);
 *   "raw" only with MLS_ARCHIVE_RAW.  mtree is left out on purpose: its
 *   reader opens the files an mtree text names on the local disk, which
 *   would let an untrusted input pull /etc/shadow into a report.
 * - filters: gzip, bzip2, xz, lzma, lzip, zstd, lz4, compress, uu, rpm.
 *   lrzip, lzop and grzip are left out: libarchive runs them as external
 *   programs, and we never start a process on untrusted input.
 *
 * Limits: members (max_members), entry data read out of the whole archive
 * (max_decompressed_bytes; stored members count too), the ratio of that
 * total to the compressed input consumed (max_ratio, once more than 1 MiB was
 * produced) and wall time (max_seconds, also checked in the read callback so
 * a long decompression inside libarchive stops too).  A limit, an I/O error
 * or a fatal format error is sticky: every later call returns it again.
 *
 * Names come out as UTF-8 whatever the process locale: libarchive converts
 * names (zip's UTF-8 flag, pax) to the current locale's charset and gives up
 * on non-ASCII ones in the "C" locale, so every libarchive call here runs
 * under a thread-local C.UTF-8 locale (uselocale) when the system has one.
 *
 * Skipping an unread member can cost a full decompression (a gzip-filtered
 * tar, a 7z solid block, a streaming zip member without sizes), which the
 * limits would not see if libarchive did it internally; so in those cases
 * mls_archive_next() drains the rest of the member itself, through the same
 * counting read.  Where skipping is a seek (plain tar, seekable zip) it is
 * left to libarchive.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include <archive.h>
#include <archive_entry.h>

#include "mls/error.h"
#include "mls/archive.h"
#include "mls/banned.h"

#define CHUNK ((size_t)64 << 10)
#define RATIO_FLOOR ((uint64_t)1 << 20) /* ratio checked only past 1 MiB of output */

struct mls_archive {
	struct archive *a;
	struct archive_entry *cur;
	struct mls_limits lim;
	struct mls_deadline deadline;
	unsigned flags;

	/* input: an fd (owned or not) or a memory block */
	int fd;
	int own_fd;
	off_t base;         /* fd offset at open; seeks are relative to it */
	int seekable;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	unsigned char *rbuf; /* read callback buffer (fd input) */
	unsigned char *scratch; /* draining */

	int io_errno;       /* set by the callbacks: read error */
	int timed_out;      /* set by the callbacks: deadline passed */
	int sticky;         /* a fatal error code returned by every later call */
	int opened;         /* archive_read_open1 succeeded (a format was chosen) */
	int eof;            /* the end was reached: next keeps returning 1 */

	uint64_t members;   /* headers read */
	uint64_t total;     /* entry data bytes produced */
	int in_data;        /* current entry's data not read to its end */
	int cur_encrypted;
	enum mls_archive_entry_type cur_type;
	char *wname;        /* UTF-8 copy of a wide-only pathname */

	struct mls_archive *parent; /* mls_archive_open_nested */
	unsigned depth;     /* 0 for a top-level archive */
	uint64_t nested_total; /* output of archives nested in this one */
};

/* ---- locale ---- */

static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8_loc)
		utf8_loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
}

/* Switches this thread to the UTF-8 locale; returns what to restore (0 = nothing). */
static locale_t loc_enter(void)
{
	pthread_once(&utf8_once, utf8_init);
	return utf8_loc ? uselocale(utf8_loc) : (locale_t)0;
}

static void loc_leave(locale_t old)
{
	if (old)
		uselocale(old);
}

/* ---- input callbacks ---- */

static int time_up(struct mls_archive *m)
{
	if (!mls_deadline_passed(&m->deadline))
		return 0;
	m->timed_out = 1;
	return 1;
}

static la_ssize_t fd_read(struct archive *ar, void *ud, const void **buf)
{
	struct mls_archive *m = ud;
	ssize_t n;

	if (time_up(m)) {
		archive_set_error(ar, ETIMEDOUT, "time limit reached");
		return -1;
	}
	do
		n = read(m->fd, m->rbuf, CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		m->io_errno = errno;
		archive_set_error(ar, errno, "read error: %s", strerror(errno));
		return -1;
	}
	*buf = m->rbuf;
	return n;
}

static la_int64_t fd_skip(struct archive *ar, void *ud, la_int64_t request)
{
	struct mls_archive *m = ud;
	off_t cur, end;

	(void)ar;
	if (!m->seekable || request <= 0)
		return 0; /* libarchive reads and discards instead */
	cur = lseek(m->fd, 0, SEEK_CUR);
	end = lseek(m->fd, 0, SEEK_END);
	if (cur < 0 || end < 0 || lseek(m->fd, cur, SEEK_SET) < 0)
		return 0;
	if (request > end - cur)
		request = end - cur;
	if (lseek(m->fd, cur + request, SEEK_SET) < 0)
		return 0;
	return request;
}

static la_int64_t fd_seek(struct archive *ar, void *ud, la_int64_t offset, int whence)
{
	struct mls_archive *m = ud;
	off_t r;

	if (whence == SEEK_SET)
		r = lseek(m->fd, m->base + offset, SEEK_SET);
	else
		r = lseek(m->fd, offset, whence);
	if (r < 0 || r < m->base) {
		archive_set_error(ar, errno ? errno : EINVAL, "seek error");
		return ARCHIVE_FATAL;
	}
	return r - m->base;
}

/* Memory input is handed out in CHUNK slices (no copy) so the ratio and the
 * deadline are measured as decompression proceeds. */
static la_ssize_t mem_read(struct archive *ar, void *ud, const void **buf)
{
	struct mls_archive *m = ud;
	size_t n = m->mem_len - m->mem_pos;

	if (time_up(m)) {
		archive_set_error(ar, ETIMEDOUT, "time limit reached");
		return -1;
	}
	if (n > CHUNK)
		n = CHUNK;
	*buf = m->mem + m->mem_pos;
	m->mem_pos += n;
	return (la_ssize_t)n;
}

static la_int64_t mem_skip(struct archive *ar, void *ud, la_int64_t request)
{
	struct mls_archive *m = ud;
	size_t left = m->mem_len - m->mem_pos;

	(void)ar;
	if (request <= 0)
		return 0;
	if ((uint64_t)request > left)
		request = (la_int64_t)left;
	m->mem_pos += (size_t)request;
	return request;
}

static la_int64_t mem_seek(struct archive *ar, void *ud, la_int64_t offset, int whence)
{
	struct mls_archive *m = ud;
	la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (la_int64_t)m->mem_pos
			: (la_int64_t)m->mem_len;

	if (offset > (la_int64_t)m->mem_len || base + offset < 0 || base + offset > (la_int64_t)m->mem_len) {
		archive_set_error(ar, EINVAL, "seek outside the input");
		return ARCHIVE_FATAL;
	}
	m->mem_pos = (size_t)(base + offset);
	return (la_int64_t)m->mem_pos;
}

/* ---- errors ---- */

/* Maps a libarchive failure to an MLS_E* code with libarchive's message. */
static int la_error(struct mls_archive *m, const char *what)
{
	const char *msg = archive_error_string(m->a);

	if (m->timed_out)
		return mls_error_set(MLS_ELIMIT, "time limit of %g seconds reached", m->lim.max_seconds);
	if (m->io_errno)
		return mls_error_set(MLS_EIO, "read error: %s", strerror(m->io_errno));
	if (!msg || !*msg)
		msg = "unknown error";
	/* (libarchive crashes on this call when no format was chosen) */
	if (m->opened && archive_read_has_encrypted_entries(m->a) > 0 && (m->cur_encrypted || !m->cur))
		return mls_error_set(MLS_EUNSUPPORTED, "%s: %s (encrypted)", what, msg);
	return mls_error_set(MLS_EFORMAT, "%s: %s", what, msg);
}

static int make_sticky(struct mls_archive *m, int rc)
{
	if (rc < 0)
		m->sticky = rc;
	return rc;
}

/* Re-raises the sticky error, keeping the message set when it happened. */
static int sticky_error(struct mls_archive *m)
{
	if (mls_error_code() != m->sticky || !*mls_error_msg())
		mls_error_set(m->sticky, "archive reading stopped after an earlier error (%s)",
			      mls_strerror(m->sticky));
	return m->sticky;
}

/* ---- open ---- */

static void support_all(struct archive *a, unsigned flags, int seekable)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_filter_uu(a);
	archive_read_support_filter_rpm(a);

	archive_read_support_format_7zip(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_empty(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_warc(a);
	archive_read_support_format_xar(a);
	if ((flags & MLS_ARCHIVE_ZIP_STREAMING) || !seekable)
		archive_read_support_format_zip_streamable(a);
	else
		archive_read_support_format_zip(a); /* seekable wins its bid when the input can seek */
	if (flags & MLS_ARCHIVE_RAW)
		archive_read_support_format_raw(a);
}

/* Finishes opening m (input fields set); on success *out = m, else m is freed. */
static int open_locked(struct mls_archive **out, struct mls_archive *m, const struct mls_limits *l,
		       unsigned flags)
{
	int rc = 0, r;

	*out = NULL;
	if (l)
		m->lim = *l;
	else
		mls_limits_default(&m->lim);
	m->flags = flags;
	if (!m->parent)
		mls_deadline_start(&m->deadline, m->lim.max_seconds);
	m->scratch = malloc(CHUNK);
	if (!m->mem)
		m->rbuf = malloc(CHUNK);
	m->a = archive_read_new();
	if (!m->scratch || (!m->mem && !m->rbuf) || !m->a) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	support_all(m->a, flags, m->seekable);
	archive_read_set_callback_data(m->a, m);
	if (m->mem) {
		archive_read_set_read_callback(m->a, mem_read);
		archive_read_set_skip_callback(m->a, mem_skip);
		archive_read_set_seek_callback(m->a, mem_seek);
	} else {
		archive_read_set_read_callback(m->a, fd_read);
		archive_read_set_skip_callback(m->a, fd_skip);
		if (m->seekable)
			archive_read_set_seek_callback(m->a, fd_seek);
	}
	r = archive_read_open1(m->a);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		rc = la_error(m, "cannot read archive");
		goto done;
	}
	m->opened = 1;
done:
	if (rc < 0) {
		mls_archive_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

static int open_common(struct mls_archive **out, struct mls_archive *m, const struct mls_limits *l,
		       unsigned flags)
{
	locale_t old = loc_enter();
	int rc = open_locked(out, m, l, flags);

	loc_leave(old);
	return rc;
}

static struct mls_archive *archive_alloc(void)
{
	struct mls_archive *m = calloc(1, sizeof(*m));

	if (m)
		m->fd = -1;
	return m;
}

/* Sets up fd input: refuses what is not a regular file, FIFO or socket,
 * enforces max_file_bytes, and notes whether seeking works. */
static int setup_fd(struct mls_archive *m, int fd, const struct mls_limits *l)
{
	struct mls_limits def;
	struct stat st;

	if (!l) {
		mls_limits_default(&def);
		l = &def;
	}
	if (fstat(fd, &st) != 0)
		return mls_error_set(MLS_EIO, "cannot stat: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return mls_error_set(MLS_EINVAL, "is a directory");
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > l->max_file_bytes)
		return mls_error_set(MLS_ELIMIT, "file of %llu bytes is larger than the limit of %llu bytes",
				     (unsigned long long)st.st_size, (unsigned long long)l->max_file_bytes);
	m->fd = fd;
	m->base = S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
	m->seekable = m->base >= 0;
	if (m->base < 0)
		m->base = 0;
	return 0;
}

/* Reads from fd (which stays the caller's; it is read, and seeked when it
 * is a regular file, from its current offset). */
int mls_archive_open_fd(struct mls_archive **out, int fd, const struct mls_limits *l, unsigned flags)
{
	struct mls_archive *m;
	int rc;

	*out = NULL;
	m = archive_alloc();
	if (!m)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	rc = setup_fd(m, fd, l);
	if (rc < 0) {
		mls_archive_free(m);
		return rc;
	}
	return open_common(out, m, l, flags);
}

int mls_archive_open_file(struct mls_archive **out, const char *path, const struct mls_limits *l,
			  unsigned flags)
{
	struct mls_archive *m;
	struct stat st;
	int fd, rc;

	*out = NULL;
	/* O_NONBLOCK so that opening a FIFO cannot hang; cleared for regular files. */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", path,
				     strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mls_error_set(MLS_EINVAL, "cannot read '%s': not a regular file", path);
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	m = archive_alloc();
	if (!m) {
		close(fd);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	m->own_fd = 1;
	rc = setup_fd(m, fd, l);
	if (rc < 0) {
		m->fd = fd;
		mls_archive_free(m);
		return rc;
	}
	return open_common(out, m, l, flags);
}

int mls_archive_open_memory(struct mls_archive **out, const void *data, size_t len, const struct mls_limits *l,
			    unsigned flags)
{
	static const unsigned char empty[1];
	struct mls_archive *m;
	struct mls_limits def;

	*out = NULL;
	if (!l) {
		mls_limits_default(&def);
		l = &def;
	}
	if ((uint64_t)len > l->max_file_bytes)
		return mls_error_set(MLS_ELIMIT, "input of %zu bytes is larger than the limit of %llu bytes", len,
				     (unsigned long long)l->max_file_bytes);
	m = archive_alloc();
	if (!m)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	m->mem = data ? data : empty;
	m->mem_len = data ? len : 0;
	m->seekable = 1;
	return open_common(out, m, l, flags);
}

int mls_archive_open_nested(struct mls_archive **out, struct mls_archive *parent, const void *data, size_t len,
			    unsigned flags)
{
	struct mls_archive *m;
	int rc;

	*out = NULL;
	if (!parent)
		return mls_error_set(MLS_EINVAL, "no parent archive");
	if (parent->sticky)
		return sticky_error(parent);
	if (parent->depth + 1 > parent->lim.max_depth)
		return mls_error_set(MLS_ELIMIT, "archives nested more than %u deep (limit --max-depth)",
				     parent->lim.max_depth);
	if ((uint64_t)len > parent->lim.max_file_bytes)
		return mls_error_set(MLS_ELIMIT, "input of %zu bytes is larger than the limit of %llu bytes", len,
				     (unsigned long long)parent->lim.max_file_bytes);
	m = archive_alloc();
	if (!m)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	m->mem = data ? data : (const unsigned char *)"";
	m->mem_len = data ? len : 0;
	m->seekable = 1;
	m->parent = parent;
	m->depth = parent->depth + 1;
	m->deadline = parent->deadline; /* open_locked keeps it (see below) */
	rc = open_common(out, m, &parent->lim, flags);
	return rc;
}

/* ---- reading ---- */

/* Counts n bytes of output against the limits: this archive's total and
 * ratio, and the decompressed total of every archive it is nested in. */
static int account(struct mls_archive *m, size_t n)
{
	uint64_t in;

	m->total += n;
	if (m->total + m->nested_total > m->lim.max_decompressed_bytes)
		return make_sticky(m, mls_error_set(MLS_ELIMIT,
			"more than %llu bytes decompressed (limit --max-decompressed)",
			(unsigned long long)m->lim.max_decompressed_bytes));
	for (struct mls_archive *p = m->parent; p; p = p->parent) {
		p->nested_total += n;
		if (p->total + p->nested_total > p->lim.max_decompressed_bytes) {
			int rc = mls_error_set(MLS_ELIMIT,
				"more than %llu bytes decompressed including nested archives (limit --max-decompressed)",
				(unsigned long long)p->lim.max_decompressed_bytes);
			make_sticky(p, rc);
			return make_sticky(m, rc);
		}
	}
	if (m->lim.max_ratio > 0 && m->total > RATIO_FLOOR) {
		la_int64_t c = archive_filter_bytes(m->a, -1);
		in = c > 0 ? (uint64_t)c : 1;
		if ((double)m->total / (double)in > m->lim.max_ratio)
			return make_sticky(m, mls_error_set(MLS_ELIMIT,
				"compression ratio above %g (%llu bytes out of %llu; limit --max-ratio)",
				m->lim.max_ratio, (unsigned long long)m->total, (unsigned long long)in));
	}
	return 0;
}

static ssize_t read_data(struct mls_archive *a, void *buf, size_t n)
{
	la_ssize_t r;
	int rc;

	if (!a)
		return mls_error_set(MLS_EINVAL, "no archive");
	if (a->sticky)
		return sticky_error(a);
	if (!a->cur)
		return mls_error_set(MLS_EINVAL, "no current archive member");
	if (!a->in_data || n == 0)
		return 0;
	if (a->cur_encrypted)
		return mls_error_set(MLS_EUNSUPPORTED, "member '%s' is encrypted",
				     archive_entry_pathname(a->cur) ? archive_entry_pathname(a->cur) : "(unnamed)");
	if (time_up(a))
		return make_sticky(a, mls_error_set(MLS_ELIMIT, "time limit of %g seconds reached",
						    a->lim.max_seconds));
	r = archive_read_data(a->a, buf, n);
	if (r < 0) {
		a->in_data = 0;
		rc = la_error(a, "cannot read archive member");
		if (r == ARCHIVE_FATAL || a->timed_out || a->io_errno)
			make_sticky(a, rc);
		return rc;
	}
	if (r == 0) {
		a->in_data = 0;
		return 0;
	}
	rc = account(a, (size_t)r);
	if (rc < 0)
		return rc;
	return r;
}

ssize_t mls_archive_read(struct mls_archive *a, void *buf, size_t n)
{
	locale_t old = loc_enter();
	ssize_t r = read_data(a, buf, n);

	loc_leave(old);
	return r;
}

int mls_archive_read_all(struct mls_archive *a, struct mls_buf *out, size_t max)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = mls_archive_read(a, a ? a->scratch : NULL, CHUNK);
		int rc;

		if (r < 0)
			return (int)r;
		if (r == 0)
			return 0;
		if ((size_t)r > max - got)
			return mls_error_set(MLS_ELIMIT, "archive member larger than %zu bytes", max);
		rc = mls_buf_append(out, a->scratch, (size_t)r);
		if (rc < 0)
			return rc;
		got += (size_t)r;
	}
}

/* 1 when skipping the rest of the current member makes libarchive decompress
 * it (so we drain it ourselves, counted against the limits). */
static int skip_decompresses(struct mls_archive *m)
{
	if (!m->cur || !m->in_data || m->cur_encrypted)
		return 0;
	if (archive_filter_count(m->a) > 1)
		return 1;
	switch (archive_format(m->a) & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_TAR:
	case ARCHIVE_FORMAT_CPIO:
	case ARCHIVE_FORMAT_AR:
	case ARCHIVE_FORMAT_ISO9660:
	case ARCHIVE_FORMAT_EMPTY:
	case ARCHIVE_FORMAT_RAW:
		return 0;
	case ARCHIVE_FORMAT_ZIP:
		return (m->flags & MLS_ARCHIVE_ZIP_STREAMING) || !m->seekable;
	default:
		return 1;
	}
}

/* Appends wide string w to a fresh UTF-8 string (NULL on failure). */
static char *wide_to_utf8(const wchar_t *w)
{
	size_t n = wcslen(w), len = 0;
	char *s = malloc(n * 4 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned long c = (unsigned long)w[i];
		if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			c = 0xFFFD;
		if (c < 0x80) {
			s[len++] = (char)c;
		} else if (c < 0x800) {
			s[len++] = (char)(0xC0 | (c >> 6));
			s[len++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			s[len++] = (char)(0xE0 | (c >> 12));
			s[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[len++] = (char)(0x80 | (c & 0x3F));
		} else {
			s[len++] = (char)(0xF0 | (c >> 18));
			s[len++] = (char)(0x80 | ((c >> 12) & 0x3F));
			s[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[len++] = (char)(0x80 | (c & 0x3F));
		}
	}
	s[len] = '\0';
	return s;
}

static const char *entry_path(struct mls_archive *m, struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);
	const wchar_t *w;

	if (p)
		return p;
	p = archive_entry_pathname_utf8(e);
	if (p)
		return p;
	w = archive_entry_pathname_w(e);
	if (w) {
		free(m->wname);
		m->wname = wide_to_utf8(w);
		if (m->wname)
			return m->wname;
	}
	return "(unnamed)";
}

static int next_entry(struct mls_archive *a, struct mls_archive_entry *e)
{
	struct archive_entry *ent = NULL;
	const char *link = NULL;
	int r;

	if (!a)
		return mls_error_set(MLS_EINVAL, "no archive");
	if (a->sticky)
		return sticky_error(a);
	if (a->eof)
		return 1;
	if (skip_decompresses(a)) {
		ssize_t n;
		while ((n = read_data(a, a->scratch, CHUNK)) > 0)
			;
		if (n < 0)
			return make_sticky(a, (int)n);
	}
	if (time_up(a))
		return make_sticky(a, mls_error_set(MLS_ELIMIT, "time limit of %g seconds reached",
						    a->lim.max_seconds));
	a->cur = NULL;
	a->in_data = 0;
	a->cur_encrypted = 0;
	r = archive_read_next_header(a->a, &ent);
	if (r == ARCHIVE_EOF) {
		a->eof = 1;
		return 1;
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return make_sticky(a, la_error(a, "cannot read archive"));
	if (a->members >= a->lim.max_members)
		return make_sticky(a, mls_error_set(MLS_ELIMIT, "archive has more than %llu members (limit --max-members)",
						    (unsigned long long)a->lim.max_members));
	a->cur = ent;
	a->in_data = 1;
	a->cur_encrypted = archive_entry_is_encrypted(ent) ? 1 : 0;

	memset(e, 0, sizeof(*e));
	/* The raw pseudo-format would take a name from a gzip header; the
	 * contract is one member called "data". */
	e->path = mls_archive_is_raw(a) ? "data" : entry_path(a, ent);
	if (archive_entry_hardlink(ent)) {
		e->type = MLS_AENT_HARDLINK;
		link = archive_entry_hardlink(ent);
	} else {
		switch (archive_entry_filetype(ent)) {
		case AE_IFREG:
		case 0: /* no type recorded: treat as data, so it gets examined */
			e->type = MLS_AENT_FILE;
			break;
		case AE_IFDIR:
			e->type = MLS_AENT_DIR;
			break;
		case AE_IFLNK:
			e->type = MLS_AENT_SYMLINK;
			link = archive_entry_symlink(ent);
			if (!link)
				link = archive_entry_symlink_utf8(ent);
			if (!link)
				link = "";
			break;
		default:
			e->type = MLS_AENT_OTHER;
			break;
		}
	}
	a->cur_type = e->type;
	e->link = link;
	e->size_known = archive_entry_size_is_set(ent) ? 1 : 0;
	e->size = e->size_known && archive_entry_size(ent) > 0 ? (uint64_t)archive_entry_size(ent) : 0;
	e->encrypted = a->cur_encrypted;
	e->index = a->members++;
	return 0;
}

int mls_archive_next(struct mls_archive *a, struct mls_archive_entry *e)
{
	locale_t old = loc_enter();
	int rc = next_entry(a, e);

	loc_leave(old);
	return rc;
}

const char *mls_archive_format_name(struct mls_archive *a)
{
	const char *n = a ? archive_format_name(a->a) : NULL;

	return n ? n : "unknown";
}

int mls_archive_is_raw(struct mls_archive *a)
{
	return a && (archive_format(a->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW;
}

/* libarchive counts the raw input as a filter ("none"); we do not. */
int mls_archive_filter_count(struct mls_archive *a)
{
	int n = a ? archive_filter_count(a->a) : 0;

	return n > 1 ? n - 1 : 0;
}

/* "none" when the input is not compressed. */
const char *mls_archive_filter_name(struct mls_archive *a)
{
	const char *n;

	if (mls_archive_filter_count(a) == 0)
		return "none";
	n = archive_filter_name(a->a, 0);
	return n ? n : "unknown";
}

/* Entry data produced by a, plus that of archives opened nested in it. */
uint64_t mls_archive_decompressed_total(struct mls_archive *a)
{
	return a ? a->total + a->nested_total : 0;
}

void mls_archive_free(struct mls_archive *a)
{
	if (!a)
		return;
	if (a->a)
		archive_read_free(a->a);
	if (a->own_fd && a->fd >= 0)
		close(a->fd);
	free(a->rbuf);
	free(a->scratch);
	free(a->wname);
	free(a);
}
