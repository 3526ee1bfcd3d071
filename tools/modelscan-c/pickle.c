/*
 * The pickle engine.  A streaming opcode reader for protocols 0 to 5 that
 * evaluates the stack and the memo symbolically (what each value is, not
 * the object itself), so that every import is resolved to its real module
 * and name however the operands got there, and every call is seen where it
 * is made.  Payloads are skipped without being buffered; strings are kept
 * only up to KEEP_MAX bytes, and memoised strings of files and memory are
 * kept as references to their bytes (re-read on GET), so memory stays small
 * whatever the file size.
 *
 * Mirrors CPython's Unpickler: MARK saves the stack (metastack), POP on an
 * empty stack pops the mark, MEMOIZE stores at len(memo), FRAME is
 * transparent.  Anything the real unpickler would refuse breaks the stream.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pickle.h"
#include "policy.h"

#define RD_BUF (64 * 1024)
#define KEEP_MAX 512                     /* bytes of a string kept on the stack */
#define LINE_MAX_KEEP 4096               /* bytes of a text line kept */
#define STACK_MAX ((size_t)1 << 20)      /* symbolic stack entries */
#define MARKS_MAX ((size_t)1 << 16)
#define MEMO_PAGE_BITS 16
#define MEMO_PAGE ((size_t)1 << MEMO_PAGE_BITS)
#define MEMO_PAGES_MAX ((size_t)1 << 12) /* keys < 2^28 */
#define ARENA_MAX ((size_t)64 << 20)     /* memo strings of non-seekable inputs */
#define RICH_MAX ((size_t)1 << 20)
#define GLOBALS_MAX 65536
#define EMBED_MAX ((size_t)256 << 20)    /* an embedded pickle examined */
#define FINDINGS_PER_STREAM 200

/* ---- values */
enum {
	V_OPAQUE = 0, V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_BYTES, V_GLOBAL, V_CALL, V_TUPLE, V_LIST, V_DICT,
	V_SET, V_PERSID, V_BUF, V_DROPPED
};
static const char *const kind_names[] = { "object", "None", "bool", "int", "float", "str", "bytes", "global",
					  "call result", "tuple", "list", "dict", "set", "persistent id",
					  "buffer", "unresolvable memo value" };

enum {
	F_TRUNC = 1,     /* string longer than what is kept in s */
	F_PRODOK = 2,    /* tuple: every item an int (prod valid) */
	F_FIRSTB = 4,    /* tuple: first item is str/bytes (s/off/num describe it) */
	F_DTOBJ = 8,     /* dtype (or dict holding one) has objects */
	F_DTSTRUCT = 16, /* structured dtype: size unknown */
	F_ALIGN = 32,    /* dict: numpy_array_alignment_bytes present */
	F_SHAPE = 64,    /* dict: shape present (prod valid) */
	F_FIRSTSTR = 128 /* tuple: first item is str (not bytes) */
};

struct pv {
	uint8_t kind, flags;
	uint32_t gid;       /* V_GLOBAL / V_CALL: global id (+1; 0 = none) */
	int64_t num;        /* V_INT value; V_STR/V_BYTES (or F_FIRSTB): full length */
	int64_t prod;       /* tuple: product of ints; dict: shape product */
	uint64_t off;       /* V_STR/V_BYTES: input offset of the payload (UINT64_MAX: not re-readable) */
	char *s;            /* kept bytes (NUL-terminated) or NULL */
	uint32_t slen;
	uint32_t itemsize;  /* numpy.dtype call / tuple first str / dict dtype */
	uint32_t rich;      /* memo rich-table index + 1 holding a copy of this value (0 = none) */
	uint8_t lazy;       /* string not read yet: num bytes at off of a seekable input (see pv_text) */
	int64_t elsize;     /* dtype state tuple item 5 */
};

struct gent {
	char *module, *name;
	struct ms_verdict v;
	long finding;       /* report index, -1 */
	uint64_t first_off;
	unsigned calls;
	int discard_noted;
};

/* memo tags (top 4 bits of a 64-bit entry) */
enum { M_UNSET = 0, M_OPAQUE, M_NONE, M_INT, M_STROFF, M_BYTESOFF, M_STRAR, M_BYTESAR, M_GLOBAL, M_RICH, M_BOOL,
       M_CALL, M_DROPPED };
#define M_TAG(e) ((unsigned)((e) >> 60))
#define M_PAY(e) ((e) & (((uint64_t)1 << 60) - 1))
#define M_MK(t, p) (((uint64_t)(t) << 60) | ((p) & (((uint64_t)1 << 60) - 1)))

struct rd {
	struct ms_input *in;
	unsigned char *buf;
	size_t len, pos;
	uint64_t base;      /* input offset of buf[0] */
	int eof;
};

struct scan {
	struct ms_ctx *ctx;
	struct ms_input *in;
	const struct ms_pickle_opts *o;
	struct ms_pickle_stats *st;
	struct rd r;
	int seekable;       /* the input can be re-read at any offset (files, memory) */
	int depth;          /* nesting of inline (joblib object array) streams */
	/* per stream state */
	struct pv *stack;
	size_t sp, stackcap;
	size_t *marks;
	size_t nmarks, capmarks;
	uint64_t **memo;    /* pages */
	size_t memopages, memolen;
	struct mls_buf arena;
	struct pv *rich;
	size_t nrich, caprich;
	struct gent *globals;
	size_t nglobals, capglobals;
	unsigned stream;
	size_t nfind;
	uint64_t op_off;    /* offset of the current opcode */
	int broke;
	char why[256];
	int stop_all;       /* a limit or fatal condition: stop every stream */
};

/* ---------------------------------------------------------------- reading */

static int rd_fill(struct rd *r)
{
	if (r->pos < r->len)
		return 1;
	if (r->eof)
		return 0;
	r->base += r->len;
	r->len = r->pos = 0;
	ssize_t k = ms_input_read(r->in, r->buf, RD_BUF);
	if (k < 0)
		return (int)k;
	if (k == 0) {
		r->eof = 1;
		return 0;
	}
	r->len = (size_t)k;
	return 1;
}

static uint64_t rd_off(const struct rd *r)
{
	return r->base + r->pos;
}

/* 1 byte: >=0 value, -1 end, <-1 error */
static int rd_byte(struct rd *r)
{
	int k = rd_fill(r);
	if (k <= 0)
		return k == 0 ? -1 : k;
	return r->buf[r->pos++];
}

/* exactly n bytes into dst: 0 ok, -1 end, <-1 error */
static int rd_get(struct rd *r, void *dst, size_t n)
{
	unsigned char *d = dst;
	while (n) {
		int k = rd_fill(r);
		if (k <= 0)
			return k == 0 ? -1 : k;
		size_t c = r->len - r->pos < n ? r->len - r->pos : n;
		memcpy(d, r->buf + r->pos, c);
		r->pos += c;
		d += c;
		n -= c;
	}
	return 0;
}

/* Reads n bytes keeping the first keep of them in *out (malloc'd, NUL-terminated). */
static int rd_payload(struct rd *r, uint64_t n, size_t keep, char **out, uint32_t *kept)
{
	size_t k = n < keep ? (size_t)n : keep;
	*out = NULL;
	*kept = 0;
	if (k) {
		*out = malloc(k + 1);
		if (!*out)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		int rc = rd_get(r, *out, k);
		if (rc)
			return rc;
		(*out)[k] = '\0';
		*kept = (uint32_t)k;
	}
	n -= k;
	if (n == 0)
		return 0;
	size_t inbuf = r->len - r->pos;
	if (n <= inbuf) {
		r->pos += (size_t)n;
		return 0;
	}
	n -= inbuf;
	r->pos = r->len;
	r->base += r->len;
	r->len = r->pos = 0;
	if (r->eof)
		return -1;
	int rc = ms_input_skip(r->in, n);
	if (rc < 0)
		return mls_error_code() == MLS_EFORMAT ? -1 : rc;
	r->base += n;
	return 0;
}

