/*
 * avscan unit tests, on the real libclamav with the repo's signatures
 * (signatures/ and the test-only signatures/test): alert classification,
 * quarantine names, engine loading, and scanning files that vanish, turn
 * into FIFOs or carry a generated EICAR string.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "avscan.h"
#include "harness.h"

static char scratch[PATH_MAX];

static const char *src_dir(void)
{
	const char *s = getenv("MLS_SOURCE_DIR");
	return s && *s ? s : ".";
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) == 0 ? 0 : 0;
}

static void rm_scratch(void)
{
	if (scratch[0])
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_scratch(void)
{
	if (scratch[0])
		return;
	atexit(rm_scratch);
	snprintf(scratch, sizeof(scratch), "%s/avscan-unit.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(scratch))
		abort();
}

static void path_in(char *out, size_t n, const char *name)
{
	make_scratch();
	snprintf(out, n, "%s/%s", scratch, name);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

/* EICAR from pieces: no source file holds the test string. */
static void write_eicar(const char *path)
{
	char s[80];
	snprintf(s, sizeof(s), "%s%s%s%s", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-",
		 "FILE!$H+H*");
	write_bytes(path, s, strlen(s));
}

static char sigdir[PATH_MAX], testsigdir[PATH_MAX];
static const char *test_dbs[1];

static void opts_for_tests(struct avscan_opts *o)
{
	avscan_opts_init(o);
	snprintf(sigdir, sizeof(sigdir), "%s/signatures", src_dir());
	snprintf(testsigdir, sizeof(testsigdir), "%s/signatures/test", src_dir());
	test_dbs[0] = testsigdir;
	o->signatures = sigdir;
	o->no_system_db = 1;
	o->databases = NULL;
	o->ndatabases = 0;
	o->jobs = 1;
}

static struct avscan_run the_run;
static struct avscan_opts run_opts;

static void free_run(void)
{
	avscan_engine_free(the_run.engine);
	mls_report_free(the_run.report);
	free(run_opts.databases);
	memset(&the_run, 0, sizeof(the_run));
}

/* A run on the engine with the repo + test signatures (kept for the file,
 * freed at exit). */
static struct avscan_run *get_run(void)
{
	const char **dbs;
	if (the_run.engine)
		return &the_run;
	atexit(free_run);
	opts_for_tests(&run_opts);
	if (!(dbs = malloc(sizeof(*dbs))))
		abort();
	dbs[0] = testsigdir;
	run_opts.databases = dbs;
	run_opts.ndatabases = 1;
	the_run.o = &run_opts;
	if (avscan_engine_new(&the_run.engine, &run_opts) < 0) {
		fprintf(stderr, "engine: %s\n", mls_error_msg());
		abort();
	}
	return &the_run;
}

static struct mls_report *fresh_report(struct avscan_run *r)
{
	mls_report_free(r->report);
	r->report = NULL;
	if (mls_report_new(&r->report, "avscan", "test", "unit") < 0)
		abort();
	return r->report;
}

TEST(alert_classification)
{
	char r[256];
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxFileSize", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "--max-filesize");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxScanSize", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "--max-scansize");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxRecursion", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "--max-recursion");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxFiles", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "--max-files");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxScanTime", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "--max-scantime");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Limits.Exceeded.MaxEmbeddedPE", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "MaxEmbeddedPE");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Encrypted.Zip", r, sizeof(r)), 1);
	CHECK_CONTAINS(r, "encrypted");
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Win.Test.EICAR_HDB-1", r, sizeof(r)), 0);
	CHECK_EQ_INT(avscan_alert_is_not_scanned("Heuristics.Phishing.Email", r, sizeof(r)), 0);
	CHECK_EQ_INT(avscan_alert_is_not_scanned(NULL, r, sizeof(r)), 0);
	CHECK_EQ_INT(avscan_sig_is_mls("MLSecOps.Pickle.OsSystem.Global.UNOFFICIAL"), 1);
	CHECK_EQ_INT(avscan_sig_is_mls("MLSecOpsTest.EICAR.UNOFFICIAL"), 0);
}

TEST(safe_names)
{
	char n[96];
	avscan_safe_name(n, sizeof(n), "dir/model.pt");
	CHECK_EQ_STR(n, "model.pt");
	avscan_safe_name(n, sizeof(n), "a/we ird\n$(x).bin");
	CHECK_EQ_STR(n, "we_ird___x_.bin");
	avscan_safe_name(n, sizeof(n), "..");
	CHECK_EQ_STR(n, "file");
	avscan_safe_name(n, sizeof(n), "x/");
	CHECK(strchr(n, '/') == NULL && n[0]);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	avscan_safe_name(n, sizeof(n), longname);
	CHECK(strlen(n) <= 80);
}

