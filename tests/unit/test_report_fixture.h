/*
 * Shared by the report tests (test_report*.c): a sample report full of
 * hostile strings, a small XML well-formedness checker, and helpers to read
 * JSON back with yajl.  Header-only, every function static and unused-safe.
 */
#ifndef MLS_TEST_REPORT_FIXTURE_H
#define MLS_TEST_REPORT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "mls/common.h"

#define FX_UNUSED __attribute__((unused))
#pragma GCC diagnostic ignored "-Wunused-function"

/* Control characters, quotes, markup, CDATA end, a terminal escape sequence,
 * a C1 CSI, DEL and invalid UTF-8, all in one string. */
#define HOSTILE                                                                                         \
	"evil \x1b[31mred\x1b[0m \"dq\" 'sq' </script> ]]> &amp; <x a='1'> \x01\x07\x08\x7f \xc2\x9b" \
	"2J bad\xff\xfe \xc3\x28 tab\there\nline2\r"

/* 1 when s[0..len) holds a raw byte of HOSTILE that must have been escaped:
 * ESC, other C0 controls, invalid UTF-8 (0xff, 0xfe) and, unless allow_del,
 * DEL (JSON may carry DEL raw: RFC 8259 only requires escaping below 0x20). */
static int fx_has_raw_forbidden(const char *s, size_t len, int allow_del) FX_UNUSED;
static int fx_has_raw_forbidden(const char *s, size_t len, int allow_del)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1b || c == 0x01 || c == 0x07 || c == 0x08 || c == 0xff || c == 0xfe ||
		    (c == 0x7f && !allow_del))
			return 1;
	}
	return 0;
}

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int fx_utf8_valid(const char *s, size_t len) FX_UNUSED;
static int fx_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

/*
 * The sample report: six files in every status, findings on known files, on
 * an unknown file and on no file, errors with and without a path, one
 * registered rule, properties, details, hostile strings everywhere.
 * Finished with threshold medium (status incomplete, verdict unknown).
 */