/* A text line (without "\n"): keeps up to cap-1 bytes, *full gets the whole length. */
static int rd_line(struct rd *r, char *out, size_t cap, size_t *full)
{
	size_t n = 0;
	for (;;) {
		int k = rd_fill(r);
		if (k <= 0)
			return k == 0 ? -1 : k;
		unsigned char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		size_t c = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (n < cap - 1) {
			size_t cc = c < cap - 1 - n ? c : cap - 1 - n;
			memcpy(out + n, r->buf + r->pos, cc);
		}
		n += c;
		r->pos += c;
		if (nl) {
			r->pos++;
			break;
		}
	}
	out[n < cap - 1 ? n : cap - 1] = '\0';
	*full = n;
	return 0;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---------------------------------------------------------------- values */

static void pv_clear(struct pv *v)
{
	free(v->s);
	memset(v, 0, sizeof(*v));
}

/* Grows the stack, then pushes (the slow path of push). */
static int push_grow(struct scan *s, struct pv *v)
{
	if (s->stackcap >= STACK_MAX) {
		pv_clear(v);
		snprintf(s->why, sizeof(s->why), "symbolic stack limit (%zu entries) reached", STACK_MAX);
		s->stop_all = 1;
		return -1;
	}
	size_t nc = s->stackcap ? s->stackcap * 2 : 256;
	struct pv *q = realloc(s->stack, nc * sizeof(*q));
	if (!q) {
		pv_clear(v);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	s->stack = q;
	s->stackcap = nc;
	s->stack[s->sp++] = *v;
	v->s = NULL;
	return 0;
}

/* Moves *v onto the stack (its string now belongs to the stack). */
static inline int push(struct scan *s, struct pv *v)
{
	if (__builtin_expect(s->sp == s->stackcap, 0))
		return push_grow(s, v);
	s->stack[s->sp++] = *v;
	v->s = NULL;
	return 0;
}

static int push_kind(struct scan *s, int kind)
{
	struct pv v = { 0 };
	v.kind = (uint8_t)kind;
	return push(s, &v);
}

static size_t frame_base(const struct scan *s)
{
	return s->nmarks ? s->marks[s->nmarks - 1] : 0;
}

/* Items available in the current mark frame. */
static size_t avail(const struct scan *s)
{
	return s->sp - frame_base(s);
}

static int brk(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int brk(struct scan *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->broke = 1;
	return -1;
}

static int need(struct scan *s, size_t n, const char *op)
{
	if (avail(s) < n)
		return brk(s, "%s needs %zu stack item%s, found %zu", op, n, n == 1 ? "" : "s", avail(s));
	return 0;
}

/* Pops the top item into *out (caller clears it). */
static void pop1(struct scan *s, struct pv *out)
{
	*out = s->stack[--s->sp];
}

static void drop_to(struct scan *s, size_t base)
{
	while (s->sp > base) {
		struct pv *v = &s->stack[--s->sp];
		if (v->s)
			free(v->s);
	}
}

/* Copies a value (duplicating the kept string). */
static int pv_copy(struct pv *dst, const struct pv *src)
{
	*dst = *src;
	if (src->s) {
		dst->s = malloc(src->slen + 1);
		if (!dst->s)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		memcpy(dst->s, src->s, src->slen);
		dst->s[src->slen] = '\0';
	}
	return 0;
}

/* The kept text of a string value (reading it now if it was skipped lazily); never NULL. */
static const char *pv_text(struct scan *s, struct pv *v)
{
	if (v->lazy) {
		size_t k = v->num < KEEP_MAX ? (size_t)v->num : KEEP_MAX;
		char *t = malloc(k + 1);
		v->lazy = 0;
		if (t && ms_input_pread(s->in, t, k, v->off) == (ssize_t)k) {
			t[k] = '\0';
			free(v->s);
			v->s = t;
			v->slen = (uint32_t)k;
			if (k < (uint64_t)v->num)
				v->flags |= F_TRUNC;
		} else {
			free(t);
			v->flags |= F_TRUNC; /* unreadable: treated as unresolvable */
		}
	}
	return v->s ? v->s : "";
}

static const char *pv_desc(const struct scan *s, const struct pv *v, char *buf, size_t n)
{
	if ((v->kind == V_GLOBAL || v->kind == V_CALL) && v->gid) {
		const struct gent *g = &s->globals[v->gid - 1];
		snprintf(buf, n, "%s%s.%s%s", v->kind == V_CALL ? "result of " : "", g->module, g->name,
			 v->kind == V_CALL ? "()" : "");
		return buf;
	}
	return kind_names[v->kind < MLS_ARRAY_SIZE(kind_names) ? v->kind : 0];
}

/* ---------------------------------------------------------------- findings */

static void loc_of(const struct scan *s, uint64_t off, char *buf, size_t n)
{
	if (s->stream)
		snprintf(buf, n, "stream %u, offset %llu", s->stream + 1, (unsigned long long)off);
	else
		snprintf(buf, n, "offset %llu", (unsigned long long)off);
}

static long finding(struct scan *s, uint64_t off, const char *id, const char *rule, enum mls_severity sev,
		    const char *evidence, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static long finding(struct scan *s, uint64_t off, const char *id, const char *rule, enum mls_severity sev,
		    const char *evidence, const char *fmt, ...)
{
	char loc[128], msg[1024];
	if (s->nfind >= FINDINGS_PER_STREAM)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	loc_of(s, off, loc, sizeof(loc));
	s->nfind++;
	if (s->nfind == FINDINGS_PER_STREAM)
		ms_finding(s->ctx, s->in, "MS-PICKLE-009", "too-many-findings", MLS_SEV_INFO, loc, NULL,
			   "more than %d findings in one stream: later ones are not reported", FINDINGS_PER_STREAM);
	return ms_finding(s->ctx, s->in, id, rule, sev, loc, evidence, "%s", msg);
}

static void detail(struct scan *s, long idx, const char *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void detail(struct scan *s, long idx, const char *k, const char *fmt, ...)
{
	char v[512];
	if (idx < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	mls_report_finding_detail(s->ctx->report, idx, k, v);
}

static int printable_name(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			return 0;
	return 1;
}

/* Resolves an import and judges it; returns its global id (1-based) or 0 on failure. */
static uint32_t import_global(struct scan *s, const char *module, const char *name, const char *how)
{
	for (size_t i = 0; i < s->nglobals; i++)
		if (strcmp(s->globals[i].module, module) == 0 && strcmp(s->globals[i].name, name) == 0)
			return (uint32_t)i + 1;
	if (s->nglobals >= GLOBALS_MAX) {
		snprintf(s->why, sizeof(s->why), "more than %d distinct globals", GLOBALS_MAX);
		s->stop_all = 1;
		return 0;
	}
	if (s->nglobals == s->capglobals) {
		size_t nc = s->capglobals ? s->capglobals * 2 : 32;
		struct gent *q = realloc(s->globals, nc * sizeof(*q));
		if (!q)
			return 0;
		s->globals = q;
		s->capglobals = nc;
	}
	struct gent *g = &s->globals[s->nglobals];
	memset(g, 0, sizeof(*g));
	g->module = strdup(module);
	g->name = strdup(name);
	g->finding = -1;
	g->first_off = s->op_off;
	if (!g->module || !g->name) {
		free(g->module);
		free(g->name);
		return 0;
	}
	s->nglobals++;
	ms_policy_judge(s->ctx->policy, module, name, &g->v);
	char ev[1100];
	snprintf(ev, sizeof(ev), "%s.%s", module, name);
	if (!printable_name(module) || !printable_name(name) || !module[0] || !name[0]) {
		g->finding = finding(s, s->op_off, "MS-PICKLE-003", "unresolved-global", MLS_SEV_HIGH, ev,
				     "%s imports a global whose name is empty or has control characters", how);
	} else if (g->v.j == MS_J_DENY) {
		s->st->denied++;
		g->finding = finding(s, s->op_off, "MS-PICKLE-001", "dangerous-global", g->v.sev, ev,
				     "%s imports %s (%s): %s", how, ev, g->v.matched, g->v.why);
	} else if (g->v.j == MS_J_UNKNOWN) {
		g->finding = finding(s, s->op_off, "MS-PICKLE-002", "unknown-global",
				     s->ctx->strict ? MLS_SEV_HIGH : MLS_SEV_LOW, ev,
				     "%s imports %s, which is not in the allowlist of known-safe globals", how, ev);
	}
	return (uint32_t)s->nglobals;
}

/* ---------------------------------------------------------------- memo */

static uint64_t *memo_slot(struct scan *s, uint64_t key, int create)
{
	size_t page = (size_t)(key >> MEMO_PAGE_BITS);
	if (page >= MEMO_PAGES_MAX)
		return NULL;
	if (page >= s->memopages) {
		if (!create)
			return NULL;
		/* pages are allocated on demand; a sparse memo is bounded by the input read */
		size_t budget = 16 + (size_t)(rd_off(&s->r) / (MEMO_PAGE * 2));
		size_t used = 0;
		for (size_t i = 0; i < s->memopages; i++)
			used += s->memo[i] != NULL;
		if (used >= budget)
			return NULL;
		uint64_t **q = realloc(s->memo, (page + 1) * sizeof(*q));
		if (!q)
			return NULL;
		for (size_t i = s->memopages; i <= page; i++)
			q[i] = NULL;
		s->memo = q;
		s->memopages = page + 1;
	}
	if (!s->memo[page]) {
		if (!create)
			return NULL;
		size_t used = 0;
		for (size_t i = 0; i < s->memopages; i++)
			used += s->memo[i] != NULL;
		if (used >= 16 + (size_t)(rd_off(&s->r) / (MEMO_PAGE * 2)))
			return NULL;
		s->memo[page] = calloc(MEMO_PAGE, sizeof(uint64_t));
		if (!s->memo[page])
			return NULL;
	}
	return &s->memo[page][key & (MEMO_PAGE - 1)];
}

static uint64_t memo_rich(struct scan *s, const struct pv *v)
{
	if (s->nrich >= RICH_MAX)
		return M_MK(M_OPAQUE, 0);
	if (s->nrich == s->caprich) {
		size_t nc = s->caprich ? s->caprich * 2 : 64;
		struct pv *q = realloc(s->rich, nc * sizeof(*q));
		if (!q)
			return M_MK(M_OPAQUE, 0);
		s->rich = q;
		s->caprich = nc;
	}
	struct pv *r = &s->rich[s->nrich];
	*r = *v;
	r->s = NULL;
	if (v->s && v->slen <= 64) {
		r->s = malloc(v->slen + 1);
		if (r->s) {
			memcpy(r->s, v->s, v->slen + 1);
		}
	}
	if (!r->s && v->s) {
		r->slen = 0;
		r->flags |= F_TRUNC;
	}
	return M_MK(M_RICH, s->nrich++);
}

static int memo_put(struct scan *s, uint64_t key, struct pv *v)
{
	uint64_t *slot = memo_slot(s, key, 1);
	if (!slot) {
		snprintf(s->why, sizeof(s->why), "memo key %llu out of the supported range or memo too sparse",
			 (unsigned long long)key);
		s->stop_all = 1;
		return -1;
	}
	uint64_t e;
	int seek = s->seekable;
	switch (v->kind) {
	case V_NONE: e = M_MK(M_NONE, 0); break;
	case V_BOOL: e = M_MK(M_BOOL, (uint64_t)(v->num != 0)); break;
	case V_INT:
		e = (v->num >= 0 && v->num < ((int64_t)1 << 56)) ? M_MK(M_INT, (uint64_t)v->num) : M_MK(M_OPAQUE, 0);
		break;
	case V_STR:
	case V_BYTES: {
		int isb = v->kind == V_BYTES;
		if (seek && v->off != UINT64_MAX && v->off < ((uint64_t)1 << 40) && v->num < (1 << 20)) {
			e = M_MK(isb ? M_BYTESOFF : M_STROFF, (v->off << 20) | (uint64_t)v->num);
		} else if (!(v->flags & F_TRUNC) && s->arena.len + v->slen + 1 <= ARENA_MAX) {
			uint64_t at = s->arena.len;
			if (mls_buf_append(&s->arena, v->s ? v->s : "", v->slen) < 0)
				return mls_error_set(MLS_ENOMEM, "out of memory");
			e = M_MK(isb ? M_BYTESAR : M_STRAR, (at << 20) | v->slen);
		} else {
			e = M_MK(M_DROPPED, 0);
		}
		break;
	}
	case V_GLOBAL: e = M_MK(M_GLOBAL, v->gid); break;
	case V_CALL:
		e = v->itemsize || v->flags ? memo_rich(s, v) : M_MK(M_CALL, v->gid);
		if (M_TAG(e) == M_RICH)
			v->rich = (uint32_t)M_PAY(e) + 1;
		break;
	case V_TUPLE:
	case V_DICT:
		e = v->flags ? memo_rich(s, v) : M_MK(M_OPAQUE, v->kind);
		break;
	case V_DROPPED: e = M_MK(M_DROPPED, 0); break;
	default: e = M_MK(M_OPAQUE, v->kind); break;
	}
	if (M_TAG(*slot) == M_UNSET)
		s->memolen++;
	*slot = e;
	return 0;
}

/* Re-reads a memoised string; on failure the value is V_DROPPED. */
static int memo_get(struct scan *s, uint64_t key, struct pv *out)
{
	uint64_t *slot = memo_slot(s, key, 0);
	memset(out, 0, sizeof(*out));
	if (!slot || M_TAG(*slot) == M_UNSET)
		return brk(s, "memo key %llu is not defined", (unsigned long long)key);
	uint64_t e = *slot, p = M_PAY(e);
	switch (M_TAG(e)) {
	case M_NONE: out->kind = V_NONE; return 0;
	case M_BOOL: out->kind = V_BOOL; out->num = (int64_t)p; return 0;
	case M_INT: out->kind = V_INT; out->num = (int64_t)p; return 0;
	case M_GLOBAL: out->kind = V_GLOBAL; out->gid = (uint32_t)p; return 0;
	case M_CALL: out->kind = V_CALL; out->gid = (uint32_t)p; return 0;
	case M_RICH: {
		int rc = pv_copy(out, &s->rich[p]);
		out->rich = (uint32_t)p + 1;
		return rc;
	}
	case M_DROPPED: out->kind = V_DROPPED; return 0;
	case M_OPAQUE: out->kind = (uint8_t)(p && p < V_DROPPED ? p : V_OPAQUE); return 0;
	case M_STROFF:
	case M_BYTESOFF:
	case M_STRAR:
	case M_BYTESAR: {
		int isb = M_TAG(e) == M_BYTESOFF || M_TAG(e) == M_BYTESAR;
		uint64_t at = p >> 20, len = p & ((1 << 20) - 1);
		size_t keep = len < KEEP_MAX ? (size_t)len : KEEP_MAX;
		out->kind = isb ? V_BYTES : V_STR;
		out->num = (int64_t)len;
		if ((M_TAG(e) == M_STROFF || M_TAG(e) == M_BYTESOFF) && len > 0) {
			out->off = at;
			out->lazy = 1;
			return 0;
		}
		out->s = malloc(keep + 1);
		if (!out->s)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		if (M_TAG(e) == M_STRAR || M_TAG(e) == M_BYTESAR) {
			memcpy(out->s, s->arena.data + at, keep);
			out->off = UINT64_MAX;
		} else {
			ssize_t k = ms_input_pread(s->in, out->s, keep, at);
			if (k != (ssize_t)keep) {
				free(out->s);
				memset(out, 0, sizeof(*out));
				out->kind = V_DROPPED;
				return 0;
			}
			out->off = at;
		}
		out->s[keep] = '\0';
		out->slen = (uint32_t)keep;
		if (keep < len)
			out->flags |= F_TRUNC;
		return 0;
	}
	default: out->kind = V_OPAQUE; return 0;
	}
}

/* ---------------------------------------------------------------- numpy dtype sizes (joblib) */

static uint32_t dtype_itemsize(const char *d, int *obj)
{
	*obj = 0;
	if (!d || !d[0])
		return 0;
	if (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=')
		d++;
	char c = d[0];
	long n = c && d[1] ? strtol(d + 1, NULL, 10) : 0;
	switch (c) {
	case 'O': *obj = 1; return 8;
	case 'b': case 'i': case 'u': case 'f': case 'c': case 'S': case 'V': return n > 0 && n < (1 << 20) ? (uint32_t)n : 0;
	case 'U': return n > 0 && n < (1 << 18) ? (uint32_t)(n * 4) : 0;
	case 'M': case 'm': return 8;
	case '?': return 1;
	default: return 0;
	}
}

/* ---------------------------------------------------------------- embedded pickles */

static int scan_embedded(struct scan *s, const struct pv *b, const char *via);

/* ---------------------------------------------------------------- calls */

/* Notes a call of callable c made by opcode op; args may describe bytes for loaders. */
static void note_call(struct scan *s, const struct pv *c, const char *op, const struct pv *args, struct pv *res)
{
	char d[600];
	memset(res, 0, sizeof(*res));
	res->kind = V_CALL;
	if (c->kind == V_GLOBAL && c->gid) {
		struct gent *g = &s->globals[c->gid - 1];
		res->gid = c->gid;
		g->calls++;
		if (g->calls == 1)
			detail(s, g->finding, "called_by", "%s at offset %llu", op, (unsigned long long)s->op_off);
		if (g->v.loader && args && (args->flags & F_FIRSTB) && !(args->flags & F_FIRSTSTR)) {
			scan_embedded(s, args, g->name);
		} else if (g->v.loader && g->v.sev < MLS_SEV_HIGH) {
			/* a low-severity loader whose payload cannot be examined must not pass silently */
			char ev[1100];
			snprintf(ev, sizeof(ev), "%s.%s", g->module, g->name);
			finding(s, s->op_off, "MS-PICKLE-007", "embedded-payload", MLS_SEV_MEDIUM, ev,
				"%s hands %s a payload that is computed at load time (not a bytes literal): it cannot be "
				"examined", op, ev);
		}
		if (strcmp(g->module, "numpy") == 0 && strcmp(g->name, "dtype") == 0 && args &&
		    (args->flags & F_FIRSTSTR)) {
			int obj;
			res->itemsize = args->itemsize;
			(void)dtype_itemsize(args->s ? args->s : "", &obj);
			if (obj)
				res->flags |= F_DTOBJ;
		}
		return;
	}
	if (c->kind == V_CALL && c->gid)
		res->gid = c->gid;
	pv_desc(s, c, d, sizeof(d));
	finding(s, s->op_off, "MS-PICKLE-004", "computed-call", MLS_SEV_HIGH, d,
		"%s calls a value that is not an imported global (%s): the callable is computed at load time", op,
		d);
}

/* ---------------------------------------------------------------- opcodes */

static int mk_str(struct scan *s, int kind, uint64_t n, int keep_all)
{
	struct pv v = { 0 };
	v.kind = (uint8_t)kind;
	v.num = (int64_t)n;
	v.off = rd_off(&s->r);
	/* strings of files and memory are read only when something needs their text */
	v.lazy = n > 0 && s->seekable && !keep_all;
	int rc = rd_payload(&s->r, n, v.lazy ? 0 : keep_all ? LINE_MAX_KEEP : KEEP_MAX, &v.s, &v.slen);
	if (rc) {
		free(v.s);
		return rc == -1 ? brk(s, "truncated: a %llu-byte string runs past the end", (unsigned long long)n) : rc;
	}
	if (!v.lazy && v.slen < n)
		v.flags |= F_TRUNC;
	return push(s, &v);
}

/* Decodes a protocol-0 STRING repr ('...' or "..." with escapes) in place. */
static int decode_repr(char *p, size_t *len)
{
	size_t n = *len;
	if (n < 2 || (p[0] != '\'' && p[0] != '"') || p[n - 1] != p[0])
		return -1;
	size_t o = 0;
	for (size_t i = 1; i < n - 1; i++) {
		char c = p[i];
		if (c != '\\') {
			p[o++] = c;
			continue;
		}
		if (++i >= n - 1)
			return -1;
		c = p[i];
		switch (c) {
		case 'n': p[o++] = '\n'; break;
		case 't': p[o++] = '\t'; break;
		case 'r': p[o++] = '\r'; break;
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			int v = 0, k = 0;
			while (k < 3 && i < n - 1 && p[i] >= '0' && p[i] <= '7') {
				v = v * 8 + (p[i] - '0');
				i++;
				k++;
			}
			i--;
			p[o++] = (char)v;
			break;
		}
		case 'x': {
			if (i + 2 >= n - 1 + 1)
				return -1;
			char h[3] = { p[i + 1], p[i + 2], 0 };
			char *e;
			long v = strtol(h, &e, 16);
			if (*e)
				return -1;
			p[o++] = (char)v;
			i += 2;
			break;
		}
		case '\n': break;
		default: p[o++] = c; break;
		}
	}
	p[o] = '\0';
	*len = o;
	return 0;
}

/* raw-unicode-escape (UNICODE opcode): \uXXXX and \UXXXXXXXX become UTF-8. */
static void decode_raw_unicode(char *p, size_t *len)
{
	size_t n = *len, o = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'u' || p[i + 1] == 'U')) {
			size_t w = p[i + 1] == 'u' ? 4 : 8;
			if (i + 2 + w <= n) {
				char h[9] = { 0 };
				memcpy(h, p + i + 2, w);
				char *e;
				unsigned long cp = strtoul(h, &e, 16);
				if (!*e && cp < 0x110000) {
					unsigned char u[4];
					size_t k;
					if (cp < 0x80) { u[0] = (unsigned char)cp; k = 1; }
					else if (cp < 0x800) { u[0] = (unsigned char)(0xc0 | (cp >> 6)); u[1] = (unsigned char)(0x80 | (cp & 0x3f)); k = 2; }
					else if (cp < 0x10000) { u[0] = (unsigned char)(0xe0 | (cp >> 12)); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); u[2] = (unsigned char)(0x80 | (cp & 0x3f)); k = 3; }
					else { u[0] = (unsigned char)(0xf0 | (cp >> 18)); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)); u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (unsigned char)(0x80 | (cp & 0x3f)); k = 4; }
					memcpy(p + o, u, k);
					o += k;
					i += 1 + w;
					continue;
				}
			}
		}
		p[o++] = p[i];
	}
	p[o] = '\0';
	*len = o;
}

