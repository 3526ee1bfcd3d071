/*
 * Unit tests for the report model (common/src/report.c): adds, statuses,
 * finish() (status, verdict, sorting), exit codes, names, output options,
 * concurrency, atomic writes.  When MLS_REPORT_SAMPLES names a directory,
 * sample reports in every format are written there for
 * tests/integration/test_report_schemas.py to validate against the schemas.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "test_report_fixture.h"

/* A fresh empty directory under $TMPDIR; path into out. */
static void make_tmpdir(char *out, size_t sz)
{
	const char *t = getenv("TMPDIR");
	snprintf(out, sz, "%s/mls-report-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(out))
		out[0] = '\0';
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Number of directory entries (besides . and ..), and whether one contains ".tmp.". */
static int count_entries(const char *dir, int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	*temps = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (strstr(e->d_name, ".tmp."))
			(*temps)++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	struct mls_buf b;
	mls_buf_init(&b, 0);
	if (mls_read_file(&b, path, (size_t)1 << 30) < 0 || mls_buf_puts(&b, "") < 0) {
		mls_buf_release(&b);
		return NULL;
	}
	return mls_buf_detach(&b, NULL);
}

static struct mls_report *new_report(void)
{
	struct mls_report *r = NULL;
	int rc = mls_report_new(&r, "tool", "9.9", "target");
	return rc == 0 ? r : NULL;
}

TEST(names_and_parse)
{
	enum mls_severity s;
	CHECK_EQ_STR(mls_severity_name(MLS_SEV_CRITICAL), "critical");
	CHECK_EQ_STR(mls_severity_name(MLS_SEV_HIGH), "high");
	CHECK_EQ_STR(mls_severity_name(MLS_SEV_MEDIUM), "medium");
	CHECK_EQ_STR(mls_severity_name(MLS_SEV_LOW), "low");
	CHECK_EQ_STR(mls_severity_name(MLS_SEV_INFO), "info");
	CHECK_EQ_STR(mls_severity_name((enum mls_severity)42), "unknown");
	CHECK_EQ_INT(mls_severity_parse(&s, "HiGh"), 0);
	CHECK_EQ_INT(s, MLS_SEV_HIGH);
	CHECK_EQ_INT(mls_severity_parse(&s, "critical"), 0);
	CHECK_EQ_INT(s, MLS_SEV_CRITICAL);
	CHECK_EQ_INT(mls_severity_parse(&s, "info"), 0);
	CHECK_EQ_INT(s, MLS_SEV_INFO);
	CHECK_EQ_INT(mls_severity_parse(&s, "severe"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "'severe'");
	CHECK_EQ_INT(mls_severity_parse(&s, ""), MLS_EINVAL);
	CHECK_EQ_INT(mls_severity_parse(&s, NULL), MLS_EINVAL);

	CHECK_EQ_STR(mls_file_status_name(MLS_FILE_SCANNED), "scanned");
	CHECK_EQ_STR(mls_file_status_name(MLS_FILE_SKIPPED), "skipped");
	CHECK_EQ_STR(mls_file_status_name(MLS_FILE_INCOMPLETE), "incomplete");
	CHECK_EQ_STR(mls_file_status_name(MLS_FILE_FAILED), "failed");
	CHECK_EQ_STR(mls_report_status_name(MLS_STATUS_COMPLETE), "complete");
	CHECK_EQ_STR(mls_report_status_name(MLS_STATUS_INCOMPLETE), "incomplete");
	CHECK_EQ_STR(mls_report_status_name(MLS_STATUS_ERROR), "error");
	CHECK_EQ_STR(mls_verdict_name(MLS_VERDICT_CLEAN), "clean");
	CHECK_EQ_STR(mls_verdict_name(MLS_VERDICT_FINDINGS), "findings");
	CHECK_EQ_STR(mls_verdict_name(MLS_VERDICT_UNKNOWN), "unknown");

	enum mls_format f;
	const char *fmts[][2] = { { "text", "text" }, { "console", "text" }, { "JSON", "json" },
				  { "sarif", "sarif" }, { "junit", "junit" } };
	for (size_t i = 0; i < MLS_ARRAY_SIZE(fmts); i++) {
		CHECK_EQ_INT(mls_format_parse(&f, fmts[i][0]), 0);
		CHECK_EQ_STR(mls_format_name(f), fmts[i][1]);
	}
	CHECK_EQ_INT(mls_format_parse(&f, "xml"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "'xml'");
}

TEST(new_defaults_and_free_null)
{
	struct mls_report *r = new_report();
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ_STR(r->tool_name, "tool");
	CHECK_EQ_STR(r->tool_version, "9.9");
	CHECK_EQ_STR(r->target, "target");
	CHECK(strlen(r->started_at) >= 20 && r->started_at[strlen(r->started_at) - 1] == 'Z');
	CHECK_EQ_STR(r->finished_at, "");
	CHECK_EQ_INT(r->threshold, MLS_SEV_MEDIUM);
	mls_report_free(r);
	mls_report_free(NULL);

	/* a NULL target is allowed */
	CHECK_EQ_INT(mls_report_new(&r, "t", "1", NULL), 0);
	CHECK(r && r->target == NULL);
	mls_report_free(r);
}

TEST(add_file_and_status_rules)
{
	struct mls_report *r = new_report();
	long a = mls_report_add_file(r, "a", 10, "abc", "pickle", MLS_FILE_SCANNED, NULL);
	long b = mls_report_add_file(r, "b", 20, NULL, NULL, MLS_FILE_SCANNED, NULL);
	CHECK_EQ_INT(a, 0);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(mls_report_add_file(r, NULL, 0, NULL, NULL, MLS_FILE_SCANNED, NULL), MLS_EINVAL);
	CHECK_EQ_INT(mls_report_add_file(r, "x", 0, NULL, NULL, (enum mls_file_status)9, NULL), MLS_EINVAL);
	CHECK_EQ_INT(r->nfiles, 2);
	CHECK_EQ_INT(r->files[0].size, 10);
	CHECK_EQ_STR(r->files[0].sha256, "abc");
	CHECK_EQ_STR(r->files[0].format, "pickle");
	CHECK(r->files[1].sha256 == NULL && r->files[1].format == NULL && r->files[1].reason == NULL);

	/* worse wins: skipped > scanned */
	mls_report_file_status(r, a, MLS_FILE_SKIPPED, "unsupported");
	CHECK_EQ_INT(r->files[a].status, MLS_FILE_SKIPPED);
	CHECK_EQ_STR(r->files[a].reason, "unsupported");
	/* incomplete > skipped, the reason is replaced */
	mls_report_file_status(r, a, MLS_FILE_INCOMPLETE, "limit: members");
	CHECK_EQ_INT(r->files[a].status, MLS_FILE_INCOMPLETE);
	CHECK_EQ_STR(r->files[a].reason, "limit: members");
	/* the same status adds a new reason once */
	mls_report_file_status(r, a, MLS_FILE_INCOMPLETE, "limit: depth");
	mls_report_file_status(r, a, MLS_FILE_INCOMPLETE, "limit: depth");
	CHECK_EQ_STR(r->files[a].reason, "limit: members; limit: depth");
	/* a better status never wins */
	mls_report_file_status(r, a, MLS_FILE_SCANNED, "fine");
	mls_report_file_status(r, a, MLS_FILE_SKIPPED, "skip");
	CHECK_EQ_INT(r->files[a].status, MLS_FILE_INCOMPLETE);
	CHECK_EQ_STR(r->files[a].reason, "limit: members; limit: depth");
	/* failed > incomplete */
	mls_report_file_status(r, a, MLS_FILE_FAILED, "read error");
	CHECK_EQ_INT(r->files[a].status, MLS_FILE_FAILED);
	CHECK_EQ_STR(r->files[a].reason, "read error");
	mls_report_file_status(r, a, MLS_FILE_INCOMPLETE, "late");
	CHECK_EQ_INT(r->files[a].status, MLS_FILE_FAILED);
	/* a reason given to a file with the same status and none yet */
	mls_report_file_status(r, b, MLS_FILE_SCANNED, "note");
	CHECK_EQ_STR(r->files[b].reason, "note");
	/* bad indices are ignored */
	mls_report_file_status(r, -1, MLS_FILE_FAILED, "x");
	mls_report_file_status(r, 99, MLS_FILE_FAILED, "x");
	mls_report_file_set(r, 99, "x", "y");
	CHECK_EQ_INT(r->files[b].status, MLS_FILE_SCANNED);

	mls_report_file_set(r, b, "deadbeef", NULL);
	CHECK_EQ_STR(r->files[b].sha256, "deadbeef");
	CHECK(r->files[b].format == NULL);
	mls_report_file_set(r, b, NULL, "onnx");
	CHECK_EQ_STR(r->files[b].sha256, "deadbeef");
	CHECK_EQ_STR(r->files[b].format, "onnx");
	mls_report_free(r);
}

TEST(add_finding_error_rule_property)
{
	struct mls_report *r = new_report();
	long f = mls_report_add_finding(r, "R-1", "rule-one", MLS_SEV_HIGH, "p", NULL, "msg", NULL);
	CHECK_EQ_INT(f, 0);
	CHECK_EQ_INT(mls_report_add_finding(r, NULL, "x", MLS_SEV_HIGH, "p", NULL, "m", NULL), MLS_EINVAL);
	CHECK_EQ_INT(mls_report_add_finding(r, "", "x", MLS_SEV_HIGH, "p", NULL, "m", NULL), MLS_EINVAL);
	CHECK_EQ_INT(mls_report_add_finding(r, "R", "x", (enum mls_severity)7, "p", NULL, "m", NULL), MLS_EINVAL);
	CHECK_EQ_INT(r->nfindings, 1);
	CHECK(r->findings[0].location == NULL && r->findings[0].evidence == NULL);
	/* a missing message falls back to the rule name */
	long g = mls_report_add_finding(r, "R-2", "rule-two", MLS_SEV_LOW, NULL, "loc", NULL, "ev");
	CHECK_EQ_STR(r->findings[g].message, "rule-two");
	CHECK_EQ_INT(r->findings[g].order, 1);

	CHECK_EQ_INT(mls_report_finding_detail(r, f, "k", "v1"), 0);
	CHECK_EQ_INT(mls_report_finding_detail(r, f, "k2", NULL), 0);
	CHECK_EQ_INT(mls_report_finding_detail(r, f, "k", "v2"), 0);
	CHECK_EQ_INT(mls_report_finding_detail(r, 5, "k", "v"), MLS_EINVAL);
	CHECK_EQ_INT(r->findings[f].ndetails, 2);
	CHECK_EQ_STR(r->findings[f].details[0].value, "v2");
	CHECK_EQ_STR(r->findings[f].details[1].value, "");

	CHECK_EQ_INT(mls_report_add_error(r, "p", "cannot open '%s': %s", "p", "denied"), 0);
	CHECK_EQ_INT(mls_report_add_error(r, NULL, "%d problems", 3), 0);
	CHECK_EQ_INT(r->nerrors, 2);
	CHECK_EQ_STR(r->errors[0].message, "cannot open 'p': denied");
	CHECK(r->errors[1].path == NULL);
	CHECK_EQ_STR(r->errors[1].message, "3 problems");

	CHECK_EQ_INT(mls_report_add_rule(r, "R-1", "rule-one", "desc", NULL, MLS_SEV_HIGH), 0);
	CHECK_EQ_INT(mls_report_add_rule(r, "R-1", "again", "other", NULL, MLS_SEV_LOW), 0);
	CHECK_EQ_INT(mls_report_add_rule(r, NULL, "x", "y", NULL, MLS_SEV_LOW), MLS_EINVAL);
	CHECK_EQ_INT(r->nrules, 1);
	CHECK_EQ_STR(r->rules[0].name, "rule-one");

	CHECK_EQ_INT(mls_report_set_property(r, "a", "1"), 0);
	CHECK_EQ_INT(mls_report_set_property(r, "b", "2"), 0);
	CHECK_EQ_INT(mls_report_set_property(r, "a", "3"), 0);
	CHECK_EQ_INT(mls_report_set_property(r, "", "3"), MLS_EINVAL);
	CHECK_EQ_INT(r->nprops, 2);
	CHECK_EQ_STR(r->props[0].value, "3");
	mls_report_free(r);
}

TEST(long_strings_are_capped)
{
	struct mls_report *r = new_report();
	size_t n = (size_t)1 << 20;
	char *big = malloc(n + 1);
	CHECK(big != NULL);
	if (!big) {
		mls_report_free(r);
		return;
	}
	/* "é" repeated: the cut must fall on a character boundary */
	for (size_t i = 0; i + 1 < n; i += 2) {
		big[i] = (char)0xc3;
		big[i + 1] = (char)0xa9;
	}
	big[n] = '\0';
	long f = mls_report_add_finding(r, "R", "r", MLS_SEV_LOW, "p", NULL, big, NULL);
	CHECK(f >= 0);
	size_t len = strlen(r->findings[f].message);
	CHECK(len < n);
	CHECK(len <= ((size_t)64 << 10) + 32);
	CHECK(fx_utf8_valid(r->findings[f].message, len));
	CHECK_CONTAINS(r->findings[f].message, "[truncated]");
	free(big);
	mls_report_free(r);
}

TEST(growth_many_entries)
{
	struct mls_report *r = new_report();
	char p[64];
	int ok = 1;
	for (int i = 0; i < 20000; i++) {
		snprintf(p, sizeof(p), "f%05d", 19999 - i);
		ok &= mls_report_add_file(r, p, (uint64_t)i, NULL, NULL, MLS_FILE_SCANNED, NULL) == i;
		ok &= mls_report_add_finding(r, "R", "r", MLS_SEV_INFO, p, NULL, "m", NULL) == i;
	}
	CHECK(ok);
	CHECK_EQ_INT(r->nfiles, 20000);
	CHECK_EQ_INT(r->nfindings, 20000);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	int sorted = 1;
	for (size_t i = 1; i < r->nfiles; i++)
		sorted &= strcmp(r->files[i - 1].path, r->files[i].path) < 0;
	CHECK(sorted);
	CHECK_EQ_STR(r->files[0].path, "f00000");
	CHECK_EQ_INT(r->files[0].size, 19999);
	mls_report_free(r);
}

TEST(finish_sorts_files_and_findings)
{
	struct mls_report *r = new_report();
	mls_report_add_file(r, "c", 3, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "a", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "b", 2, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_finding(r, "R1", "r", MLS_SEV_LOW, "b", NULL, "b-first", NULL);
	mls_report_add_finding(r, "R2", "r", MLS_SEV_LOW, "a", NULL, "a-first", NULL);
	mls_report_add_finding(r, "R3", "r", MLS_SEV_LOW, "b", NULL, "b-second", NULL);
	mls_report_add_finding(r, "R4", "r", MLS_SEV_LOW, NULL, NULL, "no-path", NULL);
	mls_report_add_finding(r, "R5", "r", MLS_SEV_LOW, "a", NULL, "a-second", NULL);
	mls_report_add_finding(r, "R6", "r", MLS_SEV_LOW, "b", NULL, "b-third", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	CHECK_EQ_STR(r->files[0].path, "a");
	CHECK_EQ_STR(r->files[1].path, "b");
	CHECK_EQ_STR(r->files[2].path, "c");
	CHECK_EQ_INT(r->files[2].size, 3);
	const char *want[] = { "no-path", "a-first", "a-second", "b-first", "b-second", "b-third" };
	for (size_t i = 0; i < MLS_ARRAY_SIZE(want); i++)
		CHECK_EQ_STR(r->findings[i].message, want[i]);
	CHECK(r->finished_at[0] != '\0');
	CHECK(strcmp(r->finished_at, r->started_at) >= 0);
	mls_report_free(r);
}

/* One scenario of the status/verdict/exit-code table. */
struct scenario {
	const char *name;
	enum mls_file_status file_status; /* of the one file */
	int add_error, fatal;
	int finding_sev; /* -1: none */
	enum mls_severity threshold;
	enum mls_report_status status;
	enum mls_verdict verdict;
	int exit_code;
};

TEST(status_verdict_exit_table)
{
	static const struct scenario sc[] = {
		{ "clean", MLS_FILE_SCANNED, 0, 0, -1, MLS_SEV_MEDIUM, MLS_STATUS_COMPLETE, MLS_VERDICT_CLEAN, 0 },
		{ "below", MLS_FILE_SCANNED, 0, 0, MLS_SEV_LOW, MLS_SEV_MEDIUM, MLS_STATUS_COMPLETE, MLS_VERDICT_CLEAN, 0 },
		{ "at", MLS_FILE_SCANNED, 0, 0, MLS_SEV_MEDIUM, MLS_SEV_MEDIUM, MLS_STATUS_COMPLETE, MLS_VERDICT_FINDINGS, 1 },
		{ "above", MLS_FILE_SCANNED, 0, 0, MLS_SEV_CRITICAL, MLS_SEV_HIGH, MLS_STATUS_COMPLETE, MLS_VERDICT_FINDINGS, 1 },
		{ "high-vs-critical", MLS_FILE_SCANNED, 0, 0, MLS_SEV_HIGH, MLS_SEV_CRITICAL, MLS_STATUS_COMPLETE, MLS_VERDICT_CLEAN, 0 },
		{ "info-threshold", MLS_FILE_SCANNED, 0, 0, MLS_SEV_INFO, MLS_SEV_INFO, MLS_STATUS_COMPLETE, MLS_VERDICT_FINDINGS, 1 },
		{ "skipped-is-complete", MLS_FILE_SKIPPED, 0, 0, -1, MLS_SEV_MEDIUM, MLS_STATUS_COMPLETE, MLS_VERDICT_CLEAN, 0 },
		{ "incomplete", MLS_FILE_INCOMPLETE, 0, 0, -1, MLS_SEV_MEDIUM, MLS_STATUS_INCOMPLETE, MLS_VERDICT_UNKNOWN, 2 },
		{ "failed", MLS_FILE_FAILED, 0, 0, -1, MLS_SEV_MEDIUM, MLS_STATUS_INCOMPLETE, MLS_VERDICT_UNKNOWN, 2 },
		{ "error-entry", MLS_FILE_SCANNED, 1, 0, -1, MLS_SEV_MEDIUM, MLS_STATUS_INCOMPLETE, MLS_VERDICT_UNKNOWN, 2 },
		{ "incomplete+findings", MLS_FILE_INCOMPLETE, 0, 0, MLS_SEV_HIGH, MLS_SEV_MEDIUM, MLS_STATUS_INCOMPLETE, MLS_VERDICT_UNKNOWN, 1 },
		{ "incomplete+below", MLS_FILE_INCOMPLETE, 0, 0, MLS_SEV_LOW, MLS_SEV_MEDIUM, MLS_STATUS_INCOMPLETE, MLS_VERDICT_UNKNOWN, 2 },
		{ "fatal", MLS_FILE_SCANNED, 0, 1, -1, MLS_SEV_MEDIUM, MLS_STATUS_ERROR, MLS_VERDICT_UNKNOWN, 2 },
		{ "fatal+findings", MLS_FILE_SCANNED, 1, 1, MLS_SEV_CRITICAL, MLS_SEV_MEDIUM, MLS_STATUS_ERROR, MLS_VERDICT_UNKNOWN, 1 },
	};
	for (size_t i = 0; i < MLS_ARRAY_SIZE(sc); i++) {
		struct mls_report *r = new_report();
		long f = mls_report_add_file(r, "m.pkl", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
		mls_report_file_status(r, f, sc[i].file_status, "why");
		if (sc[i].add_error)
			mls_report_add_error(r, "m.pkl", "broken");
		if (sc[i].fatal)
			mls_report_set_fatal(r);
		if (sc[i].finding_sev >= 0)
			mls_report_add_finding(r, "R", "r", (enum mls_severity)sc[i].finding_sev, "m.pkl", NULL, "m", NULL);
		mls_report_finish(r, sc[i].threshold);
		int ok = r->status == sc[i].status && r->verdict == sc[i].verdict &&
			 mls_report_exit_code(r) == sc[i].exit_code && r->threshold == sc[i].threshold;
		if (!ok)
			fprintf(stderr, "scenario %s: status %s verdict %s exit %d\n", sc[i].name,
				mls_report_status_name(r->status), mls_verdict_name(r->verdict), mls_report_exit_code(r));
		CHECK(ok);
		mls_report_free(r);
	}
}

TEST(empty_report_and_count_at_least)
{
	struct mls_report *r = new_report();
	mls_report_finish(r, MLS_SEV_MEDIUM);
	CHECK_EQ_INT(r->status, MLS_STATUS_COMPLETE);
	CHECK_EQ_INT(r->verdict, MLS_VERDICT_CLEAN);
	CHECK_EQ_INT(mls_report_exit_code(r), 0);
	CHECK_EQ_INT(mls_report_exit_code(NULL), 2);
	mls_report_add_finding(r, "A", "a", MLS_SEV_LOW, "x", NULL, "m", NULL);
	mls_report_add_finding(r, "B", "b", MLS_SEV_HIGH, "x", NULL, "m", NULL);
	mls_report_add_finding(r, "C", "c", MLS_SEV_CRITICAL, "x", NULL, "m", NULL);
	CHECK_EQ_INT(mls_report_count_at_least(r, MLS_SEV_INFO), 3);
	CHECK_EQ_INT(mls_report_count_at_least(r, MLS_SEV_MEDIUM), 2);
	CHECK_EQ_INT(mls_report_count_at_least(r, MLS_SEV_CRITICAL), 1);
	/* finishing again with another threshold recomputes */
	mls_report_finish(r, MLS_SEV_CRITICAL);
	CHECK_EQ_INT(r->verdict, MLS_VERDICT_FINDINGS);
	mls_report_free(r);
	r = new_report();
	mls_report_add_finding(r, "A", "a", MLS_SEV_LOW, "x", NULL, "m", NULL);
	mls_report_finish(r, MLS_SEV_CRITICAL);
	CHECK_EQ_INT(r->verdict, MLS_VERDICT_CLEAN);
	CHECK_EQ_INT(mls_report_exit_code(r), 0);
	mls_report_free(r);
}

/* ---------------------------------------------------------- concurrency */

#define NTHREADS 8
#define PER_THREAD 400

struct worker {
	struct mls_report *r;
	int id;
	int failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char path[64], val[32];
	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(path, sizeof(path), "t%d/f%04d", w->id, i);
		long fi = mls_report_add_file(w->r, path, (uint64_t)i, NULL, NULL, MLS_FILE_SCANNED, NULL);
		if (fi < 0)
			w->failures++;
		if (i % 7 == 0)
			mls_report_file_status(w->r, fi, MLS_FILE_INCOMPLETE, "limit");
		mls_report_file_set(w->r, fi, "00", "fmt");
		long f = mls_report_add_finding(w->r, "R-T", "threaded", (enum mls_severity)(i % 5), path, NULL, path,
						NULL);
		snprintf(val, sizeof(val), "%d", w->id * PER_THREAD + i);
		if (f < 0 || mls_report_finding_detail(w->r, f, "n", val) < 0)
			w->failures++;
		if (i % 50 == 0 && mls_report_add_error(w->r, path, "error %d", i) < 0)
			w->failures++;
		if (i % 100 == 0) {
			snprintf(val, sizeof(val), "p%d", w->id);
			mls_report_set_property(w->r, val, path);
			mls_report_add_rule(w->r, "R-T", "threaded", "d", NULL, MLS_SEV_LOW);
		}
	}
	return NULL;
}

TEST(concurrent_adds)
{
	struct mls_report *r = new_report();
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ r, i, 0 };
		CHECK_EQ_INT(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	CHECK_EQ_INT(failures, 0);
	CHECK_EQ_INT(r->nfiles, NTHREADS * PER_THREAD);
	CHECK_EQ_INT(r->nfindings, NTHREADS * PER_THREAD);
	CHECK_EQ_INT(r->nerrors, NTHREADS * (PER_THREAD / 50));
	CHECK_EQ_INT(r->nprops, NTHREADS);
	CHECK_EQ_INT(r->nrules, 1);

	/* every (thread, i) exactly once, with its own detail and status */
	char *seen = calloc(NTHREADS * PER_THREAD, 1);
	int bad = 0;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mls_finding *f = &r->findings[i];
		int t, k;
		if (sscanf(f->path, "t%d/f%d", &t, &k) != 2 || t < 0 || t >= NTHREADS || k < 0 || k >= PER_THREAD ||
		    f->ndetails != 1 || atoi(f->details[0].value) != t * PER_THREAD + k ||
		    strcmp(f->message, f->path) != 0 || seen[t * PER_THREAD + k]++)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	size_t incomplete = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		incomplete += r->files[i].status == MLS_FILE_INCOMPLETE;
		bad += !r->files[i].format || strcmp(r->files[i].format, "fmt") != 0;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(incomplete, NTHREADS * ((PER_THREAD + 6) / 7));
	mls_report_finish(r, MLS_SEV_MEDIUM);
	CHECK_EQ_INT(r->status, MLS_STATUS_INCOMPLETE);
	int ordered = 1;
	for (size_t i = 1; i < r->nfindings; i++)
		ordered &= strcmp(r->findings[i - 1].path, r->findings[i].path) <= 0;
	CHECK(ordered);
	free(seen);
	mls_report_free(r);
}

/* -------------------------------------------------------------- options */

TEST(output_options)
{
	struct mls_output_opts o;
	mls_output_opts_init(&o);
	CHECK_EQ_INT(o.format, MLS_FMT_TEXT);
	CHECK_EQ_INT(o.fail_on, MLS_SEV_MEDIUM);
	CHECK(o.output == NULL && o.json_path == NULL && o.sarif_path == NULL && o.junit_path == NULL);

	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_FORMAT, "sarif"), 1);
	CHECK_EQ_INT(o.format, MLS_FMT_SARIF);
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_FORMAT, "yaml"), MLS_EINVAL);
	CHECK_EQ_INT(o.format, MLS_FMT_SARIF);
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_OUTPUT, "r.sarif"), 1);
	CHECK_EQ_STR(o.output, "r.sarif");
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_JSON_OUT, "r.json"), 1);
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_SARIF_OUT, "s.sarif"), 1);
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_JUNIT_OUT, "j.xml"), 1);
	CHECK_EQ_STR(o.json_path, "r.json");
	CHECK_EQ_STR(o.sarif_path, "s.sarif");
	CHECK_EQ_STR(o.junit_path, "j.xml");
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_FAIL_ON, "critical"), 1);
	CHECK_EQ_INT(o.fail_on, MLS_SEV_CRITICAL);
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_FAIL_ON, "bogus"), MLS_EINVAL);
	CHECK_CONTAINS(mls_error_msg(), "bogus");
	CHECK_EQ_INT(mls_output_apply_opt(&o, MLS_OPT_JSON_OUT, ""), MLS_EINVAL);
	CHECK_EQ_INT(mls_output_apply_opt(&o, 42, "x"), 0);

	/* the table: the six options, with the enum's ids, then the terminator */
	const char *names[] = { "format", "output", "json", "sarif", "junit", "fail-on" };
	size_t n = 0;
	for (; mls_report_opts[n].id; n++) {
		CHECK(n < 6);
		if (n >= 6)
			break;
		CHECK_EQ_INT(mls_report_opts[n].id, MLS_OPT_FORMAT + (int)n);
		CHECK_EQ_STR(mls_report_opts[n].long_name, names[n]);
		CHECK_EQ_INT(mls_report_opts[n].arg, MLS_OPT_REQARG);
		CHECK(mls_report_opts[n].help != NULL && mls_report_opts[n].argname != NULL);
		CHECK(mls_report_opts[n].include == NULL);
	}
	CHECK_EQ_INT(n, 6);
	CHECK_EQ_INT(mls_report_opts[1].short_name, 'o');
	CHECK(mls_report_opts[6].long_name == NULL && mls_report_opts[6].include == NULL);
}