static struct mls_report *fx_sample(int finish) FX_UNUSED;
static struct mls_report *fx_sample(int finish)
{
	struct mls_report *r = NULL;
	if (mls_report_new(&r, "modelscan-c", "1.2.3", "models/" HOSTILE) < 0)
		return NULL;
	mls_report_add_rule(r, "MS-PICKLE-001", "dangerous-global", "Pickle imports a callable that runs code",
			    "https://example.org/rules#MS-PICKLE-001", MLS_SEV_CRITICAL);
	mls_report_add_rule(r, "MS-BADURI-001", "bad-uri", "Help URI that is not one", "javascript:alert(1)",
			    MLS_SEV_LOW);
	mls_report_add_file(r, "b/model.pkl", 1234, "aa11", "pickle", MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "a/weights 1.bin", 99, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_report_add_file(r, "c/\xc3\xa9vil" HOSTILE ".pt", 5, NULL, "pytorch-zip", MLS_FILE_INCOMPLETE,
			    "limit: " HOSTILE);
	mls_report_add_file(r, "d/broken.h5", 7, NULL, "hdf5", MLS_FILE_FAILED, "corrupt header");
	mls_report_add_file(r, "e/readme.txt", 3, NULL, NULL, MLS_FILE_SKIPPED, "not a model");
	mls_report_add_file(r, "/abs/path/model.onnx", 8, "bb22", "onnx", MLS_FILE_SCANNED, NULL);

	long f = mls_report_add_finding(r, "MS-PICKLE-001", "dangerous-global", MLS_SEV_CRITICAL, "b/model.pkl",
					"member archive/data.pkl, offset 1234", "pickle calls os.system",
					"os.system");
	mls_report_finding_detail(r, f, "opcode", "GLOBAL");
	mls_report_finding_detail(r, f, HOSTILE, HOSTILE);
	mls_report_add_finding(r, "MS-PICKLE-002", "unknown-global", MLS_SEV_LOW, "b/model.pkl", "offset 99",
			       "pickle imports an unknown callable", "foo.bar");
	mls_report_add_finding(r, "MS-INFO-001", NULL, MLS_SEV_INFO, "a/weights 1.bin", NULL, "informational", NULL);
	mls_report_add_finding(r, "MS-" HOSTILE, HOSTILE, MLS_SEV_MEDIUM, "c/\xc3\xa9vil" HOSTILE ".pt", HOSTILE,
			       HOSTILE, HOSTILE);
	mls_report_add_finding(r, "MS-PICKLE-001", "dangerous-global", MLS_SEV_HIGH, "zz/orphan.pkl", NULL,
			       "a finding on a path with no file entry", "subprocess.Popen");
	mls_report_add_finding(r, "MS-RUN-001", "run-level", MLS_SEV_HIGH, NULL, NULL, "a finding about the run",
			       NULL);
	mls_report_add_finding(r, "MS-ONNX-001", "external-data", MLS_SEV_MEDIUM, "/abs/path/model.onnx",
			       "initializer w", "external data path escapes", "../../etc/passwd");

	mls_report_add_error(r, "d/broken.h5", "cannot parse '%s': %s", "d/broken.h5", "bad magic");
	mls_report_add_error(r, NULL, "database %s is old", "main.cvd");
	mls_report_add_error(r, "y/" HOSTILE, "read error: %s", HOSTILE);
	mls_report_set_property(r, "jenkins.build_url", "http://jenkins/job/x/1/?a=<b>&c=\"d\"");
	mls_report_set_property(r, HOSTILE, HOSTILE);
	if (finish)
		mls_report_finish(r, MLS_SEV_MEDIUM);
	return r;
}

/* Renders r as fmt into a new NUL-terminated string (free it), or NULL. */
static char *fx_render(const struct mls_report *r, enum mls_format fmt, int color) FX_UNUSED;
static char *fx_render(const struct mls_report *r, enum mls_format fmt, int color)
{
	struct mls_buf b;
	mls_buf_init(&b, (size_t)1 << 30);
	if (mls_report_render(&b, r, fmt, color) < 0) {
		mls_buf_release(&b);
		return NULL;
	}
	if (!b.data && mls_buf_puts(&b, "") < 0)
		return NULL;
	return mls_buf_detach(&b, NULL);
}

/* Parses JSON text with yajl (tree), or NULL with err filled. */
static yajl_val fx_parse_json(const char *text, char *err, size_t errsz) FX_UNUSED;
static yajl_val fx_parse_json(const char *text, char *err, size_t errsz)
{
	err[0] = '\0';
	return yajl_tree_parse(text, err, errsz);
}

/* yajl_tree_get with a NULL-terminated path, any type. */
#define FX_GET(v, ...) yajl_tree_get((v), (const char *[]){ __VA_ARGS__, NULL }, yajl_t_any)

static const char *fx_str(yajl_val v) FX_UNUSED;
static const char *fx_str(yajl_val v)
{
	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static long long fx_int(yajl_val v) FX_UNUSED;
static long long fx_int(yajl_val v)
{
	return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -999;
}

static size_t fx_len(yajl_val v) FX_UNUSED;
static size_t fx_len(yajl_val v)
{
	if (YAJL_IS_ARRAY(v))
		return v->u.array.len;
	if (YAJL_IS_OBJECT(v))
		return v->u.object.len;
	return (size_t)-1;
}

static yajl_val fx_at(yajl_val arr, size_t i) FX_UNUSED;
static yajl_val fx_at(yajl_val arr, size_t i)
{
	return YAJL_IS_ARRAY(arr) && i < arr->u.array.len ? arr->u.array.values[i] : NULL;
}

/* ------------------------------------------------------ XML well-formedness */

struct fx_xml {
	const char *s, *end, *p;
	char *err;
	size_t errsz;
	int elements;
};

static int fx_xml_fail(struct fx_xml *x, const char *what)
{
	snprintf(x->err, x->errsz, "%s at offset %ld: %.40s", what, (long)(x->p - x->s), x->p);
	return -1;
}

static int fx_xml_namechar(unsigned char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80)
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

/* Character data up to stop (exclusive): valid chars, valid references, no "]]>" in text. */
static int fx_xml_chars(struct fx_xml *x, const char *stop, int attr)
{
	const char *q = x->p;
	if (!fx_utf8_valid(x->p, (size_t)(stop - x->p)))
		return fx_xml_fail(x, "invalid UTF-8");
	for (; q < stop; q++) {
		unsigned char c = (unsigned char)*q;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			x->p = q;
			return fx_xml_fail(x, "control character");
		}
		if (c == 0xef && q + 2 < stop && (unsigned char)q[1] == 0xbf &&
		    ((unsigned char)q[2] == 0xbe || (unsigned char)q[2] == 0xbf)) {
			x->p = q;
			return fx_xml_fail(x, "U+FFFE/U+FFFF");
		}
		if (c == '<') {
			x->p = q;
			return fx_xml_fail(x, "raw '<'");
		}
		if (!attr && c == ']' && stop - q >= 3 && q[1] == ']' && q[2] == '>') {
			x->p = q;
			return fx_xml_fail(x, "']]>' in text");
		}
		if (c == '&') {
			static const char *const ents[] = { "amp;", "lt;", "gt;", "quot;", "apos;" };
			const char *r = q + 1;
			int ok = 0;
			for (size_t k = 0; k < 5 && !ok; k++)
				if ((size_t)(stop - r) >= strlen(ents[k]) && strncmp(r, ents[k], strlen(ents[k])) == 0)
					ok = 1;
			if (!ok && *r == '#') {
				const char *d = r + 1;
				unsigned long cp = 0;
				int hex = *d == 'x';
				d += hex;
				const char *st = d;
				while (d < stop && ((*d >= '0' && *d <= '9') ||
						    (hex && ((*d >= 'a' && *d <= 'f') || (*d >= 'A' && *d <= 'F'))))) {
					unsigned v = *d <= '9' ? (unsigned)(*d - '0') : (unsigned)((*d | 32) - 'a' + 10);
					cp = cp * (hex ? 16 : 10) + v;
					if (cp > 0x10ffff)
						break;
					d++;
				}
				ok = d > st && d < stop && *d == ';' &&
				     (cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp <= 0xd7ff) ||
				      (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff));
			}
			if (!ok) {
				x->p = q;
				return fx_xml_fail(x, "bad reference");
			}
		}
	}
	x->p = stop;
	return 0;
}

