/* Unit tests for common/src/archive.c.  Archives are built at test time, by
 * zip/tar/7z/gzip/xz/bzip2/zstd in a scratch directory or by libarchive's
 * writer (names no command-line tool would produce). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "harness.h"
#include "mls/archive.h"
#include "mls/buf.h"
#include "mls/error.h"
#include "mls/limits.h"

static char tmpdir[] = "/tmp/mls-test-archive-XXXXXX";

/* Runs a shell command inside tmpdir; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", tmpdir);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, " ) >/dev/null 2>&1");
	int st = system(cmd);
	if (st != 0)
		fprintf(stderr, "command failed (%d): %s\n", st, cmd);
	return st;
}

static const char *tp(const char *name)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static void small_limits(struct mls_limits *l)
{
	mls_limits_default(l);
	l->max_decompressed_bytes = 32 << 20;
	l->max_ratio = 200;
	l->max_members = 1000;
	l->max_seconds = 60;
}

static const char *type_name(enum mls_archive_entry_type t)
{
	switch (t) {
	case MLS_AENT_FILE: return "file";
	case MLS_AENT_DIR: return "dir";
	case MLS_AENT_SYMLINK: return "symlink";
	case MLS_AENT_HARDLINK: return "hardlink";
	default: return "other";
	}
}

/* Lists every entry as "type path size [-> link] [enc] data=<first bytes>"
 * and reads all data; returns the code that ended the walk (0 = clean end). */
static int list_all(struct mls_archive *a, struct mls_buf *out)
{
	struct mls_archive_entry e;
	int rc;

	while ((rc = mls_archive_next(a, &e)) == 0) {
		mls_buf_printf(out, "%s %s", type_name(e.type), e.path);
		if (e.size_known)
			mls_buf_printf(out, " %llu", (unsigned long long)e.size);
		if (e.link)
			mls_buf_printf(out, " -> %s", e.link);
		if (e.encrypted) {
			mls_buf_puts(out, " enc\n");
			continue;
		}
		if (e.type == MLS_AENT_FILE) {
			struct mls_buf data;
			mls_buf_init(&data, 64 << 20);
			rc = mls_archive_read_all(a, &data, 64 << 20);
			if (rc < 0) {
				mls_buf_release(&data);
				mls_buf_putc(out, '\n');
				return rc;
			}
			mls_buf_printf(out, " data=%.8s", data.len ? data.data : "");
			mls_buf_release(&data);
		}
		mls_buf_putc(out, '\n');
	}
	return rc == 1 ? 0 : rc;
}

static void make_tree(void)
{
	sh("mkdir -p src/dir && printf 'alpha' > src/a.txt && printf 'bravo' > src/dir/b.txt && "
	   "printf 'charlie' > src/c.bin");
}

TEST(zip_three_members)
{
	struct mls_limits l;
	small_limits(&l);
	make_tree();
	CHECK_EQ_INT(sh("cd src && zip -q -X ../three.zip a.txt dir/b.txt c.bin"), 0);

	static const char *expect = "file a.txt 5 data=alpha\nfile dir/b.txt 5 data=bravo\nfile c.bin 7 data=charlie\n";
	for (int mode = 0; mode < 4; mode++) {
		struct mls_archive *a = NULL;
		struct mls_buf out;
		int fd = -1, rc;
		static unsigned char mem[4096];
		ssize_t mlen = 0;
		mls_buf_init(&out, 1 << 20);
		if (mode == 0) {
			rc = mls_archive_open_file(&a, tp("three.zip"), &l, 0);
		} else if (mode == 1) {
			rc = mls_archive_open_file(&a, tp("three.zip"), &l, MLS_ARCHIVE_ZIP_STREAMING);
		} else if (mode == 2) {
			fd = open(tp("three.zip"), O_RDONLY);
			rc = mls_archive_open_fd(&a, fd, &l, 0);
		} else {
			fd = open(tp("three.zip"), O_RDONLY);
			mlen = read(fd, mem, sizeof(mem));
			CHECK(mlen > 0 && mlen < (ssize_t)sizeof(mem));
			rc = mls_archive_open_memory(&a, mem, (size_t)mlen, &l, 0);
		}
		CHECK_EQ_INT(rc, 0);
		if (rc == 0) {
			CHECK_EQ_INT(list_all(a, &out), 0);
			CHECK_EQ_STR(out.data, expect);
			CHECK_CONTAINS(mls_archive_format_name(a), "ZIP");
			CHECK_EQ_INT(mls_archive_is_raw(a), 0);
			CHECK_EQ_INT(mls_archive_filter_count(a), 0);
			CHECK_EQ_STR(mls_archive_filter_name(a), "none");
			CHECK_EQ_INT(mls_archive_decompressed_total(a), 17);
			/* after the end, next keeps saying "end" */
			struct mls_archive_entry e;
			CHECK_EQ_INT(mls_archive_next(a, &e), 1);
		}
		mls_archive_free(a);
		if (fd >= 0) {
			/* open_fd leaves the fd to the caller: still valid */
			CHECK(fcntl(fd, F_GETFD) >= 0);
			close(fd);
		}
		mls_buf_release(&out);
	}
	mls_archive_free(NULL);
}

