/*
 * Text writer tests: per-file lines, findings grouped by file with their
 * severity, summary and result lines; colour only when asked; untrusted
 * strings can never put a raw control character on the terminal.
 */
#include <unistd.h>

#include "harness.h"
#include "test_report_fixture.h"

/* Removes our own SGR sequences (ESC [ digits;... m) so that what is left can be checked for raw ESC. */
static void strip_sgr(char *s)
{
	char *w = s;
	for (char *p = s; *p;) {
		if (p[0] == '\x1b' && p[1] == '[') {
			char *q = p + 2;
			while ((*q >= '0' && *q <= '9') || *q == ';')
				q++;
			if (*q == 'm') {
				p = q + 1;
				continue;
			}
		}
		*w++ = *p++;
	}
	*w = '\0';
}

static int has_raw_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return 1;
	/* C1 CSI as UTF-8 */
	return strstr(s, "\xc2\x9b") != NULL;
}

TEST(plain_text)
{
	struct mls_report *r = fx_sample(1);
	char *t = fx_render(r, MLS_FMT_TEXT, 0);
	CHECK(t != NULL);
	if (!t) {
		mls_report_free(r);
		return;
	}
	CHECK(strchr(t, '\x1b') == NULL);
	CHECK(!has_raw_control(t));
	CHECK(strncmp(t, "modelscan-c 1.2.3: models/evil \\x1b[31mred", 42) == 0);
	CHECK_CONTAINS(t, "\nFiles:\n");
	CHECK_CONTAINS(t, "  scanned    b/model.pkl (pickle)\n");
	CHECK_CONTAINS(t, "  failed     d/broken.h5 (hdf5): corrupt header\n");
	CHECK_CONTAINS(t, "  skipped    e/readme.txt: not a model\n");
	CHECK_CONTAINS(t, "\nFindings:\n  (run)\n    HIGH     MS-RUN-001 run-level: a finding about the run\n");
	CHECK_CONTAINS(t, "  b/model.pkl\n    CRITICAL MS-PICKLE-001 dangerous-global: pickle calls os.system\n"
			  "             at member archive/data.pkl, offset 1234\n"
			  "             evidence: os.system\n"
			  "    LOW      MS-PICKLE-002 unknown-global");
	CHECK_EQ_INT(fx_count(t, "  b/model.pkl\n"), 1); /* grouped: the file heading once */
	CHECK_CONTAINS(t, "\nErrors:\n  (run): database main.cvd is old\n");
	CHECK_CONTAINS(t, "Summary: 6 files (3 scanned, 1 skipped, 1 incomplete, 1 failed); 7 findings "
			  "(1 critical, 2 high, 2 medium, 1 low, 1 info); 3 errors\n");
	CHECK_CONTAINS(t, "Result: unknown (status incomplete, threshold medium, 5 findings at or above it)\n");
	/* hostile strings shown escaped */
	CHECK_CONTAINS(t, "\\x1b[31mred\\x1b[0m");
	CHECK_CONTAINS(t, "\\x0aline2\\x0d");
	CHECK_CONTAINS(t, "\\u009b2J");
	CHECK_CONTAINS(t, "bad\\xff\\xfe");
	free(t);
	mls_report_free(r);
}

TEST(colour_is_ours_only)
{
	struct mls_report *r = fx_sample(1);
	char *t = fx_render(r, MLS_FMT_TEXT, 1);
	CHECK(t != NULL);
	if (!t) {
		mls_report_free(r);
		return;
	}
	CHECK_CONTAINS(t, "\x1b[1;31mCRITICAL");
	CHECK_CONTAINS(t, "\x1b[33mMEDIUM  \x1b[0m");
	CHECK_CONTAINS(t, "Result: \x1b[1m\x1b[33munknown\x1b[0m");
	strip_sgr(t);
	CHECK(strchr(t, '\x1b') == NULL);
	CHECK(!has_raw_control(t));
	free(t);
	mls_report_free(r);
}

TEST(clean_and_findings_results)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "avscan", "0.1.0", "m");
	mls_report_add_file(r, "m/a.bin", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	char *t = fx_render(r, MLS_FMT_TEXT, 1);
	CHECK_CONTAINS(t, "Result: \x1b[1m\x1b[32mclean\x1b[0m (status complete, threshold medium, 0 findings at or above it)");
	CHECK_CONTAINS(t, "Summary: 1 file (1 scanned, 0 skipped, 0 incomplete, 0 failed); 0 findings\n");
	CHECK(t && strstr(t, "Findings:") == NULL && strstr(t, "Errors:") == NULL);
	free(t);
	mls_report_add_finding(r, "AV-1", "virus", MLS_SEV_CRITICAL, "m/a.bin", NULL, "Eicar-Signature", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	t = fx_render(r, MLS_FMT_TEXT, 0);
	CHECK_CONTAINS(t, "Result: findings (status complete, threshold medium, 1 finding at or above it)\n");
	CHECK_CONTAINS(t, "1 finding (1 critical)");
	free(t);
	mls_report_free(r);
}

TEST(write_to_stdout)
{
	/* NULL and "-" mean stdout; captured here through a temporary file (not a
	 * terminal, so no colour) */
	struct mls_report *r = NULL;
	char tmpl[] = "/tmp/mls-report-stdout-XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(STDOUT_FILENO);
	CHECK(fd >= 0 && saved >= 0);
	if (fd < 0 || saved < 0)
		return;
	mls_report_new(&r, "avscan", "0.1.0", "m");
	mls_report_finish(r, MLS_SEV_MEDIUM);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	int rc1 = mls_report_write(r, MLS_FMT_TEXT, "-");
	int rc2 = mls_report_write(r, MLS_FMT_JSON, NULL);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	CHECK_EQ_INT(rc1, 0);
	CHECK_EQ_INT(rc2, 0);
	struct mls_buf b;
	mls_buf_init(&b, 0);
	CHECK_EQ_INT(mls_read_file(&b, tmpl, 1 << 20), 0);
	CHECK(b.data && strncmp(b.data, "avscan 0.1.0: m\n", 16) == 0);
	CHECK(b.data && strchr(b.data, '\x1b') == NULL);
	CHECK_CONTAINS(b.data, "Result: clean");
	CHECK_CONTAINS(b.data, "\n{\n  \"schema\": \"mlsecops-report\\/1\"");
	mls_buf_release(&b);
	unlink(tmpl);
	mls_report_free(r);
}

TEST_MAIN()
