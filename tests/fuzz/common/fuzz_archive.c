/*
 * Fuzz harness for common/src/archive.c: opens the input from memory with
 * small limits, walks every member, reads the data of most members (leaving
 * some unread, so next() has to skip or drain them), and opens a member
 * that itself looks like an archive with mls_archive_open_nested, as the
 * tools do.  The last input byte picks the flags (RAW, ZIP_STREAMING), so
 * one corpus covers every mode.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mls/archive.h"
#include "mls/buf.h"
#include "mls/error.h"
#include "mls/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct mls_archive *a, unsigned flags)
{
	struct mls_archive_entry e;
	struct mls_buf member;
	char chunk[4096];

	(void)mls_archive_format_name(a);
	(void)mls_archive_filter_name(a);
	(void)mls_archive_filter_count(a);
	(void)mls_archive_is_raw(a);
	mls_buf_init(&member, 1u << 20);
	while (mls_archive_next(a, &e) == 0) {
		/* everything the entry exposes must be readable */
		if (e.path)
			(void)strlen(e.path);
		if (e.link)
			(void)strlen(e.link);
		if (e.index % 2 == 0) {
			struct mls_archive *child = NULL;
			mls_buf_reset(&member);
			if (mls_archive_read_all(a, &member, 1u << 20) == 0 && member.len > 0 &&
			    mls_archive_open_nested(&child, a, member.data, member.len, flags & ~MLS_ARCHIVE_RAW) == 0)
				walk(child, flags & ~MLS_ARCHIVE_RAW);
			mls_archive_free(child);
		} else if (e.index % 4 == 1) {
			while (mls_archive_read(a, chunk, sizeof(chunk)) > 0)
				;
		}
		/* other members are left unread: next() must skip or drain them */
	}
	(void)mls_archive_decompressed_total(a);
	mls_buf_release(&member);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls_limits l;
	struct mls_archive *a = NULL;
	unsigned flags = size ? data[size - 1] & 3u : 0;

	mls_limits_default(&l);
	l.max_decompressed_bytes = 8u << 20;
	l.max_members = 256;
	l.max_depth = 2;
	l.max_seconds = 10;
	if (mls_archive_open_memory(&a, data, size, &l, flags) == 0)
		walk(a, flags);
	mls_archive_free(a);
	mls_error_clear();
	return 0;
}
