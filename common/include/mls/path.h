/*
 * Path helpers that refuse to escape.  Names from archives, manifests and
 * SBOMs are untrusted: mls_path_is_safe_relative() rejects absolute paths,
 * "..", empty components, backslashes-as-separators tricks and NUL.
 */
#ifndef MLS_PATH_H
#define MLS_PATH_H

#include <stddef.h>
#include "buf.h"

/* out = a "/" b (no doubled slashes).  b must be a safe relative path unless
 * allow_unsafe is set; returns MLS_EUNSAFE otherwise. */
int mls_path_join(struct mls_buf *out, const char *a, const char *b);
/* 1 when name is relative and stays inside its root ("a/b", "./a"); 0 for
 * "/x", "../x", "a/../../x", "C:\\x", "a\\..\\x", "" or names with control chars. */
int mls_path_is_safe_relative(const char *name);
/* Last component (pointer into path). */
const char *mls_path_basename(const char *path);
/* Lower-cased extension without the dot into out ("" if none). */
void mls_path_ext(char *out, size_t outsz, const char *path);
/* 1 when `inner` (a realpath) is root or below root (a realpath). */
int mls_path_is_within(const char *root, const char *inner);

#endif
