/*
 * Hashing files and directory trees, and the `hashsbom hash` command.
 *
 * Files are streamed through mls_hash_file (OpenSSL EVP, 1 MiB reads) and
 * hashed in parallel with mls_parallel_for.  A directory is walked with
 * mls_walk (symlinks never followed out of the root, sorted) and gets a
 * manifest digest: the digest of the concatenated sha256sum-style lines
 * "<hex>  <rel>\n" of its files sorted byte-wise by relative path (names with
 * a backslash, newline or carriage return escaped as GNU coreutils does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "hashsbom.h"

int hs_sum_line(struct mls_buf *out, const char *hex, const char *name)
{
	int esc = strpbrk(name, "\\\n\r") != NULL;
	int rc = 0;

	if (esc)
		rc = mls_buf_putc(out, '\\');
	if (rc == 0)
		rc = mls_buf_puts(out, hex);
	if (rc == 0)
		rc = mls_buf_puts(out, "  ");
	for (const char *p = name; rc == 0 && *p; p++) {
		if (esc && *p == '\\')
			rc = mls_buf_puts(out, "\\\\");
		else if (esc && *p == '\n')
			rc = mls_buf_puts(out, "\\n");
		else if (esc && *p == '\r')
			rc = mls_buf_puts(out, "\\r");
		else
			rc = mls_buf_putc(out, *p);
	}
	if (rc == 0)
		rc = mls_buf_putc(out, '\n');
	return rc;
}

int hs_manifest_digest(char *hex, const struct hs_entry *e, size_t n, enum mls_hash_algo algo)
{
	struct mls_hash h;
	struct mls_buf line;
	int rc;

	mls_buf_init(&line, (size_t)1 << 22);
	rc = mls_hash_init(&h, algo);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mls_buf_reset(&line);
		rc = hs_sum_line(&line, e[i].hex, e[i].rel);
		if (rc == 0)
			rc = mls_hash_update(&h, line.data, line.len);
	}
	if (rc == 0)
		rc = mls_hash_final_hex(&h, hex);
	mls_hash_release(&h);
	mls_buf_release(&line);
	return rc;
}

/* The files of several trees, hashed together on one pool of threads. */
struct flat_job {
	struct hs_tree *const *trees;
	size_t ntrees;
	size_t *start; /* start[k] = index of trees[k]'s first entry in the flat list */
};

static int hash_one(size_t i, void *ctx)
{
	struct flat_job *j = ctx;
	size_t k = 0;
	struct hs_tree *t;
	struct hs_entry *e;
	uint64_t size = 0;

	while (k + 1 < j->ntrees && j->start[k + 1] <= i)
		k++;
	t = j->trees[k];
	e = &t->e[i - j->start[k]];
	e->rc = mls_hash_file(e->hex, &size, e->path, t->algo);
	if (e->rc < 0) {
		e->err = strdup(mls_error_msg());
		e->hex[0] = '\0';
	} else {
		e->size = size;
	}
	return 0;
}

struct skip_ctx {
	struct hs_tree *t;
};

static int skip_cb(const struct mls_walk_entry *we, void *ctx)
{
	struct hs_tree *t = ((struct skip_ctx *)ctx)->t;

	if (we->type == MLS_WALK_SKIPPED)
		hs_warnings_add(&t->skipped, "%s: %s", we->rel, we->reason ? we->reason : "skipped");
	return 0;
}

/*
 * Walks root and lists its files in t without hashing them.  exclude_real
 * (may be NULL) is the realpath of one file to leave out (the SBOM itself
 * when it lives inside the model directory).
 */
int hs_tree_collect(struct hs_tree *t, const char *root, enum mls_hash_algo algo, const char *exclude_real)
{
	struct mls_file_list fl = { 0 };
	struct stat st;
	struct skip_ctx sc = { t };
	int rc;

	memset(t, 0, sizeof(*t));
	t->algo = algo;
	t->root = strdup(root);
	if (!t->root)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	if (stat(root, &st) != 0)
		return mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", root,
				     strerror(errno));
	t->is_dir = S_ISDIR(st.st_mode);
	rc = mls_walk_collect(&fl, root, NULL, skip_cb, &sc);
	t->walk_rc = rc < 0 ? rc : 0;
	if (rc < 0 && fl.n == 0)
		goto done;
	t->e = calloc(fl.n ? fl.n : 1, sizeof(*t->e));
	if (!t->e) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < fl.n; i++) {
		if (exclude_real) {
			char *real = realpath(fl.paths[i], NULL);
			int same = real && strcmp(real, exclude_real) == 0;
			free(real);
			if (same)
				continue;
		}
		t->e[t->n].path = fl.paths[i];
		t->e[t->n].rel = fl.rels[i];
		t->e[t->n].size = fl.sizes[i];
		fl.paths[i] = fl.rels[i] = NULL;
		t->n++;
	}
