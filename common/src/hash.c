/*
 * Streaming SHA-256 / SHA-512 through OpenSSL EVP.  Files are read in 1 MiB
 * blocks with sequential read-ahead advised, which keeps hashing at the speed
 * of `openssl dgst` (the digest, not the reads, is the bottleneck).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mls/error.h"
#include "mls/hash.h"
#include "mls/banned.h"

#define HASH_READ_SIZE ((size_t)1 << 20)

static const EVP_MD *algo_md(enum mls_hash_algo algo)
{
	switch (algo) {
	case MLS_SHA256: return EVP_sha256();
	case MLS_SHA512: return EVP_sha512();
	}
	return NULL;
}

const char *mls_hash_name(enum mls_hash_algo algo)
{
	return algo == MLS_SHA512 ? "sha512" : "sha256";
}

const char *mls_hash_cdx_name(enum mls_hash_algo algo)
{
	return algo == MLS_SHA512 ? "SHA-512" : "SHA-256";
}

size_t mls_hash_size(enum mls_hash_algo algo)
{
	return algo == MLS_SHA512 ? 64 : 32;
}

/* Accepts "sha256", "sha-256", "SHA-256" (CycloneDX) and the same for 512. */
int mls_hash_parse_name(enum mls_hash_algo *out, const char *name)
{
	if (name && (!strcasecmp(name, "sha256") || !strcasecmp(name, "sha-256"))) {
		*out = MLS_SHA256;
		return 0;
	}
	if (name && (!strcasecmp(name, "sha512") || !strcasecmp(name, "sha-512"))) {
		*out = MLS_SHA512;
		return 0;
	}
	return mls_error_set(MLS_EINVAL, "unknown hash algorithm '%s' (expected sha256 or sha512)",
			     name ? name : "");
}

/* Allocates the EVP context; release it with mls_hash_release (also after
 * mls_hash_final_hex). */
int mls_hash_init(struct mls_hash *h, enum mls_hash_algo algo)
{
	const EVP_MD *md = algo_md(algo);
	EVP_MD_CTX *ctx;

	h->ctx = NULL;
	h->algo = algo;
	if (!md)
		return mls_error_set(MLS_EINVAL, "unknown hash algorithm %d", (int)algo);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return mls_error_set(MLS_EINVAL, "cannot initialise %s digest", mls_hash_name(algo));
	}
	h->ctx = ctx;
	return 0;
}

int mls_hash_update(struct mls_hash *h, const void *data, size_t len)
{
	if (!h->ctx)
		return mls_error_set(MLS_EINVAL, "hash used before init");
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		return mls_error_set(MLS_EINVAL, "%s digest update failed", mls_hash_name(h->algo));
	return 0;
}

void mls_hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int mls_hash_final_hex(struct mls_hash *h, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!h->ctx)
		return mls_error_set(MLS_EINVAL, "hash used before init");
	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n > MLS_HASH_MAX_BYTES)
		return mls_error_set(MLS_EINVAL, "%s digest final failed", mls_hash_name(h->algo));
	mls_hex_encode(hex, md, n);
	return 0;
}

void mls_hash_release(struct mls_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

/*
 * Hashes everything readable from fd (from its current offset to end of
 * file); fd stays open and belongs to the caller.  Reads are retried on
 * EINTR; a read error fails with MLS_EIO.
 */
int mls_hash_fd(char *hex, uint64_t *size_out, int fd, enum mls_hash_algo algo)
{
	struct mls_hash h = { 0 };
	unsigned char *buf = NULL;
	uint64_t total = 0;
	int rc;

	rc = mls_hash_init(&h, algo);
	if (rc < 0)
		goto done;
	buf = malloc(HASH_READ_SIZE);
	if (!buf) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	for (;;) {
		ssize_t n = read(fd, buf, HASH_READ_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = mls_error_set(MLS_EIO, "read failed: %s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		rc = mls_hash_update(&h, buf, (size_t)n);
		if (rc < 0)
			goto done;
		total += (uint64_t)n;
	}
	rc = mls_hash_final_hex(&h, hex);
	if (rc == 0 && size_out)
		*size_out = total;
done:
	free(buf);
	mls_hash_release(&h);
	return rc;
}

/* Opens path read-only (a directory is refused with MLS_EINVAL) and hashes it. */
int mls_hash_file(char *hex, uint64_t *size_out, const char *path, enum mls_hash_algo algo)
{
	struct stat st;
	int fd, rc;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", path,
				     strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return mls_error_set(MLS_EINVAL, "cannot hash '%s': is a directory", path);
	}
	rc = mls_hash_fd(hex, size_out, fd, algo);
	if (rc < 0)
		mls_error_prefix("cannot hash '%s'", path);
	close(fd);
	return rc;
}

int mls_hash_buffer(char *hex, const void *data, size_t len, enum mls_hash_algo algo)
{
	struct mls_hash h;
	int rc = mls_hash_init(&h, algo);

	if (rc == 0)
		rc = mls_hash_update(&h, data, len);
	if (rc == 0)
		rc = mls_hash_final_hex(&h, hex);
	mls_hash_release(&h);
	return rc;
}
