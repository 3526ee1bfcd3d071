/*
 * Actions on infected files: --move=DIR (quarantine) and --remove.  Both
 * first check that the path still names the very file that was scanned
 * (same device and inode as the open descriptor), so a file swapped in
 * after the scan is never moved or removed in its place.
 *
 * Quarantine layout: DIR/<id>.data (the file, mode 0400) and DIR/<id>.json
 * (the record), id = "<sha256 prefix>-<safe base name>[-N]".  The data file
 * is claimed with renameat2(RENAME_NOREPLACE) (or O_EXCL when copying across
 * file systems), so concurrent workers and earlier runs never collide; the
 * record is written atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include "avscan.h"

int avscan_same_file(int fd, const char *path, int follow)
{
	struct stat a, b;
	if (fstat(fd, &a) != 0)
		return mls_error_set(MLS_EIO, "cannot stat the scanned file: %s", strerror(errno));
	if ((follow ? stat(path, &b) : lstat(path, &b)) != 0)
		return mls_error_set(MLS_ENOTFOUND, "the file disappeared after it was scanned");
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return mls_error_set(MLS_EUNSAFE, "the file was replaced after it was scanned");
	return 0;
}

int avscan_remove(int fd, const char *path)
{
	int rc = avscan_same_file(fd, path, 0);
	if (rc < 0)
		return rc;
	if (unlink(path) != 0)
		return mls_error_set(MLS_EIO, "%s", strerror(errno));
	return 0;
}

void avscan_safe_name(char *out, size_t outsz, const char *path)
{
	const char *base = mls_path_basename(path);
	size_t n = 0;
	if (outsz == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)base; *p && n + 1 < outsz && n < 80; p++) {
		unsigned char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '.' || ch == '_' || ch == '-' || ch == '+';
		out[n++] = ok ? (char)ch : '_';
	}
	out[n] = '\0';
	if (n == 0 || strspn(out, ".") == n) /* "", ".", ".." */
		snprintf(out, outsz, "file");
}

static int ensure_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return mls_error_set(MLS_EIO, "cannot create the quarantine directory '%s': %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return mls_error_set(MLS_EIO, "quarantine '%s' is not a directory", dir);
	return 0;
}

/* Copies fd into a new file dfd/name (O_EXCL), fsynced. */
static int copy_excl(int dfd, const char *name, int fd)
{
	char buf[1 << 16];
	ssize_t n;
	int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
	if (out < 0)
		return errno == EEXIST ? 1 : mls_error_set(MLS_EIO, "cannot create '%s': %s", name, strerror(errno));
	if (lseek(fd, 0, SEEK_SET) != 0)
		goto fail;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				goto fail;
			}
			off += w;
		}
	}
	if (n < 0 || fsync(out) != 0)
		goto fail;
	close(out);
	return 0;
fail:
	{
		int err = errno;
		close(out);
		unlinkat(dfd, name, 0);
		return mls_error_set(MLS_EIO, "cannot copy into the quarantine: %s", strerror(err));
	}
}

static int write_record(const char *dir, const char *id, const char *dest, const struct avscan_quarantine_info *qi)
{
	yajl_gen g = mls_jgen_new(1);
	const unsigned char *doc;
	size_t len;
	char now[40], *abs = realpath(dir, NULL);
	struct mls_buf p;
	int rc;

	if (!g) {
		free(abs);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	mls_time_rfc3339(now);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "schema", "mlsecops-quarantine/1");
	mls_jgen_str(g, "tool");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", AVSCAN_TOOL);
	mls_jgen_kv_str(g, "version", MLS_VERSION);
	mls_jgen_kv_str(g, "engine", "libclamav");
	mls_jgen_kv_str(g, "engine_version", qi->engine_version);
	yajl_gen_map_close(g);
	mls_jgen_kv_str(g, "original_path", qi->path);
	{
		char *dirreal = NULL, *slash = strrchr(qi->path, '/');
		struct mls_buf ab;
		mls_buf_init(&ab, PATH_MAX * 4);
		if (slash) {
			char *d = strndup(qi->path, (size_t)(slash - qi->path) + (slash == qi->path));
			dirreal = d ? realpath(d, NULL) : NULL;
			free(d);
		} else {
			dirreal = realpath(".", NULL);
		}
		if (dirreal && mls_buf_printf(&ab, "%s/%s", strcmp(dirreal, "/") ? dirreal : "",
					      mls_path_basename(qi->path)) == 0)
			mls_jgen_kv_str(g, "original_abspath", mls_buf_cstr(&ab));
		free(dirreal);
		mls_buf_release(&ab);
	}
	mls_jgen_kv_str(g, "quarantined_as", dest);
	mls_jgen_kv_str(g, "sha256", qi->sha256);
	mls_jgen_kv_uint(g, "size", qi->size);
	mls_jgen_kv_str(g, "time", now);
	mls_jgen_str(g, "detections");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < qi->nsignatures; i++) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "signature", qi->signatures[i]);
		if (qi->members[i] && qi->members[i][0])
			mls_jgen_kv_str(g, "member", qi->members[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &doc, &len);
	mls_buf_init(&p, PATH_MAX * 2);
	if ((rc = mls_buf_printf(&p, "%s/%s.json", abs ? abs : dir, id)) == 0)
		rc = mls_write_file_atomic(mls_buf_cstr(&p), doc, len);
	mls_buf_release(&p);
	yajl_gen_free(g);
	free(abs);
	return rc;
}

