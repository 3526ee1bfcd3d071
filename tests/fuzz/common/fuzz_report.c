/*
 * Fuzzes the report writers: the input, split at NUL bytes, supplies every
 * string of a report (paths, ids, messages, evidence, reasons, errors,
 * properties, details); each rendering must then be a well-formed document
 * (JSON and SARIF parsed back by yajl, JUnit by the XML checker of the unit
 * tests) and the text rendering must hold no raw control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../unit/test_report_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 64

static void check_json(const char *text)
{
	char err[256];
	yajl_val v = yajl_tree_parse(text, err, sizeof(err));
	if (!v)
		abort();
	yajl_tree_free(v);
}

static void render_all(const struct mls_report *r)
{
	char err[256];
	/* -1: text with colour (only our SGR sequences carry ESC); then each format plain */
	for (int f = -1; f <= MLS_FMT_JUNIT; f++) {
		char *t = fx_render(r, f < 0 ? MLS_FMT_TEXT : (enum mls_format)f, f < 0);
		if (!t)
			abort();
		size_t len = strlen(t);
		if (!fx_utf8_valid(t, len))
			abort();
		if (f == MLS_FMT_JSON || f == MLS_FMT_SARIF)
			check_json(t);
		if (f == MLS_FMT_JUNIT && fx_xml_check(t, err, sizeof(err)) != 0)
			abort();
		if (f <= MLS_FMT_TEXT) {
			for (size_t i = 0; i < len; i++) {
				unsigned char c = (unsigned char)t[i];
				if ((c < 0x20 && c != '\n' && c != '\t' && !(c == 0x1b && f < 0 && t[i + 1] == '[')) ||
				    c == 0x7f)
					abort();
			}
		}
		free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	const char *part[MAX_PARTS];
	size_t nparts = 0;
	struct mls_report *r = NULL;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	unsigned flags = size ? (unsigned char)buf[0] : 0;
	/* parts: NUL-separated strings after the first (flags) byte */
	for (size_t i = size ? 1 : 0; i <= size && nparts < MAX_PARTS;) {
		part[nparts++] = buf + i;
		i += strlen(buf + i) + 1;
	}
#define P(k) (nparts ? part[(k) % nparts] : "")
	if (mls_report_new(&r, P(0), P(1), (flags & 1) ? NULL : P(2)) < 0)
		goto done;
	for (size_t i = 0; i < nparts; i++) {
		enum mls_severity sev = (enum mls_severity)((flags + i) % 5);
		enum mls_file_status st = (enum mls_file_status)((flags >> 1) + i) % 4;
		switch (i % 6) {
		case 0: {
			long fi = mls_report_add_file(r, P(i), i, (i & 1) ? P(i + 1) : NULL, P(i + 2), st,
						      (i & 2) ? P(i + 3) : NULL);
			mls_report_file_status(r, fi, (enum mls_file_status)((i + 1) % 4), P(i + 4));
			break;
		}
		case 1: {
			long f = mls_report_add_finding(r, *P(i) ? P(i) : "X", P(i + 1), sev, (i & 4) ? NULL : P(i + 2),
							P(i + 3), P(i + 4), (i & 8) ? NULL : P(i + 5));
			if (f >= 0)
				mls_report_finding_detail(r, f, P(i + 6), P(i + 7));
			break;
		}
		case 2:
			mls_report_add_error(r, (i & 2) ? NULL : P(i), "%s", P(i + 1));
			break;
		case 3:
			mls_report_set_property(r, P(i), P(i + 1));
			break;
		case 4:
			mls_report_add_rule(r, *P(i) ? P(i) : "Y", P(i + 1), P(i + 2), P(i + 3), sev);
			break;
		default:
			mls_report_add_finding(r, "MS-SAME-001", NULL, sev, P(i), NULL, P(i + 1), NULL);
			break;
		}
	}
	if (flags & 0x80)
		mls_report_set_fatal(r);
	if (!(flags & 0x40))
		mls_report_finish(r, (enum mls_severity)(flags % 5));
	render_all(r);
#undef P
done:
	mls_report_free(r);
	free(buf);
	return 0;
}