static int push_text(struct scan *s, int kind, const char *t, size_t n, int trunc)
{
	struct pv v = { 0 };
	v.kind = (uint8_t)kind;
	v.num = (int64_t)n;
	v.off = UINT64_MAX;
	v.slen = (uint32_t)(n < KEEP_MAX ? n : KEEP_MAX);
	v.s = malloc(v.slen + 1);
	if (!v.s)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	memcpy(v.s, t, v.slen);
	v.s[v.slen] = '\0';
	if (trunc || v.slen < n)
		v.flags |= F_TRUNC;
	return push(s, &v);
}

/* Builds a tuple value from the top n items of the stack. */
static int make_tuple(struct scan *s, size_t n)
{
	struct pv t = { 0 };
	t.kind = V_TUPLE;
	t.prod = 1;
	t.flags = F_PRODOK;
	t.num = (int64_t)n;
	if (n == 0)
		return push(s, &t);
	struct pv *items = &s->stack[s->sp - n];
	for (size_t i = 0; i < n; i++) {
		if (items[i].kind == V_INT) {
			if (items[i].num > 0 && t.prod <= INT64_MAX / items[i].num)
				t.prod *= items[i].num;
			else if (items[i].num == 0)
				t.prod = 0;
			else
				t.flags &= (uint8_t)~F_PRODOK;
		} else {
			t.flags &= (uint8_t)~F_PRODOK;
		}
	}
	if (n >= 1 && (items[0].kind == V_BYTES || items[0].kind == V_STR)) {
		t.flags |= F_FIRSTB;
		if (items[0].kind == V_STR)
			t.flags |= F_FIRSTSTR;
		if (items[0].kind == V_STR && s->o->joblib && items[0].num <= 16)
			(void)pv_text(s, &items[0]);
		t.s = items[0].s;
		items[0].s = NULL;
		t.slen = items[0].slen;
		t.num = items[0].num;
		t.off = items[0].off;
		t.lazy = items[0].lazy;
		if (items[0].flags & F_TRUNC)
			t.flags |= F_TRUNC;
		if (items[0].kind == V_STR && t.s) {
			int obj;
			t.itemsize = dtype_itemsize(t.s, &obj);
		}
	}
	if (n >= 8 && items[0].kind == V_INT && items[5].kind == V_INT) {
		/* a numpy dtype state: (version, byteorder, subarray, names, fields, elsize, alignment, flags) */
		t.elsize = items[5].num;
		if (items[7].kind != V_INT || (items[7].num & 1))
			t.flags |= F_DTOBJ;
		if (items[4].kind != V_NONE && t.elsize <= 0)
			t.flags |= F_DTSTRUCT;
	}
	drop_to(s, s->sp - n);
	return push(s, &t);
}