/* ---------------------------------------------------------- atomic writes */

static void unbalanced_extra(void *gen, void *ctx)
{
	(void)ctx;
	yajl_gen_string(gen, (const unsigned char *)"x", 1);
	yajl_gen_map_open(gen); /* never closed */
}

TEST(write_is_atomic)
{
	char dir[512], path[700];
	int temps = 0;
	make_tmpdir(dir, sizeof(dir));
	CHECK(dir[0] != '\0');
	snprintf(path, sizeof(path), "%s/report.json", dir);
	struct mls_report *r = fx_sample(1);

	/* a first write creates the file, and only it */
	CHECK_EQ_INT(mls_report_write(r, MLS_FMT_JSON, path), 0);
	CHECK_EQ_INT(count_entries(dir, &temps), 1);
	CHECK_EQ_INT(temps, 0);
	char *want = fx_render(r, MLS_FMT_JSON, 0);
	char *got = slurp(path);
	CHECK(want && got && strcmp(want, got) == 0);
	free(got);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

	/* overwriting replaces it whole */
	CHECK_EQ_INT(mls_report_write(r, MLS_FMT_SARIF, path), 0);
	got = slurp(path);
	char *sarif = fx_render(r, MLS_FMT_SARIF, 0);
	CHECK(got && sarif && strcmp(got, sarif) == 0);
	free(got);
	free(sarif);
	CHECK_EQ_INT(count_entries(dir, &temps), 1);
	CHECK_EQ_INT(temps, 0);

	/* an aborted atomic write leaves the old file intact and no temporary */
	struct mls_atomic a;
	CHECK_EQ_INT(mls_atomic_open(&a, path), 0);
	CHECK_EQ_INT(count_entries(dir, &temps), 2);
	CHECK_EQ_INT(temps, 1);
	fputs("half a report", a.fp);
	fflush(a.fp);
	mls_atomic_abort(&a);
	got = slurp(path);
	sarif = fx_render(r, MLS_FMT_SARIF, 0);
	CHECK(got && sarif && strcmp(got, sarif) == 0);
	free(got);
	free(sarif);
	CHECK_EQ_INT(count_entries(dir, &temps), 1);
	CHECK_EQ_INT(temps, 0);

	/* a report that cannot be rendered touches nothing */
	mls_report_set_extra(r, unbalanced_extra, NULL);
	CHECK(mls_report_write(r, MLS_FMT_JSON, path) < 0);
	CHECK_CONTAINS(mls_error_msg(), "not well formed");
	got = slurp(path);
	mls_report_set_extra(r, NULL, NULL);
	sarif = fx_render(r, MLS_FMT_SARIF, 0);
	CHECK(got && sarif && strcmp(got, sarif) == 0);
	free(got);
	free(sarif);
	CHECK_EQ_INT(count_entries(dir, &temps), 1);

	/* an unwritable place fails with a message naming it, and creates nothing */
	char bad[800];
	snprintf(bad, sizeof(bad), "%s/missing-dir/r.json", dir);
	CHECK_EQ_INT(mls_report_write(r, MLS_FMT_JSON, bad), MLS_EIO);
	CHECK_CONTAINS(mls_error_msg(), "missing-dir");
	CHECK_EQ_INT(count_entries(dir, &temps), 1);

	free(want);
	mls_report_free(r);
	rm_tree(dir);
}

