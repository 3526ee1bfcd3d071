/*
 * Deterministic directory walker (see mls/walk.h for the contract).
 *
 * Directories are opened with openat(O_NOFOLLOW | O_DIRECTORY) relative to
 * their parent and entries examined with fstatat(AT_SYMLINK_NOFOLLOW), so a
 * name is never followed by accident.  A symbolic link is resolved with
 * realpath() and followed only when the result lies within the root's own
 * realpath (mls_path_is_within); directories on the current path are kept
 * as (device, inode) pairs so an in-root link back to an ancestor is reported
 * as a loop instead of being walked forever.  Names are sorted with strcmp
 * (byte-wise, independent of the locale).  Nothing but directories is ever
 * opened: FIFOs and devices are reported, not touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mls/error.h"
#include "mls/buf.h"
#include "mls/path.h"
#include "mls/util.h"
#include "mls/walk.h"
#include "mls/banned.h"

#define WALK_DEFAULT_DEPTH 64
#define WALK_DEFAULT_ENTRIES 1000000ULL
#define WALK_PATH_MAX ((size_t)1 << 20)

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct walk {
	mls_walk_cb cb;
	void *ctx;
	int report_dirs;
	int max_depth;
	uint64_t max_entries;
	uint64_t count;
	char *root_real;
	struct mls_buf path; /* root as given + "/" + rel */
	struct mls_buf rel;
	struct dir_id *stack; /* directories on the current path */
	size_t nstack, capstack;
};

static const char *type_reason(mode_t m)
{
	if (S_ISFIFO(m))
		return "FIFO (named pipe)";
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISCHR(m))
		return "character device";
	if (S_ISBLK(m))
		return "block device";
	return "not a regular file or directory";
}

static const char *errno_reason(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOENT:
		return "disappeared while walking";
	default:
		return strerror(err);
	}
}

/* Reports the current path/rel to the callback, counting it against
 * max_entries first.  Returns the callback's value or MLS_ELIMIT. */
static int emit(struct walk *w, enum mls_walk_type type, uint64_t size, int depth, int via,
		const char *reason)
{
	struct mls_walk_entry e;

	e.path = mls_buf_cstr(&w->path);
	e.rel = mls_buf_cstr(&w->rel);
	e.size = type == MLS_WALK_FILE ? size : 0;
	e.depth = depth;
	e.via_symlink = via;
	if (++w->count > w->max_entries) {
		e.type = MLS_WALK_SKIPPED;
		e.reason = "walk entry limit reached";
		if (w->cb)
			(void)w->cb(&e, w->ctx);
		return mls_error_set(MLS_ELIMIT, "more than %llu entries under the scanned root",
				     (unsigned long long)w->max_entries);
	}
	e.type = type;
	e.reason = type == MLS_WALK_SKIPPED ? reason : NULL;
	return w->cb ? w->cb(&e, w->ctx) : 0;
}

static int on_stack(const struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nstack; i++)
		if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int push_dir(struct walk *w, const struct stat *st)
{
	int rc = mls_array_reserve(&w->stack, &w->capstack, w->nstack, sizeof(*w->stack), 16);
	if (rc < 0)
		return rc;
	w->stack[w->nstack].dev = st->st_dev;
	w->stack[w->nstack].ino = st->st_ino;
	w->nstack++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n && names; i++)
		free(names[i]);
	free(names);
}

/* Reads the names in directory fd (not "." and ".."), sorted byte-wise.
 * fd stays open.  *out belongs to the caller (free_names). */
static int list_dir(char ***out, size_t *nout, int fd)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd, rc = 0;

	*out = NULL;
	*nout = 0;
	dfd = dup(fd);
	if (dfd < 0)
		return mls_error_set(MLS_EIO, "cannot read directory: %s", strerror(errno));
	d = fdopendir(dfd);
	if (!d) {
		rc = mls_error_set(MLS_EIO, "cannot read directory: %s", strerror(errno));
		close(dfd);
		return rc;
	}
	rewinddir(d);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = mls_error_set(MLS_EIO, "cannot read directory: %s", strerror(errno));
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **p = realloc(names, ncap * sizeof(*p));
			if (!p) {
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
				break;
			}
			names = p;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (rc < 0) {
		free_names(names, n);
		return rc;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*nout = n;
	return 0;
}

