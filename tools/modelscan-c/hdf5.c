/*
 * HDF5 files (legacy Keras .h5/.hdf5, Keras v3 model.weights.h5, any HDF5)
 * through libhdf5.  The root attributes model_config and training_config
 * (JSON) go through the Keras config walker (CVE-2025-9905: the legacy loader
 * ignores safe_mode, so a Lambda there runs on load).  Every link is visited:
 *
 *   MS-HDF5-001 medium  external link: opening it reads another file
 *   MS-HDF5-002 medium  dataset whose data lives in external files or a
 *                       virtual dataset mapping other files
 *
 * libhdf5 keeps global state and the Debian build is not thread-safe, so all
 * calls are serialised by one mutex; its automatic error printing is turned
 * off and its errors become ours.  Members of archives are opened as in-memory
 * file images.
 */
#include <pthread.h>
#include <string.h>
#include "formats_util.h"

#ifdef MS_HAVE_HDF5
#include <hdf5.h>

#define H5_MAX_LINKS 1000000
#define H5_MAX_IMAGE ((size_t)1 << 30)

static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;

struct h5w {
	struct ms_ctx *ctx;
	struct ms_input *in;
	uint64_t links;
	int stop;
};

int ms_probe_hdf5(const struct ms_input *in)
{
	static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
	for (size_t off = 0; off + 8 <= in->head_len; off = off ? off * 2 : 512)
		if (memcmp(in->head + off, sig, 8) == 0)
			return 90;
	return 0;
}

/* Reads a string attribute (variable or fixed length, scalar) into out. */
static int read_str_attr(hid_t obj, const char *name, struct mls_buf *out, size_t max)
{
	hid_t a = -1, t = -1, sp = -1, mt = -1;
	int rc = 0;
	if (H5Aexists(obj, name) <= 0)
		return 1;
	if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 || (sp = H5Aget_space(a)) < 0) {
		rc = mls_error_set(MLS_EFORMAT, "cannot open attribute '%s'", name);
		goto done;
	}
	if (H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
		rc = mls_error_set(MLS_EFORMAT, "attribute '%s' is not a single string", name);
		goto done;
	}
	if (H5Tis_variable_str(t) > 0) {
		char *s = NULL;
		mt = H5Tcopy(H5T_C_S1);
		H5Tset_size(mt, H5T_VARIABLE);
		H5Tset_cset(mt, H5Tget_cset(t));
		if (H5Aread(a, mt, &s) < 0 || !s) {
			rc = mls_error_set(MLS_EFORMAT, "cannot read attribute '%s'", name);
			goto done;
		}
		size_t n = strlen(s);
		rc = n > max ? mls_error_set(MLS_ELIMIT, "attribute '%s' is larger than %zu bytes", name, max)
			     : mls_buf_append(out, s, n);
		H5free_memory(s);
	} else {
		size_t n = H5Tget_size(t);
		if (n == 0 || n > max) {
			rc = mls_error_set(MLS_ELIMIT, "attribute '%s' of %zu bytes is over the limit", name, n);
			goto done;
		}
		if ((rc = mls_buf_reserve(out, n + 1)) < 0)
			goto done;
		mt = H5Tcopy(t);
		if (H5Aread(a, mt, out->data + out->len) < 0) {
			rc = mls_error_set(MLS_EFORMAT, "cannot read attribute '%s'", name);
			goto done;
		}
		out->data[out->len + n] = '\0';
		out->len += strnlen(out->data + out->len, n);
	}
done:
	if (mt >= 0)
		H5Tclose(mt);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return rc;
}

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t ms_h5l_info;
#define MS_H5LVISIT H5Lvisit2
#else
typedef H5L_info_t ms_h5l_info;
#define MS_H5LVISIT H5Lvisit
#endif

