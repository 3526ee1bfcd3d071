/* Byte sources for format modules: a file, a memory buffer or an archive entry. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "scanner.h"

static void input_base(struct ms_input *in)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->location = "";
	in->name = "";
	in->size = UINT64_MAX;
}

void ms_input_init_fd(struct ms_input *in, int fd, const char *path, const char *name, uint64_t size)
{
	input_base(in);
	in->fd = fd;
	in->path = path;
	in->name = name ? name : "";
	in->size = size;
}

void ms_input_init_mem(struct ms_input *in, const void *data, size_t len, const char *location, const char *name,
		       int depth)
{
	input_base(in);
	in->mem = data;
	in->mem_len = len;
	in->size = len;
	in->location = location ? location : "";
	in->name = name ? name : "";
	in->depth = depth;
}

void ms_input_init_archive(struct ms_input *in, struct mls_archive *ar, const char *location, const char *name,
			   uint64_t size, int depth)
{
	input_base(in);
	in->ar = ar;
	in->location = location ? location : "";
	in->name = name ? name : "";
	in->size = size;
	in->depth = depth;
}

/* Reads from the underlying source at the current raw position (after head). */
static ssize_t raw_read(struct ms_input *in, void *buf, size_t n, uint64_t at)
{
	if (in->mem) {
		if (at >= in->mem_len)
			return 0;
		size_t k = in->mem_len - (size_t)at < n ? in->mem_len - (size_t)at : n;
		memcpy(buf, in->mem + at, k);
		return (ssize_t)k;
	}
	if (in->ar)
		return mls_archive_read(in->ar, buf, n);
	if (in->fd < 0 && in->read_fn)
		return in->read_fn(in->read_ctx, buf, n);
	if (in->fd < 0)
		return 0;
	for (;;) {
		ssize_t k = pread(in->fd, buf, n, (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return mls_error_set(MLS_EIO, "read error: %s", strerror(errno));
		return k;
	}
}

int ms_input_fill_head(struct ms_input *in)
{
	if (in->head_len || in->eof)
		return 0;
	while (in->head_len < MS_HEAD_MAX) {
		ssize_t k = raw_read(in, in->head + in->head_len, MS_HEAD_MAX - in->head_len, in->head_len);
		if (k < 0)
			return (int)k;
		if (k == 0) {
			in->eof = 1;
			break;
		}
		in->head_len += (size_t)k;
	}
	return 0;
}

ssize_t ms_input_read(struct ms_input *in, void *buf, size_t n)
{
	int rc = ms_input_fill_head(in);
	if (rc < 0)
		return rc;
	if (in->pos < in->head_len) {
		size_t k = in->head_len - (size_t)in->pos;
		if (k > n)
			k = n;
		memcpy(buf, in->head + in->pos, k);
		in->pos += k;
		return (ssize_t)k;
	}
	if (in->eof && !in->mem && !(in->fd >= 0))
		return 0;
	if (in->size != UINT64_MAX && in->pos >= in->size && (in->mem || in->fd >= 0))
		return 0;
	ssize_t k = raw_read(in, buf, n, in->pos);
	if (k > 0)
		in->pos += (uint64_t)k;
	return k;
}

int ms_input_load(struct ms_input *in, struct mls_buf *out, size_t max)
{
	char tmp[65536];
	size_t total = 0;
	for (;;) {
		ssize_t k = ms_input_read(in, tmp, sizeof(tmp));
		if (k < 0)
			return (int)k;
		if (k == 0)
			return 0;
		if (total + (size_t)k > max)
			return mls_error_set(MLS_ELIMIT, "content larger than the %zu byte limit", max);
		int rc = mls_buf_append(out, tmp, (size_t)k);
		if (rc < 0)
			return rc;
		total += (size_t)k;
	}
}

void ms_input_init_stream(struct ms_input *in, ssize_t (*read_fn)(void *, void *, size_t), void *read_ctx,
			  const char *location, const char *name, uint64_t size, int depth)
{
	input_base(in);
	in->read_fn = read_fn;
	in->read_ctx = read_ctx;
	in->location = location ? location : "";
	in->name = name ? name : "";
	in->size = size;
	in->depth = depth;
}

int ms_input_seekable(const struct ms_input *in)
{
	return in->mem != NULL || in->fd >= 0;
}

ssize_t ms_input_pread(struct ms_input *in, void *buf, size_t n, uint64_t off)
{
	if (!ms_input_seekable(in))
		return mls_error_set(MLS_EUNSUPPORTED, "input cannot be re-read");
	return raw_read(in, buf, n, off);
}

int ms_input_skip(struct ms_input *in, uint64_t n)
{
	int rc = ms_input_fill_head(in);
	if (rc < 0)
		return rc;
	if (ms_input_seekable(in) && in->size != UINT64_MAX) {
		if (n > in->size - (in->pos < in->size ? in->pos : in->size))
			return mls_error_set(MLS_EFORMAT, "data ends %llu bytes early",
					     (unsigned long long)(n - (in->size - in->pos)));
		in->pos += n;
		return 0;
	}
	char tmp[65536];
	while (n > 0) {
		ssize_t k = ms_input_read(in, tmp, n < sizeof(tmp) ? (size_t)n : sizeof(tmp));
		if (k < 0)
			return (int)k;
		if (k == 0)
			return mls_error_set(MLS_EFORMAT, "data ends %llu bytes early", (unsigned long long)n);
		n -= (uint64_t)k;
	}
	return 0;
}
