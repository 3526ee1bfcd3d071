/* Unit tests for common/src/walk.c: order, symlinks in and out of the root,
 * special files, limits, awkward names, unreadable directories. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mls/buf.h"
#include "mls/error.h"
#include "mls/walk.h"

static char tmpdir[] = "/tmp/mls-test-walk-XXXXXX";

/* Makes tmpdir/<case>/ and returns its path (static buffer). */
static const char *mkcase(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (mkdir(path, 0755) != 0)
		perror(path);
	return path;
}

static void put(const char *dir, const char *rel, const char *content)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "wb");
	if (!f) {
		perror(p);
		return;
	}
	fputs(content, f);
	fclose(f);
}

static void mkd(const char *dir, const char *rel)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if (mkdir(p, 0755) != 0)
		perror(p);
}

static void lnk(const char *dir, const char *rel, const char *target)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if (symlink(target, p) != 0)
		perror(p);
}

/* Records every entry as one line "T depth rel [via] [reason]". */
struct rec {
	struct mls_buf out;
	int stop_after; /* >0: return 7 after this many entries */
	int seen;
};

static int rec_cb(const struct mls_walk_entry *e, void *ctx)
{
	struct rec *r = ctx;
	const char *t = e->type == MLS_WALK_FILE ? "F" : e->type == MLS_WALK_DIR ? "D" : "S";
	mls_buf_printf(&r->out, "%s %d %s", t, e->depth, e->rel);
	if (e->type == MLS_WALK_FILE)
		mls_buf_printf(&r->out, " %llu", (unsigned long long)e->size);
	if (e->via_symlink)
		mls_buf_puts(&r->out, " via");
	if (e->type == MLS_WALK_SKIPPED)
		mls_buf_printf(&r->out, " (%s)", e->reason ? e->reason : "NULL");
	mls_buf_putc(&r->out, '\n');
	r->seen++;
	return r->stop_after && r->seen >= r->stop_after ? 7 : 0;
}

static int run(struct rec *r, const char *root, int report_dirs, int max_depth, uint64_t max_entries)
{
	struct mls_walk_opts o = { max_depth, max_entries, report_dirs };
	mls_buf_init(&r->out, 1 << 20);
	r->seen = 0;
	return mls_walk(root, &o, rec_cb, r);
}

TEST(sorted_depth_first)
{
	const char *d = mkcase("sorted");
	put(d, "b.txt", "bb");
	put(d, "a.txt", "a");
	put(d, "B", "");
	put(d, "a", "");
	mkd(d, "a.d");
	put(d, "a.d/z", "zzz");
	put(d, "a.d/_", "");
	mkd(d, "c");
	mkd(d, "c/empty");
	put(d, "\xc3\xa9", "e"); /* é sorts after ASCII byte-wise */
	put(d, ".hidden", "h");

	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 1, 0, 0), 0);
	CHECK_EQ_STR(r.out.data,
		     "D 0 \n"
		     "F 1 .hidden 1\n"
		     "F 1 B 0\n"
		     "F 1 a 0\n"
		     "D 1 a.d\n"
		     "F 2 a.d/_ 0\n"
		     "F 2 a.d/z 3\n"
		     "F 1 a.txt 1\n"
		     "F 1 b.txt 2\n"
		     "D 1 c\n"
		     "D 2 c/empty\n"
		     "F 1 \xc3\xa9 1\n");
	mls_buf_release(&r.out);

	/* Same walk without directories; and twice gives the same answer. */
	struct rec r2 = { 0 }, r3 = { 0 };
	CHECK_EQ_INT(run(&r2, d, 0, 0, 0), 0);
	CHECK_EQ_INT(run(&r3, d, 0, 0, 0), 0);
	CHECK(strstr(r2.out.data, "D ") == NULL);
	CHECK_EQ_STR(r2.out.data, r3.out.data);
	CHECK_EQ_INT(r2.seen, 8);
	mls_buf_release(&r2.out);
	mls_buf_release(&r3.out);
}

static int path_cb(const struct mls_walk_entry *e, void *ctx)
{
	struct mls_buf *b = ctx;
	mls_buf_printf(b, "%s|%s\n", e->path, e->rel);
	return 0;
}