/* SETITEM(S) on a dict: records the joblib array description keys. */
static void dict_note(struct scan *s, struct pv *d, struct pv *k, const struct pv *v)
{
	if (d->kind != V_DICT || k->kind != V_STR || k->num > 40)
		return;
	(void)pv_text(s, k);
	if (!k->s)
		return;
	if (strcmp(k->s, "shape") == 0 && v->kind == V_TUPLE && (v->flags & F_PRODOK)) {
		d->prod = v->prod;
		d->flags |= F_SHAPE;
	} else if (strcmp(k->s, "dtype") == 0 && (v->kind == V_CALL || v->kind == V_DROPPED || v->kind == V_OPAQUE)) {
		if (v->kind != V_CALL) {
			d->itemsize = 0;
			return;
		}
		d->itemsize = v->itemsize;
		d->flags = (uint8_t)((d->flags & ~(F_DTOBJ | F_DTSTRUCT)) | (v->flags & (F_DTOBJ | F_DTSTRUCT)));
		if (v->elsize > 0)
			d->itemsize = (uint32_t)v->elsize;
	} else if (strcmp(k->s, "numpy_array_alignment_bytes") == 0 && v->kind == V_INT) {
		d->flags |= F_ALIGN;
	}
}

static int run_stream(struct scan *s);
static void free_stream(struct scan *s);

