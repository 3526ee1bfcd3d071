/*
 * PyTorch containers: torch.save zip checkpoints (and TorchScript archives),
 * the legacy pre-1.6 stream format and the oldest tar format.  Also the zip
 * member walker that numpy.c uses for .npz.
 *
 * Zip reading goes through libarchive (mls/archive.h).  A zip is read by its
 * central directory (what torch.load, numpy.load and zipfile use) and, when
 * it is not larger than ZIP_STREAM_MAX, again by its local headers; members
 * that only one reading shows, and duplicate names, are reported and every
 * pickle among them is scanned.  (The local-header reading costs a pass over
 * the tensor bytes, because torch.save writes data descriptors, so large
 * checkpoints are read by the central directory only: their scan time does
 * not grow with the tensor bytes.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include "pickle.h"
#include "torchzip.h"

#define ZIP_STREAM_MAX ((uint64_t)32 << 20)
#define NAMES_MAX 100000

static const unsigned char legacy_magic[] = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

/* ---------------------------------------------------------------- helpers */

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Name of the first zip local header in head ("" if none). */
static void first_zip_name(const struct ms_input *in, char *out, size_t outsz)
{
	out[0] = '\0';
	if (in->head_len < 30 || memcmp(in->head, "PK\x03\x04", 4) != 0)
		return;
	size_t n = (size_t)in->head[26] | ((size_t)in->head[27] << 8);
	if (30 + n > in->head_len)
		n = in->head_len - 30;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, in->head + 30, n);
	out[n] = '\0';
}

static int is_torch_name(const char *name)
{
	const char *slash = strchr(name, '/');
	const char *rel = slash ? slash + 1 : name;
	if (ends_with_ci(name, ".pkl") || ends_with_ci(name, "/version") || strcmp(rel, "byteorder") == 0)
		return 1;
	if (strncmp(rel, "data/", 5) == 0 || strncmp(rel, ".data/", 6) == 0 || strncmp(rel, "code/", 5) == 0)
		return 1;
	return 0;
}

/* Opens a libarchive reader over in (file, memory, or loaded into memory). */
static int open_archive(struct ms_ctx *ctx, struct ms_input *in, unsigned flags, struct mls_archive **ar,
			struct mls_buf *hold)
{
	if (in->fd >= 0) {
		if (lseek(in->fd, 0, SEEK_SET) < 0)
			return mls_error_set(MLS_EIO, "cannot seek");
		return mls_archive_open_fd(ar, in->fd, ctx->limits, flags);
	}
	if (in->mem)
		return mls_archive_open_memory(ar, in->mem, in->mem_len, ctx->limits, flags);
	if (!hold->data || hold->len == 0) {
		/* a zip inside another container is held in memory: at most 512 MiB */
		size_t max = ctx->limits->max_decompressed_bytes < ((uint64_t)512 << 20) ?
			(size_t)ctx->limits->max_decompressed_bytes : ((size_t)512 << 20);
		mls_buf_init(hold, max + 1);
		int rc = ms_input_load(in, hold, max);
		if (rc < 0)
			return rc;
	}
	return mls_archive_open_memory(ar, hold->data, hold->len, ctx->limits, flags);
}

struct namelist {
	char **names;
	size_t n, cap;
};

static int names_add(struct namelist *l, const char *s)
{
	if (l->n >= NAMES_MAX)
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **q = realloc(l->names, nc * sizeof(*q));
		if (!q)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		l->names = q;
		l->cap = nc;
	}
	l->names[l->n] = strdup(s);
	if (!l->names[l->n])
		return mls_error_set(MLS_ENOMEM, "out of memory");
	l->n++;
	return 0;
}

static size_t names_count(const struct namelist *l, const char *s)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		c += strcmp(l->names[i], s) == 0;
	return c;
}

