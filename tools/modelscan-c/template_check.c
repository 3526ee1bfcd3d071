/*
 * Jinja chat-template checker (GGUF tokenizer.chat_template*, Hugging Face
 * tokenizer_config.json chat_template).  Model loaders render these templates
 * in a Jinja sandbox; published escapes (CVE-2024-34359 in llama-cpp-python
 * and its successors) walk Python's object graph from any value
 * (''.__class__.__mro__[1].__subclasses__(), cycler.__init__.__globals__.os,
 * |attr('\x5f\x5fclass\x5f\x5f') ...).  Real chat templates never need any of
 * that, so the checker tokenises the code parts ({{ }} and {% %}) and reports:
 *
 *   MS-TMPL-001 critical  dunder or private attribute names, object-graph
 *                         walking names (mro, subclasses, globals, builtins,
 *                         frames), os/subprocess/import/eval names
 *   MS-TMPL-002 high      obfuscation: |attr filter, escaped underscores
 *                         (\x5f, \u005f, \137), underscore-only strings,
 *                         %c formatting, template loading (import, include,
 *                         extends, from)
 */
#include <ctype.h>
#include <string.h>
#include "formats_util.h"

#define MAX_SEEN 24

/* Constructs are collected per template and reported as one finding per
 * rule: the first construct's offset, every distinct construct listed. */
struct tctx {
	struct ms_ctx *ctx;
	const struct ms_input *in;
	const char *where;
	char seen[MAX_SEEN][64];
	int nseen;
	struct {
		size_t first_off;
		int n;
		char list[400];
		char why[160];
	} r[2]; /* 0 = sandbox escape (critical), 1 = obfuscation (high) */
};

static void report(struct tctx *t, size_t off, int critical, const char *token, const char *why)
{
	char tok[64];
	snprintf(tok, sizeof(tok), "%s", token);
	for (int i = 0; i < t->nseen; i++)
		if (strcmp(t->seen[i], tok) == 0)
			return;
	if (t->nseen < MAX_SEEN)
		memcpy(t->seen[t->nseen++], tok, sizeof(tok));
	int k = critical ? 0 : 1;
	if (t->r[k].n++ == 0) {
		t->r[k].first_off = off;
		snprintf(t->r[k].why, sizeof(t->r[k].why), "%s", why);
	}
	size_t used = strlen(t->r[k].list);
	if (used + strlen(tok) + 3 < sizeof(t->r[k].list))
		snprintf(t->r[k].list + used, sizeof(t->r[k].list) - used, "%s%s", used ? ", " : "", tok);
}

static int emit(struct tctx *t)
{
	int n = 0;
	for (int k = 0; k < 2; k++) {
		if (!t->r[k].n)
			continue;
		char l[512];
		snprintf(l, sizeof(l), "%s, offset %zu", t->where, t->r[k].first_off);
		ms_finding(t->ctx, t->in, k == 0 ? "MS-TMPL-001" : "MS-TMPL-002",
			   k == 0 ? "template-sandbox-escape" : "template-obfuscation",
			   k == 0 ? MLS_SEV_CRITICAL : MLS_SEV_HIGH, l, t->r[k].list,
			   k == 0 ? "chat template reaches Python internals from the Jinja sandbox (%s; %d construct%s)"
				  : "chat template hides names from sandbox checks (%s; %d construct%s)",
			   t->r[k].why, t->r[k].n, t->r[k].n == 1 ? "" : "s");
		n++;
	}
	return n;
}

static const char *const bad_idents[] = {
	"os", "subprocess", "sys", "builtins", "importlib", "popen", "eval", "exec", "compile", "getattr",
	"setattr", "delattr", "globals", "locals", "lipsum", "cycler", "joiner", "open", "mro", "subclasses",
	"func_globals", "f_globals", "f_builtins", "f_locals", "f_back", "gi_frame", "gi_code", "cr_frame",
	"tb_frame", "co_code", "posix", "environ", "linecache", "shutil",
	"socket", "pty", "runpy", "ctypes", "marshal", "pickle",
};
static const char *const load_idents[] = { "import", "include", "extends", "from" };
static const char *const bad_strings[] = { "os", "popen", "subprocess", "builtins", "importlib", "eval", "exec",
					   "getattr", "globals", "environ", "system(", "import " };

