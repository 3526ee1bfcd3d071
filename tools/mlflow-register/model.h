/*
 * The model being registered: one file, or every file under a directory
 * (symlinks out of the directory and special files refused), with their
 * SHA-256 digests.  A directory's identity is the SHA-256 of its manifest:
 * one "<sha256>  <relative path>\n" line per file, sorted by path (the
 * format of sha256sum).
 */
#ifndef MR_MODEL_H
#define MR_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "mls/buf.h"

struct mr_model_file {
	char *path;      /* on disk */
	char *rel;       /* artifact path below model/ */
	uint64_t size;
	char sha256[65];
};

struct mr_model {
	int is_dir;
	struct mr_model_file *files;
	size_t n;
	uint64_t total;
	char digest[65];        /* the file's SHA-256, or the manifest's */
	const char *digest_tag; /* "mlsecops.sha256" or "mlsecops.manifest_sha256" */
	struct mls_buf manifest;
	const char **digests;   /* files[i].sha256, for the gate */
};

/* Reads and hashes path.  MLS_ENOTFOUND / MLS_EIO / MLS_EUNSAFE (a symlink
 * pointing out of the directory, a FIFO...) / MLS_EINVAL (empty directory). */
int mr_model_load(struct mr_model *m, const char *path);
void mr_model_release(struct mr_model *m);

#endif