static void names_release(struct namelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

/* Re-reads member number idx with libarchive's zip:ignorecrc32 option (what
 * torch.load does: it does not check CRCs) and scans it from memory. */
static int rescan_ignoring_crc(struct ms_ctx *ctx, struct ms_input *parent, uint64_t idx, const char *name,
			       const char *loc)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct mls_buf b;
	int rc = 0;
	mls_buf_init(&b, ((size_t)256 << 20) + 1);
	if (!a)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	archive_read_support_format_zip(a);
	if (archive_read_set_options(a, "zip:ignorecrc32") != ARCHIVE_OK)
		goto fail;
	if (parent->fd >= 0) {
		if (lseek(parent->fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, parent->fd, 65536) != ARCHIVE_OK)
			goto fail;
	} else if (parent->mem) {
		if (archive_read_open_memory(a, parent->mem, parent->mem_len) != ARCHIVE_OK)
			goto fail;
	} else {
		goto fail;
	}
	for (uint64_t i = 0;; i++) {
		if (archive_read_next_header(a, &ent) != ARCHIVE_OK)
			goto fail;
		if (i < idx)
			continue;
		char tmp[65536];
		la_ssize_t k;
		while ((k = archive_read_data(a, tmp, sizeof(tmp))) > 0)
			if (mls_buf_append(&b, tmp, (size_t)k) < 0)
				goto fail;
		if (k < 0)
			goto fail;
		break;
	}
	struct ms_input in;
	ms_input_init_mem(&in, b.data ? b.data : "", b.len, loc, name, parent->depth + 1);
	rc = ms_input_fill_head(&in);
	if (rc == 0 && (ms_pickle_looks_like(in.head, in.head_len) || ends_with_ci(name, ".pkl"))) {
		struct ms_pickle_opts o = { 0, 0, 0, !ends_with_ci(name, ".pkl") };
		struct ms_pickle_stats st;
		rc = ms_pickle_scan(ctx, &in, &o, &st);
	}
	goto done;
fail:
	ms_incomplete(ctx, parent, "member '%s' cannot be re-read past its CRC error", name);
done:
	archive_read_free(a);
	mls_buf_release(&b);
	return rc;
}

/* Scans one member (the archive's current entry). */
static int scan_member(struct ms_ctx *ctx, struct ms_input *parent, struct mls_archive *ar,
		       const struct mls_archive_entry *e, const struct ms_zip_walk *w, int *torchscript)
{
	char loc[1200];
	const char *name = e->path;
	if (parent->location[0])
		snprintf(loc, sizeof(loc), "%s > %s", parent->location, name);
	else
		snprintf(loc, sizeof(loc), "%s", name);
	const char *slash = strchr(name, '/');
	const char *rel = slash ? slash + 1 : name;
	if (w->torch && strncmp(rel, "code/", 5) == 0 && !*torchscript) {
		*torchscript = 1;
		ms_finding(ctx, parent, "MS-TORCH-003", "torchscript-code", MLS_SEV_LOW, name, name,
			   "TorchScript archive: code/ holds TorchScript source that torch.jit.load compiles and runs");
	}
	struct ms_input in;
	ms_input_init_archive(&in, ar, loc, name, e->size_known ? e->size : UINT64_MAX, parent->depth + 1);
	int rc = ms_input_fill_head(&in);
	if (rc < 0)
		goto read_error;
	int strict_pickle = ends_with_ci(name, ".pkl") || ends_with_ci(name, "debug_pkl");
	if (!w->torch) {
		enum ms_format f;
		rc = ms_scan_input(ctx, &in, &f);
		if (rc < 0)
			goto read_error;
		return 0;
	}
	if (!strict_pickle && !ms_pickle_looks_like(in.head, in.head_len))
		return 0;
	struct ms_pickle_opts o = { 0, 0, 0, !strict_pickle };
	struct ms_pickle_stats st;
	rc = ms_pickle_scan(ctx, &in, &o, &st);
	if (rc < 0)
		goto read_error;
	return 0;
read_error:
	if (mls_error_code() == MLS_ENOMEM)
		return rc;
	if (strstr(mls_error_msg(), "CRC") || strstr(mls_error_msg(), "crc")) {
		ms_finding(ctx, parent, "MS-TORCH-004", "zip-corrupt-member", MLS_SEV_MEDIUM, name, name,
			   "member '%s' fails its CRC check (%s): torch.load does not check CRCs; the member was "
			   "scanned as stored", name, mls_error_msg());
		if (w->torch)
			return rescan_ignoring_crc(ctx, parent, e->index, name, loc);
		return 0;
	}
	ms_incomplete(ctx, parent, "member '%s': %s", name, mls_error_msg());
	return 0;
}