static int in_list(const char *s, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return 1;
	return 0;
}

static void check_string(struct tctx *t, const char *s, size_t n, size_t off)
{
	char buf[128];
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	memcpy(buf, s, k);
	buf[k] = '\0';
	if (memmem(s, n, "__", 2))
		report(t, off, 1, buf, "a dunder name in a string reaches Python internals");
	if (memmem(s, n, "\\x5f", 4) || memmem(s, n, "\\u005f", 6) || memmem(s, n, "\\U0000005f", 10) ||
	    memmem(s, n, "\\137", 4) || memmem(s, n, "\\x5F", 4) || memmem(s, n, "\\u005F", 6) ||
	    memmem(s, n, "\\N{LOW LINE}", 12))
		report(t, off, 0, buf, "escaped underscores hide dunder names");
	int only_us = n > 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			only_us = 0;
	if (only_us)
		report(t, off, 0, buf, "underscore-only strings build dunder names");
	if (memmem(s, n, "%c", 2))
		report(t, off, 0, buf, "%c formatting builds names from character codes");
	for (size_t i = 0; i < MLS_ARRAY_SIZE(bad_strings); i++)
		if (strcmp(buf, bad_strings[i]) == 0)
			report(t, off, 1, buf, "names a dangerous Python module or function");
}

/* Scans one code region [p, end); base is the template start for offsets. */
static void check_code(struct tctx *t, const char *base, const char *p, const char *end)
{
	char prev_punct = 0;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '\'' || c == '"') {
			const char *s = ++p;
			while (p < end && (unsigned char)*p != c) {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			check_string(t, s, (size_t)(p - s), (size_t)(s - base));
			if (p < end)
				p++;
			prev_punct = 0;
			continue;
		}
		if (isalpha(c) || c == '_') {
			const char *s = p;
			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			char id[64];
			size_t n = (size_t)(p - s) < sizeof(id) - 1 ? (size_t)(p - s) : sizeof(id) - 1;
			memcpy(id, s, n);
			id[n] = '\0';
			size_t off = (size_t)(s - base);
			if (id[0] == '_')
				report(t, off, 1, id, "private and dunder attributes reach Python internals");
			else if (in_list(id, bad_idents, MLS_ARRAY_SIZE(bad_idents)))
				report(t, off, 1, id, "names a Python module, function or frame outside the sandbox");
			else if (prev_punct == '|' && strcmp(id, "attr") == 0)
				report(t, off, 0, "|attr", "the attr filter fetches attributes by computed names");
			else if (in_list(id, load_idents, MLS_ARRAY_SIZE(load_idents)))
				report(t, off, 0, id, "the template loads other templates");
			prev_punct = 0;
			continue;
		}
		if (!isspace(c))
			prev_punct = (char)c;
		p++;
	}
}

int ms_template_check(struct ms_ctx *ctx, const struct ms_input *in, const char *where, const char *tpl, size_t len)
{
	struct tctx t = { .ctx = ctx, .in = in, .where = where };
	const char *p = tpl, *end = tpl + len;
	while (p + 1 < end) {
		if (p[0] == '{' && (p[1] == '{' || p[1] == '%' || p[1] == '#')) {
			char close = p[1] == '{' ? '}' : p[1];
			const char *s = p + 2, *q = s;
			while (q + 1 < end && !(q[0] == close && q[1] == '}')) {
				if (close != '#' && (*q == '\'' || *q == '"')) {
					char qc = *q++;
					while (q < end && *q != qc) {
						if (*q == '\\' && q + 1 < end)
							q++;
						q++;
					}
				}
				if (q < end)
					q++;
			}
			if (close != '#')
				check_code(&t, tpl, s, q < end ? q : end);
			p = q + 2;
			continue;
		}
		p++;
	}
	return emit(&t);
}
