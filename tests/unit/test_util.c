/* Unit tests for escaping, UTF-8, time stamps, atomic writes, file reads, parallel-for. */
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "mls/common.h"

TEST(utf8)
{
	CHECK(mls_utf8_valid("h\xc3\xa9llo", 6));
	CHECK(!mls_utf8_valid("\xff", 1));
	CHECK(!mls_utf8_valid("\xc0\xaf", 2));       /* overlong '/' */
	CHECK(!mls_utf8_valid("\xed\xa0\x80", 3));   /* surrogate */
	CHECK(!mls_utf8_valid("\xe2\x82", 2));       /* truncated */
	struct mls_buf b;
	mls_buf_init(&b, 0);
	mls_utf8_sanitize(&b, "a\xffz", 3);
	CHECK_EQ_STR(mls_buf_cstr(&b), "a\xef\xbf\xbdz");
	mls_buf_release(&b);
}

TEST(escape_term)
{
	struct mls_buf b;
	mls_buf_init(&b, 0);
	mls_escape_term(&b, "ok \033[31mred\n\xc2\x9b\xff\xc3\xa9");
	CHECK_EQ_STR(mls_buf_cstr(&b), "ok \\x1b[31mred\\x0a\\u009b\\xff\xc3\xa9");
	mls_buf_release(&b);
}

TEST(escape_xml)
{
	struct mls_buf b;
	mls_buf_init(&b, 0);
	mls_escape_xml(&b, "<a href=\"x\">&'</a>]]>\x01\xff\n");
	CHECK_EQ_STR(mls_buf_cstr(&b),
		     "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;]]&gt;\\x01\xef\xbf\xbd&#10;");
	mls_buf_release(&b);
}

TEST(time_format)
{
	char t[40];
	mls_time_rfc3339(t);
	CHECK_EQ_INT(strlen(t), 24);
	CHECK(t[4] == '-' && t[10] == 'T' && t[19] == '.' && t[23] == 'Z');
}

static char *tmpdir(void)
{
	static char d[] = "/tmp/mls-unit.XXXXXX";
	return mkdtemp(d);
}

TEST(atomic_write)
{
	char *d = tmpdir();
	CHECK(d != NULL);
	char p[256];
	snprintf(p, sizeof(p), "%s/report.json", d);
	CHECK_EQ_INT(mls_write_file_atomic(p, "old", 3), 0);
	struct mls_atomic a;
	CHECK_EQ_INT(mls_atomic_open(&a, p), 0);
	fputs("partial", a.fp);
	fflush(a.fp);
	struct mls_buf b;
	mls_buf_init(&b, 0);
	CHECK_EQ_INT(mls_read_file(&b, p, 100), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "old"); /* the target is untouched while writing */
	mls_atomic_abort(&a);
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_read_file(&b, p, 100), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "old");
	CHECK_EQ_INT(mls_atomic_open(&a, p), 0);
	fputs("new", a.fp);
	CHECK_EQ_INT(mls_atomic_commit(&a), 0);
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_read_file(&b, p, 100), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "new");
	/* no temporary file left behind */
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", d);
	CHECK_EQ_INT(system(cmd), 0);
	/* limit on reads */
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_read_file(&b, p, 2), MLS_ELIMIT);
	CHECK_EQ_INT(mls_read_file(&b, "/nonexistent/x", 2), MLS_ENOTFOUND);
	CHECK_EQ_INT(mls_atomic_open(&a, "/nonexistent/dir/x"), MLS_EIO);
	mls_buf_release(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
	CHECK_EQ_INT(system(cmd), 0);
}

TEST(atomic_write_through_links_and_devices)
{
	char d[] = "/tmp/mls-unit-links.XXXXXX";
	CHECK(mkdtemp(d) != NULL);
	char real[300], link[300], devlink[300];
	snprintf(real, sizeof(real), "%s/real.json", d);
	snprintf(link, sizeof(link), "%s/link.json", d);
	snprintf(devlink, sizeof(devlink), "%s/stdout", d);
	CHECK_EQ_INT(mls_write_file_atomic(real, "one", 3), 0);
	CHECK_EQ_INT(symlink("real.json", link), 0);
	CHECK_EQ_INT(symlink("/dev/null", devlink), 0);
	/* through a link to a regular file: the target changes, the link stays a link */
	CHECK_EQ_INT(mls_write_file_atomic(link, "two", 3), 0);
	struct stat st;
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	struct mls_buf b;
	mls_buf_init(&b, 0);
	CHECK_EQ_INT(mls_read_file(&b, real, 100), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "two");
	mls_buf_release(&b);
	/* a device (like /dev/stdout) is written in place, never replaced by a regular file */
	CHECK_EQ_INT(mls_write_file_atomic(devlink, "three", 5), 0);
	CHECK(lstat(devlink, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 3 && rm -rf %s", d, d);
	CHECK_EQ_INT(system(cmd), 0);
}

static atomic_int hits[1000];
static int bump(size_t i, void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&hits[i], 1);
	return i == 500 ? -7 : 0;
}

TEST(parallel_for)
{
	CHECK_EQ_INT(mls_parallel_for(1000, 4, bump, NULL), -7);
	int all_once = 1;
	for (int i = 0; i < 1000; i++)
		if (atomic_load(&hits[i]) != 1)
			all_once = 0;
	CHECK(all_once);
	CHECK_EQ_INT(mls_parallel_for(0, 4, bump, NULL), 0);
	CHECK(mls_default_jobs() >= 1);
}

TEST(array_reserve)
{
	int *a = NULL;
	size_t cap = 0, n = 0;
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ_INT(mls_array_reserve(&a, &cap, n, sizeof(*a), 4), 0);
		a[n++] = i;
	}
	CHECK(cap >= 1000 && cap < 2048);
	CHECK_EQ_INT(a[999], 999);
	size_t huge = SIZE_MAX / 2 + 1;
	CHECK_EQ_INT(mls_array_reserve(&a, &huge, huge, 8, 4), MLS_ENOMEM); /* overflow refused */
	free(a);
}

TEST(no_color)
{
	setenv("NO_COLOR", "1", 1);
	CHECK_EQ_INT(mls_use_color(1), 0);
	unsetenv("NO_COLOR");
}

TEST_MAIN()
