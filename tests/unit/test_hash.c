/* Unit tests for common/src/hash.c: known vectors, streaming, files vs buffers. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "mls/error.h"
#include "mls/hash.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define SHA512_EMPTY                                                                                   \
	"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f" \
	"63b931bd47417a81a538327af927da3e"
#define SHA512_ABC                                                                                     \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd" \
	"454d4423643ce80e2a9ac94fa54ca49f"
#define SHA512_MILLION_A                                                                               \
	"e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31b" \
	"eb009c5c2c49aa2e4eadb217ad8cc09b"

static char tmpdir[] = "/tmp/mls-test-hash-XXXXXX";

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

TEST(names_and_sizes)
{
	enum mls_hash_algo a = MLS_SHA512;
	CHECK_EQ_STR(mls_hash_name(MLS_SHA256), "sha256");
	CHECK_EQ_STR(mls_hash_name(MLS_SHA512), "sha512");
	CHECK_EQ_STR(mls_hash_cdx_name(MLS_SHA256), "SHA-256");
	CHECK_EQ_STR(mls_hash_cdx_name(MLS_SHA512), "SHA-512");
	CHECK_EQ_INT(mls_hash_size(MLS_SHA256), 32);
	CHECK_EQ_INT(mls_hash_size(MLS_SHA512), 64);
	CHECK_EQ_INT(mls_hash_parse_name(&a, "sha256"), 0);
	CHECK_EQ_INT(a, MLS_SHA256);
	CHECK_EQ_INT(mls_hash_parse_name(&a, "SHA-512"), 0);
	CHECK_EQ_INT(a, MLS_SHA512);
	CHECK_EQ_INT(mls_hash_parse_name(&a, "md5"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "md5");
	CHECK_EQ_INT(mls_hash_parse_name(&a, NULL), MLS_EINVAL);
}

TEST(hex_encode)
{
	unsigned char in[] = { 0x00, 0x0f, 0xa5, 0xff };
	char out[9];
	mls_hex_encode(out, in, sizeof(in));
	CHECK_EQ_STR(out, "000fa5ff");
	mls_hex_encode(out, in, 0);
	CHECK_EQ_STR(out, "");
}

TEST(known_vectors_buffer)
{
	char hex[MLS_HASH_HEX_MAX];
	CHECK_EQ_INT(mls_hash_buffer(hex, "", 0, MLS_SHA256), 0);
	CHECK_EQ_STR(hex, SHA256_EMPTY);
	CHECK_EQ_INT(mls_hash_buffer(hex, NULL, 0, MLS_SHA256), 0);
	CHECK_EQ_STR(hex, SHA256_EMPTY);
	CHECK_EQ_INT(mls_hash_buffer(hex, "abc", 3, MLS_SHA256), 0);
	CHECK_EQ_STR(hex, SHA256_ABC);
	CHECK_EQ_INT(mls_hash_buffer(hex, "", 0, MLS_SHA512), 0);
	CHECK_EQ_STR(hex, SHA512_EMPTY);
	CHECK_EQ_INT(mls_hash_buffer(hex, "abc", 3, MLS_SHA512), 0);
	CHECK_EQ_STR(hex, SHA512_ABC);

	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	CHECK_EQ_INT(mls_hash_buffer(hex, a, 1000000, MLS_SHA256), 0);
	CHECK_EQ_STR(hex, SHA256_MILLION_A);
	CHECK_EQ_INT(mls_hash_buffer(hex, a, 1000000, MLS_SHA512), 0);
	CHECK_EQ_STR(hex, SHA512_MILLION_A);
	free(a);
}

TEST(streaming_in_pieces)
{
	struct mls_hash h;
	char hex[MLS_HASH_HEX_MAX];
	char piece[1001];
	memset(piece, 'a', sizeof(piece));
	CHECK_EQ_INT(mls_hash_init(&h, MLS_SHA256), 0);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ_INT(mls_hash_update(&h, piece, i % 2 ? 999 : 1001), 0);
	CHECK_EQ_INT(mls_hash_update(&h, piece, 0), 0);
	CHECK_EQ_INT(mls_hash_final_hex(&h, hex), 0);
	CHECK_EQ_STR(hex, SHA256_MILLION_A);
	mls_hash_release(&h);
	mls_hash_release(&h); /* twice is harmless */
	mls_hash_release(NULL);

	struct mls_hash bad = { 0 };
	CHECK_EQ_INT(mls_hash_update(&bad, "x", 1), MLS_EINVAL);
	CHECK_EQ_INT(mls_hash_init(&bad, (enum mls_hash_algo)7), MLS_EINVAL);
}

TEST(file_equals_buffer)
{
	char hb[MLS_HASH_HEX_MAX], hf[MLS_HASH_HEX_MAX];
	uint64_t size = 1;
	const char *p;

	p = write_tmp("empty", "", 0);
	CHECK(p != NULL);
	CHECK_EQ_INT(mls_hash_file(hf, &size, p, MLS_SHA256), 0);
	CHECK_EQ_STR(hf, SHA256_EMPTY);
	CHECK_EQ_INT(size, 0);

	/* 3 MiB + 7 bytes: crosses the 1 MiB read size, ends mid-block. */
	size_t n = (3u << 20) + 7;
	unsigned char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	p = write_tmp("big", data, n);
	for (int algo = MLS_SHA256; algo <= MLS_SHA512; algo++) {
		CHECK_EQ_INT(mls_hash_buffer(hb, data, n, (enum mls_hash_algo)algo), 0);
		CHECK_EQ_INT(mls_hash_file(hf, &size, p, (enum mls_hash_algo)algo), 0);
		CHECK_EQ_STR(hf, hb);
		CHECK_EQ_INT(size, n);
	}
	CHECK_EQ_INT(strlen(hf), 128);

	/* fd: hashed from its current offset; NULL size_out is allowed. */
	int fd = open(p, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ_INT(lseek(fd, 100, SEEK_SET), 100);
	CHECK_EQ_INT(mls_hash_fd(hf, NULL, fd, MLS_SHA256), 0);
	CHECK_EQ_INT(mls_hash_buffer(hb, data + 100, n - 100, MLS_SHA256), 0);
	CHECK_EQ_STR(hf, hb);
	close(fd);
	free(data);

	p = write_tmp("abc", "abc", 3);
	CHECK_EQ_INT(mls_hash_file(hf, NULL, p, MLS_SHA256), 0);
	CHECK_EQ_STR(hf, SHA256_ABC);
}

TEST(file_errors)
{
	char hex[MLS_HASH_HEX_MAX];
	char path[256];
	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	CHECK_EQ_INT(mls_hash_file(hex, NULL, path, MLS_SHA256), MLS_ENOTFOUND);
	CHECK_CONTAINS(mls_error_msg(), "cannot open '");
	CHECK_EQ_INT(mls_hash_file(hex, NULL, tmpdir, MLS_SHA256), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "is a directory");
	CHECK_EQ_INT(mls_hash_fd(hex, NULL, -1, MLS_SHA256), MLS_EIO);
}

static void cleanup(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

__attribute__((constructor(101))) static void setup(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(cleanup);
}

TEST_MAIN()