TEST(paths_as_given)
{
	const char *d = mkcase("paths");
	put(d, "f", "x");
	mkd(d, "sub");
	put(d, "sub/g", "y");
	char withslash[600];
	snprintf(withslash, sizeof(withslash), "%s/", d);

	struct mls_buf b;
	mls_buf_init(&b, 1 << 16);
	CHECK_EQ_INT(mls_walk(withslash, NULL, path_cb, &b), 0);
	char expect[2048];
	snprintf(expect, sizeof(expect), "%s/f|f\n%s/sub/g|sub/g\n", d, d);
	CHECK_EQ_STR(b.data, expect);

	/* Relative root "." from inside the directory. */
	char cwd[1024];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_EQ_INT(chdir(d), 0);
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_walk(".", NULL, path_cb, &b), 0);
	CHECK_EQ_STR(b.data, "./f|f\n./sub/g|sub/g\n");
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_walk("sub", NULL, path_cb, &b), 0);
	CHECK_EQ_STR(b.data, "sub/g|g\n");
	CHECK_EQ_INT(chdir(cwd), 0);
	mls_buf_release(&b);
}

TEST(file_root)
{
	const char *d = mkcase("fileroot");
	put(d, "model.bin", "12345");
	char p[600];
	snprintf(p, sizeof(p), "%s/model.bin", d);
	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, p, 1, 0, 0), 0);
	CHECK_EQ_STR(r.out.data, "F 0 model.bin 5\n");
	mls_buf_release(&r.out);

	struct mls_buf b;
	mls_buf_init(&b, 1 << 16);
	CHECK_EQ_INT(mls_walk(p, NULL, path_cb, &b), 0);
	char expect[700];
	snprintf(expect, sizeof(expect), "%s|model.bin\n", p);
	CHECK_EQ_STR(b.data, expect);
	mls_buf_release(&b);
}

TEST(missing_root)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/nope", tmpdir);
	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, p, 1, 0, 0), MLS_ENOTFOUND);
	CHECK_CONTAINS(mls_error_msg(), "cannot access '");
	CHECK_EQ_INT(r.seen, 0);
	mls_buf_release(&r.out);
	CHECK_EQ_INT(mls_walk("", NULL, rec_cb, &r), MLS_EINVAL);
	CHECK_EQ_INT(mls_walk(NULL, NULL, rec_cb, &r), MLS_EINVAL);
}

TEST(symlinks)
{
	char outside[512];
	snprintf(outside, sizeof(outside), "%s", mkcase("outside"));
	put(outside, "secret", "s3cret");
	const char *d = mkcase("links");
	put(d, "real", "data");
	mkd(d, "dir");
	put(d, "dir/inner", "i");
	lnk(d, "l_in_file", "real");
	lnk(d, "l_in_dir", "dir");
	char out_target[600];
	snprintf(out_target, sizeof(out_target), "%s/secret", outside);
	lnk(d, "l_out_abs", out_target);
	lnk(d, "l_out_rel", "../outside/secret");
	lnk(d, "l_out_dir", "../outside");
	lnk(d, "l_out_root", "/");
	lnk(d, "l_dangling", "no-such-file");
	lnk(d, "l_loop_a", "l_loop_b");
	lnk(d, "l_loop_b", "l_loop_a");
	lnk(d, "dir/l_up", "..");       /* back to the root: a loop */
	lnk(d, "dir/l_self", ".");      /* itself: a loop */
	lnk(d, "l_dotdot_in", "dir/../real"); /* resolves inside */

	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 1, 0, 0), 0);
	CHECK_EQ_STR(r.out.data,
		     "D 0 \n"
		     "D 1 dir\n"
		     "F 2 dir/inner 1\n"
		     "S 2 dir/l_self via (symlink loop (directory already being walked))\n"
		     "S 2 dir/l_up via (symlink loop (directory already being walked))\n"
		     "S 1 l_dangling via (dangling symlink (target does not exist))\n"
		     "F 1 l_dotdot_in 4 via\n"
		     "D 1 l_in_dir via\n"
		     "F 2 l_in_dir/inner 1 via\n"
		     "S 2 l_in_dir/l_self via (symlink loop (directory already being walked))\n"
		     "S 2 l_in_dir/l_up via (symlink loop (directory already being walked))\n"
		     "F 1 l_in_file 4 via\n"
		     "S 1 l_loop_a via (symlink loop)\n"
		     "S 1 l_loop_b via (symlink loop)\n"
		     "S 1 l_out_abs via (symlink points outside the scanned root)\n"
		     "S 1 l_out_dir via (symlink points outside the scanned root)\n"
		     "S 1 l_out_rel via (symlink points outside the scanned root)\n"
		     "S 1 l_out_root via (symlink points outside the scanned root)\n"
		     "F 1 real 4\n");
	CHECK(strstr(r.out.data, "secret") == NULL);
	mls_buf_release(&r.out);
}