TEST(zip_from_pipe_streams)
{
	struct mls_limits l;
	small_limits(&l);
	make_tree();
	CHECK_EQ_INT(sh("test -f three.zip || (cd src && zip -q -X ../three.zip a.txt dir/b.txt c.bin)"), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cat '%s'", tp("three.zip"));
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	struct mls_archive *a = NULL;
	CHECK_EQ_INT(mls_archive_open_fd(&a, fileno(p), &l, 0), 0);
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	if (a) {
		CHECK_EQ_INT(list_all(a, &out), 0);
		CHECK_CONTAINS(out.data, "file dir/b.txt");
		CHECK_CONTAINS(out.data, "data=charlie");
	}
	mls_archive_free(a);
	pclose(p);
	mls_buf_release(&out);
}

TEST(tar_gz_and_friends)
{
	struct mls_limits l;
	small_limits(&l);
	make_tree();
	CHECK_EQ_INT(sh("tar -C src -czf t.tar.gz a.txt dir && tar -C src -cJf t.tar.xz a.txt && "
			"tar -C src --zstd -cf t.tar.zst a.txt && tar -C src -cjf t.tar.bz2 a.txt && "
			"tar -C src -cf t.tar a.txt"), 0);
	struct { const char *file, *filter; } cases[] = {
		{ "t.tar.gz", "gzip" }, { "t.tar.xz", "xz" }, { "t.tar.zst", "zstd" },
		{ "t.tar.bz2", "bzip2" }, { "t.tar", "none" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mls_archive *a = NULL;
		struct mls_buf out;
		mls_buf_init(&out, 1 << 20);
		CHECK_EQ_INT(mls_archive_open_file(&a, tp(cases[i].file), &l, 0), 0);
		if (!a)
			continue;
		CHECK_EQ_INT(list_all(a, &out), 0);
		CHECK_CONTAINS(out.data, "file a.txt 5 data=alpha\n");
		CHECK_EQ_STR(mls_archive_filter_name(a), cases[i].filter);
		CHECK_EQ_INT(mls_archive_filter_count(a), strcmp(cases[i].filter, "none") ? 1 : 0);
		CHECK_CONTAINS(mls_archive_format_name(a), "tar");
		mls_archive_free(a);
		mls_buf_release(&out);
	}
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("t.tar.gz"), &l, 0), 0);
	CHECK_EQ_INT(list_all(a, &out), 0);
	CHECK_EQ_STR(out.data, "file a.txt 5 data=alpha\ndir dir/ 0\nfile dir/b.txt 5 data=bravo\n");
	mls_archive_free(a);
	mls_buf_release(&out);
}

TEST(sevenzip)
{
	struct mls_limits l;
	small_limits(&l);
	make_tree();
	CHECK_EQ_INT(sh("rm -f s.7z && cd src && 7z a -bd ../s.7z a.txt dir c.bin"), 0);
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("s.7z"), &l, 0), 0);
	if (a) {
		CHECK_EQ_INT(list_all(a, &out), 0);
		CHECK_CONTAINS(out.data, "file a.txt 5 data=alpha\n");
		CHECK_CONTAINS(out.data, "file dir/b.txt 5 data=bravo\n");
		CHECK_CONTAINS(out.data, "file c.bin 7 data=charlie\n");
		CHECK_CONTAINS(out.data, "dir dir");
		CHECK_CONTAINS(mls_archive_format_name(a), "7-Zip");
	}
	mls_archive_free(a);
	mls_buf_release(&out);
}

