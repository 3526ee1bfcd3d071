/*
 * Deterministic directory walker.  Entries are visited in byte-wise sorted
 * order, depth first.  Symbolic links are never followed out of the root:
 * a link whose target resolves inside the root is reported as a file (or
 * walked as a directory, with loop detection); one that points outside, is
 * dangling or loops is reported with a skip reason.  FIFOs, sockets and
 * devices are reported as skipped and never opened.
 */
#ifndef MLS_WALK_H
#define MLS_WALK_H

#include <stdint.h>
#include <sys/types.h>

enum mls_walk_type {
	MLS_WALK_FILE = 0,    /* regular file (possibly reached through an in-root symlink) */
	MLS_WALK_DIR,         /* directory, reported before its children */
	MLS_WALK_SKIPPED      /* not visited; reason says why */
};

struct mls_walk_entry {
	const char *path;     /* path as given + relative part ("root/a/b") */
	const char *rel;      /* relative to the root ("a/b"; the file name for a file root) */
	enum mls_walk_type type;
	uint64_t size;        /* files only */
	int depth;            /* 0 for the root itself */
	int via_symlink;      /* reached through an in-root symlink */
	const char *reason;   /* MLS_WALK_SKIPPED: "symlink points outside the scanned root", "FIFO", ... */
};

/* Return 0 to continue, >0 to stop the walk early (returned as is), <0 error. */
typedef int (*mls_walk_cb)(const struct mls_walk_entry *e, void *ctx);

struct mls_walk_opts {
	int max_depth;        /* 0 = default 64 */
	uint64_t max_entries; /* 0 = default 1,000,000 */
	int report_dirs;      /* call cb for directories too */
};

/* Walks root (a file or a directory).  A root that is a file yields one entry.
 * With report_dirs, a directory root is reported first (depth 0, rel "").
 * A root given as a symlink is followed (its target becomes the root).
 * Returns 0, the callback's positive stop value, or a negative MLS_E* code
 * (MLS_ELIMIT when max_depth / max_entries is exceeded, after reporting it). */
int mls_walk(const char *root, const struct mls_walk_opts *opts, mls_walk_cb cb, void *ctx);

/* Convenience: collects the files (type FILE) under root into an array sorted
 * by rel (strcmp).  Skipped entries are passed to skip_cb (may be NULL).  On
 * any non-zero return what was collected so far stays in *out; always call
 * mls_file_list_release. */
struct mls_file_list {
	char **paths;   /* full paths */
	char **rels;    /* relative paths */
	uint64_t *sizes;
	size_t n;
};
int mls_walk_collect(struct mls_file_list *out, const char *root, const struct mls_walk_opts *opts,
		     mls_walk_cb skip_cb, void *ctx);
void mls_file_list_release(struct mls_file_list *l);

#endif