TEST(symlinked_root_and_prefix_sibling)
{
	/* root "pre" must not accept a link into its sibling "pre-x" */
	const char *sib = mkcase("pre-x");
	put(sib, "f", "sibling");
	const char *d = mkcase("pre");
	lnk(d, "to_sibling", "../pre-x/f");
	put(d, "own", "o");
	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 0, 0, 0), 0);
	CHECK_EQ_STR(r.out.data, "F 1 own 1\nS 1 to_sibling via (symlink points outside the scanned root)\n");
	mls_buf_release(&r.out);

	/* A root given as a symlink to a directory is followed; the target is the root. */
	char rootlink[600];
	snprintf(rootlink, sizeof(rootlink), "%s/pre-link", tmpdir);
	CHECK_EQ_INT(symlink("pre", rootlink), 0);
	struct rec r2 = { 0 };
	CHECK_EQ_INT(run(&r2, rootlink, 0, 0, 0), 0);
	CHECK_EQ_STR(r2.out.data, "F 1 own 1\nS 1 to_sibling via (symlink points outside the scanned root)\n");
	mls_buf_release(&r2.out);
}

TEST(special_files)
{
	const char *d = mkcase("special");
	char p[600];
	snprintf(p, sizeof(p), "%s/fifo", d);
	CHECK_EQ_INT(mkfifo(p, 0644), 0);
	put(d, "normal", "n");
	lnk(d, "to_fifo", "fifo");
	lnk(d, "to_null", "/dev/null");
	struct rec r = { 0 };
	/* If the walker opened the FIFO, this test would hang (ctest timeout). */
	CHECK_EQ_INT(run(&r, d, 0, 0, 0), 0);
	CHECK_EQ_STR(r.out.data,
		     "S 1 fifo (FIFO (named pipe))\n"
		     "F 1 normal 1\n"
		     "S 1 to_fifo via (FIFO (named pipe))\n"
		     "S 1 to_null via (symlink points outside the scanned root)\n");
	mls_buf_release(&r.out);

	/* A FIFO given as the root is reported, not opened. */
	struct rec r2 = { 0 };
	CHECK_EQ_INT(run(&r2, p, 0, 0, 0), 0);
	CHECK_EQ_STR(r2.out.data, "S 0 fifo (FIFO (named pipe))\n");
	mls_buf_release(&r2.out);

	/* Devices under a root (/dev itself as root). */
	struct rec r3 = { 0 };
	mls_buf_init(&r3.out, 1 << 20);
	mls_walk("/dev", NULL, rec_cb, &r3);
	CHECK_CONTAINS(r3.out.data, "S 1 null (character device)\n");
	mls_buf_release(&r3.out);
}

TEST(depth_limit)
{
	const char *d = mkcase("deeper");
	mkd(d, "1");
	mkd(d, "1/2");
	mkd(d, "1/2/3");
	put(d, "1/2/3/f", "x");
	put(d, "1/2/g", "x");
	put(d, "z", "x");

	struct rec ok = { 0 };
	CHECK_EQ_INT(run(&ok, d, 0, 4, 0), 0);
	CHECK_EQ_STR(ok.out.data, "F 4 1/2/3/f 1\nF 3 1/2/g 1\nF 1 z 1\n");
	mls_buf_release(&ok.out);

	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 0, 3, 0), MLS_ELIMIT);
	CHECK_EQ_STR(r.out.data, "S 4 1/2/3/f (directory tree too deep)\n");
	CHECK_CONTAINS(mls_error_msg(), "deeper than 3 levels");
	mls_buf_release(&r.out);
}

TEST(entry_limit_and_stop)
{
	const char *d = mkcase("many");
	char name[32];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		put(d, name, "x");
	}
	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 0, 0, 20), 0);
	CHECK_EQ_INT(r.seen, 20);
	mls_buf_release(&r.out);

	struct rec r2 = { 0 };
	CHECK_EQ_INT(run(&r2, d, 0, 0, 10), MLS_ELIMIT);
	CHECK_EQ_INT(r2.seen, 11); /* 10 files, then the limit itself reported */
	CHECK_CONTAINS(r2.out.data, "S 1 f10 (walk entry limit reached)\n");
	CHECK_CONTAINS(mls_error_msg(), "more than 10 entries");
	mls_buf_release(&r2.out);

	struct rec r3 = { 0 };
	r3.stop_after = 3;
	CHECK_EQ_INT(run(&r3, d, 0, 0, 0), 7);
	CHECK_EQ_INT(r3.seen, 3);
	mls_buf_release(&r3.out);
}

