/* Unit tests: the front-matter YAML subset and card loading. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "hashsbom.h"

static char *yaml(const char *y, int *rc)
{
	struct mls_buf b;
	mls_buf_init(&b, 1 << 20);
	*rc = hs_yaml_to_json(&b, y, strlen(y), 16);
	return mls_buf_detach(&b, NULL);
}

TEST(yaml_basics)
{
	int rc;
	char *j = yaml("a: 1\nb: \"x\\ty\"\nc: 'it''s'\nd:\n  - p\n  - q: 1\n    r: 2\ne: [x, \"y, z\", {k: v}]\nf:\ng: plain # comment\n", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_STR(j, "{\"a\":\"1\",\"b\":\"x\\ty\",\"c\":\"it's\",\"d\":[\"p\",{\"q\":\"1\",\"r\":\"2\"}],"
			"\"e\":[\"x\",\"y, z\",{\"k\":\"v\"}],\"f\":null,\"g\":\"plain\"}");
	free(j);
}

TEST(yaml_blocks)
{
	int rc;
	char *j = yaml("lit: |\n  one\n  two\n\nfold: >-\n  a\n  b\n\n  c\nseq:\n- x\n- - y\nnext: v\n  continued\n", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_STR(j, "{\"lit\":\"one\\ntwo\\n\",\"fold\":\"a b\\nc\",\"seq\":[\"x\",[\"y\"]],\"next\":\"v continued\"}");
	free(j);
}

TEST(yaml_refusals)
{
	int rc;
	free(yaml("a: &x 1\nb: *x\n", &rc));
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "not supported");
	free(yaml("a: [1, 2\n", &rc));
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	free(yaml("a: \"unterminated\n", &rc));
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	free(yaml("a:\n  b: 1\n c: 2\n", &rc));
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	/* depth limit */
	char deep[4096] = "";
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "%*sk%d:\n", i * 2, "", i);
	snprintf(deep + n, sizeof(deep) - n, "%*sv: 1\n", 80, "");
	free(yaml(deep, &rc));
	CHECK_EQ_INT(rc, MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "too deep");
	char flow[512];
	memset(flow, '[', 300);
	flow[300] = '\0';
	char doc[600];
	snprintf(doc, sizeof(doc), "a: %s\n", flow);
	free(yaml(doc, &rc));
	CHECK(rc < 0);
}

TEST(card_parse)
{
	struct hs_card c;
	const char *readme = "---\nlicense: mit\ntags: [a, b]\n---\n# Title\n\nBody\n";
	CHECK_EQ_INT(hs_card_parse(&c, readme, strlen(readme), 1 << 20, 16), 0);
	CHECK_EQ_STR(mls_json_get_str(c.root, "license"), "mit");
	CHECK(c.body && strstr(c.body, "Body"));
	hs_card_release(&c);
	CHECK_EQ_INT(hs_card_parse(&c, "{\"task\": \"x\"}", 13, 1 << 20, 16), 0);
	CHECK_EQ_STR(mls_json_get_str(c.root, "task"), "x");
	hs_card_release(&c);
	CHECK_EQ_INT(hs_card_parse(&c, "# just markdown\n", 16, 1 << 20, 16), 0);
	CHECK(c.root && YAJL_IS_OBJECT(c.root));
	hs_card_release(&c);
	CHECK(hs_card_parse(&c, "{\"a\": [1,", 9, 1 << 20, 16) < 0);
	hs_card_release(&c);
	CHECK_EQ_INT(hs_card_parse(&c, "---\nunterminated: 1\n", 20, 1 << 20, 16), MLS_EFORMAT);
	hs_card_release(&c);
	CHECK_EQ_INT(hs_card_parse(&c, "{\"a\":1}", 7, 4, 16), MLS_ELIMIT);
	hs_card_release(&c);
	/* a README must be UTF-8 text; the YAML converter itself sanitises */
	const char *bad = "---\nname: \"a\xff\xfe\"\n---\n";
	CHECK_EQ_INT(hs_card_parse(&c, bad, strlen(bad), 1 << 20, 16), MLS_EFORMAT);
	hs_card_release(&c);
	int rc;
	char *j = yaml("name: \"a\xff\"\n", &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK(j && strstr(j, "\xef\xbf\xbd"));
	free(j);
}

TEST_MAIN()
