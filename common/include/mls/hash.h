/*
 * Streaming digests through OpenSSL EVP (SHA-256 and SHA-512), with large
 * reads (1 MiB) so hashing runs at the speed of `openssl dgst`.
 */
#ifndef MLS_HASH_H
#define MLS_HASH_H

#include <stddef.h>
#include <stdint.h>

enum mls_hash_algo { MLS_SHA256 = 0, MLS_SHA512 = 1 };

#define MLS_HASH_MAX_BYTES 64
#define MLS_HASH_HEX_MAX (MLS_HASH_MAX_BYTES * 2 + 1)

struct mls_hash {
	void *ctx; /* EVP_MD_CTX */
	enum mls_hash_algo algo;
};

const char *mls_hash_name(enum mls_hash_algo algo);       /* "sha256" / "sha512" */
const char *mls_hash_cdx_name(enum mls_hash_algo algo);   /* "SHA-256" / "SHA-512" */
size_t mls_hash_size(enum mls_hash_algo algo);             /* 32 / 64 */
int mls_hash_parse_name(enum mls_hash_algo *out, const char *name);

int mls_hash_init(struct mls_hash *h, enum mls_hash_algo algo);
int mls_hash_update(struct mls_hash *h, const void *data, size_t len);
/* Writes lowercase hex into hex (at least MLS_HASH_HEX_MAX bytes). */
int mls_hash_final_hex(struct mls_hash *h, char *hex);
void mls_hash_release(struct mls_hash *h);

/* Hashes a whole file; *size_out (may be NULL) gets the byte count. */
int mls_hash_file(char *hex, uint64_t *size_out, const char *path, enum mls_hash_algo algo);
int mls_hash_fd(char *hex, uint64_t *size_out, int fd, enum mls_hash_algo algo);
int mls_hash_buffer(char *hex, const void *data, size_t len, enum mls_hash_algo algo);

void mls_hex_encode(char *out, const unsigned char *in, size_t n);

#endif