static herr_t visit_link(hid_t g, const char *name, const ms_h5l_info *info, void *arg)
{
	struct h5w *w = arg;
	char loc[1200];
	if (++w->links > H5_MAX_LINKS) {
		ms_incomplete(w->ctx, w->in, "more than %d HDF5 links", H5_MAX_LINKS);
		return 1;
	}
	if ((w->links & 0x3ff) == 0 && ms_out_of_time(w->ctx, w->in))
		return 1;
	snprintf(loc, sizeof(loc), "object '/%s'", name);
	if (info->type == H5L_TYPE_EXTERNAL) {
		char buf[4096];
		const char *file = NULL, *obj = NULL;
		unsigned flags;
		if (info->u.val_size <= sizeof(buf) && H5Lget_val(g, name, buf, sizeof(buf), H5P_DEFAULT) >= 0 &&
		    H5Lunpack_elink_val(buf, info->u.val_size, &flags, &file, &obj) < 0)
			file = NULL;
		ms_finding(w->ctx, w->in, "MS-HDF5-001", "hdf5-external-link", MLS_SEV_MEDIUM, loc, file ? file : "",
			   "external link to '%s': opening it reads another file", file ? file : "?");
		return 0;
	}
	if (info->type != H5L_TYPE_HARD)
		return 0;
	H5O_info_t oi;
#if H5_VERSION_GE(1, 12, 0)
	if (H5Oget_info_by_name3(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
		return 0;
#else
	if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
		return 0;
#endif
	hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
	if (d < 0)
		return 0;
	hid_t pl = H5Dget_create_plist(d);
	if (pl >= 0) {
		int next = H5Pget_external_count(pl);
		if (next > 0) {
			char fname[1024] = "";
			off_t off;
			hsize_t sz;
			H5Pget_external(pl, 0, sizeof(fname), fname, &off, &sz);
			ms_finding(w->ctx, w->in, "MS-HDF5-002", "hdf5-external-storage", MLS_SEV_MEDIUM, loc, fname,
				   "dataset data is stored in external file '%s': reading it reads that file", fname);
		} else if (H5Pget_layout(pl) == H5D_VIRTUAL) {
			ms_finding(w->ctx, w->in, "MS-HDF5-002", "hdf5-external-storage", MLS_SEV_MEDIUM, loc, "virtual",
				   "virtual dataset maps data from other files");
		}
		H5Pclose(pl);
	}
	H5Dclose(d);
	return 0;
}

static void check_config(struct ms_ctx *ctx, struct ms_input *in, hid_t f, const char *name)
{
	struct mls_buf b;
	mls_buf_init(&b, (size_t)ctx->limits->max_json_bytes + 1);
	int rc = read_str_attr(f, name, &b, (size_t)ctx->limits->max_json_bytes);
	if (rc == 0) {
		if (ms_keras_check_json(ctx, in, b.data ? b.data : "", b.len, name) < 0)
			ms_incomplete(ctx, in, "%s", mls_error_msg());
	} else if (rc < 0) {
		ms_incomplete(ctx, in, "%s", mls_error_msg());
	}
	mls_buf_release(&b);
}

static pthread_once_t h5_once = PTHREAD_ONCE_INIT;
static void h5_init(void)
{
	H5open();
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int ms_scan_hdf5(struct ms_ctx *ctx, struct ms_input *in)
{
	struct mls_buf img;
	hid_t fapl = -1, f = -1;
	int rc = 0;
	mls_buf_init(&img, H5_MAX_IMAGE + 1);
	if (!(in->fd >= 0 && in->path)) {
		/* libhdf5 copies the image once more: keep members to 1 GiB */
		size_t max = ctx->limits->max_decompressed_bytes > H5_MAX_IMAGE ? H5_MAX_IMAGE
									       : (size_t)ctx->limits->max_decompressed_bytes;
		if (in->mem) {
			if ((rc = mls_buf_append(&img, in->mem, in->mem_len)) < 0)
				goto out;
		} else if ((rc = ms_input_load(in, &img, max)) < 0) {
			if (rc == MLS_ELIMIT) {
				ms_incomplete(ctx, in, "HDF5 member over 1 GiB not examined (extract and scan it): %s",
					      mls_error_msg());
				rc = 0;
			}
			goto out;
		}
	}
	pthread_once(&h5_once, h5_init);
	pthread_mutex_lock(&h5_lock);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (img.len || !(in->fd >= 0 && in->path)) {
		fapl = H5Pcreate(H5P_FILE_ACCESS);
		if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
		    H5Pset_file_image(fapl, img.data ? img.data : "", img.len) < 0) {
			rc = mls_error_set(MLS_EFORMAT, "cannot set up an HDF5 file image");
			goto unlock;
		}
		f = H5Fopen("ms-image.h5", H5F_ACC_RDONLY, fapl);
	} else {
		f = H5Fopen(in->path, H5F_ACC_RDONLY, H5P_DEFAULT);
	}
	if (f < 0) {
		rc = mls_error_set(MLS_EFORMAT, "corrupt HDF5 file (libhdf5 cannot open it)");
		goto unlock;
	}
	check_config(ctx, in, f, "model_config");
	check_config(ctx, in, f, "training_config");
	struct h5w w = { .ctx = ctx, .in = in };
	if (MS_H5LVISIT(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit_link, &w) < 0 && !ctx->incomplete)
		ms_incomplete(ctx, in, "HDF5 link structure could not be walked completely");
unlock:
	if (f >= 0)
		H5Fclose(f);
	if (fapl >= 0)
		H5Pclose(fapl);
	H5Eclear2(H5E_DEFAULT);
	pthread_mutex_unlock(&h5_lock);
out:
	mls_buf_release(&img);
	return rc;
}

#else /* !MS_HAVE_HDF5 */

int ms_probe_hdf5(const struct ms_input *in)
{
	static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
	return in->head_len >= 8 && memcmp(in->head, sig, 8) == 0 ? 90 : 0;
}

int ms_scan_hdf5(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "HDF5 support was not built (libhdf5-dev missing): file not examined");
	return 0;
}

#endif
