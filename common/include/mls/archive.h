/*
 * Thin wrapper over libarchive: reads any archive format or compressed stream
 * libarchive supports, with the limits enforced (members, decompressed bytes,
 * compression ratio, time).  It never writes anything to disk: entry names are
 * untrusted and only reported (see path.h for mls_path_is_safe_relative).
 */
#ifndef MLS_ARCHIVE_H
#define MLS_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "limits.h"
#include "buf.h"

enum {
	MLS_ARCHIVE_RAW = 1u << 0,          /* also accept a single compressed stream or raw data as one entry "data" */
	MLS_ARCHIVE_ZIP_STREAMING = 1u << 1 /* read zip by local headers (streaming) instead of the central directory */
};

enum mls_archive_entry_type {
	MLS_AENT_FILE = 0, MLS_AENT_DIR, MLS_AENT_SYMLINK, MLS_AENT_HARDLINK, MLS_AENT_OTHER
};

struct mls_archive_entry {
	const char *path;        /* as stored (untrusted); valid until the next mls_archive_next */
	const char *link;        /* symlink / hardlink target, or NULL */
	enum mls_archive_entry_type type;
	uint64_t size;           /* declared size */
	int size_known;
	int encrypted;           /* data or metadata encrypted: cannot be examined */
	uint64_t index;          /* 0-based member number */
};

struct mls_archive;

int mls_archive_open_file(struct mls_archive **out, const char *path, const struct mls_limits *l, unsigned flags);
int mls_archive_open_fd(struct mls_archive **out, int fd, const struct mls_limits *l, unsigned flags);
/* data must outlive the archive. */
int mls_archive_open_memory(struct mls_archive **out, const void *data, size_t len, const struct mls_limits *l,
			    unsigned flags);
/* An archive nested in a member of parent (data read from it; data and
 * parent must outlive the result).  Takes parent's limits and deadline, one
 * nesting level deeper (MLS_ELIMIT past limits->max_depth), and counts its
 * output against the parent's max_decompressed_bytes too (and the parent's
 * parent...), so nesting cannot multiply the budget (42.zip). */
int mls_archive_open_nested(struct mls_archive **out, struct mls_archive *parent, const void *data, size_t len,
			    unsigned flags);
/* 0 = entry filled, 1 = end of archive, <0 error (MLS_ELIMIT when max_members is exceeded,
 * MLS_EFORMAT when corrupt; mls_error_msg() has libarchive's message). */
int mls_archive_next(struct mls_archive *a, struct mls_archive_entry *e);
/* Reads entry data: >0 bytes, 0 end of entry, <0 error (MLS_ELIMIT when the decompressed
 * total or ratio limit is passed, MLS_EUNSUPPORTED for encrypted data). */
ssize_t mls_archive_read(struct mls_archive *a, void *buf, size_t n);
/* Reads the rest of the current entry into out (appended), failing with MLS_ELIMIT past max bytes. */
int mls_archive_read_all(struct mls_archive *a, struct mls_buf *out, size_t max);
/* libarchive's names: "ZIP 2.0 (deflation)", "POSIX pax interchange format", "raw"... */
const char *mls_archive_format_name(struct mls_archive *a);
/* 1 when the archive is the MLS_ARCHIVE_RAW pseudo-format. */
int mls_archive_is_raw(struct mls_archive *a);
/* Number of compression filters (0 = none), and the outermost filter's name ("gzip", "xz"...). */
int mls_archive_filter_count(struct mls_archive *a);
const char *mls_archive_filter_name(struct mls_archive *a);
uint64_t mls_archive_decompressed_total(struct mls_archive *a);
void mls_archive_free(struct mls_archive *a);

#endif
