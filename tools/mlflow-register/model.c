/* Reads and hashes the model file or directory (see model.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "model.h"
#include "mls/common.h"

#define MODEL_MAX_FILES 100000

static int on_skip(const struct mls_walk_entry *e, void *ctx)
{
	struct mls_buf *why = ctx;
	if (!why->len)
		mls_buf_printf(why, "'%s' %s", e->path, e->reason ? e->reason : "skipped");
	return 0;
}

static int add_file(struct mr_model *m, const char *path, const char *rel)
{
	struct mr_model_file *p = realloc(m->files, (m->n + 1) * sizeof(*p));
	if (!p)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	m->files = p;
	memset(&p[m->n], 0, sizeof(p[m->n]));
	p[m->n].path = strdup(path);
	p[m->n].rel = strdup(rel);
	if (!p[m->n].path || !p[m->n].rel) {
		free(p[m->n].path);
		free(p[m->n].rel);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	m->n++;
	return 0;
}

int mr_model_load(struct mr_model *m, const char *path)
{
	struct stat st;
	struct mls_file_list list;
	struct mls_buf why;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	memset(&list, 0, sizeof(list));
	mls_buf_init(&m->manifest, (size_t)64 << 20);
	mls_buf_init(&why, 4096);
	if (stat(path, &st) < 0) {
		rc = mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", path,
				   strerror(errno));
		goto done;
	}
	if (S_ISREG(st.st_mode)) {
		rc = add_file(m, path, mls_path_basename(path));
	} else if (S_ISDIR(st.st_mode)) {
		struct mls_walk_opts wo = { 0 };
		wo.max_entries = MODEL_MAX_FILES;
		m->is_dir = 1;
		rc = mls_walk_collect(&list, path, &wo, on_skip, &why);
		if (rc < 0)
			goto done;
		if (why.len) {
			rc = mls_error_set(MLS_EUNSAFE, "cannot register '%s' as it is: %s", path, mls_buf_cstr(&why));
			goto done;
		}
		if (!list.n) {
			rc = mls_error_set(MLS_EINVAL, "'%s' contains no files", path);
			goto done;
		}
		for (size_t i = 0; i < list.n && rc == 0; i++) {
			if (!mls_path_is_safe_relative(list.rels[i]))
				rc = mls_error_set(MLS_EUNSAFE, "cannot upload '%s': unusual file name", list.paths[i]);
			else
				rc = add_file(m, list.paths[i], list.rels[i]);
		}
	} else {
		rc = mls_error_set(MLS_EINVAL, "'%s' is neither a regular file nor a directory", path);
	}
	if (rc < 0)
		goto done;
	m->digests = calloc(m->n, sizeof(*m->digests));
	if (!m->digests) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < m->n; i++) {
		rc = mls_hash_file(m->files[i].sha256, &m->files[i].size, m->files[i].path, MLS_SHA256);
		if (rc < 0)
			goto done;
		m->total += m->files[i].size;
		m->digests[i] = m->files[i].sha256;
		rc = mls_buf_printf(&m->manifest, "%s  %s\n", m->files[i].sha256, m->files[i].rel);
		if (rc < 0)
			goto done;
	}
	if (m->is_dir) {
		rc = mls_hash_buffer(m->digest, m->manifest.data, m->manifest.len, MLS_SHA256);
		m->digest_tag = "mlsecops.manifest_sha256";
	} else {
		memcpy(m->digest, m->files[0].sha256, sizeof(m->digest));
		m->digest_tag = "mlsecops.sha256";
	}
done:
	mls_file_list_release(&list);
	mls_buf_release(&why);
	if (rc < 0)
		mr_model_release(m);
	return rc;
}

void mr_model_release(struct mr_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->files[i].path);
		free(m->files[i].rel);
	}
	free(m->files);
	free(m->digests);
	mls_buf_release(&m->manifest);
	memset(m, 0, sizeof(*m));
}