static int walk_dir(struct walk *w, int fd, int depth, int via);

/* Appends "/name" to path and rel (rel without a leading slash). */
static int push_name(struct walk *w, const char *name)
{
	int rc = 0;

	if (w->path.len == 0 || w->path.data[w->path.len - 1] != '/')
		rc = mls_buf_putc(&w->path, '/');
	if (rc == 0)
		rc = mls_buf_puts(&w->path, name);
	if (rc == 0 && w->rel.len > 0)
		rc = mls_buf_putc(&w->rel, '/');
	if (rc == 0)
		rc = mls_buf_puts(&w->rel, name);
	if (rc < 0)
		return mls_error_set(MLS_ELIMIT, "path too long under the scanned root");
	return 0;
}

static void truncate_buf(struct mls_buf *b, size_t len)
{
	if (b->data && len <= b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/*
 * Visits directory fd (already opened, st its fstat): reports it, then walks
 * it with (dev, ino) pushed on the loop-detection stack.  Takes ownership of
 * fd.
 */
static int enter_dir(struct walk *w, int fd, const struct stat *st, int depth, int via)
{
	int rc;

	if (on_stack(w, st)) {
		close(fd);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via,
			    via ? "symlink loop (directory already being walked)"
				: "directory loop (directory already being walked)");
	}
	if (w->report_dirs) {
		rc = emit(w, MLS_WALK_DIR, 0, depth, via, NULL);
		if (rc != 0) {
			close(fd);
			return rc;
		}
	} else if (depth > 0 && w->count + 1 > w->max_entries) {
		/* unreported directories count too; emit reports the limit */
		close(fd);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via, NULL);
	} else if (depth > 0) {
		w->count++;
	}
	rc = push_dir(w, st);
	if (rc == 0) {
		rc = walk_dir(w, fd, depth, via);
		w->nstack--;
	}
	close(fd);
	return rc;
}

/* Follows a symbolic link at the current path if it resolves inside the root. */
static int visit_symlink(struct walk *w, int depth)
{
	char *resolved;
	struct stat st;
	int fd, rc;

	resolved = realpath(mls_buf_cstr(&w->path), NULL);
	if (!resolved) {
		int err = errno;
		const char *why = err == ENOENT || err == ENOTDIR ? "dangling symlink (target does not exist)"
				: err == ELOOP ? "symlink loop"
				: err == EACCES ? "permission denied"
				: strerror(err);
		if (err == ENOMEM)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, why);
	}
	if (!mls_path_is_within(w->root_real, resolved)) {
		free(resolved);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, "symlink points outside the scanned root");
	}
	if (stat(resolved, &st) != 0) {
		int err = errno;
		free(resolved);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, errno_reason(err));
	}
	if (S_ISREG(st.st_mode)) {
		free(resolved);
		return emit(w, MLS_WALK_FILE, (uint64_t)st.st_size, depth, 1, NULL);
	}
	if (!S_ISDIR(st.st_mode)) {
		free(resolved);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, type_reason(st.st_mode));
	}
	if (on_stack(w, &st)) {
		free(resolved);
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, "symlink loop (directory already being walked)");
	}
	/* resolved contains no symbolic link, so O_NOFOLLOW only guards a race. */
	fd = open(resolved, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(resolved);
	if (fd < 0)
		return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, errno_reason(errno));
	{
		struct stat fst;
		if (fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
			close(fd);
			return emit(w, MLS_WALK_SKIPPED, 0, depth, 1, "changed while walking");
		}
	}
	rc = enter_dir(w, fd, &st, depth, 1);
	return rc;
}