done:
	mls_file_list_release(&fl);
	return rc;
}

/*
 * Hashes the files of all trees on `jobs` threads (the files of different
 * trees in parallel too), then counts failures and computes each
 * directory's manifest digest.
 */
int hs_trees_hash(struct hs_tree *const *trees, size_t ntrees, int jobs)
{
	struct flat_job job = { trees, ntrees, NULL };
	size_t total = 0;
	int rc;

	job.start = calloc(ntrees ? ntrees : 1, sizeof(*job.start));
	if (!job.start)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	for (size_t k = 0; k < ntrees; k++) {
		job.start[k] = total;
		total += trees[k]->n;
	}
	rc = mls_parallel_for(total, jobs, hash_one, &job);
	free(job.start);
	for (size_t k = 0; rc == 0 && k < ntrees; k++) {
		struct hs_tree *t = trees[k];
		t->nfailed = 0;
		for (size_t i = 0; i < t->n; i++)
			if (t->e[i].rc < 0)
				t->nfailed++;
		if (t->is_dir && t->nfailed == 0 && t->walk_rc == 0)
			rc = hs_manifest_digest(t->manifest, t->e, t->n, t->algo);
	}
	return rc;
}

int hs_tree_hash(struct hs_tree *t, const char *root, enum mls_hash_algo algo, int jobs, const char *exclude_real)
{
	int rc = hs_tree_collect(t, root, algo, exclude_real);
	if (rc == 0)
		rc = hs_trees_hash(&t, 1, jobs);
	return rc;
}

void hs_tree_release(struct hs_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].rel);
		free(t->e[i].err);
	}
	free(t->e);
	free(t->root);
	hs_warnings_release(&t->skipped);
	memset(t, 0, sizeof(*t));
}

static void json_tree(yajl_gen g, const struct hs_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct hs_entry *e = &t->e[i];
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", e->path);
		if (t->is_dir) {
			mls_jgen_kv_str(g, "root", t->root);
			mls_jgen_kv_str(g, "rel", e->rel);
		}
		if (e->rc < 0) {
			mls_jgen_kv_str(g, "error", e->err ? e->err : mls_strerror(e->rc));
		} else {
			mls_jgen_kv_uint(g, "size", e->size);
			mls_jgen_kv_str(g, mls_hash_name(t->algo), e->hex);
		}
		yajl_gen_map_close(g);
	}
}

/* Renders the results of every tree as sum lines or JSON into out. */
static int render(struct mls_buf *out, const struct hs_hash_opts *o, struct hs_tree *trees, size_t ntrees)
{
	int rc = 0;

	if (!o->json) {
		for (size_t k = 0; rc == 0 && k < ntrees; k++)
			for (size_t i = 0; rc == 0 && i < trees[k].n; i++)
				if (trees[k].e[i].rc == 0)
					rc = hs_sum_line(out, trees[k].e[i].hex, trees[k].e[i].path);
		return rc;
	}
	yajl_gen g = mls_jgen_new(1);
	const unsigned char *buf;
	size_t len;
	if (!g)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	yajl_gen_map_open(g);
	mls_jgen_str(g, "tool");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", HS_TOOL);
	mls_jgen_kv_str(g, "version", MLS_VERSION);
	yajl_gen_map_close(g);
	mls_jgen_kv_str(g, "algorithm", mls_hash_name(o->algo));
	mls_jgen_str(g, "files");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < ntrees; k++)
		json_tree(g, &trees[k]);
	yajl_gen_array_close(g);
	mls_jgen_str(g, "manifests");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < ntrees; k++) {
		if (!trees[k].is_dir)
			continue;
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", trees[k].root);
		mls_jgen_kv_uint(g, "files", trees[k].n);
		mls_jgen_kv_str(g, mls_hash_name(o->algo),
				trees[k].nfailed || trees[k].walk_rc ? NULL : trees[k].manifest);
		mls_jgen_str(g, "skipped");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < trees[k].skipped.n; i++)
			mls_jgen_str(g, trees[k].skipped.v[i]);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		rc = mls_buf_append(out, buf, len);
		if (rc == 0)
			rc = mls_buf_putc(out, '\n');
	} else
		rc = mls_error_set(MLS_EINVAL, "cannot generate JSON");
	yajl_gen_free(g);
	return rc;
}