TEST(lone_compressed_streams_need_raw)
{
	struct mls_limits l;
	small_limits(&l);
	CHECK_EQ_INT(sh("printf 'just some bytes' > plain.bin && gzip -c plain.bin > p.gz && "
			"xz -c plain.bin > p.xz && bzip2 -c plain.bin > p.bz2 && zstd -q -c plain.bin > p.zst"), 0);
	struct { const char *file, *filter; } cases[] = {
		{ "p.gz", "gzip" }, { "p.xz", "xz" }, { "p.bz2", "bzip2" }, { "p.zst", "zstd" }, { "plain.bin", "none" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		struct mls_buf data;
		int rc;

		/* Without RAW: not an archive. */
		rc = mls_archive_open_file(&a, tp(cases[i].file), &l, 0);
		if (rc == 0)
			rc = mls_archive_next(a, &e);
		CHECK_EQ_INT(rc, MLS_EFORMAT);
		CHECK(*mls_error_msg() != '\0');
		mls_archive_free(a);
		a = NULL;

		/* With RAW: one entry "data". */
		CHECK_EQ_INT(mls_archive_open_file(&a, tp(cases[i].file), &l, MLS_ARCHIVE_RAW), 0);
		if (!a)
			continue;
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_STR(e.path, "data");
		CHECK_EQ_INT(e.type, MLS_AENT_FILE);
		CHECK_EQ_INT(mls_archive_is_raw(a), 1);
		CHECK_EQ_STR(mls_archive_filter_name(a), cases[i].filter);
		mls_buf_init(&data, 1 << 20);
		CHECK_EQ_INT(mls_archive_read_all(a, &data, 1 << 20), 0);
		CHECK_EQ_STR(data.data, "just some bytes");
		mls_buf_release(&data);
		CHECK_EQ_INT(mls_archive_next(a, &e), 1);
		mls_archive_free(a);
	}
}

TEST(gzip_bomb_hits_limits)
{
	struct mls_limits l;
	CHECK_EQ_INT(sh("yes | head -c 16M | gzip -c > bomb.gz"), 0);
	struct stat st;
	CHECK_EQ_INT(stat(tp("bomb.gz"), &st), 0);
	CHECK(st.st_size < (1 << 20));

	/* Ratio limit. */
	small_limits(&l);
	l.max_decompressed_bytes = (uint64_t)1 << 40;
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	struct mls_buf data;
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("bomb.gz"), &l, MLS_ARCHIVE_RAW), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	mls_buf_init(&data, (size_t)128 << 20);
	CHECK_EQ_INT(mls_archive_read_all(a, &data, (size_t)128 << 20), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "compression ratio");
	CHECK(data.len < (8u << 20)); /* stopped early, not after 64 MiB */
	CHECK(mls_archive_decompressed_total(a) > (1u << 20));
	/* sticky */
	CHECK_EQ_INT(mls_archive_next(a, &e), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "compression ratio");
	mls_archive_free(a);
	mls_buf_release(&data);

	/* Decompressed-size limit (ratio off). */
	small_limits(&l);
	l.max_ratio = 0;
	l.max_decompressed_bytes = 8 << 20;
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("bomb.gz"), &l, MLS_ARCHIVE_RAW), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	mls_buf_init(&data, (size_t)128 << 20);
	CHECK_EQ_INT(mls_archive_read_all(a, &data, (size_t)128 << 20), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "decompressed");
	CHECK(data.len <= (8u << 20));
	mls_archive_free(a);
	mls_buf_release(&data);

	/* Defaults stop it too (ratio 200 < ~1000). */
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("bomb.gz"), NULL, MLS_ARCHIVE_RAW), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	mls_buf_init(&data, (size_t)128 << 20);
	CHECK_EQ_INT(mls_archive_read_all(a, &data, (size_t)128 << 20), MLS_ELIMIT);
	mls_archive_free(a);
	mls_buf_release(&data);
}