/* Visits name in directory dfd; path/rel already end with it. */
static int visit(struct walk *w, int dfd, const char *name, int depth, int via)
{
	struct stat st;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via, errno_reason(errno));
	if (S_ISLNK(st.st_mode))
		return visit_symlink(w, depth);
	if (S_ISREG(st.st_mode))
		return emit(w, MLS_WALK_FILE, (uint64_t)st.st_size, depth, via, NULL);
	if (!S_ISDIR(st.st_mode))
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via, type_reason(st.st_mode));
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via, errno_reason(errno));
	{
		struct stat fst;
		if (fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
			close(fd);
			return emit(w, MLS_WALK_SKIPPED, 0, depth, via, "changed while walking");
		}
	}
	return enter_dir(w, fd, &st, depth, via);
}

/* Walks the children of directory fd (at depth), in sorted order. */
static int walk_dir(struct walk *w, int fd, int depth, int via)
{
	char **names = NULL;
	size_t n = 0, plen = w->path.len, rlen = w->rel.len;
	int rc;

	rc = list_dir(&names, &n, fd);
	if (rc == MLS_EIO)
		return emit(w, MLS_WALK_SKIPPED, 0, depth, via, mls_error_msg());
	if (rc < 0)
		return rc;
	if (n > 0 && depth + 1 > w->max_depth) {
		rc = push_name(w, names[0]);
		if (rc == 0) {
			(void)emit(w, MLS_WALK_SKIPPED, 0, depth + 1, via, "directory tree too deep");
			rc = mls_error_set(MLS_ELIMIT, "'%s' is nested deeper than %d levels",
					   mls_buf_cstr(&w->path), w->max_depth);
		}
		goto done;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = push_name(w, names[i]);
		if (rc == 0)
			rc = visit(w, fd, names[i], depth + 1, via);
		truncate_buf(&w->path, plen);
		truncate_buf(&w->rel, rlen);
	}
done:
	truncate_buf(&w->path, plen);
	truncate_buf(&w->rel, rlen);
	free_names(names, n);
	return rc;
}

int mls_walk(const char *root, const struct mls_walk_opts *opts, mls_walk_cb cb, void *ctx)
{
	struct walk w;
	struct stat st;
	int fd, rc;

	memset(&w, 0, sizeof(w));
	mls_buf_init(&w.path, WALK_PATH_MAX);
	mls_buf_init(&w.rel, WALK_PATH_MAX);
	w.cb = cb;
	w.ctx = ctx;
	w.report_dirs = opts ? opts->report_dirs : 0;
	w.max_depth = opts && opts->max_depth > 0 ? opts->max_depth : WALK_DEFAULT_DEPTH;
	w.max_entries = opts && opts->max_entries > 0 ? opts->max_entries : WALK_DEFAULT_ENTRIES;

	if (!root || !*root) {
		rc = mls_error_set(MLS_EINVAL, "empty path");
		goto done;
	}
	rc = mls_buf_puts(&w.path, root);
	if (rc < 0)
		goto done;
	/* The root itself is what the user asked for: a symbolic link given as
	 * the root is followed (its target becomes the root). */
	if (stat(root, &st) != 0) {
		int err = errno;
		rc = mls_error_set(err == ENOENT || err == ENOTDIR ? MLS_ENOTFOUND : MLS_EIO,
				   "cannot access '%s': %s", root, strerror(err));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = mls_buf_puts(&w.rel, mls_path_basename(root));
		if (rc < 0)
			goto done;
		if (S_ISREG(st.st_mode))
			rc = emit(&w, MLS_WALK_FILE, (uint64_t)st.st_size, 0, 0, NULL);
		else
			rc = emit(&w, MLS_WALK_SKIPPED, 0, 0, 0, type_reason(st.st_mode));
		goto done;
	}
	w.root_real = realpath(root, NULL);
	if (!w.root_real) {
		int err = errno;
		if (err == EACCES) {
			rc = emit(&w, MLS_WALK_SKIPPED, 0, 0, 0, "permission denied");
			goto done;
		}
		rc = mls_error_set(MLS_EIO, "cannot resolve '%s': %s", root, strerror(err));
		goto done;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = emit(&w, MLS_WALK_SKIPPED, 0, 0, 0, errno_reason(errno));
		goto done;
	}
	{
		struct stat fst;
		if (fstat(fd, &fst) != 0) {
			rc = emit(&w, MLS_WALK_SKIPPED, 0, 0, 0, errno_reason(errno));
			close(fd);
			goto done;
		}
		st = fst;
	}
	rc = enter_dir(&w, fd, &st, 0, 0);
done:
	free(w.root_real);
	free(w.stack);
	mls_buf_release(&w.path);
	mls_buf_release(&w.rel);
	return rc;
}