/* joblib: after BUILD of a NumpyArrayWrapper the array bytes (or a pickle of
 * an object array) follow inline. */
static int joblib_array(struct scan *s, const struct pv *state)
{
	if (state->kind != V_DICT || !(state->flags & F_SHAPE))
		return brk(s, "joblib array without a readable shape: cannot find where the pickle resumes");
	if (state->flags & F_DTOBJ) {
		/* an object array: a nested pickle stream follows */
		if (s->depth >= 4)
			return brk(s, "joblib object arrays nested too deep");
		struct scan sub = *s;
		sub.stack = NULL;
		sub.sp = sub.stackcap = 0;
		sub.marks = NULL;
		sub.nmarks = sub.capmarks = 0;
		sub.memo = NULL;
		sub.memopages = sub.memolen = 0;
		mls_buf_init(&sub.arena, ARENA_MAX + 1);
		sub.rich = NULL;
		sub.nrich = sub.caprich = 0;
		sub.globals = NULL;
		sub.nglobals = sub.capglobals = 0;
		sub.depth = s->depth + 1;
		sub.broke = 0;
		int rc = run_stream(&sub);
		s->r = sub.r;
		s->stop_all = sub.stop_all;
		if (sub.broke || sub.stop_all) {
			s->broke = sub.broke;
			snprintf(s->why, sizeof(s->why), "object array: %s", sub.why);
		}
		free_stream(&sub);
		return rc;
	}
	if (state->flags & F_DTSTRUCT || !state->itemsize)
		return brk(s, "joblib array with a structured or unknown dtype: cannot find where the pickle resumes");
	if (state->flags & F_ALIGN) {
		int pad = rd_byte(&s->r);
		if (pad < 0)
			return brk(s, "truncated joblib array padding");
		char *tmp;
		uint32_t kept;
		if (rd_payload(&s->r, (uint64_t)pad, 0, &tmp, &kept))
			return brk(s, "truncated joblib array padding");
	}
	uint64_t n = (uint64_t)state->prod;
	if (n && state->itemsize > UINT64_MAX / n)
		return brk(s, "joblib array size overflows");
	char *tmp;
	uint32_t kept;
	int rc = rd_payload(&s->r, n * state->itemsize, 0, &tmp, &kept);
	if (rc)
		return rc == -1 ? brk(s, "truncated joblib array data (%llu bytes expected)",
				      (unsigned long long)(n * state->itemsize)) : rc;
	return 0;
}

static int do_stack_global(struct scan *s, struct pv *mod, struct pv *name, struct pv *res)
{
	char dm[600], dn[600];
	memset(res, 0, sizeof(*res));
	res->kind = V_GLOBAL;
	if (mod->kind == V_STR)
		(void)pv_text(s, mod);
	if (name->kind == V_STR)
		(void)pv_text(s, name);
	if (mod->kind != V_STR || name->kind != V_STR || (mod->flags & F_TRUNC) || (name->flags & F_TRUNC)) {
		char ev[1300];
		snprintf(ev, sizeof(ev), "%s / %s", mod->kind == V_STR && mod->s ? mod->s : pv_desc(s, mod, dm, sizeof(dm)),
			 name->kind == V_STR && name->s ? name->s : pv_desc(s, name, dn, sizeof(dn)));
		res->kind = V_OPAQUE;
		finding(s, s->op_off, "MS-PICKLE-003", "unresolved-global", MLS_SEV_HIGH, ev,
			"STACK_GLOBAL operands cannot be resolved to two strings (module: %s, name: %s): the import is "
			"chosen at load time",
			pv_desc(s, mod, dm, sizeof(dm)), pv_desc(s, name, dn, sizeof(dn)));
		return 0;
	}
	const char *ms = mod->s ? mod->s : "", *ns = name->s ? name->s : "";
	if ((mod->slen && memchr(ms, 0, mod->slen)) || (name->slen && memchr(ns, 0, name->slen))) {
		res->kind = V_OPAQUE;
		finding(s, s->op_off, "MS-PICKLE-003", "unresolved-global", MLS_SEV_HIGH, NULL,
			"STACK_GLOBAL operands contain NUL bytes");
		return 0;
	}
	res->gid = import_global(s, ms, ns, "STACK_GLOBAL");
	if (!res->gid)
		return s->stop_all ? -1 : mls_error_set(MLS_ENOMEM, "out of memory");
	return 0;
}

static int op_mark(struct scan *s)
{
	if (s->nmarks == s->capmarks) {
		if (s->capmarks >= MARKS_MAX)
			return brk(s, "too many nested MARKs");
		size_t nc = s->capmarks ? s->capmarks * 2 : 32;
		size_t *q = realloc(s->marks, nc * sizeof(*q));
		if (!q)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		s->marks = q;
		s->capmarks = nc;
	}
	s->marks[s->nmarks++] = s->sp;
	return 0;
}

/* pop_mark: the items since the last MARK stay at [base, sp); returns base. */
static int pop_mark(struct scan *s, size_t *base, const char *op)
{
	*base = s->sp;
	if (!s->nmarks)
		return brk(s, "%s without a MARK", op);
	*base = s->marks[--s->nmarks];
	return 0;
}

static void reset_stream(struct scan *s)
{
	drop_to(s, 0);
	s->nmarks = 0;
	for (size_t i = 0; i < s->memopages; i++)
		free(s->memo[i]);
	free(s->memo);
	s->memo = NULL;
	s->memopages = s->memolen = 0;
	mls_buf_reset(&s->arena);
	for (size_t i = 0; i < s->nrich; i++)
		free(s->rich[i].s);
	s->nrich = 0;
	for (size_t i = 0; i < s->nglobals; i++) {
		free(s->globals[i].module);
		free(s->globals[i].name);
	}
	s->nglobals = 0;
	s->nfind = 0;
}

static void free_stream(struct scan *s)
{
	reset_stream(s);
	free(s->stack);
	free(s->marks);
	free(s->rich);
	free(s->globals);
	mls_buf_release(&s->arena);
}

#define NEED(n, name) do { if (need(s, (n), (name))) return -1; } while (0)
#define TRY(x) do { int _r = (x); if (_r) return _r; } while (0)
#define GETN(buf, n, what) do { int _k = rd_get(&s->r, (buf), (n)); if (_k) return _k == -1 ? brk(s, "truncated %s", (what)) : _k; } while (0)

/* Executes one stream until STOP.  Returns 0 at STOP, -1 when the stream
 * broke (s->why says why), <-1 on internal failure. */
