/*
 * joblib files: a pickle whose NumpyArrayWrapper objects are followed
 * inline by their array bytes (or, for object arrays, by another pickle),
 * plain or compressed as a whole (zlib through zlib; gzip, bz2, xz, lzma,
 * lz4 and zstd through libarchive).  dill and cloudpickle files are plain
 * pickles (pickle.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "pickle.h"

#define ZCHUNK 65536
#define RATIO_FLOOR ((uint64_t)1 << 20)

enum comp { C_NONE = 0, C_ZLIB, C_OTHER };

static enum comp compression(const unsigned char *h, size_t n)
{
	if (n >= 2 && h[0] == 0x78 && ((h[0] << 8) | h[1]) % 31 == 0)
		return C_ZLIB;
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b)
		return C_OTHER; /* gzip */
	if (n >= 3 && memcmp(h, "BZh", 3) == 0)
		return C_OTHER;
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return C_OTHER;
	if (n >= 3 && h[0] == 0x5d && h[1] == 0x00 && h[2] == 0x00)
		return C_OTHER; /* lzma alone */
	if (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
		return C_OTHER; /* lz4 frame */
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return C_OTHER; /* zstd */
	return C_NONE;
}

/* Decompresses the start of a zlib stream held in head. */
static size_t zlib_peek(const unsigned char *h, size_t n, unsigned char *out, size_t outsz)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)(uintptr_t)h;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)outsz;
	(void)inflate(&z, Z_SYNC_FLUSH);
	size_t got = outsz - z.avail_out;
	inflateEnd(&z);
	return got;
}

static size_t other_peek(const unsigned char *h, size_t n, unsigned char *out, size_t outsz)
{
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	struct mls_limits l;
	size_t got = 0;
	mls_limits_default(&l);
	if (mls_archive_open_memory(&a, h, n, &l, MLS_ARCHIVE_RAW) < 0)
		return 0;
	if (mls_archive_next(a, &e) == 0 && mls_archive_is_raw(a) && mls_archive_filter_count(a) > 0) {
		ssize_t k;
		while (got < outsz && (k = mls_archive_read(a, out + got, outsz - got)) > 0)
			got += (size_t)k;
	}
	mls_archive_free(a);
	return got;
}

int ms_probe_joblib(const struct ms_input *in)
{
	unsigned char peek[512];
	size_t n = 0;
	switch (compression(in->head, in->head_len)) {
	case C_NONE:
		if (ms_pickle_looks_like(in->head, in->head_len) &&
		    memmem(in->head, in->head_len, "joblib.numpy_pickle", 19))
			return 60;
		return 0;
	case C_ZLIB:
		n = zlib_peek(in->head, in->head_len, peek, sizeof(peek));
		break;
	case C_OTHER:
		n = other_peek(in->head, in->head_len, peek, sizeof(peek));
		break;
	}
	if (n && ms_pickle_looks_like(peek, n))
		return 85; /* a compressed pickle: more specific than a generic compressed stream */
	/* lzma "alone" cannot be decoded from a truncated head; its header is distinctive enough */
	if (!n && in->head_len >= 13 && in->head[0] == 0x5d && in->head[1] == 0 &&
	    (in->head[12] == 0xff || in->head[12] == 0))
		return 50;
	/* bz2 cannot be decoded from a 4 KiB head: a joblib-looking name claims it weakly */
	if (!n && in->head_len >= 3 && memcmp(in->head, "BZh", 3) == 0 && in->name &&
	    (strstr(in->name, ".joblib") || strstr(in->name, ".pkl") || strstr(in->name, ".pickle")))
		return 35;
	return 0;
}

struct zsrc {
	struct ms_input *in;
	z_stream z;
	unsigned char buf[ZCHUNK];
	uint64_t out_total, in_total;
	const struct mls_limits *lim;
	int done, err;
};

static ssize_t zsrc_read(void *vctx, void *dst, size_t n)
{
	struct zsrc *s = vctx;
	if (s->done)
		return 0;
	s->z.next_out = dst;
	s->z.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	while (s->z.avail_out == (uInt)(n > (1u << 30) ? (1u << 30) : n)) {
		if (s->z.avail_in == 0) {
			ssize_t k = ms_input_read(s->in, s->buf, sizeof(s->buf));
			if (k < 0)
				return k;
			if (k == 0)
				return mls_error_set(MLS_EFORMAT, "zlib stream is truncated");
			s->z.next_in = s->buf;
			s->z.avail_in = (uInt)k;
			s->in_total += (uint64_t)k;
		}
		int zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			s->done = 1;
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return mls_error_set(MLS_EFORMAT, "zlib: %s", s->z.msg ? s->z.msg : "corrupt stream");
	}
	size_t got = (n > (1u << 30) ? (1u << 30) : n) - s->z.avail_out;
	s->out_total += got;
	if (s->out_total > s->lim->max_decompressed_bytes)
		return mls_error_set(MLS_ELIMIT, "more than %llu bytes decompressed (limit --max-decompressed)",
				     (unsigned long long)s->lim->max_decompressed_bytes);
	if (s->lim->max_ratio > 0 && s->out_total > RATIO_FLOOR &&
	    (double)s->out_total / (double)(s->in_total ? s->in_total : 1) > s->lim->max_ratio)
		return mls_error_set(MLS_ELIMIT, "compression ratio above %g (limit --max-ratio)", s->lim->max_ratio);
	return (ssize_t)got;
}

