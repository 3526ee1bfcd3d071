/*
 * JUnit XML writer tests: documents are checked well-formed by a small XML
 * checker (test_report_fixture.h; the pytest schema test parses them again
 * with xml.etree), counts match the test cases, each kind of file becomes
 * the right element, hostile strings are escaped.
 */
#include "harness.h"
#include "test_report_fixture.h"

static char *render_checked(const struct mls_report *r)
{
	char err[256];
	char *x = fx_render(r, MLS_FMT_JUNIT, 0);
	CHECK(x != NULL);
	if (!x)
		return NULL;
	int rc = fx_xml_check(x, err, sizeof(err));
	if (rc)
		fprintf(stderr, "not well-formed: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	return x;
}

/* The text of the <testcase ... name="NAME" ...> element, up to its end (static). */
static const char *testcase(const char *x, const char *name)
{
	static char out[65536];
	char key[1024];
	snprintf(key, sizeof(key), "name=\"%s\" time", name);
	const char *p = strstr(x, key);
	out[0] = '\0';
	if (!p)
		return out;
	const char *e = strstr(p, "</testcase>");
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n >= sizeof(out))
		n = sizeof(out) - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

TEST(checker_catches_bad_xml)
{
	char err[256];
	CHECK_EQ_INT(fx_xml_check("<a><b x=\"1\">t&amp;&#10;</b></a>", err, sizeof(err)), 0);
	CHECK(fx_xml_check("<a><b></a>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a x=\"<\"/>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a>&bogus;</a>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a>\x1b</a>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a>]]></a>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a>\xff</a>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a x=\"1\" x=\"2\"/>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a/><b/>", err, sizeof(err)) < 0);
	CHECK(fx_xml_check("<a>&#1;</a>", err, sizeof(err)) < 0);
}

TEST(sample_suite)
{
	struct mls_report *r = fx_sample(1);
	char *x = render_checked(r);
	if (!x) {
		mls_report_free(r);
		return;
	}
	CHECK(fx_utf8_valid(x, strlen(x)));
	CHECK(!fx_has_raw_forbidden(x, strlen(x), 0));
	CHECK(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50) == 0);
	/* test cases: 6 files + zz/orphan.pkl + y/<hostile> (error only) + (run) */
	CHECK_EQ_INT(fx_count(x, "<testcase "), 9);
	CHECK_EQ_INT(fx_count(x, "<testsuite "), 1);
	CHECK_CONTAINS(x, "<testsuite name=\"modelscan-c\" tests=\"9\" failures=\"5\" errors=\"2\" skipped=\"1\"");
	CHECK_CONTAINS(x, "<testsuites name=\"modelscan-c\" tests=\"9\" failures=\"5\" errors=\"2\" skipped=\"1\"");
	CHECK_EQ_INT(fx_count(x, "<failure "), 5);
	CHECK_EQ_INT(fx_count(x, "<error "), 2);
	CHECK_EQ_INT(fx_count(x, "<skipped "), 1);
	CHECK_EQ_INT(fx_count(x, "classname=\"modelscan-c\""), 9);

	/* a file with a critical and a low finding fails, typed by the worst rule, all findings in the body */
	const char *tc = testcase(x, "b/model.pkl");
	CHECK_CONTAINS(tc, "<failure message=\"critical MS-PICKLE-001: pickle calls os.system\" type=\"MS-PICKLE-001\">");
	CHECK_CONTAINS(tc, "[critical] MS-PICKLE-001 dangerous-global: pickle calls os.system");
	CHECK_CONTAINS(tc, "location: member archive/data.pkl, offset 1234");
	CHECK_CONTAINS(tc, "evidence: os.system");
	CHECK_CONTAINS(tc, "opcode: GLOBAL");
	CHECK_CONTAINS(tc, "<system-out>format: pickle\nsha256: aa11\n[low] MS-PICKLE-002");
	/* findings below the threshold only: passes, findings in system-out */
	tc = testcase(x, "a/weights 1.bin");
	CHECK(strstr(tc, "<failure") == NULL && strstr(tc, "<error") == NULL);
	CHECK_CONTAINS(tc, "<system-out>[info] MS-INFO-001: informational\n</system-out>");
	/* failed file with an error: <error> */
	tc = testcase(x, "d/broken.h5");
	CHECK_CONTAINS(tc, "<error message=\"cannot parse &apos;d/broken.h5&apos;: bad magic\" type=\"error\">");
	CHECK_CONTAINS(tc, "file failed: corrupt header");
	/* skipped */
	tc = testcase(x, "e/readme.txt");
	CHECK_CONTAINS(tc, "<skipped message=\"not a model\"/>");
	/* a finding on a path with no file entry gets its own case */
	tc = testcase(x, "zz/orphan.pkl");
	CHECK_CONTAINS(tc, "type=\"MS-PICKLE-001\"");
	/* run-level finding and error go to "(run)" */
	tc = testcase(x, "(run)");
	CHECK_CONTAINS(tc, "<failure message=\"high MS-RUN-001: a finding about the run\"");
	CHECK_CONTAINS(tc, "error: database main.cvd is old");
	/* an incomplete file with a finding at the threshold fails and says it is incomplete */
	CHECK_CONTAINS(x, "file incomplete: limit: evil \\x1b[31mred");

	/* hostile strings: escaped, never raw */
	CHECK_CONTAINS(x, "&lt;/script&gt; ]]&gt; &amp;amp; &lt;x a=&apos;1&apos;&gt;");
	CHECK(strstr(x, "</script>") == NULL);
	CHECK_CONTAINS(x, "\\x1b[31m");
	CHECK_CONTAINS(x, "tab&#9;here&#10;line2&#13;");
	CHECK_CONTAINS(x, "bad\xef\xbf\xbd\xef\xbf\xbd");
	/* properties: status, verdict, threshold, target, the report's own */
	CHECK_CONTAINS(x, "<property name=\"status\" value=\"incomplete\"/>");
	CHECK_CONTAINS(x, "<property name=\"verdict\" value=\"unknown\"/>");
	CHECK_CONTAINS(x, "<property name=\"threshold\" value=\"medium\"/>");
	CHECK_CONTAINS(x, "<property name=\"jenkins.build_url\" value=\"http://jenkins/job/x/1/?a=&lt;b&gt;&amp;c=&quot;d&quot;\"/>");
	free(x);
	mls_report_free(r);
}