static int fx_xml_name(struct fx_xml *x, const char **name, size_t *len)
{
	const char *st = x->p;
	if (x->p >= x->end || !fx_xml_namechar((unsigned char)*x->p, 1))
		return fx_xml_fail(x, "bad name");
	while (x->p < x->end && fx_xml_namechar((unsigned char)*x->p, 0))
		x->p++;
	*name = st;
	*len = (size_t)(x->p - st);
	return 0;
}

static void fx_xml_ws(struct fx_xml *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

/* Skips "<?...?>" or "<!--...-->"; returns 1 if one was skipped. */
static int fx_xml_misc(struct fx_xml *x)
{
	if (x->end - x->p >= 2 && x->p[0] == '<' && x->p[1] == '?') {
		const char *e = strstr(x->p, "?>");
		if (!e)
			return fx_xml_fail(x, "unterminated <?");
		x->p = e + 2;
		return 1;
	}
	if (x->end - x->p >= 4 && strncmp(x->p, "<!--", 4) == 0) {
		const char *e = strstr(x->p + 4, "-->");
		if (!e)
			return fx_xml_fail(x, "unterminated comment");
		x->p = e + 3;
		return 1;
	}
	return 0;
}

static int fx_xml_element(struct fx_xml *x, int depth)
{
	const char *name, *an[64];
	size_t nlen, al[64], nattr = 0;
	if (depth > 200)
		return fx_xml_fail(x, "too deep");
	if (x->p >= x->end || *x->p != '<')
		return fx_xml_fail(x, "expected '<'");
	x->p++;
	if (fx_xml_name(x, &name, &nlen) < 0)
		return -1;
	x->elements++;
	for (;;) {
		const char *before = x->p;
		fx_xml_ws(x);
		if (x->p >= x->end)
			return fx_xml_fail(x, "unterminated tag");
		if (*x->p == '/' || *x->p == '>')
			break;
		if (x->p == before)
			return fx_xml_fail(x, "no space before attribute");
		const char *a;
		size_t alen;
		if (fx_xml_name(x, &a, &alen) < 0)
			return -1;
		for (size_t k = 0; k < nattr; k++)
			if (al[k] == alen && strncmp(an[k], a, alen) == 0)
				return fx_xml_fail(x, "duplicate attribute");
		if (nattr < 64) {
			an[nattr] = a;
			al[nattr++] = alen;
		}
		fx_xml_ws(x);
		if (x->p >= x->end || *x->p != '=')
			return fx_xml_fail(x, "expected '='");
		x->p++;
		fx_xml_ws(x);
		if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
			return fx_xml_fail(x, "expected quote");
		char qc = *x->p++;
		const char *close = memchr(x->p, qc, (size_t)(x->end - x->p));
		if (!close)
			return fx_xml_fail(x, "unterminated attribute");
		if (fx_xml_chars(x, close, 1) < 0)
			return -1;
		x->p = close + 1;
	}
	if (*x->p == '/') {
		if (x->end - x->p < 2 || x->p[1] != '>')
			return fx_xml_fail(x, "expected '/>'");
		x->p += 2;
		return 0;
	}
	x->p++;
	for (;;) {
		const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
		if (!lt)
			return fx_xml_fail(x, "unterminated element");
		if (fx_xml_chars(x, lt, 0) < 0)
			return -1;
		if (x->end - x->p >= 2 && x->p[1] == '/') {
			const char *cn;
			size_t cl;
			x->p += 2;
			if (fx_xml_name(x, &cn, &cl) < 0)
				return -1;
			if (cl != nlen || strncmp(cn, name, nlen) != 0)
				return fx_xml_fail(x, "mismatched end tag");
			fx_xml_ws(x);
			if (x->p >= x->end || *x->p != '>')
				return fx_xml_fail(x, "expected '>'");
			x->p++;
			return 0;
		}
		if (x->end - x->p >= 9 && strncmp(x->p, "<![CDATA[", 9) == 0) {
			const char *e = strstr(x->p + 9, "]]>");
			if (!e)
				return fx_xml_fail(x, "unterminated CDATA");
			x->p = e + 3;
			continue;
		}
		int m = fx_xml_misc(x);
		if (m < 0)
			return -1;
		if (m)
			continue;
		if (fx_xml_element(x, depth + 1) < 0)
			return -1;
	}
}

/* 0 when doc is a well-formed XML document (one root, declared or not). */
static int fx_xml_check(const char *doc, char *err, size_t errsz) FX_UNUSED;
static int fx_xml_check(const char *doc, char *err, size_t errsz)
{
	struct fx_xml x = { doc, doc + strlen(doc), doc, err, errsz, 0 };
	err[0] = '\0';
	if (strncmp(doc, "<?xml ", 6) == 0 && fx_xml_misc(&x) < 0)
		return -1;
	for (;;) {
		fx_xml_ws(&x);
		int m = fx_xml_misc(&x);
		if (m < 0)
			return -1;
		if (!m)
			break;
	}
	if (fx_xml_element(&x, 0) < 0)
		return -1;
	for (;;) {
		fx_xml_ws(&x);
		int m = fx_xml_misc(&x);
		if (m < 0)
			return -1;
		if (!m)
			break;
	}
	if (x.p != x.end)
		return fx_xml_fail(&x, "content after the root element");
	return 0;
}

/* Number of non-overlapping occurrences of needle in hay. */
static size_t fx_count(const char *hay, const char *needle) FX_UNUSED;
static size_t fx_count(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += l)
		n++;
	return n;
}

#endif