int ms_zip_walk(struct ms_ctx *ctx, struct ms_input *in, const struct ms_zip_walk *w)
{
	struct mls_archive *ar = NULL;
	struct mls_buf hold;
	struct namelist central = { 0 }, local = { 0 };
	struct mls_archive_entry e;
	int rc, torchscript = 0, stream_ok = 0;
	memset(&hold, 0, sizeof(hold));

	/* pass 1: the central directory */
	rc = open_archive(ctx, in, 0, &ar, &hold);
	if (rc < 0) {
		ms_incomplete(ctx, in, "cannot read the zip: %s", mls_error_msg());
		rc = 0;
		goto done;
	}
	for (;;) {
		if (ms_out_of_time(ctx, in))
			goto done;
		rc = mls_archive_next(ar, &e);
		if (rc == 1)
			break;
		if (rc < 0) {
			ms_incomplete(ctx, in, "zip: %s", mls_error_msg());
			rc = 0;
			goto done;
		}
		if ((rc = names_add(&central, e.path)) < 0)
			goto done;
		if (e.type != MLS_AENT_FILE)
			continue;
		if (e.encrypted) {
			ms_incomplete(ctx, in, "member '%s' is encrypted and cannot be examined", e.path);
			continue;
		}
		if ((rc = scan_member(ctx, in, ar, &e, w, &torchscript)) < 0)
			goto done;
	}
	mls_archive_free(ar);
	ar = NULL;
	for (size_t i = 0; i < central.n; i++) {
		if (names_count(&central, central.names[i]) > 1 && names_count(&local, central.names[i]) == 0) {
			ms_finding(ctx, in, "MS-TORCH-001", "zip-duplicate-member", MLS_SEV_MEDIUM, central.names[i],
				   central.names[i], "%zu members are named '%s': loaders disagree on which one they read; all were scanned",
				   names_count(&central, central.names[i]), central.names[i]);
			names_add(&local, central.names[i]); /* reported once */
		}
	}
	names_release(&local);

	/* pass 2: the local headers, for small enough archives */
	if (in->size != UINT64_MAX && in->size > ZIP_STREAM_MAX)
		goto done;
	rc = open_archive(ctx, in, MLS_ARCHIVE_ZIP_STREAMING, &ar, &hold);
	if (rc < 0) {
		rc = 0;
		goto done;
	}
	for (;;) {
		if (ms_out_of_time(ctx, in))
			goto done;
		int k = mls_archive_next(ar, &e);
		if (k == 1)
			stream_ok = 1;
		if (k == 1 || k < 0)
			break; /* streaming readers give up on some valid zips: the central reading stands */
		if ((rc = names_add(&local, e.path)) < 0)
			goto done;
		if (names_count(&central, e.path) >= names_count(&local, e.path))
			continue;
		ms_finding(ctx, in, "MS-TORCH-002", "zip-directory-mismatch", MLS_SEV_MEDIUM, e.path, e.path,
			   "member '%s' is in the local headers but not in the central directory: hidden from "
			   "loaders that read one and not the other; scanned", e.path);
		if (e.type == MLS_AENT_FILE && !e.encrypted && (rc = scan_member(ctx, in, ar, &e, w, &torchscript)) < 0)
			goto done;
	}
	for (size_t i = 0; i < central.n; i++) {
		if (stream_ok && names_count(&local, central.names[i]) < names_count(&central, central.names[i]) &&
		    (i == 0 || strcmp(central.names[i], central.names[i - 1]) != 0)) {
			ms_finding(ctx, in, "MS-TORCH-002", "zip-directory-mismatch", MLS_SEV_MEDIUM, central.names[i],
				   central.names[i], "member '%s' is in the central directory but not in the local headers "
				   "(a renamed local header)", central.names[i]);
		}
	}
	rc = 0;
done:
	mls_archive_free(ar);
	mls_buf_release(&hold);
	names_release(&central);
	names_release(&local);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- torch zip */

int ms_probe_pytorch_zip(const struct ms_input *in)
{
	char name[512];
	first_zip_name(in, name, sizeof(name));
	if (!name[0])
		return 0;
	if (is_torch_name(name))
		return 80;
	/* data.pkl further in the head */
	if (memmem(in->head, in->head_len, "/data.pkl", 9) || memmem(in->head, in->head_len, "data.pkl", 8))
		return 75;
	return 0;
}

int ms_scan_pytorch_zip(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_zip_walk w = { 1 };
	return ms_zip_walk(ctx, in, &w);
}

/* ---------------------------------------------------------------- legacy stream */

int ms_probe_pytorch_legacy(const struct ms_input *in)
{
	if (in->head_len >= sizeof(legacy_magic) && memcmp(in->head, legacy_magic, sizeof(legacy_magic)) == 0)
		return 90;
	/* another pickle_protocol: the magic LONG1 still comes first, maybe after a FRAME */
	if (in->head_len >= 32 && in->head[0] == 0x80 && in->head[1] >= 2 && in->head[1] <= 5 &&
	    memmem(in->head + 2, 30, legacy_magic + 2, sizeof(legacy_magic) - 2))
		return 90;
	return 0;
}

/* magic number, protocol version, sys_info, the object, the storage keys; then raw
 * storage bytes that torch.load reads as data, never unpickles. */
int ms_scan_pytorch_legacy(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_pickle_opts o = { 0, 5, 1, 0 };
	struct ms_pickle_stats st;
	int rc = ms_pickle_scan(ctx, in, &o, &st);
	if (rc < 0)
		return rc;
	if (st.streams < 5 && !st.broken && !ctx->incomplete)
		ms_incomplete(ctx, in, "legacy PyTorch file with %u of its 5 pickles", st.streams);
	return 0;
}

/* ---------------------------------------------------------------- legacy tar */

int ms_probe_pytorch_tar(const struct ms_input *in)
{
	if (in->head_len < 512 || memcmp(in->head + 257, "ustar", 5) != 0)
		return 0;
	const char *n = (const char *)in->head;
	if (strncmp(n, "sys_info", 9) == 0 || strncmp(n, "pickle", 7) == 0 || strncmp(n, "storages", 9) == 0 ||
	    strncmp(n, "tensors", 8) == 0)
		return 85;
	return 0;
}

int ms_scan_pytorch_tar(struct ms_ctx *ctx, struct ms_input *in)
{
	struct mls_archive *ar = NULL;
	struct mls_buf hold;
	struct mls_archive_entry e;
	int rc;
	memset(&hold, 0, sizeof(hold));
	rc = open_archive(ctx, in, 0, &ar, &hold);
	if (rc < 0) {
		ms_incomplete(ctx, in, "cannot read the tar: %s", mls_error_msg());
		rc = 0;
		goto done;
	}
	for (;;) {
		rc = mls_archive_next(ar, &e);
		if (rc == 1)
			break;
		if (rc < 0) {
			ms_incomplete(ctx, in, "tar: %s", mls_error_msg());
			rc = 0;
			goto done;
		}
		if (e.type != MLS_AENT_FILE)
			continue;
		char loc[1200];
		snprintf(loc, sizeof(loc), "%s%s%s", in->location, in->location[0] ? " > " : "", e.path);
		struct ms_input m;
		ms_input_init_archive(&m, ar, loc, e.path, e.size_known ? e.size : UINT64_MAX, in->depth + 1);
		/* sys_info and pickle are pickles; storages and tensors interleave pickles with raw data:
		 * their leading pickles are scanned, the rest is data torch reads without unpickling */
		int whole = strcmp(e.path, "pickle") == 0 || strcmp(e.path, "sys_info") == 0;
		int data = strcmp(e.path, "storages") == 0 || strcmp(e.path, "tensors") == 0;
		if (!whole && !data) {
			enum ms_format f;
			if ((rc = ms_scan_input(ctx, &m, &f)) < 0)
				goto done;
			continue;
		}
		struct ms_pickle_opts o = { 0, whole ? 0 : 2, data, 0 };
		struct ms_pickle_stats st;
		if ((rc = ms_pickle_scan(ctx, &m, &o, &st)) < 0) {
			ms_incomplete(ctx, in, "member '%s': %s", e.path, mls_error_msg());
			rc = 0;
		}
		if (data && st.streams == 2)
			ms_incomplete(ctx, in, "legacy tar member '%s': pickles after the first raw storage were not examined",
				      e.path);
	}
	rc = 0;
done:
	mls_archive_free(ar);
	mls_buf_release(&hold);
	return rc;
}