static int run_stream(struct scan *s)
{
	char line[LINE_MAX_KEEP], line2[LINE_MAX_KEEP];
	unsigned char b8[8];
	size_t full, full2;
	struct pv a, b, c, r;
	const struct mls_limits *lim = s->ctx->limits;

	for (;;) {
		s->op_off = rd_off(&s->r);
		int op = rd_byte(&s->r);
		if (op == -1)
			return brk(s, "truncated: the stream ends without STOP");
		if (op < -1)
			return op;
		s->st->opcodes++;
		s->ctx->opcodes++;
		if (lim->max_opcodes && s->ctx->opcodes > lim->max_opcodes) {
			snprintf(s->why, sizeof(s->why), "pickle opcode limit (%llu) reached",
				 (unsigned long long)lim->max_opcodes);
			s->stop_all = 1;
			return -1;
		}
		if ((s->ctx->opcodes & 0xfffff) == 0 && mls_deadline_passed(&s->ctx->deadline)) {
			snprintf(s->why, sizeof(s->why), "time limit of %.0f s reached", lim->max_seconds);
			s->stop_all = 1;
			return -1;
		}
		memset(&a, 0, sizeof(a));
		switch (op) {
		case '(': /* MARK */
			TRY(op_mark(s));
			break;
		case '.': /* STOP */
			NEED(1, "STOP");
			drop_to(s, 0);
			s->nmarks = 0;
			return 0;
		case '0': /* POP */
			if (avail(s) == 0) {
				size_t base;
				TRY(pop_mark(s, &base, "POP"));
				break;
			}
			pop1(s, &a);
			if (a.kind == V_CALL && a.gid && !s->globals[a.gid - 1].discard_noted) {
				struct gent *g = &s->globals[a.gid - 1];
				g->discard_noted = 1;
				detail(s, g->finding, "result_discarded", "POP at offset %llu", (unsigned long long)s->op_off);
			}
			pv_clear(&a);
			break;
		case '1': { /* POP_MARK */
			size_t base;
			TRY(pop_mark(s, &base, "POP_MARK"));
			for (size_t i = base; i < s->sp; i++)
				if (s->stack[i].kind == V_CALL && s->stack[i].gid &&
				    !s->globals[s->stack[i].gid - 1].discard_noted) {
					s->globals[s->stack[i].gid - 1].discard_noted = 1;
					detail(s, s->globals[s->stack[i].gid - 1].finding, "result_discarded",
					       "POP_MARK at offset %llu", (unsigned long long)s->op_off);
				}
			drop_to(s, base);
			break;
		}
		case '2': /* DUP */
			NEED(1, "DUP");
			TRY(pv_copy(&a, &s->stack[s->sp - 1]));
			TRY(push(s, &a));
			break;
		case 'F': /* FLOAT */
			if (rd_line(&s->r, line, sizeof(line), &full))
				return brk(s, "truncated FLOAT");
			TRY(push_kind(s, V_FLOAT));
			break;
		case 'I': /* INT */
		case 'L': /* LONG */
			if (rd_line(&s->r, line, sizeof(line), &full))
				return brk(s, "truncated INT");
			a.kind = V_INT;
			if (op == 'I' && (strcmp(line, "01") == 0 || strcmp(line, "00") == 0)) {
				a.kind = V_BOOL;
				a.num = line[1] == '1';
			} else {
				char *e;
				a.num = strtoll(line, &e, 10);
				if (e == line)
					return brk(s, "invalid literal for INT");
			}
			TRY(push(s, &a));
			break;
		case 'J': GETN(b8, 4, "BININT"); a.kind = V_INT; a.num = (int32_t)le(b8, 4); TRY(push(s, &a)); break;
		case 'K': GETN(b8, 1, "BININT1"); a.kind = V_INT; a.num = b8[0]; TRY(push(s, &a)); break;
		case 'M': GETN(b8, 2, "BININT2"); a.kind = V_INT; a.num = (int64_t)le(b8, 2); TRY(push(s, &a)); break;
		case 'N': TRY(push_kind(s, V_NONE)); break;
		case 0x88: a.kind = V_BOOL; a.num = 1; TRY(push(s, &a)); break;
		case 0x89: a.kind = V_BOOL; a.num = 0; TRY(push(s, &a)); break;
		case 'G': GETN(b8, 8, "BINFLOAT"); TRY(push_kind(s, V_FLOAT)); break;
		case 0x8a: /* LONG1 */
		case 0x8b: { /* LONG4 */
			uint64_t n;
			if (op == 0x8a) {
				GETN(b8, 1, "LONG1");
				n = b8[0];
			} else {
				GETN(b8, 4, "LONG4");
				n = le(b8, 4);
				if (n & 0x80000000u)
					return brk(s, "LONG pickle has negative byte count");
			}
			a.kind = V_INT;
			if (n <= 8) {
				unsigned char v[8] = { 0 };
				if (n)
					GETN(v, (size_t)n, "LONG");
				uint64_t u = le(v, (int)n);
				if (n && n < 8 && (v[n - 1] & 0x80))
					u |= ~(uint64_t)0 << (8 * n);
				a.num = (int64_t)u;
			} else {
				char *t;
				uint32_t k;
				int rc = rd_payload(&s->r, n, 0, &t, &k);
				if (rc)
					return rc == -1 ? brk(s, "truncated LONG") : rc;
				a.kind = V_OPAQUE;
			}
			TRY(push(s, &a));
			break;
		}
		case 'P': /* PERSID */
			if (rd_line(&s->r, line, sizeof(line), &full))
				return brk(s, "truncated PERSID");
			TRY(push_kind(s, V_PERSID));
			break;
		case 'Q': /* BINPERSID */
			NEED(1, "BINPERSID");
			pv_clear(&s->stack[s->sp - 1]);
			s->stack[s->sp - 1].kind = V_PERSID;
			break;
		case 'R': /* REDUCE */
			NEED(2, "REDUCE");
			pop1(s, &b);
			pop1(s, &a);
			note_call(s, &a, "REDUCE", &b, &r);
			pv_clear(&a);
			pv_clear(&b);
			TRY(push(s, &r));
			break;
		case 'S': { /* STRING */
			if (rd_line(&s->r, line, sizeof(line), &full))
				return brk(s, "truncated STRING");
			size_t n = full < sizeof(line) ? full : sizeof(line) - 1;
			if (full >= sizeof(line)) {
				TRY(push_text(s, V_STR, line, full, 1));
				break;
			}
			if (decode_repr(line, &n))
				return brk(s, "the STRING opcode argument must be quoted");
			TRY(push_text(s, V_STR, line, n, 0));
			break;
		}
		case 'V': { /* UNICODE */
			if (rd_line(&s->r, line, sizeof(line), &full))
				return brk(s, "truncated UNICODE");
			size_t n = full < sizeof(line) ? full : sizeof(line) - 1;
			if (full < sizeof(line))
				decode_raw_unicode(line, &n);
			TRY(push_text(s, V_STR, line, n, full >= sizeof(line)));
			break;
		}
		case 'T': /* BINSTRING */
			GETN(b8, 4, "BINSTRING");
			if (b8[3] & 0x80)
				return brk(s, "BINSTRING pickle has negative byte count");
			TRY(mk_str(s, V_STR, le(b8, 4), 0));
			break;
		case 'U': GETN(b8, 1, "SHORT_BINSTRING"); TRY(mk_str(s, V_STR, b8[0], 0)); break;
		case 'X': GETN(b8, 4, "BINUNICODE"); TRY(mk_str(s, V_STR, le(b8, 4), 0)); break;
		case 0x8c: GETN(b8, 1, "SHORT_BINUNICODE"); TRY(mk_str(s, V_STR, b8[0], 0)); break;
		case 0x8d: GETN(b8, 8, "BINUNICODE8"); TRY(mk_str(s, V_STR, le(b8, 8), 0)); break;
		case 'B': GETN(b8, 4, "BINBYTES"); TRY(mk_str(s, V_BYTES, le(b8, 4), 0)); break;
		case 'C': GETN(b8, 1, "SHORT_BINBYTES"); TRY(mk_str(s, V_BYTES, b8[0], 0)); break;
		case 0x8e: GETN(b8, 8, "BINBYTES8"); TRY(mk_str(s, V_BYTES, le(b8, 8), 0)); break;
		case 0x96: GETN(b8, 8, "BYTEARRAY8"); TRY(mk_str(s, V_BYTES, le(b8, 8), 0)); break;
		case 0x97: /* NEXT_BUFFER: out-of-band buffer supplied by the loader */
			TRY(push_kind(s, V_BUF));
			break;
		case 0x98: /* READONLY_BUFFER */
			NEED(1, "READONLY_BUFFER");
			break;
		case 'a': /* APPEND */
			NEED(2, "APPEND");
			pop1(s, &a);
			pv_clear(&a);
			break;
		case 'e': { /* APPENDS */
			size_t base;
			TRY(pop_mark(s, &base, "APPENDS"));
			if (base == frame_base(s) || base == 0)
				return brk(s, "APPENDS needs a list below the MARK");
			drop_to(s, base);
			break;
		}
		case 'b': /* BUILD */
			NEED(2, "BUILD");
			pop1(s, &b);
			{
				struct pv *obj = &s->stack[s->sp - 1];
				if (obj->kind == V_GLOBAL && obj->gid) {
					struct gent *g = &s->globals[obj->gid - 1];
					char ev[1100];
					snprintf(ev, sizeof(ev), "%s.%s", g->module, g->name);
					finding(s, s->op_off, "MS-PICKLE-006", "build-on-global", MLS_SEV_HIGH, ev,
						"BUILD sets attributes of the imported object %s itself (not of an instance): "
						"it can replace functions other code calls later", ev);
				} else if (obj->kind == V_CALL && obj->gid) {
					struct gent *g = &s->globals[obj->gid - 1];
					detail(s, g->finding, "setstate", "BUILD (__setstate__) at offset %llu",
					       (unsigned long long)s->op_off);
					if (s->o->joblib && strcmp(g->module, "joblib.numpy_pickle") == 0 &&
					    strcmp(g->name, "NumpyArrayWrapper") == 0) {
						int rc = joblib_array(s, &b);
						pv_clear(&b);
						if (rc)
							return rc;
						break;
					}
					if (strcmp(g->module, "numpy") == 0 && strcmp(g->name, "dtype") == 0 &&
					    b.kind == V_TUPLE) {
						if (b.elsize > 0)
							obj->elsize = b.elsize;
						obj->flags |= b.flags & (F_DTSTRUCT | F_DTOBJ);
						/* the memo holds the same object: keep its copy in step */
						if (obj->rich && obj->rich <= s->nrich) {
							s->rich[obj->rich - 1].elsize = obj->elsize;
							s->rich[obj->rich - 1].flags |= obj->flags & (F_DTSTRUCT | F_DTOBJ);
						}
					}
				}
			}
			pv_clear(&b);
			break;
		case 'c': /* GLOBAL */
		case 'i': { /* INST */
			if (rd_line(&s->r, line, sizeof(line), &full) || rd_line(&s->r, line2, sizeof(line2), &full2))
				return brk(s, "truncated %s", op == 'c' ? "GLOBAL" : "INST");
			if (full >= sizeof(line) || full2 >= sizeof(line2)) {
				finding(s, s->op_off, "MS-PICKLE-003", "unresolved-global", MLS_SEV_HIGH, NULL,
					"%s names a global longer than %zu bytes", op == 'c' ? "GLOBAL" : "INST",
					sizeof(line) - 1);
				a.kind = V_OPAQUE;
			} else {
				a.kind = V_GLOBAL;
				a.gid = import_global(s, line, line2, op == 'c' ? "GLOBAL" : "INST");
				if (!a.gid)
					return s->stop_all ? -1 : mls_error_set(MLS_ENOMEM, "out of memory");
			}
			if (op == 'c') {
				TRY(push(s, &a));
				break;
			}
			size_t base;
			TRY(pop_mark(s, &base, "INST"));
			memset(&b, 0, sizeof(b));
			b.kind = V_TUPLE;
			if (s->sp > base) {
				/* arguments: describe them as a tuple for loaders */
				TRY(make_tuple(s, s->sp - base));
				pop1(s, &b);
			}
			note_call(s, &a, "INST", &b, &r);
			pv_clear(&b);
			TRY(push(s, &r));
			break;
		}
		case 'o': { /* OBJ */
			size_t base;
			TRY(pop_mark(s, &base, "OBJ"));
			if (s->sp == base)
				return brk(s, "OBJ without a class");
			size_t nargs = s->sp - base - 1;
			memset(&b, 0, sizeof(b));
			b.kind = V_TUPLE;
			if (nargs) {
				TRY(make_tuple(s, nargs));
				pop1(s, &b);
			}
			pop1(s, &a);
			note_call(s, &a, "OBJ", &b, &r);
			pv_clear(&a);
			pv_clear(&b);
			TRY(push(s, &r));
			break;
		}
		case 0x81: /* NEWOBJ */
			NEED(2, "NEWOBJ");
			pop1(s, &b);
			pop1(s, &a);
			note_call(s, &a, "NEWOBJ", &b, &r);
			pv_clear(&a);
			pv_clear(&b);
			TRY(push(s, &r));
			break;
		case 0x92: /* NEWOBJ_EX */
			NEED(3, "NEWOBJ_EX");
			pop1(s, &c);
			pop1(s, &b);
			pop1(s, &a);
			note_call(s, &a, "NEWOBJ_EX", &b, &r);
			pv_clear(&a);
			pv_clear(&b);
			pv_clear(&c);
			TRY(push(s, &r));
			break;
		case 0x93: /* STACK_GLOBAL */
			NEED(2, "STACK_GLOBAL");
			pop1(s, &b);
			pop1(s, &a);
			{
				int rc = do_stack_global(s, &a, &b, &r);
				pv_clear(&a);
				pv_clear(&b);
				if (rc)
					return rc;
			}
			TRY(push(s, &r));
			break;
		case 0x82: /* EXT1 */
		case 0x83: /* EXT2 */
		case 0x84: { /* EXT4 */
			int n = op == 0x82 ? 1 : op == 0x83 ? 2 : 4;
			GETN(b8, (size_t)n, "EXT");
			finding(s, s->op_off, "MS-PICKLE-003", "unresolved-global", MLS_SEV_HIGH, NULL,
				"EXT%d imports extension code %llu: the global comes from the loader's copyreg registry, "
				"not from the file", n, (unsigned long long)le(b8, n));
			TRY(push_kind(s, V_OPAQUE));
			break;
		}
		case 'd': /* DICT */
		case 'l': /* LIST */
		case 0x91: { /* FROZENSET */
			size_t base;
			TRY(pop_mark(s, &base, op == 'd' ? "DICT" : op == 'l' ? "LIST" : "FROZENSET"));
			if (op == 'd' && (s->sp - base) % 2)
				return brk(s, "odd number of items for DICT");
			a.kind = op == 'd' ? V_DICT : op == 'l' ? V_LIST : V_SET;
			if (op == 'd' && s->o->joblib)
				for (size_t i = base; i + 1 < s->sp; i += 2)
					dict_note(s, &a, &s->stack[i], &s->stack[i + 1]);
			drop_to(s, base);
			TRY(push(s, &a));
			break;
		}
		case '}': TRY(push_kind(s, V_DICT)); break;
		case ']': TRY(push_kind(s, V_LIST)); break;
		case ')': TRY(push_kind(s, V_TUPLE)); break;
		case 0x8f: TRY(push_kind(s, V_SET)); break;
		case 't': { /* TUPLE */
			size_t base;
			TRY(pop_mark(s, &base, "TUPLE"));
			TRY(make_tuple(s, s->sp - base));
			break;
		}
		case 0x85: NEED(1, "TUPLE1"); TRY(make_tuple(s, 1)); break;
		case 0x86: NEED(2, "TUPLE2"); TRY(make_tuple(s, 2)); break;
		case 0x87: NEED(3, "TUPLE3"); TRY(make_tuple(s, 3)); break;
		case 's': /* SETITEM */
			NEED(3, "SETITEM");
			if (s->o->joblib)
				dict_note(s, &s->stack[s->sp - 3], &s->stack[s->sp - 2], &s->stack[s->sp - 1]);
			drop_to(s, s->sp - 2);
			break;
		case 'u': { /* SETITEMS */
			size_t base;
			TRY(pop_mark(s, &base, "SETITEMS"));
			if (base == frame_base(s) || base == 0)
				return brk(s, "SETITEMS needs a dict below the MARK");
			if ((s->sp - base) % 2)
				return brk(s, "odd number of items for SETITEMS");
			if (s->o->joblib)
				for (size_t i = base; i + 1 < s->sp; i += 2)
					dict_note(s, &s->stack[base - 1], &s->stack[i], &s->stack[i + 1]);
			drop_to(s, base);
			break;
		}
		case 0x90: { /* ADDITEMS */
			size_t base;
			TRY(pop_mark(s, &base, "ADDITEMS"));
			if (base == frame_base(s) || base == 0)
				return brk(s, "ADDITEMS needs a set below the MARK");
			drop_to(s, base);
			break;
		}
		case 'g': /* GET */
		case 'h': /* BINGET */
		case 'j': { /* LONG_BINGET */
			uint64_t key;
			if (op == 'g') {
				if (rd_line(&s->r, line, sizeof(line), &full))
					return brk(s, "truncated GET");
				char *e;
				key = strtoull(line, &e, 10);
				if (e == line)
					return brk(s, "invalid GET key");
			} else if (op == 'h') {
				GETN(b8, 1, "BINGET");
				key = b8[0];
			} else {
				GETN(b8, 4, "LONG_BINGET");
				key = le(b8, 4);
			}
			TRY(memo_get(s, key, &a));
			TRY(push(s, &a));
			break;
		}
		case 'p': /* PUT */
		case 'q': /* BINPUT */
		case 'r': /* LONG_BINPUT */
		case 0x94: { /* MEMOIZE */
			uint64_t key;
			if (op == 'p') {
				if (rd_line(&s->r, line, sizeof(line), &full))
					return brk(s, "truncated PUT");
				char *e;
				if (line[0] == '-')
					return brk(s, "negative PUT argument");
				key = strtoull(line, &e, 10);
				if (e == line)
					return brk(s, "invalid PUT key");
			} else if (op == 'q') {
				GETN(b8, 1, "BINPUT");
				key = b8[0];
			} else if (op == 'r') {
				GETN(b8, 4, "LONG_BINPUT");
				key = le(b8, 4);
				if (key & 0x80000000u)
					return brk(s, "negative LONG_BINPUT argument");
			} else {
				key = s->memolen;
			}
			NEED(1, op == 0x94 ? "MEMOIZE" : "PUT");
			TRY(memo_put(s, key, &s->stack[s->sp - 1]));
			break;
		}
		case 0x80: /* PROTO */
			GETN(b8, 1, "PROTO");
			if (b8[0] > 5)
				return brk(s, "unsupported pickle protocol: %u", b8[0]);
			break;
		case 0x95: /* FRAME */
			GETN(b8, 8, "FRAME");
			break;
		default:
			return brk(s, "invalid opcode 0x%02x", (unsigned)op);
		}
	}
}