TEST(skipping_a_bomb_member_is_counted)
{
	/* tar.gz: the bomb member is never read by the caller; skipping it means
	 * decompressing it, which must still be bounded. */
	CHECK_EQ_INT(sh("mkdir -p bombdir && head -c 16M /dev/zero > bombdir/zeros && printf x > bombdir/zz && "
			"tar -C bombdir -czf bomb.tar.gz zeros zz && tar -C bombdir -cf bomb.tar zeros zz && "
			"cd bombdir && zip -q ../bomb.zip zeros zz && 7z a -bd ../bomb.7z zeros zz && rm -f zeros"), 0);
	struct mls_limits l;
	small_limits(&l);
	const char *compressed[] = { "bomb.tar.gz", "bomb.7z" };
	for (size_t i = 0; i < 2; i++) {
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		CHECK_EQ_INT(mls_archive_open_file(&a, tp(compressed[i]), &l, 0), 0);
		if (!a)
			continue;
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_STR(e.path, "zeros");
		CHECK_EQ_INT(mls_archive_next(a, &e), MLS_ELIMIT);
		CHECK_CONTAINS(mls_error_msg(), "ratio");
		mls_archive_free(a);
	}
	/* zip, streaming: same. */
	{
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		CHECK_EQ_INT(mls_archive_open_file(&a, tp("bomb.zip"), &l, MLS_ARCHIVE_ZIP_STREAMING), 0);
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_INT(mls_archive_next(a, &e), MLS_ELIMIT);
		mls_archive_free(a);
	}
	/* Seekable zip and plain tar skip by seeking: nothing is decompressed. */
	const char *seekable[] = { "bomb.zip", "bomb.tar" };
	for (size_t i = 0; i < 2; i++) {
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		CHECK_EQ_INT(mls_archive_open_file(&a, tp(seekable[i]), &l, 0), 0);
		if (!a)
			continue;
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_INT(e.size, 16 << 20);
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_STR(e.path, "zz");
		CHECK_EQ_INT(mls_archive_next(a, &e), 1);
		CHECK_EQ_INT(mls_archive_decompressed_total(a), 0);
		mls_archive_free(a);
	}
	/* Reading the zip bomb member itself hits the ratio. */
	{
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		struct mls_buf data;
		CHECK_EQ_INT(mls_archive_open_file(&a, tp("bomb.zip"), &l, 0), 0);
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		mls_buf_init(&data, (size_t)128 << 20);
		CHECK_EQ_INT(mls_archive_read_all(a, &data, (size_t)128 << 20), MLS_ELIMIT);
		CHECK_CONTAINS(mls_error_msg(), "ratio");
		mls_buf_release(&data);
		mls_archive_free(a);
	}
}

TEST(too_many_members)
{
	CHECK_EQ_INT(sh("mkdir -p many && cd many && for i in $(seq 1 20); do echo $i > f$i; done && "
			"zip -q ../many.zip f* && tar -cf ../many.tar f*"), 0);
	struct mls_limits l;
	small_limits(&l);
	l.max_members = 10;
	const char *files[] = { "many.zip", "many.tar" };
	for (size_t i = 0; i < 2; i++) {
		struct mls_archive *a = NULL;
		struct mls_archive_entry e;
		int n = 0, rc;
		CHECK_EQ_INT(mls_archive_open_file(&a, tp(files[i]), &l, 0), 0);
		if (!a)
			continue;
		while ((rc = mls_archive_next(a, &e)) == 0) {
			CHECK_EQ_INT(e.index, n);
			n++;
		}
		CHECK_EQ_INT(rc, MLS_ELIMIT);
		CHECK_EQ_INT(n, 10);
		CHECK_CONTAINS(mls_error_msg(), "more than 10 members");
		mls_archive_free(a);
	}
	/* exactly the limit is fine */
	l.max_members = 20;
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("many.zip"), &l, 0), 0);
	CHECK_EQ_INT(list_all(a, &out), 0);
	mls_archive_free(a);
	mls_buf_release(&out);
}

