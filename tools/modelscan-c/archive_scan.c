/*
 * Archives and compressed streams through libarchive (mls/archive.h): zip,
 * tar (plain or gzip/bzip2/xz/zstd/lz4 compressed), 7z, rar, cpio, ar, xar,
 * cab, and single compressed streams.  Every member is recognised by its
 * content and scanned by its own scanner (ms_scan_input), nested archives
 * included up to the depth limit.  The walker is shared with the Keras
 * scanner (ms_archive_walk in formats_util.h).
 *
 *   MS-ARCH-001 high    member name that is absolute or climbs out ("../")
 *   MS-ARCH-002         link member (symlink or hard link): high when the
 *                       target is absolute or climbs out, low otherwise;
 *                       device and FIFO members medium
 *   MS-ARCH-003 high    decompression bomb: the size or ratio limit was hit
 *                       (the file is also incomplete)
 *   MS-ARCH-004 medium  encrypted member: it cannot be examined (the file is
 *                       also incomplete)
 *   MS-ARCH-005 medium  executable (ELF, PE, Mach-O, script) inside a model archive
 */
#include <string.h>
#include <unistd.h>
#include "formats_util.h"

#define NESTED_MAX ((size_t)2 << 30)

int ms_probe_archive(const struct ms_input *in)
{
	const unsigned char *h = in->head;
	size_t n = in->head_len;
	if (n >= 4 && h[0] == 'P' && h[1] == 'K' && ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6) ||
						     (h[2] == 7 && h[3] == 8)))
		return 50;
	if (n >= 262 && memcmp(h + 257, "ustar", 5) == 0)
		return 60;
	if (n >= 6 && memcmp(h, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return 85;
	if (n >= 7 && memcmp(h, "Rar!\x1a\x07", 6) == 0)
		return 85;
	if (n >= 6 && (memcmp(h, "070701", 6) == 0 || memcmp(h, "070702", 6) == 0 || memcmp(h, "070707", 6) == 0))
		return 60;
	if (n >= 8 && memcmp(h, "!<arch>\n", 8) == 0)
		return 60;
	if (n >= 4 && (memcmp(h, "xar!", 4) == 0 || memcmp(h, "MSCF", 4) == 0))
		return 70;
	return 0;
}

int ms_probe_compressed(const struct ms_input *in)
{
	const unsigned char *h = in->head;
	size_t n = in->head_len;
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8)
		return 50;
	if (n >= 10 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9' &&
	    memcmp(h + 4, "1AY&SY", 6) == 0)
		return 60;
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return 80;
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return 80;
	if (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0)
		return 80;
	if (n >= 5 && memcmp(h, "LZIP", 4) == 0)
		return 80;
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x9d)
		return 40;
	return 0;
}

static const char *exec_kind(const struct ms_input *in)
{
	const unsigned char *h = in->head;
	size_t n = in->head_len;
	if (n >= 4 && memcmp(h, "\x7f" "ELF", 4) == 0)
		return "ELF executable";
	if (n >= 64 && h[0] == 'M' && h[1] == 'Z')
		return "Windows PE executable";
	if (n >= 4 && (memcmp(h, "\xfe\xed\xfa\xce", 4) == 0 || memcmp(h, "\xfe\xed\xfa\xcf", 4) == 0 ||
		       memcmp(h, "\xce\xfa\xed\xfe", 4) == 0 || memcmp(h, "\xcf\xfa\xed\xfe", 4) == 0))
		return "Mach-O executable";
	if (n >= 3 && h[0] == '#' && h[1] == '!' && h[2] == '/')
		return "script with a #! line";
	return NULL;
}