TEST(awkward_names)
{
	const char *d = mkcase("names");
	put(d, "with space", "1");
	put(d, "new\nline", "22");
	put(d, "tab\there", "333");
	put(d, "-dash", "4444");
	put(d, "back\\slash", "5");
	put(d, "\x01\x7f", "6");
	struct rec r = { 0 };
	CHECK_EQ_INT(run(&r, d, 0, 0, 0), 0);
	CHECK_EQ_STR(r.out.data,
		     "F 1 \x01\x7f 1\n"
		     "F 1 -dash 4\n"
		     "F 1 back\\slash 1\n"
		     "F 1 new\nline 2\n"
		     "F 1 tab\there 3\n"
		     "F 1 with space 1\n");
	mls_buf_release(&r.out);
}

struct skips {
	int n;
	struct mls_buf reasons;
};

static int skip_cb(const struct mls_walk_entry *e, void *ctx)
{
	struct skips *s = ctx;
	s->n++;
	mls_buf_printf(&s->reasons, "%s:%s\n", e->rel, e->reason);
	return 0;
}

TEST(collect)
{
	const char *d = mkcase("collect");
	mkd(d, "a");
	put(d, "a/b", "12");
	put(d, "a.txt", "1");  /* '.' (0x2e) < '/' (0x2f): a.txt sorts before a/b */
	put(d, "z", "123");
	lnk(d, "dangling", "nowhere");

	struct mls_file_list l;
	struct skips s = { 0 };
	mls_buf_init(&s.reasons, 4096);
	CHECK_EQ_INT(mls_walk_collect(&l, d, NULL, skip_cb, &s), 0);
	CHECK_EQ_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_EQ_STR(l.rels[0], "a.txt");
		CHECK_EQ_STR(l.rels[1], "a/b");
		CHECK_EQ_STR(l.rels[2], "z");
		CHECK_EQ_INT(l.sizes[0], 1);
		CHECK_EQ_INT(l.sizes[1], 2);
		CHECK_EQ_INT(l.sizes[2], 3);
		char expect[700];
		snprintf(expect, sizeof(expect), "%s/a/b", d);
		CHECK_EQ_STR(l.paths[1], expect);
	}
	CHECK_EQ_INT(s.n, 1);
	CHECK_CONTAINS(s.reasons.data, "dangling:dangling symlink");
	mls_file_list_release(&l);
	CHECK_EQ_INT(l.n, 0);
	mls_file_list_release(&l);
	mls_file_list_release(NULL);

	/* Limit: what was collected is kept. */
	struct mls_walk_opts o = { 0, 2, 0 };
	CHECK_EQ_INT(mls_walk_collect(&l, d, &o, NULL, NULL), MLS_ELIMIT);
	CHECK(l.n >= 1);
	mls_file_list_release(&l);
	mls_buf_release(&s.reasons);
}

/* Unreadable directories: run as an unprivileged user in a child process
 * (the tests may run as root, which reads everything). */
TEST(unreadable_directory)
{
	const char *d = mkcase("perm");
	put(d, "ok", "1");
	mkd(d, "locked");
	put(d, "locked/hidden", "2");
	mkd(d, "noexec");
	put(d, "noexec/f", "3");
	char p[600];
	snprintf(p, sizeof(p), "%s/locked", d);
	CHECK_EQ_INT(chmod(p, 0), 0);
	snprintf(p, sizeof(p), "%s/noexec", d);
	CHECK_EQ_INT(chmod(p, 0444), 0);

	int fds[2];
	CHECK_EQ_INT(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		struct rec r = { 0 };
		int rc = run(&r, d, 0, 0, 0);
		if (write(fds[1], r.out.data, r.out.len) < 0)
			_exit(4);
		_exit(rc == 0 ? 0 : 5);
	}
	close(fds[1]);
	char out[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ_STR(out,
		     "S 1 locked (permission denied)\n"
		     "S 2 noexec/f (permission denied)\n"
		     "F 1 ok 1\n");
}

static void cleanup(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", tmpdir, tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

__attribute__((constructor(101))) static void setup(void)
{
	if (!mkdtemp(tmpdir) || chmod(tmpdir, 0755) != 0) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(cleanup);
}

TEST_MAIN()