static int scan_stream(struct ms_ctx *ctx, struct ms_input *top, struct ms_input *in)
{
	struct ms_pickle_opts o = { 1, 0, 0, 0 };
	struct ms_pickle_stats st;
	int rc = ms_input_fill_head(in);
	if (rc < 0) {
		ms_incomplete(ctx, top, "%s", mls_error_msg());
		return 0;
	}
	if (!ms_pickle_looks_like(in->head, in->head_len)) {
		/* not a pickle after all: let the dispatcher have a go */
		enum ms_format f;
		rc = ms_scan_input(ctx, in, &f);
		if (rc == 0 && f == MS_FMT_UNKNOWN)
			ms_incomplete(ctx, top, "decompressed content is not a recognised format");
		return rc;
	}
	rc = ms_pickle_scan(ctx, in, &o, &st);
	if (rc < 0 && mls_error_code() != MLS_ENOMEM) {
		ms_incomplete(ctx, top, "%s", mls_error_msg());
		rc = 0;
	}
	return rc;
}

int ms_scan_joblib(struct ms_ctx *ctx, struct ms_input *in)
{
	enum comp c = compression(in->head, in->head_len);
	char loc[1200];
	int rc = 0;
	if (c == C_NONE) {
		struct ms_pickle_opts o = { 1, 0, 0, 0 };
		struct ms_pickle_stats st;
		return ms_pickle_scan(ctx, in, &o, &st);
	}
	if (c == C_ZLIB) {
		struct zsrc *z = calloc(1, sizeof(*z));
		if (!z)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		z->in = in;
		z->lim = ctx->limits;
		if (inflateInit(&z->z) != Z_OK) {
			free(z);
			return mls_error_set(MLS_ENOMEM, "zlib: cannot initialise");
		}
		snprintf(loc, sizeof(loc), "%s%szlib", in->location, in->location[0] ? " > " : "");
		struct ms_input d;
		ms_input_init_stream(&d, zsrc_read, z, loc, in->name, UINT64_MAX, in->depth + 1);
		rc = scan_stream(ctx, in, &d);
		inflateEnd(&z->z);
		free(z);
		return rc;
	}
	struct mls_archive *a = NULL;
	struct mls_buf hold;
	mls_buf_init(&hold, 0);
	if (in->fd >= 0) {
		if (lseek(in->fd, 0, SEEK_SET) < 0)
			return mls_error_set(MLS_EIO, "cannot seek");
		rc = mls_archive_open_fd(&a, in->fd, ctx->limits, MLS_ARCHIVE_RAW);
	} else if (in->mem) {
		rc = mls_archive_open_memory(&a, in->mem, in->mem_len, ctx->limits, MLS_ARCHIVE_RAW);
	} else {
		size_t max = ctx->limits->max_decompressed_bytes < ((uint64_t)1 << 31) ?
			(size_t)ctx->limits->max_decompressed_bytes : ((size_t)1 << 31);
		mls_buf_init(&hold, max + 1);
		rc = ms_input_load(in, &hold, max);
		if (rc == 0)
			rc = mls_archive_open_memory(&a, hold.data, hold.len, ctx->limits, MLS_ARCHIVE_RAW);
	}
	if (rc < 0) {
		ms_incomplete(ctx, in, "cannot decompress: %s", mls_error_msg());
		rc = 0;
		goto done;
	}
	struct mls_archive_entry e;
	if (mls_archive_next(a, &e) != 0) {
		ms_incomplete(ctx, in, "cannot decompress: %s", mls_error_msg());
		goto done;
	}
	snprintf(loc, sizeof(loc), "%s%s%s", in->location, in->location[0] ? " > " : "",
		 mls_archive_filter_name(a) ? mls_archive_filter_name(a) : "decompressed");
	struct ms_input d;
	ms_input_init_archive(&d, a, loc, in->name, UINT64_MAX, in->depth + 1);
	rc = scan_stream(ctx, in, &d);
done:
	mls_archive_free(a);
	mls_buf_release(&hold);
	return rc;
}