int avscan_quarantine(char **dest_out, const char *dir, int fd, const struct avscan_quarantine_info *qi)
{
	char stem[96], id[160], name[200];
	int dfd = -1, rc;
	struct mls_buf dest;

	*dest_out = NULL;
	mls_buf_init(&dest, PATH_MAX * 2);
	if ((rc = avscan_same_file(fd, qi->path, 0)) < 0 || (rc = ensure_dir(dir)) < 0)
		goto done;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = mls_error_set(MLS_EIO, "cannot open the quarantine directory '%s': %s", dir, strerror(errno));
		goto done;
	}
	avscan_safe_name(stem, sizeof(stem), qi->path);
	rc = 1;
	for (unsigned n = 0; n < 10000 && rc == 1; n++) {
		if (n == 0)
			snprintf(id, sizeof(id), "%.16s-%s", qi->sha256 ? qi->sha256 : "nohash", stem);
		else
			snprintf(id, sizeof(id), "%.16s-%s-%u", qi->sha256 ? qi->sha256 : "nohash", stem, n);
		snprintf(name, sizeof(name), "%s.json", id);
		if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue; /* a record of an earlier run without its data: keep both */
		snprintf(name, sizeof(name), "%s.data", id);
		if (renameat2(AT_FDCWD, qi->path, dfd, name, RENAME_NOREPLACE) == 0) {
			rc = 0;
		} else if (errno == EEXIST) {
			rc = 1;
		} else if (errno == EXDEV || errno == EINVAL || errno == ENOSYS) {
			/* Another file system (or no RENAME_NOREPLACE): copy, then remove. */
			rc = copy_excl(dfd, name, fd);
			if (rc == 0 && unlink(qi->path) != 0) {
				int err = errno;
				unlinkat(dfd, name, 0);
				rc = mls_error_set(MLS_EIO, "cannot remove the original: %s", strerror(err));
			}
		} else {
			rc = mls_error_set(MLS_EIO, "cannot move into '%s': %s", dir, strerror(errno));
		}
	}
	if (rc == 1)
		rc = mls_error_set(MLS_EIO, "no free name in the quarantine directory '%s'", dir);
	if (rc < 0)
		goto done;
	if (fchmodat(dfd, name, 0400, 0) != 0)
		mls_debug("cannot make the quarantined file read-only: %s", strerror(errno));
	if ((rc = mls_buf_printf(&dest, "%s/%s", dir, name)) < 0)
		goto done;
	rc = write_record(dir, id, mls_buf_cstr(&dest), qi);
	if (rc < 0) {
		mls_error_prefix("quarantined as '%s' but the record could not be written", mls_buf_cstr(&dest));
		goto done;
	}
	{
		struct mls_buf w;
		mls_buf_init(&w, PATH_MAX * 4);
		if (mls_buf_printf(&w, "moved to '%s'", mls_buf_cstr(&dest)) == 0)
			*dest_out = mls_buf_detach(&w, NULL);
		mls_buf_release(&w);
		if (!*dest_out)
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
	}
done:
	if (dfd >= 0)
		close(dfd);
	mls_buf_release(&dest);
	return rc;
}