TEST(encrypted_members)
{
	struct mls_limits l;
	small_limits(&l);
	CHECK_EQ_INT(sh("printf 'top secret' > sec.txt && printf 'open' > open.txt && "
			"rm -f enc.zip enc.7z ench.7z && zip -q -P pw enc.zip sec.txt && zip -q enc.zip open.txt && "
			"7z a -bd -ppw enc.7z sec.txt && 7z a -bd -ppw -mhe=on ench.7z sec.txt"), 0);
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	char buf[64];

	CHECK_EQ_INT(mls_archive_open_file(&a, tp("enc.zip"), &l, 0), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	CHECK_EQ_STR(e.path, "sec.txt");
	CHECK_EQ_INT(e.encrypted, 1);
	CHECK_EQ_INT(mls_archive_read(a, buf, sizeof(buf)), MLS_EUNSUPPORTED);
	CHECK_CONTAINS(mls_error_msg(), "encrypted");
	/* the next member is still readable */
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	CHECK_EQ_STR(e.path, "open.txt");
	CHECK_EQ_INT(e.encrypted, 0);
	CHECK_EQ_INT(mls_archive_read(a, buf, sizeof(buf)), 4);
	CHECK_EQ_INT(mls_archive_next(a, &e), 1);
	mls_archive_free(a);

	a = NULL;
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("enc.7z"), &l, 0), 0);
	if (a) {
		CHECK_EQ_INT(mls_archive_next(a, &e), 0);
		CHECK_EQ_INT(e.encrypted, 1);
		CHECK_EQ_INT(mls_archive_read(a, buf, sizeof(buf)), MLS_EUNSUPPORTED);
		CHECK_EQ_INT(mls_archive_next(a, &e), 1);
	}
	mls_archive_free(a);

	/* 7z with encrypted headers: nothing can be listed. */
	a = NULL;
	int rc = mls_archive_open_file(&a, tp("ench.7z"), &l, 0);
	if (rc == 0)
		rc = mls_archive_next(a, &e);
	CHECK_EQ_INT(rc, MLS_EUNSUPPORTED);
	CHECK_CONTAINS(mls_error_msg(), "encrypted");
	mls_archive_free(a);
}

/* Iterates the whole archive; returns the code that ended it. */
static int consume(const char *file, unsigned flags)
{
	struct mls_limits l;
	struct mls_archive *a = NULL;
	struct mls_buf out;
	small_limits(&l);
	int rc = mls_archive_open_file(&a, file, &l, flags);
	if (rc < 0)
		return rc;
	mls_buf_init(&out, 1 << 20);
	rc = list_all(a, &out);
	mls_buf_release(&out);
	mls_archive_free(a);
	return rc;
}

TEST(corrupt_and_truncated)
{
	CHECK_EQ_INT(sh("mkdir -p cor && head -c 300000 /dev/urandom > cor/rand && printf 'text' > cor/t && "
			"cd cor && zip -q ../c.zip rand t && tar -czf ../c.tar.gz rand t && 7z a -bd ../c.7z rand t && "
			"cd .. && for f in c.zip c.tar.gz c.7z; do head -c 150000 $f > trunc-$f; done && "
			"head -c 20 c.zip > trunc-head.zip && cp c.zip flip.zip && "
			"printf '\\377\\377\\377\\377' | dd of=flip.zip bs=1 seek=100 conv=notrunc && "
			"cp c.tar.gz flip.tar.gz && printf '\\377\\377\\377\\377' | dd of=flip.tar.gz bs=1 seek=200 conv=notrunc && "
			"printf 'PK\\003\\004garbage' > fake.zip && printf '\\037\\213\\010\\000\\000\\000\\000\\000\\000\\003\\377\\377\\377garbage' > fake.gz && "
			"head -c 5000 /dev/urandom > noise.bin && : > empty.bin"), 0);
	const char *bad[] = { "trunc-c.zip", "trunc-c.tar.gz", "trunc-c.7z", "trunc-head.zip", "flip.zip",
			      "flip.tar.gz", "fake.zip", "fake.gz" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (unsigned flags = 0; flags < 4; flags++) {
			int rc = consume(tp(bad[i]), flags);
			if (rc != MLS_EFORMAT)
				fprintf(stderr, "%s flags %u: rc %d (%s)\n", bad[i], flags, rc, mls_error_msg());
			CHECK_EQ_INT(rc, MLS_EFORMAT);
		}
	}
	/* Random bytes: not an archive; with RAW they are one "data" entry. */
	CHECK_EQ_INT(consume(tp("noise.bin"), 0), MLS_EFORMAT);
	CHECK_EQ_INT(consume(tp("noise.bin"), MLS_ARCHIVE_RAW), 0);
	/* An empty file is libarchive's "empty" archive: no member, no error. */
	CHECK_EQ_INT(consume(tp("empty.bin"), 0), 0);
}