/* "hashsbom: manifest sha256 <hex> for 'dir' (N files)" on stderr unless -q. */
static void manifest_note(const struct hs_hash_opts *o, const struct hs_tree *t)
{
	struct mls_buf name;

	if (mls_log_get_level() < MLS_LOG_WARN)
		return;
	mls_buf_init(&name, (size_t)1 << 20);
	if (mls_escape_term(&name, t->root) == 0)
		fprintf(stderr, "%s: manifest %s %s for '%s' (%zu files)\n", HS_TOOL, mls_hash_name(o->algo),
			t->manifest, mls_buf_cstr(&name), t->n);
	mls_buf_release(&name);
}

int hs_hash_run(const struct hs_hash_opts *o)
{
	struct hs_tree *trees = calloc(o->npaths ? o->npaths : 1, sizeof(*trees));
	struct mls_buf out;
	int failed = 0, rc = 0;

	mls_buf_init(&out, (size_t)1 << 30);
	if (!trees) {
		mls_err("out of memory");
		return MLS_EXIT_ERROR;
	}
	struct hs_tree **tp = calloc(o->npaths ? o->npaths : 1, sizeof(*tp));
	size_t ntp = 0;
	if (!tp) {
		free(trees);
		mls_err("out of memory");
		return MLS_EXIT_ERROR;
	}
	/* walk every path first, then hash all their files on one pool */
	for (size_t k = 0; k < o->npaths; k++) {
		rc = hs_tree_collect(&trees[k], o->paths[k], o->algo, NULL);
		if (rc < 0) {
			mls_err("%s", mls_error_msg());
			failed = 1; /* what was listed is still hashed; no manifest */
		}
		tp[ntp++] = &trees[k];
	}
	rc = hs_trees_hash(tp, ntp, o->jobs);
	free(tp);
	if (rc < 0) {
		mls_err("%s", mls_error_msg());
		failed = 1;
	}
	for (size_t k = 0; k < o->npaths; k++) {
		for (size_t i = 0; i < trees[k].n; i++)
			if (trees[k].e[i].rc < 0) {
				mls_err("%s", trees[k].e[i].err ? trees[k].e[i].err : mls_strerror(trees[k].e[i].rc));
				failed = 1;
			}
		/* an entry that was not hashed leaves the output short of what was asked: exit 2 */
		for (size_t i = 0; i < trees[k].skipped.n; i++) {
			if (trees[k].is_dir) {
				mls_err("not hashed: %s/%s", o->paths[k], trees[k].skipped.v[i]);
			} else {
				/* a file root's entry is named by its base name: show the path as given */
				const char *slash = strrchr(o->paths[k], '/');
				mls_err("not hashed: %.*s%s", slash ? (int)(slash - o->paths[k] + 1) : 0, o->paths[k],
					trees[k].skipped.v[i]);
			}
			failed = 1;
		}
		if (trees[k].is_dir && trees[k].n == 0 && trees[k].walk_rc == 0)
			mls_warn("'%s' holds no regular file", o->paths[k]);
		if (trees[k].is_dir && trees[k].nfailed == 0 && trees[k].walk_rc == 0 && rc == 0 && !o->json)
			manifest_note(o, &trees[k]);
	}
	rc = render(&out, o, trees, o->npaths);
	if (rc == 0) {
		if (o->output && strcmp(o->output, "-") != 0) {
			rc = mls_write_file_atomic(o->output, out.data ? out.data : "", out.len);
		} else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
			rc = mls_error_set(MLS_EIO, "cannot write to stdout: %s", strerror(errno));
		}
		if (rc == 0 && fflush(stdout) != 0)
			rc = mls_error_set(MLS_EIO, "cannot write to stdout: %s", strerror(errno));
	}
	if (rc < 0) {
		mls_err("%s", mls_error_msg());
		failed = 1;
	}
	for (size_t k = 0; k < o->npaths; k++)
		hs_tree_release(&trees[k]);
	free(trees);
	mls_buf_release(&out);
	return failed ? MLS_EXIT_ERROR : MLS_EXIT_OK;
}