TEST(write_outputs_all_formats)
{
	char dir[512], main_p[700], j[700], s[700], x[700];
	int temps;
	make_tmpdir(dir, sizeof(dir));
	snprintf(main_p, sizeof(main_p), "%s/main.txt", dir);
	snprintf(j, sizeof(j), "%s/r.json", dir);
	snprintf(s, sizeof(s), "%s/r.sarif", dir);
	snprintf(x, sizeof(x), "%s/r.xml", dir);
	struct mls_report *r = fx_sample(1);
	struct mls_output_opts o;
	mls_output_opts_init(&o);
	o.output = main_p;
	o.json_path = j;
	o.sarif_path = s;
	o.junit_path = x;
	CHECK_EQ_INT(mls_report_write_outputs(r, &o), 0);
	CHECK_EQ_INT(count_entries(dir, &temps), 4);
	CHECK_EQ_INT(temps, 0);
	char *t = slurp(main_p), *js = slurp(j), *sa = slurp(s), *xm = slurp(x);
	CHECK(t && js && sa && xm);
	CHECK(t && strstr(t, "Result: ") != NULL && !strchr(t, '\x1b')); /* no colour in a file */
	CHECK(js && strstr(js, "\"mlsecops-report\\/1\"") != NULL);
	CHECK(sa && strstr(sa, "\"2.1.0\"") != NULL);
	CHECK(xm && strncmp(xm, "<?xml", 5) == 0);
	free(t);
	free(js);
	free(sa);
	free(xm);

	/* a failing extra report is reported, the others are still written */
	char bad[800];
	snprintf(bad, sizeof(bad), "%s/nope/r.sarif", dir);
	unlink(j);
	o.sarif_path = bad;
	CHECK_EQ_INT(mls_report_write_outputs(r, &o), MLS_EIO);
	CHECK_CONTAINS(mls_error_msg(), "nope");
	CHECK(access(j, F_OK) == 0);
	mls_report_free(r);
	rm_tree(dir);
}