TEST(links_in_tar)
{
	CHECK_EQ_INT(sh("mkdir -p lt && cd lt && printf 'target' > t && ln -sf t sym && ln -f t hard && "
			"ln -sf /etc/passwd abs && tar -cf ../links.tar t sym hard abs"), 0);
	struct mls_limits l;
	small_limits(&l);
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("links.tar"), &l, 0), 0);
	CHECK_EQ_INT(list_all(a, &out), 0);
	CHECK_EQ_STR(out.data, "file t 6 data=target\nsymlink sym 0 -> t\nhardlink hard 0 -> t\n"
			       "symlink abs 0 -> /etc/passwd\n");
	mls_archive_free(a);
	mls_buf_release(&out);
}

/* Writes a tar with libarchive's writer: names no tool would produce. */
static int write_evil_tar(const char *path)
{
	struct archive *w = archive_write_new();
	const char *names[] = { "../evil", "/etc/cron.d/x", "a/../../b", "ok/name", "new\nline", "\xff\xfe" };
	archive_write_set_format_pax_restricted(w);
	if (archive_write_open_filename(w, path) != ARCHIVE_OK)
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_copy_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, 3);
		archive_write_header(w, e);
		archive_write_data(w, "pwn", 3);
		archive_entry_free(e);
	}
	archive_write_close(w);
	archive_write_free(w);
	return 0;
}

TEST(untrusted_names_reported_as_is)
{
	CHECK_EQ_INT(write_evil_tar(tp("evil.tar")), 0);
	struct mls_limits l;
	small_limits(&l);
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("evil.tar"), &l, 0), 0);
	CHECK_EQ_INT(list_all(a, &out), 0);
	CHECK_EQ_STR(out.data, "file ../evil 3 data=pwn\nfile /etc/cron.d/x 3 data=pwn\nfile a/../../b 3 data=pwn\n"
			       "file ok/name 3 data=pwn\nfile new\nline 3 data=pwn\nfile \xff\xfe 3 data=pwn\n");
	mls_archive_free(a);
	mls_buf_release(&out);
	/* nothing was written next to the archive */
	struct stat st;
	CHECK(stat(tp("../evil"), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 3);
}

TEST(read_all_max_and_partial_reads)
{
	CHECK_EQ_INT(sh("mkdir -p ra && head -c 100000 /dev/urandom > ra/big && printf small > ra/small && "
			"tar -C ra -czf ra.tar.gz big small"), 0);
	struct mls_limits l;
	small_limits(&l);
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	struct mls_buf data;
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("ra.tar.gz"), &l, 0), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	CHECK_EQ_STR(e.path, "big");
	mls_buf_init(&data, 1 << 20);
	CHECK_EQ_INT(mls_archive_read_all(a, &data, 10000), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "larger than 10000");
	/* not sticky: the next member is fine */
	CHECK_EQ_INT(mls_archive_next(a, &e), 0);
	CHECK_EQ_STR(e.path, "small");
	mls_buf_reset(&data);
	char one[2];
	CHECK_EQ_INT(mls_archive_read(a, one, 2), 2);
	CHECK_EQ_INT(mls_archive_read_all(a, &data, 100), 0);
	CHECK_EQ_STR(data.data, "all");
	CHECK_EQ_INT(mls_archive_read(a, one, 2), 0);
	CHECK_EQ_INT(mls_archive_next(a, &e), 1);
	/* read with no current member */
	CHECK_EQ_INT(mls_archive_read(a, one, 2), MLS_EINVAL);
	mls_archive_free(a);
	mls_buf_release(&data);
}