/* Scans an embedded pickle (bytes handed to a loader). */
static int scan_embedded(struct scan *s, const struct pv *b, const char *via)
{
	struct mls_buf data;
	int rc = 0;
	char loc[1200];
	mls_buf_init(&data, EMBED_MAX + 16);
	uint64_t n = (uint64_t)b->num;
	if ((unsigned)s->in->depth + 1 > s->ctx->limits->max_depth) {
		ms_incomplete(s->ctx, s->in, "embedded pickle at offset %llu: nesting depth limit (%u) reached",
			      (unsigned long long)b->off, s->ctx->limits->max_depth);
		return 0;
	}
	if (!b->lazy && !(b->flags & F_TRUNC)) {
		rc = mls_buf_append(&data, b->s ? b->s : "", b->slen);
	} else if (b->off != UINT64_MAX && ms_input_seekable(s->in) && n <= EMBED_MAX) {
		rc = mls_buf_reserve(&data, (size_t)n);
		if (rc == 0) {
			ssize_t k = ms_input_pread(s->in, data.data, (size_t)n, b->off);
			if (k != (ssize_t)n)
				rc = mls_error_set(MLS_EIO, "cannot re-read the embedded payload");
			else
				data.len = (size_t)n;
		}
	} else {
		ms_incomplete(s->ctx, s->in, "embedded payload of %llu bytes at offset %llu handed to %s was not examined",
			      (unsigned long long)n, (unsigned long long)b->off, via);
		goto done;
	}
	if (rc < 0) {
		ms_incomplete(s->ctx, s->in, "embedded payload at offset %llu: %s", (unsigned long long)b->off,
			      mls_error_msg());
		rc = 0;
		goto done;
	}
	if (s->in->location[0])
		snprintf(loc, sizeof(loc), "%s > embedded@%llu", s->in->location,
			 (unsigned long long)(b->off == UINT64_MAX ? s->op_off : b->off));
	else
		snprintf(loc, sizeof(loc), "embedded@%llu", (unsigned long long)(b->off == UINT64_MAX ? s->op_off : b->off));
	struct ms_input sub;
	ms_input_init_mem(&sub, data.data, data.len, loc, "", s->in->depth + 1);
	enum ms_format f;
	rc = ms_scan_input(s->ctx, &sub, &f);
	if (rc == 0 && f == MS_FMT_UNKNOWN) {
		finding(s, b->off, "MS-PICKLE-007", "embedded-payload", MLS_SEV_MEDIUM, via,
			"%llu bytes handed to %s are not a recognised format", (unsigned long long)n, via);
	}
done:
	mls_buf_release(&data);
	return rc < 0 ? rc : 0;
}