static int link_escapes(const char *path, const char *target)
{
	if (!target || !target[0] || target[0] == '/' || target[0] == '\\' || (target[0] && target[1] == ':'))
		return 1;
	/* resolve target relative to the member's directory, counting depth */
	int depth = 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			depth++;
	const char *s = target;
	while (*s) {
		const char *e = s;
		while (*e && *e != '/' && *e != '\\')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			depth++;
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

struct walk {
	struct ms_ctx *ctx;
	struct ms_input *in;
	const char *kind;
	uint64_t members;
	int bomb_reported;
};

/* Turns a member or archive error into findings / incomplete.  Returns 1 to
 * stop walking, 0 to go on. */
static int member_error(struct walk *w, int rc, const char *member)
{
	const char *msg = mls_error_msg();
	char loc[1200];
	ms_member_location(loc, sizeof(loc), w->in, member ? member : "");
	if (rc == MLS_ELIMIT && (strstr(msg, "ratio") || strstr(msg, "decompressed"))) {
		if (!w->bomb_reported++)
			ms_finding(w->ctx, NULL, "MS-ARCH-003", "decompression-bomb", MLS_SEV_HIGH, loc, msg,
				   "decompression bomb: %s", msg);
		ms_incomplete(w->ctx, w->in, "%s%s%s", member ? member : "", member ? ": " : "", msg);
		return 1;
	}
	if (rc == MLS_EUNSUPPORTED) {
		ms_finding(w->ctx, NULL, "MS-ARCH-004", "encrypted-member", MLS_SEV_MEDIUM, loc, NULL,
			   "encrypted %s member cannot be examined: %s", w->kind, msg);
		ms_incomplete(w->ctx, w->in, "%s%sencrypted, not examined", member ? member : "", member ? ": " : "");
		return 0;
	}
	ms_incomplete(w->ctx, w->in, "%s%s%s", member ? member : "", member ? ": " : "", msg);
	return rc == MLS_ELIMIT || rc == MLS_EIO || rc == MLS_ENOMEM;
}

static int drain(struct ms_input *sub)
{
	char tmp[65536];
	ssize_t k;
	while ((k = ms_input_read(sub, tmp, sizeof(tmp))) > 0)
		;
	return (int)k;
}

int ms_archive_walk(struct ms_ctx *ctx, struct ms_input *in, const char *kind, ms_member_fn fn, void *arg)
{
	struct mls_archive *a = NULL;
	struct mls_buf nested;
	struct walk w = { .ctx = ctx, .in = in, .kind = kind };
	unsigned flags = strcmp(kind, "compressed") == 0 ? MLS_ARCHIVE_RAW : 0;
	int rc;
	mls_buf_init(&nested, NESTED_MAX);
	if (in->mem) {
		rc = mls_archive_open_memory(&a, in->mem, in->mem_len, ctx->limits, flags);
	} else if (in->fd >= 0) {
		if (lseek(in->fd, 0, SEEK_SET) < 0)
			rc = mls_archive_open_file(&a, in->path, ctx->limits, flags);
		else
			rc = mls_archive_open_fd(&a, in->fd, ctx->limits, flags);
	} else {
		size_t max = ctx->limits->max_decompressed_bytes < NESTED_MAX ? (size_t)ctx->limits->max_decompressed_bytes
									     : NESTED_MAX;
		rc = ms_input_load(in, &nested, max);
		if (rc == 0)
			rc = mls_archive_open_memory(&a, nested.data ? nested.data : "", nested.len, ctx->limits, flags);
		else if (rc == MLS_ELIMIT) {
			member_error(&w, rc, NULL);
			rc = 0;
			goto done;
		}
	}
	if (rc < 0)
		goto done;
	for (;;) {
		struct mls_archive_entry e;
		rc = mls_archive_next(a, &e);
		if (rc == 1) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			if (w.members == 0 && rc == MLS_EFORMAT)
				goto done; /* not readable at all: corrupt */
			member_error(&w, rc, NULL);
			rc = 0;
			break;
		}
		w.members++;
		char loc[1200], rawname[256];
		if (mls_archive_is_raw(a)) {
			/* a single compressed stream: name the content after the file ("model.pkl.xz" -> "model.pkl") */
			const char *base = in->name && in->name[0] ? mls_path_basename(in->name) : "data";
			snprintf(rawname, sizeof(rawname), "%s", base);
			char *dot = strrchr(rawname, '.');
			if (dot && dot != rawname)
				*dot = '\0';
			else
				snprintf(rawname, sizeof(rawname), "data");
			e.path = rawname;
		}
		ms_member_location(loc, sizeof(loc), in, e.path);
		if (!mls_archive_is_raw(a) && !mls_path_is_safe_relative(e.path) &&
		    !(e.type == MLS_AENT_DIR && strcmp(e.path, "./") == 0))
			ms_finding(ctx, NULL, "MS-ARCH-001", "path-traversal", MLS_SEV_HIGH, loc, e.path,
				   "%s member name '%s' is absolute or climbs out of the extraction directory", kind,
				   e.path);
		if (e.type == MLS_AENT_DIR)
			continue;
		if (e.type == MLS_AENT_SYMLINK || e.type == MLS_AENT_HARDLINK) {
			int esc = e.type == MLS_AENT_SYMLINK ? link_escapes(e.path, e.link)
							     : !mls_path_is_safe_relative(e.link ? e.link : "");
			ms_finding(ctx, NULL, "MS-ARCH-002", "link-member", esc ? MLS_SEV_HIGH : MLS_SEV_LOW, loc,
				   e.link ? e.link : "", "%s member is a %s to '%s'%s", kind,
				   e.type == MLS_AENT_SYMLINK ? "symbolic link" : "hard link", e.link ? e.link : "",
				   esc ? ": it points outside the extraction directory" : "");
			continue;
		}
		if (e.type == MLS_AENT_OTHER) {
			ms_finding(ctx, NULL, "MS-ARCH-002", "link-member", MLS_SEV_MEDIUM, loc, e.path,
				   "%s member is a device, FIFO or socket", kind);
			continue;
		}
		if (e.encrypted) {
			member_error(&w, mls_error_set(MLS_EUNSUPPORTED, "member '%s' is encrypted", e.path), e.path);
			continue;
		}
		if (e.size_known && e.size > ctx->limits->max_decompressed_bytes) {
			member_error(&w,
				     mls_error_set(MLS_ELIMIT, "member declares %llu bytes, more than %llu decompressed "
							       "bytes allowed",
						   (unsigned long long)e.size,
						   (unsigned long long)ctx->limits->max_decompressed_bytes),
				     e.path);
			break;
		}
		struct ms_input sub;
		ms_input_init_archive(&sub, a, loc, e.path, e.size_known ? e.size : UINT64_MAX, in->depth + 1);
		int handled = 0;
		if (fn) {
			handled = fn(ctx, &sub, &e, arg);
			if (handled < 0) {
				if (member_error(&w, handled, e.path))
					break;
				continue;
			}
		}
		if (!handled) {
			enum ms_format f = MS_FMT_UNKNOWN;
			rc = ms_scan_input(ctx, &sub, &f);
			if (rc == 0 && f == MS_FMT_UNKNOWN) {
				const char *x = exec_kind(&sub);
				if (x)
					ms_finding(ctx, NULL, "MS-ARCH-005", "executable-member", MLS_SEV_MEDIUM, loc, x,
						   "%s member is an %s", kind, x);
				rc = drain(&sub);
			}
			if (rc < 0) {
				if (member_error(&w, rc, e.path)) {
					rc = 0;
					break;
				}
			}
			rc = 0;
		}
		if (ms_out_of_time(ctx, in))
			break;
	}
done:
	mls_archive_free(a);
	mls_buf_release(&nested);
	if (rc < 0)
		mls_error_prefix("cannot read %s", kind);
	return rc;
}

int ms_scan_archive(struct ms_ctx *ctx, struct ms_input *in)
{
	return ms_archive_walk(ctx, in, "archive", NULL, NULL);
}

int ms_scan_compressed(struct ms_ctx *ctx, struct ms_input *in)
{
	return ms_archive_walk(ctx, in, "compressed", NULL, NULL);
}