TEST(open_limits_and_errors)
{
	struct mls_limits l;
	struct mls_archive *a = NULL;
	small_limits(&l);
	make_tree();
	CHECK_EQ_INT(sh("test -f three.zip || (cd src && zip -q -X ../three.zip a.txt dir/b.txt c.bin)"), 0);
	l.max_file_bytes = 10;
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("three.zip"), &l, 0), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "larger than the limit");
	CHECK(a == NULL);
	CHECK_EQ_INT(mls_archive_open_memory(&a, "0123456789abc", 13, &l, 0), MLS_ELIMIT);
	small_limits(&l);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("no-such.zip"), &l, 0), MLS_ENOTFOUND);
	CHECK_CONTAINS(mls_error_msg(), "cannot open '");
	CHECK_EQ_INT(mls_archive_open_file(&a, tmpdir, &l, 0), MLS_EINVAL);
	/* A FIFO is refused without hanging. */
	CHECK_EQ_INT(mkfifo(tp("fifo"), 0644), 0);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("fifo"), &l, 0), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "not a regular file");
	CHECK(a == NULL);
}

TEST(time_limit)
{
	CHECK_EQ_INT(sh("test -f bomb.gz || (yes | head -c 16M | gzip -c > bomb.gz)"), 0);
	struct mls_limits l;
	small_limits(&l);
	l.max_ratio = 0;
	l.max_decompressed_bytes = (uint64_t)1 << 40;
	l.max_seconds = 1e-6;
	struct mls_archive *a = NULL;
	struct mls_archive_entry e;
	int rc = mls_archive_open_file(&a, tp("bomb.gz"), &l, MLS_ARCHIVE_RAW);
	if (rc == 0)
		rc = mls_archive_next(a, &e);
	if (rc == 0) {
		struct mls_buf data;
		mls_buf_init(&data, (size_t)128 << 20);
		rc = mls_archive_read_all(a, &data, (size_t)128 << 20);
		mls_buf_release(&data);
	}
	CHECK_EQ_INT(rc, MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "time limit");
	mls_archive_free(a);
}

TEST(nested_archive_from_memory)
{
	/* A zip inside a tar.gz, read from memory: how tools handle nesting. */
	make_tree();
	CHECK_EQ_INT(sh("test -f three.zip || (cd src && zip -q -X ../three.zip a.txt dir/b.txt c.bin); "
			"tar -czf nested.tar.gz three.zip"), 0);
	struct mls_limits l;
	small_limits(&l);
	struct mls_archive *outer = NULL, *inner = NULL;
	struct mls_archive_entry e;
	struct mls_buf data, out;
	mls_buf_init(&data, 1 << 20);
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&outer, tp("nested.tar.gz"), &l, 0), 0);
	CHECK_EQ_INT(mls_archive_next(outer, &e), 0);
	CHECK_EQ_STR(e.path, "three.zip");
	CHECK_EQ_INT(mls_archive_read_all(outer, &data, 1 << 20), 0);
	CHECK_EQ_INT(mls_archive_open_memory(&inner, data.data, data.len, &l, 0), 0);
	CHECK_EQ_INT(list_all(inner, &out), 0);
	CHECK_CONTAINS(out.data, "file dir/b.txt 5 data=bravo");
	mls_archive_free(inner);
	mls_archive_free(outer);
	mls_buf_release(&data);
	mls_buf_release(&out);
}

TEST(utf8_names_in_any_locale)
{
	/* Python's zipfile sets the UTF-8 flag for non-ASCII names; in the C
	 * locale libarchive alone cannot convert them (it would give NULL). */
	CHECK_EQ_INT(sh("python3 -c \"import zipfile; z = zipfile.ZipFile('u.zip', 'w'); "
			"z.writestr('\\u00e9/\\u00fc.txt', 'x'); z.close()\""), 0);
	struct mls_limits l;
	small_limits(&l);
	struct mls_archive *a = NULL;
	struct mls_buf out;
	mls_buf_init(&out, 1 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&a, tp("u.zip"), &l, 0), 0);
	CHECK_EQ_INT(list_all(a, &out), 0);
	CHECK_EQ_STR(out.data, "file \xc3\xa9/\xc3\xbc.txt 1 data=x\n");
	mls_archive_free(a);
	mls_buf_release(&out);
}

