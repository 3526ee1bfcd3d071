/*
 * Structural check of top-level archives.  libclamav passes a truncated or
 * corrupt archive as clean; reading every member back with libarchive (via
 * the common wrapper: CRCs, headers, compressed streams) tells us whether
 * what libclamav saw was the whole archive.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "avscan.h"

int avscan_type_is_archive(const char *cltype)
{
	static const char *const types[] = { "CL_TYPE_ZIP", "CL_TYPE_7Z", "CL_TYPE_POSIX_TAR", "CL_TYPE_OLD_TAR",
					     "CL_TYPE_GZ", "CL_TYPE_BZ", "CL_TYPE_XZ", "CL_TYPE_CPIO_OLD",
					     "CL_TYPE_CPIO_ODC", "CL_TYPE_CPIO_NEWC", "CL_TYPE_CPIO_CRC", NULL };
	if (!cltype)
		return 0;
	for (size_t i = 0; types[i]; i++)
		if (strcmp(cltype, types[i]) == 0)
			return 1;
	return 0;
}

/* Reads every member of the archive open on fd (from its start). */
int avscan_archive_check(int fd, const struct avscan_opts *o)
{
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	struct mls_limits l;
	static _Thread_local char sink[1 << 16];
	int rc;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return mls_error_set(MLS_EIO, "cannot rewind the file");
	mls_limits_default(&l);
	l.max_file_bytes = UINT64_MAX;
	/* Our own budgets mirror libclamav's: the scan size for data, the
	 * member count, the scan time.  No ratio limit: libclamav's own
	 * limits already decided what it scanned. */
	l.max_decompressed_bytes = o->max_scansize ? o->max_scansize : UINT64_MAX;
	l.max_members = o->max_files ? o->max_files : UINT64_MAX;
	l.max_ratio = 0;
	l.max_seconds = o->max_scantime_ms ? (double)o->max_scantime_ms / 1000.0 : 0;
	rc = mls_archive_open_fd(&a, fd, &l, MLS_ARCHIVE_RAW);
	if (rc < 0)
		goto done;
	while ((rc = mls_archive_next(a, &e)) == 0) {
		if (e.encrypted) {
			rc = mls_error_set(MLS_EUNSUPPORTED, "encrypted archive member '%s'", e.path ? e.path : "");
			goto done;
		}
		if (e.type != MLS_AENT_FILE)
			continue;
		ssize_t n;
		while ((n = mls_archive_read(a, sink, sizeof(sink))) > 0)
			;
		if (n < 0) {
			rc = (int)n;
			goto done;
		}
	}
	if (rc == 1)
		rc = 0;
done:
	mls_archive_free(a);
	return rc;
}