TEST(archive_types)
{
	CHECK_EQ_INT(avscan_type_is_archive("CL_TYPE_ZIP"), 1);
	CHECK_EQ_INT(avscan_type_is_archive("CL_TYPE_7Z"), 1);
	CHECK_EQ_INT(avscan_type_is_archive("CL_TYPE_POSIX_TAR"), 1);
	CHECK_EQ_INT(avscan_type_is_archive("CL_TYPE_BINARY_DATA"), 0);
	CHECK_EQ_INT(avscan_type_is_archive(NULL), 0);
}

TEST(engine_loads_repo_signatures)
{
	struct avscan_run *run = get_run();
	CHECK(run->engine->sigs >= 37);
	CHECK(run->engine->ndbs >= 3);
	CHECK(run->engine->max_filesize == AVSCAN_CLAMAV_MAX_FILESIZE);
	CHECK(avscan_engine_db_age_days(run->engine) < 0); /* no official .cvd/.cld loaded */
}

TEST(engine_refuses_empty_database)
{
	struct avscan_opts o;
	struct avscan_engine *e = NULL;
	char empty[PATH_MAX];
	path_in(empty, sizeof(empty), "emptydb");
	mkdir(empty, 0700);
	opts_for_tests(&o);
	const char *dbs[1] = { empty };
	o.databases = dbs;
	o.ndatabases = 1;
	o.no_signatures = 1;
	CHECK_EQ_INT(avscan_engine_new(&e, &o), MLS_ENOTFOUND);
	CHECK_CONTAINS(mls_error_msg(), "freshclam");
	CHECK(e == NULL);
	o.databases = NULL;
	o.ndatabases = 0;
	CHECK_EQ_INT(avscan_engine_new(&e, &o), MLS_ENOTFOUND);
	CHECK_CONTAINS(mls_error_msg(), "no usable signatures");
}

TEST(db_age)
{
	struct avscan_engine e;
	memset(&e, 0, sizeof(e));
	CHECK(avscan_engine_db_age_days(&e) < 0);
	e.newest_cvd = (long long)time(NULL) - 10 * 86400;
	double age = avscan_engine_db_age_days(&e);
	CHECK(age > 9.9 && age < 10.1);
}

TEST(scan_finds_eicar)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "eicar.bin");
	write_eicar(p);
	CHECK_EQ_INT(avscan_scan_file(run, p, 68, 0), 0);
	CHECK_EQ_INT(r->nfiles, 1);
	CHECK_EQ_INT(r->nfindings, 1);
	if (r->nfindings) {
		CHECK_EQ_STR(r->findings[0].evidence, "MLSecOpsTest.EICAR.UNOFFICIAL");
		CHECK_EQ_STR(r->findings[0].id, AVSCAN_RULE_CLAMAV);
	}
	CHECK(r->files[0].sha256 != NULL);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_SCANNED);
}

TEST(scan_pickle_signature)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	static const char pk[] = "\x80\x02" "cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.";
	path_in(p, sizeof(p), "evil.pkl");
	write_bytes(p, pk, sizeof(pk) - 1);
	CHECK_EQ_INT(avscan_scan_file(run, p, sizeof(pk) - 1, 0), 0);
	CHECK_EQ_INT(r->nfindings, 1);
	if (r->nfindings) {
		CHECK_EQ_STR(r->findings[0].evidence, "MLSecOps.Pickle.PosixSystem.Global.UNOFFICIAL");
		CHECK_EQ_STR(r->findings[0].id, AVSCAN_RULE_MLS);
	}
}

TEST(scan_clean_file)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "clean.txt");
	write_bytes(p, "hello\n", 6);
	CHECK_EQ_INT(avscan_scan_file(run, p, 6, 0), 0);
	CHECK_EQ_INT(r->nfindings, 0);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_SCANNED);
	CHECK_EQ_STR(r->files[0].sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
}

TEST(scan_empty_file_hash_and_no_hash)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "empty.bin");
	write_bytes(p, "", 0);
	CHECK_EQ_INT(avscan_scan_file(run, p, 0, 0), 0);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_SCANNED);
	CHECK_EQ_STR(r->files[0].sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	r = fresh_report(run);
	run_opts.hash = 0;
	path_in(p, sizeof(p), "clean2.txt");
	write_bytes(p, "hello\n", 6);
	CHECK_EQ_INT(avscan_scan_file(run, p, 6, 0), 0);
	run_opts.hash = 1;
	CHECK(r->files[0].sha256 == NULL);
}