TEST(never_an_empty_suite)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "hashsbom", "0.1.0", "models/<m>");
	mls_report_finish(r, MLS_SEV_MEDIUM);
	char *x = render_checked(r);
	CHECK_EQ_INT(fx_count(x, "<testcase "), 1);
	CHECK_CONTAINS(x, "tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\"");
	CHECK_CONTAINS(x, "name=\"models/&lt;m&gt;\"");
	free(x);
	mls_report_free(r);

	/* no target either: "(run)" */
	mls_report_new(&r, "hashsbom", "0.1.0", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	x = render_checked(r);
	CHECK_EQ_INT(fx_count(x, "<testcase "), 1);
	CHECK_CONTAINS(x, "name=\"(run)\"");
	free(x);
	mls_report_free(r);

	/* a fatal run with no error entry still shows as an error */
	mls_report_new(&r, "avscan", "0.1.0", "/m");
	mls_report_set_fatal(r);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	x = render_checked(r);
	CHECK_EQ_INT(fx_count(x, "<testcase "), 1);
	CHECK_CONTAINS(x, "errors=\"1\"");
	CHECK_CONTAINS(x, "<error message=\"the tool could not examine the target (status error)\"");
	free(x);
	mls_report_free(r);

	/* a fatal run with files: the files plus "(run)" as an error */
	mls_report_new(&r, "avscan", "0.1.0", "/m");
	mls_report_add_file(r, "ok.bin", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_set_fatal(r);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	x = render_checked(r);
	CHECK_EQ_INT(fx_count(x, "<testcase "), 2);
	CHECK_CONTAINS(x, "tests=\"2\" failures=\"0\" errors=\"1\"");
	free(x);
	mls_report_free(r);
}

TEST(clean_run_all_pass)
{
	struct mls_report *r = NULL;
	mls_report_new(&r, "avscan", "0.1.0", "m");
	mls_report_add_file(r, "m/b.bin", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "m/a.bin", 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_finding(r, "AV-INFO", "note", MLS_SEV_LOW, "m/a.bin", NULL, "just so you know", NULL);
	mls_report_finish(r, MLS_SEV_MEDIUM);
	char *x = render_checked(r);
	CHECK_CONTAINS(x, "tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\"");
	CHECK(strstr(x, "<failure") == NULL);
	/* sorted by name */
	CHECK(x && strstr(x, "m/a.bin") < strstr(x, "m/b.bin"));
	free(x);
	/* with a lower threshold the same low finding fails the case */
	mls_report_finish(r, MLS_SEV_LOW);
	x = render_checked(r);
	CHECK_CONTAINS(x, "tests=\"2\" failures=\"1\"");
	CHECK_CONTAINS(x, "<failure message=\"low AV-INFO: just so you know\" type=\"AV-INFO\">");
	free(x);
	mls_report_free(r);
}

TEST(many_cases)
{
	struct mls_report *r = NULL;
	char p[64];
	mls_report_new(&r, "t", "1", "x");
	for (int i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "d/%05d", (i * 7919) % 5000);
		mls_report_add_file(r, p, 1, NULL, NULL, MLS_FILE_SCANNED, NULL);
		if (i % 10 == 0)
			mls_report_add_finding(r, "R", "r", MLS_SEV_HIGH, p, NULL, "m", NULL);
		if (i % 100 == 0) {
			snprintf(p, sizeof(p), "other/%d", i);
			mls_report_add_error(r, p, "e");
		}
	}
	mls_report_finish(r, MLS_SEV_MEDIUM);
	char *x = render_checked(r);
	CHECK_EQ_INT(fx_count(x, "<testcase "), 5000 + 50);
	CHECK_CONTAINS(x, "tests=\"5050\" failures=\"500\" errors=\"50\"");
	free(x);
	mls_report_free(r);
}

TEST_MAIN()