struct collect {
	struct mls_file_list *l;
	size_t cap;
	mls_walk_cb skip_cb;
	void *ctx;
};

static int collect_cb(const struct mls_walk_entry *e, void *ctx)
{
	struct collect *c = ctx;
	struct mls_file_list *l = c->l;

	if (e->type == MLS_WALK_SKIPPED)
		return c->skip_cb ? c->skip_cb(e, c->ctx) : 0;
	if (e->type != MLS_WALK_FILE)
		return 0;
	if (l->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		l->paths = p;
		p = realloc(l->rels, cap * sizeof(*p));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		l->rels = p;
		uint64_t *s = realloc(l->sizes, cap * sizeof(*s));
		if (!s)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		l->sizes = s;
		c->cap = cap;
	}
	l->paths[l->n] = strdup(e->path);
	l->rels[l->n] = strdup(e->rel);
	if (!l->paths[l->n] || !l->rels[l->n]) {
		free(l->paths[l->n]);
		free(l->rels[l->n]);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	l->sizes[l->n] = e->size;
	l->n++;
	return 0;
}

struct sort_item {
	char *path;
	char *rel;
	uint64_t size;
};

static int cmp_items(const void *a, const void *b)
{
	return strcmp(((const struct sort_item *)a)->rel, ((const struct sort_item *)b)->rel);
}

/* Sorts l by rel, byte-wise (strcmp). */
static int sort_list(struct mls_file_list *l)
{
	struct sort_item *items;

	if (l->n < 2)
		return 0;
	items = malloc(l->n * sizeof(*items));
	if (!items)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++)
		items[i] = (struct sort_item){ l->paths[i], l->rels[i], l->sizes[i] };
	qsort(items, l->n, sizeof(*items), cmp_items);
	for (size_t i = 0; i < l->n; i++) {
		l->paths[i] = items[i].path;
		l->rels[i] = items[i].rel;
		l->sizes[i] = items[i].size;
	}
	free(items);
	return 0;
}

/*
 * Collects the regular files under root, sorted by relative path (strcmp).
 * Whatever was collected stays in *out even when the walk fails or stops
 * early (MLS_ELIMIT, a skip_cb's stop value), so a caller can examine the
 * files it has and report the rest as incomplete; always release *out with
 * mls_file_list_release.
 */
int mls_walk_collect(struct mls_file_list *out, const char *root, const struct mls_walk_opts *opts,
		     mls_walk_cb skip_cb, void *ctx)
{
	struct collect c = { out, 0, skip_cb, ctx };
	struct mls_walk_opts o = { 0 };
	int rc, src;

	memset(out, 0, sizeof(*out));
	if (opts)
		o = *opts;
	o.report_dirs = 0;
	rc = mls_walk(root, &o, collect_cb, &c);
	src = sort_list(out);
	return rc != 0 ? rc : src;
}

void mls_file_list_release(struct mls_file_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
		free(l->rels[i]);
	}
	free(l->paths);
	free(l->rels);
	free(l->sizes);
	memset(l, 0, sizeof(*l));
}