/* The walker listed it, then it vanished before the worker opened it. */
TEST(scan_vanished_file)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "vanished.bin");
	write_bytes(p, "x", 1);
	unlink(p);
	CHECK_EQ_INT(avscan_scan_file(run, p, 1, 0), 0);
	CHECK_EQ_INT(r->nfiles, 1);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_FAILED);
	CHECK_CONTAINS(r->files[0].reason, "disappeared");
	mls_report_finish(r, MLS_SEV_MEDIUM);
	CHECK_EQ_INT(mls_report_exit_code(r), MLS_EXIT_ERROR);
}

/* The walker listed a file; it was replaced by a FIFO (no writer): no hang. */
TEST(scan_file_replaced_by_fifo)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "fifo");
	CHECK_EQ_INT(mkfifo(p, 0600), 0);
	CHECK_EQ_INT(avscan_scan_file(run, p, 10, 0), 0);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_FAILED);
	CHECK_CONTAINS(r->files[0].reason, "no longer a regular file");
	unlink(p);
}

/* Replaced by a symlink: never followed. */
TEST(scan_file_replaced_by_symlink)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	path_in(p, sizeof(p), "swapped");
	CHECK_EQ_INT(symlink("/etc/hostname", p), 0);
	CHECK_EQ_INT(avscan_scan_file(run, p, 10, 0), 0);
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_FAILED);
	CHECK_CONTAINS(r->files[0].reason, "symbolic link");
	unlink(p);
}

TEST(oversize_not_scanned)
{
	struct avscan_run *run = get_run();
	struct mls_report *r = fresh_report(run);
	char p[PATH_MAX];
	uint64_t keep = run->engine->max_filesize;
	path_in(p, sizeof(p), "big.bin");
	write_bytes(p, "0123456789abcdef", 16);
	run->engine->max_filesize = 8;
	CHECK_EQ_INT(avscan_scan_file(run, p, 16, 0), 0);
	run->engine->max_filesize = keep;
	CHECK_EQ_INT(r->files[0].status, MLS_FILE_INCOMPLETE);
	CHECK_CONTAINS(r->files[0].reason, "not scanned: 16 bytes is larger than --max-filesize (8)");
}

TEST(quarantine_names_never_collide)
{
	char a[PATH_MAX], b[PATH_MAX], q[PATH_MAX];
	char *what1 = NULL, *what2 = NULL;
	const char *sigs[1] = { "X" }, *members[1] = { "" };
	path_in(q, sizeof(q), "quarantine");
	path_in(a, sizeof(a), "m1");
	mkdir(a, 0700);
	path_in(a, sizeof(a), "m1/model.bin");
	path_in(b, sizeof(b), "m2");
	mkdir(b, 0700);
	path_in(b, sizeof(b), "m2/model.bin");
	write_bytes(a, "same", 4);
	write_bytes(b, "same", 4);
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	struct avscan_quarantine_info qa = { a, "0123456789abcdef0123", 4, sigs, members, 1, "1.4" };
	struct avscan_quarantine_info qb = { b, "0123456789abcdef0123", 4, sigs, members, 1, "1.4" };
	CHECK_EQ_INT(avscan_quarantine(&what1, q, fa, &qa), 0);
	CHECK_EQ_INT(avscan_quarantine(&what2, q, fb, &qb), 0);
	CHECK_CONTAINS(what1, "0123456789abcdef-model.bin.data");
	CHECK_CONTAINS(what2, "0123456789abcdef-model.bin-1.data");
	CHECK(access(a, F_OK) != 0 && access(b, F_OK) != 0);
	char rec[PATH_MAX];
	snprintf(rec, sizeof(rec), "%s/0123456789abcdef-model.bin-1.json", q);
	CHECK(access(rec, F_OK) == 0);
	free(what1);
	free(what2);
	close(fa);
	close(fb);
}

/* A file swapped after the scan is neither moved nor removed. */
TEST(action_refuses_swapped_file)
{
	char a[PATH_MAX], q[PATH_MAX];
	char *what = NULL;
	const char *sigs[1] = { "X" }, *members[1] = { "" };
	path_in(a, sizeof(a), "swap.bin");
	path_in(q, sizeof(q), "quarantine2");
	write_bytes(a, "one", 3);
	int fd = open(a, O_RDONLY);
	unlink(a);
	write_bytes(a, "two", 3);
	CHECK_EQ_INT(avscan_remove(fd, a), MLS_EUNSAFE);
	struct avscan_quarantine_info qi = { a, "abc", 3, sigs, members, 1, "1.4" };
	CHECK_EQ_INT(avscan_quarantine(&what, q, fd, &qi), MLS_EUNSAFE);
	CHECK(access(a, F_OK) == 0);
	close(fd);
}

TEST_MAIN()