int ms_pickle_looks_like(const unsigned char *p, size_t n)
{
	static const char ops[] = "(.012FIJKLMNPQRSTUVXabcdeghijloprstu}])G";
	if (n >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5) {
		if (n >= 3)
			return (p[2] >= 0x80 && p[2] <= 0x98) || (p[2] && strchr(ops, p[2]) != NULL);
		return 1;
	}
	if (n >= 2 && (p[0] == '(' || p[0] == ']' || p[0] == '}' || p[0] == ')') &&
	    (p[1] == 'd' || p[1] == 'l' || p[1] == 't' || p[1] == 'q' || p[1] == 'p' || p[1] == '.' ||
	     p[1] == 'c' || p[1] == 'i' || p[1] == 'I' || p[1] == 'S' || p[1] == 'V' || p[1] == '(' ||
	     p[1] == 'X' || p[1] == 'U' || p[1] == 'K' || p[1] == 'F' || p[1] == 'N' || p[1] == 'L'))
		return 1;
	if (n >= 3 && p[0] == 'c') {
		/* protocol 0/1 GLOBAL: "c<module>\n<name>\n" */
		size_t i = 1;
		while (i < n && i < 256 && p[i] != '\n' &&
		       ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
			p[i] == '_' || p[i] == '.'))
			i++;
		return i > 1 && i < n && p[i] == '\n';
	}
	if (n >= 2 && (p[0] == 'I' || p[0] == 'S' || p[0] == 'V' || p[0] == 'L' || p[0] == 'F') && n >= 3) {
		/* a protocol-0 scalar pickle: "I123\n." / "S'abc'\n." */
		const unsigned char *nl = memchr(p, '\n', n < 128 ? n : 128);
		return nl && (size_t)(nl - p) + 1 < n && (nl[1] == '.' || nl[1] == 'p' || nl[1] == 'q' || nl[1] == '0');
	}
	if (n >= 2 && (p[0] == 'K' || p[0] == 'N') && p[n > 2 ? 2 - (p[0] == 'N') : 1] == '.')
		return 1;
	return 0;
}

int ms_pickle_scan(struct ms_ctx *ctx, struct ms_input *in, const struct ms_pickle_opts *o, struct ms_pickle_stats *st)
{
	struct scan s;
	static const struct ms_pickle_opts defo = { 0, 0, 0, 0 };
	struct ms_pickle_stats dummy;
	int rc = 0;
	memset(&s, 0, sizeof(s));
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	s.ctx = ctx;
	s.in = in;
	s.o = o ? o : &defo;
	s.st = st;
	s.r.in = in;
	s.seekable = ms_input_seekable(in);
	rc = ms_input_fill_head(in);
	if (rc < 0)
		return rc;
	s.r.base = in->pos;
	s.r.buf = malloc(RD_BUF);
	mls_buf_init(&s.arena, ARENA_MAX + 1);
	if (!s.r.buf)
		return mls_error_set(MLS_ENOMEM, "out of memory");

	for (;;) {
		uint64_t start = rd_off(&s.r);
		int k = rd_fill(&s.r);
		if (k < 0) {
			rc = k;
			break;
		}
		if (k == 0)
			break; /* clean end of input */
		int first_byte = s.r.buf[s.r.pos];
		if (s.o->max_streams && st->streams >= s.o->max_streams)
			break;
		int trailing = st->streams > 0 && !(first_byte == 0x80);
		if (trailing) {
			unsigned char peek[64];
			size_t np = s.r.len - s.r.pos < sizeof(peek) ? s.r.len - s.r.pos : sizeof(peek);
			memcpy(peek, s.r.buf + s.r.pos, np);
			if (!ms_pickle_looks_like(peek, np)) {
				uint64_t left = in->size != UINT64_MAX && in->size > start ? in->size - start : 0;
				if (!s.o->ignore_trailing && left)
					finding(&s, start, "MS-PICKLE-005", "trailing-data", MLS_SEV_MEDIUM, NULL,
						"%llu bytes after the end of pickle stream %u are not another pickle: data "
						"hidden after STOP", (unsigned long long)left, st->streams);
				else if (!s.o->ignore_trailing)
					finding(&s, start, "MS-PICKLE-005", "trailing-data", MLS_SEV_MEDIUM, NULL,
						"bytes after the end of pickle stream %u are not another pickle: data "
						"hidden after STOP", st->streams);
				break;
			}
		}
		s.stream = st->streams;
		s.broke = 0;
		s.why[0] = '\0';
		rc = run_stream(&s);
		st->end = rd_off(&s.r);
		if (rc < -1)
			break;
		if (rc == 0) {
			st->streams++;
			reset_stream(&s);
			rc = 0;
			if (ms_out_of_time(ctx, in))
				break;
			continue;
		}
		rc = 0;
		if (s.stop_all) {
			ms_incomplete(ctx, in, "%s (stream %u, offset %llu)", s.why, st->streams + 1,
				      (unsigned long long)s.op_off);
			break;
		}
		/* a broken stream */
		st->broken = 1;
		if (s.o->opportunistic && st->streams == 0)
			break;
		if (trailing && !st->denied) {
			finding(&s, start, "MS-PICKLE-005", "trailing-data", MLS_SEV_MEDIUM, NULL,
				"bytes after the end of pickle stream %u are not a valid pickle (%s at offset %llu)",
				st->streams, s.why, (unsigned long long)s.op_off);
			break;
		}
		ms_incomplete(ctx, in, "pickle stream %u broken at offset %llu: %s", st->streams + 1,
			      (unsigned long long)s.op_off, s.why);
		break;
	}
	free_stream(&s);
	free(s.r.buf);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- format: raw pickle */

int ms_probe_pickle(const struct ms_input *in)
{
	if (ms_pickle_looks_like(in->head, in->head_len))
		return 40;
	return 0;
}

int ms_scan_pickle(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_pickle_opts o = { 0, 0, 0, 0 };
	struct ms_pickle_stats st;
	return ms_pickle_scan(ctx, in, &o, &st);
}