/* --------------------------------------------------------------- samples */

static void write_sample(const char *dir, const char *name, const struct mls_report *r, enum mls_format f)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int rc = mls_report_write(r, f, p);
	if (rc < 0)
		fprintf(stderr, "cannot write sample %s: %s\n", p, mls_error_msg());
	CHECK_EQ_INT(rc, 0);
}

static void sample_extra(void *gen, void *ctx)
{
	mls_jgen_kv_str(gen, "engine", (const char *)ctx);
}

/* Writes samples for the schema tests when MLS_REPORT_SAMPLES is set. */
TEST(write_samples)
{
	const char *dir = getenv("MLS_REPORT_SAMPLES");
	CHECK(1);
	if (!dir || !*dir)
		return;
	static const struct { enum mls_format f; const char *ext; } fm[] = {
		{ MLS_FMT_JSON, "json" }, { MLS_FMT_SARIF, "sarif" }, { MLS_FMT_JUNIT, "junit.xml" }, { MLS_FMT_TEXT, "txt" }
	};
	char name[256];
	struct mls_report *r[5];
	const char *stems[5] = { "hostile", "empty", "fatal", "clean", "dups" };
	r[0] = fx_sample(1);
	mls_report_set_extra(r[0], sample_extra, "clamav 1.0 " HOSTILE);
	mls_report_new(&r[1], "hashsbom", "0.1.0", "empty-dir/");
	mls_report_finish(r[1], MLS_SEV_MEDIUM);
	mls_report_new(&r[2], "avscan", "0.1.0", "/models/m");
	mls_report_set_fatal(r[2]);
	mls_report_finish(r[2], MLS_SEV_HIGH);
	mls_report_new(&r[3], "avscan", "0.1.0", "m");
	mls_report_add_file(r[3], "m/model.safetensors", 10, "ab", "safetensors", MLS_FILE_SCANNED, NULL);
	mls_report_finish(r[3], MLS_SEV_LOW);
	/* the same file and finding twice, and paths that make the same URI */
	mls_report_new(&r[4], "modelscan-c", "0.1.0", ".");
	for (int k = 0; k < 2; k++) {
		mls_report_add_file(r[4], "a.pkl", 1, NULL, "pickle", MLS_FILE_SCANNED, NULL);
		mls_report_add_file(r[4], "./a.pkl", 1, NULL, "pickle", MLS_FILE_SCANNED, NULL);
		mls_report_add_finding(r[4], "MS-X-001", "x", MLS_SEV_HIGH, "a.pkl", "offset 1", "m", "e");
		mls_report_add_rule(r[4], "MS-X-001", "x", "d", NULL, MLS_SEV_HIGH);
		mls_report_add_rule(r[4], k ? "MS-Y\xfe" : "MS-Y\xff", "y", "d", NULL, MLS_SEV_HIGH);
		mls_report_add_error(r[4], "a.pkl", "same error");
	}
	mls_report_finish(r[4], MLS_SEV_MEDIUM);
	for (size_t i = 0; i < MLS_ARRAY_SIZE(r); i++) {
		for (size_t k = 0; k < MLS_ARRAY_SIZE(fm); k++) {
			snprintf(name, sizeof(name), "%s.%s", stems[i], fm[k].ext);
			write_sample(dir, name, r[i], fm[k].f);
		}
		mls_report_free(r[i]);
	}
}

TEST_MAIN()