TEST(nested_budget_and_depth)
{
	/* bomb.gz inside a tar: the nested reader's output counts against the
	 * outer archive's max_decompressed_bytes. */
	CHECK_EQ_INT(sh("test -f bomb.gz || (yes | head -c 16M | gzip -c > bomb.gz); "
			"tar -cf nest-bomb.tar bomb.gz"), 0);
	struct mls_limits l;
	small_limits(&l);
	l.max_ratio = 0;
	l.max_decompressed_bytes = 12 << 20;
	struct mls_archive *outer = NULL, *inner = NULL;
	struct mls_archive_entry e;
	struct mls_buf data, sink;
	mls_buf_init(&data, 1 << 20);
	mls_buf_init(&sink, (size_t)128 << 20);
	CHECK_EQ_INT(mls_archive_open_file(&outer, tp("nest-bomb.tar"), &l, 0), 0);
	CHECK_EQ_INT(mls_archive_next(outer, &e), 0);
	CHECK_EQ_INT(mls_archive_read_all(outer, &data, 1 << 20), 0);
	CHECK_EQ_INT(mls_archive_open_nested(&inner, outer, data.data, data.len, MLS_ARCHIVE_RAW), 0);
	CHECK_EQ_INT(mls_archive_next(inner, &e), 0);
	CHECK_EQ_INT(mls_archive_read_all(inner, &sink, (size_t)128 << 20), MLS_ELIMIT);
	CHECK(mls_archive_decompressed_total(outer) > (10u << 20));
	/* the outer archive is stopped too */
	CHECK_EQ_INT(mls_archive_next(outer, &e), MLS_ELIMIT);
	mls_archive_free(inner);
	mls_archive_free(outer);

	/* Two siblings of 10 MiB each under a 16 MiB budget: the second fails. */
	CHECK_EQ_INT(sh("yes | head -c 10M | gzip -c > b10.gz && cp b10.gz c10.gz && tar -cf two.tar b10.gz c10.gz"), 0);
	l.max_decompressed_bytes = 16 << 20;
	outer = NULL;
	CHECK_EQ_INT(mls_archive_open_file(&outer, tp("two.tar"), &l, 0), 0);
	int results[2] = { 99, 99 };
	for (int i = 0; i < 2; i++) {
		mls_buf_reset(&data);
		CHECK_EQ_INT(mls_archive_next(outer, &e), 0);
		CHECK_EQ_INT(mls_archive_read_all(outer, &data, 1 << 20), 0);
		inner = NULL;
		CHECK_EQ_INT(mls_archive_open_nested(&inner, outer, data.data, data.len, MLS_ARCHIVE_RAW), 0);
		CHECK_EQ_INT(mls_archive_next(inner, &e), 0);
		mls_buf_reset(&sink);
		results[i] = mls_archive_read_all(inner, &sink, (size_t)128 << 20);
		mls_archive_free(inner);
	}
	CHECK_EQ_INT(results[0], 0);
	CHECK_EQ_INT(results[1], MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "nested");
	mls_archive_free(outer);

	/* Depth: max_depth 1 allows one nested level, not two. */
	make_tree();
	CHECK_EQ_INT(sh("test -f three.zip || (cd src && zip -q -X ../three.zip a.txt dir/b.txt c.bin)"), 0);
	small_limits(&l);
	l.max_depth = 1;
	struct mls_archive *top = NULL, *mid = NULL, *deep = NULL;
	int fd = open(tp("three.zip"), O_RDONLY);
	static unsigned char zipbytes[4096];
	ssize_t zl = read(fd, zipbytes, sizeof(zipbytes));
	close(fd);
	CHECK(zl > 0);
	CHECK_EQ_INT(mls_archive_open_memory(&top, zipbytes, (size_t)zl, &l, 0), 0);
	CHECK_EQ_INT(mls_archive_open_nested(&mid, top, zipbytes, (size_t)zl, 0), 0);
	CHECK_EQ_INT(mls_archive_open_nested(&deep, mid, zipbytes, (size_t)zl, 0), MLS_ELIMIT);
	CHECK_CONTAINS(mls_error_msg(), "nested more than 1 deep");
	CHECK(deep == NULL);
	mls_archive_free(mid);
	mls_archive_free(top);
	mls_buf_release(&data);
	mls_buf_release(&sink);
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
