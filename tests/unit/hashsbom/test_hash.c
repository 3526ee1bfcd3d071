/* Unit tests: sum lines (GNU escaping), manifest digest, GGUF metadata, UUIDs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "hashsbom.h"

TEST(sum_line_escaping)
{
	struct mls_buf b;
	mls_buf_init(&b, 4096);
	hs_sum_line(&b, "ab", "plain name");
	hs_sum_line(&b, "cd", "a\\b\nc\rd");
	CHECK_EQ_STR(mls_buf_cstr(&b), "ab  plain name\n\\cd  a\\\\b\\nc\\rd\n");
	mls_buf_release(&b);
}

TEST(manifest)
{
	struct hs_entry e[2];
	char hex[MLS_HASH_HEX_MAX], want[MLS_HASH_HEX_MAX];
	memset(e, 0, sizeof(e));
	e[0].rel = "a";
	memcpy(e[0].hex, "11", 3);
	e[1].rel = "b/c";
	memcpy(e[1].hex, "22", 3);
	CHECK_EQ_INT(hs_manifest_digest(hex, e, 2, MLS_SHA256), 0);
	const char *lines = "11  a\n22  b/c\n";
	mls_hash_buffer(want, lines, strlen(lines), MLS_SHA256);
	CHECK_EQ_STR(hex, want);
}

TEST(uuid)
{
	char a[37], b[37];
	CHECK_EQ_INT(hs_uuid_v4(a), 0);
	CHECK_EQ_INT(hs_uuid_v4(b), 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_EQ_INT(strlen(a), 36);
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
}

TEST(gguf_truncated)
{
	struct hs_modelmeta m;
	unsigned char buf[64] = "GGUF";
	memset(&m, 0, sizeof(m));
	buf[4] = 3;
	/* 0 tensors, 2^40 kv entries: refused by the limit */
	buf[8 + 8 + 5] = 1;
	CHECK(hs_modelmeta_gguf_buf(&m, buf, 24) < 0);
	hs_modelmeta_release(&m);
	memset(&m, 0, sizeof(m));
	memset(buf + 8, 0, 16);
	buf[16] = 1; /* one kv, then nothing */
	CHECK_EQ_INT(hs_modelmeta_gguf_buf(&m, buf, 24), MLS_EFORMAT);
	hs_modelmeta_release(&m);
}

TEST(trees_in_parallel)
{
	char dir[] = "/tmp/hs-unit-XXXXXX";
	char path[3][256];
	struct hs_tree t[3], *tp[3];
	CHECK(mkdtemp(dir) != NULL);
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/f%d", dir, i);
		FILE *f = fopen(path[i], "wb");
		CHECK(f != NULL);
		if (!f)
			return;
		for (int k = 0; k < 1000 * (i + 1); k++)
			fputc(k & 0xff, f);
		fclose(f);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(hs_tree_collect(&t[i], path[i], MLS_SHA256, NULL), 0);
		tp[i] = &t[i];
	}
	CHECK_EQ_INT(hs_trees_hash(tp, 3, 3), 0);
	for (int i = 0; i < 3; i++) {
		char want[MLS_HASH_HEX_MAX];
		CHECK_EQ_INT(mls_hash_file(want, NULL, path[i], MLS_SHA256), 0);
		CHECK_EQ_INT(t[i].n, 1);
		CHECK_EQ_STR(t[i].e[0].hex, want);
		CHECK_EQ_INT(t[i].e[0].size, 1000 * (i + 1));
		hs_tree_release(&t[i]);
		remove(path[i]);
	}
	/* the directory holding them: one tree, a manifest */
	struct hs_tree d;
	CHECK_EQ_INT(hs_tree_hash(&d, dir, MLS_SHA256, 2, NULL), 0);
	CHECK_EQ_INT(d.n, 0);
	CHECK(d.is_dir);
	hs_tree_release(&d);
	rmdir(dir);
}

TEST_MAIN()
