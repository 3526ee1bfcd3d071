/* Unit tests: the requirements parser (PEP 508 lines, includes, limits). */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "hashsbom.h"

static const struct hs_req *find(const struct hs_req_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static char *fixture(const char *rel)
{
	const char *src = getenv("MLS_SOURCE_DIR");
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/tests/fixtures/sbom/requirements/%s", src ? src : ".", rel);
	return buf;
}

TEST(pep503)
{
	char *a = hs_pep503_normalize("Foo__Bar.-baz");
	CHECK_EQ_STR(a, "foo-bar-baz");
	free(a);
	a = hs_pypi_purl("Foo_Bar.baz", "1.0+cpu");
	CHECK_EQ_STR(a, "pkg:pypi/foo-bar.baz@1.0%2Bcpu");
	free(a);
	a = hs_pypi_purl("six", NULL);
	CHECK_EQ_STR(a, "pkg:pypi/six");
	free(a);
}

TEST(lines)
{
	const char *t =
		"# c\n"
		"Requests[security, socks]==2.31.0 ; python_version >= \"3.8\"\n"
		"numpy>=1.24,<2\n"
		"torch===2.1.0  # trailing\n"
		"sk-learn == 1.3.2 \\\n"
		"   --hash=sha256:0000000000000000000000000000000000000000000000000000000000000001\n"
		"typing_extensions (==4.9.0)\n"
		"pkg @ https://example.com/p.tar.gz ; os_name == \"posix\"\n"
		"wild==1.*\n"
		"-e ./local\n"
		"./some/path\n"
		"bad==\n"
		"--weird-option\n"
		"requests==2.31.0\n";
	struct hs_req_list l;
	CHECK_EQ_INT(hs_req_parse_text(&l, t, strlen(t), "t.txt", NULL), 0);
	const struct hs_req *r = find(&l, "Requests");
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ_STR(r->version, "2.31.0");
		CHECK_EQ_INT(r->nextras, 2);
		CHECK_EQ_STR(r->marker, "python_version >= \"3.8\"");
		CHECK_EQ_STR(r->origin, "t.txt:2");
	}
	CHECK(find(&l, "requests") == NULL); /* merged with Requests==2.31.0 */
	r = find(&l, "numpy");
	CHECK(r && !r->version && r->specifier && !strcmp(r->specifier, ">=1.24,<2"));
	r = find(&l, "torch");
	CHECK(r && r->version && !strcmp(r->version, "2.1.0"));
	r = find(&l, "sk-learn");
	CHECK(r && r->nhashes == 1 && r->version && !strcmp(r->version, "1.3.2"));
	r = find(&l, "typing_extensions");
	CHECK(r && r->version && !strcmp(r->version, "4.9.0"));
	r = find(&l, "pkg");
	CHECK(r && r->url && !strcmp(r->url, "https://example.com/p.tar.gz") && r->marker);
	r = find(&l, "wild");
	CHECK(r && !r->version);
	CHECK(find(&l, "bad") == NULL);
	CHECK(l.warnings.n >= 5);
	hs_req_list_release(&l);
}

TEST(includes_and_dedupe)
{
	struct hs_req_list l;
	CHECK_EQ_INT(hs_req_parse_file(&l, fixture("requirements.txt"), NULL), 0);
	CHECK(find(&l, "mlflow") != NULL);     /* from -r base.txt */
	CHECK(find(&l, "urllib3") == NULL);    /* constraints add nothing */
	CHECK_EQ_INT(l.files_read, 3);
	hs_req_list_release(&l);
	CHECK_EQ_INT(hs_req_parse_file(&l, fixture("diamond.txt"), NULL), 0);
	CHECK(find(&l, "joblib") != NULL);
	size_t n = 0;
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, "mlflow"))
			n++;
	CHECK_EQ_INT(n, 1);
	hs_req_list_release(&l);
}

TEST(include_loop)
{
	struct hs_req_list l;
	int rc = hs_req_parse_file(&l, fixture("loop_a.txt"), NULL);
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "include loop");
	hs_req_list_release(&l);
}

TEST(limits)
{
	struct hs_req_limits lim;
	struct hs_req_list l;
	hs_req_limits_default(&lim);
	lim.max_line = 16;
	const char *t = "a==1\nthis-line-is-much-longer-than-sixteen==1\n";
	CHECK_EQ_INT(hs_req_parse_text(&l, t, strlen(t), "t", &lim), MLS_ELIMIT);
	hs_req_list_release(&l);
	hs_req_limits_default(&lim);
	lim.max_depth = 1;
	CHECK_EQ_INT(hs_req_parse_file(&l, fixture("requirements.txt"), &lim), MLS_ELIMIT);
	hs_req_list_release(&l);
	CHECK_EQ_INT(hs_req_parse_text(&l, "a\0b", 3, "t", NULL), MLS_EFORMAT);
	hs_req_list_release(&l);
}

TEST_MAIN()
