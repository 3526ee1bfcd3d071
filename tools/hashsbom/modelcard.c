/*
 * Model cards: a Hugging Face README.md with YAML front matter, or a JSON
 * file.  The front matter is read by a small, bounded parser for the YAML
 * subset such cards use, converted to JSON text with yajl and parsed back
 * with the usual limits, so both kinds of card end up as one yajl tree.
 *
 * YAML subset (docs/hashsbom.md): block mappings and sequences (indented with
 * spaces, "- " items, "key:" followed by a nested block or a sequence at the
 * same indentation), flow sequences and mappings ("[a, b]", "{k: v}", which may
 * span lines), plain scalars (with " #" comments and more-indented
 * continuation lines folded into one line), single- and double-quoted
 * scalars (escapes \" \\ \/ \n \t \r \0 \xNN \uXXXX), block scalars (| and >
 * with - / + chomping and an indentation digit).  Every scalar becomes a
 * JSON string; an empty value becomes null.  Anchors, aliases, tags,
 * complex keys and multiple documents are refused with a message.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashsbom.h"

#define YAML_MAX_LINES 1000000

struct yline {
	const char *s; /* after the indentation */
	size_t len;    /* without trailing whitespace / CR */
	int indent;    /* leading spaces */
};

struct yp {
	struct yline *l;
	size_t n, i;
	yajl_gen g;
	unsigned max_depth;
	int failed;
	char err[256];
};

static int yfail(struct yp *p, size_t line, const char *what)
{
	if (!p->failed) {
		snprintf(p->err, sizeof(p->err), "front matter line %zu: %s", line + 1, what);
		p->failed = 1;
	}
	return -1;
}

static int is_blank(const struct yline *l)
{
	return l->len == 0;
}

static int is_comment(const struct yline *l)
{
	return l->len > 0 && l->s[0] == '#';
}

/* Moves p->i to the next line with content (skipping blank and comment lines). */
static void skip_empty(struct yp *p)
{
	while (p->i < p->n && (is_blank(&p->l[p->i]) || is_comment(&p->l[p->i])))
		p->i++;
}

static int is_seq_item(const struct yline *l)
{
	return l->len >= 1 && l->s[0] == '-' && (l->len == 1 || l->s[1] == ' ' || l->s[1] == '\t');
}

/* Emits a double-quoted scalar s[0..n) (s[0] == '"'); *used gets the bytes consumed. */
static int emit_dquoted(struct yp *p, const char *s, size_t n, size_t *used, size_t line)
{
	struct mls_buf b;
	size_t i = 1;
	int rc = 0;

	mls_buf_init(&b, n + 16);
	while (i < n && s[i] != '"') {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			char e = s[++i];
			unsigned long cp;
			char hex[9];
			size_t digits = 0;
			switch (e) {
			case 'n': mls_buf_putc(&b, '\n'); break;
			case 't': mls_buf_putc(&b, '\t'); break;
			case 'r': mls_buf_putc(&b, '\r'); break;
			case '0': mls_buf_putc(&b, ' '); break; /* NUL is not kept */
			case '"': case '\\': case '/': case ' ': mls_buf_putc(&b, e); break;
			case 'x': digits = 2; break;
			case 'u': digits = 4; break;
			case 'U': digits = 8; break;
			default:
				mls_buf_release(&b);
				return yfail(p, line, "unknown escape in a double-quoted string");
			}
			if (digits) {
				if (i + digits >= n) {
					mls_buf_release(&b);
					return yfail(p, line, "truncated escape");
				}
				memcpy(hex, s + i + 1, digits);
				hex[digits] = '\0';
				for (size_t k = 0; k < digits; k++)
					if (!isxdigit((unsigned char)hex[k])) {
						mls_buf_release(&b);
						return yfail(p, line, "bad hexadecimal escape");
					}
				cp = strtoul(hex, NULL, 16);
				i += digits;
				if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
					cp = 0xFFFD;
				if (cp < 0x80) {
					mls_buf_putc(&b, (char)cp);
				} else if (cp < 0x800) {
					mls_buf_putc(&b, (char)(0xC0 | (cp >> 6)));
					mls_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
				} else if (cp < 0x10000) {
					mls_buf_putc(&b, (char)(0xE0 | (cp >> 12)));
					mls_buf_putc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
					mls_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
				} else {
					mls_buf_putc(&b, (char)(0xF0 | (cp >> 18)));
					mls_buf_putc(&b, (char)(0x80 | ((cp >> 12) & 0x3F)));
					mls_buf_putc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
					mls_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
				}
			}
			i++;
			continue;
		}
		if (c == '\0') {
			i++;
			continue;
		}
		mls_buf_putc(&b, c);
		i++;
	}
	if (i >= n) {
		mls_buf_release(&b);
		return yfail(p, line, "unterminated double-quoted string");
	}
	*used = i + 1;
	mls_jgen_strn(p->g, mls_buf_cstr(&b), b.len);
	mls_buf_release(&b);
	return rc;
}

static int emit_squoted(struct yp *p, const char *s, size_t n, size_t *used, size_t line)
{
	struct mls_buf b;
	size_t i = 1;

	mls_buf_init(&b, n + 16);
	for (;;) {
		if (i >= n) {
			mls_buf_release(&b);
			return yfail(p, line, "unterminated single-quoted string");
		}
		if (s[i] == '\'') {
			if (i + 1 < n && s[i + 1] == '\'') {
				mls_buf_putc(&b, '\'');
				i += 2;
				continue;
			}
			break;
		}
		if (s[i])
			mls_buf_putc(&b, s[i]);
		i++;
	}
	*used = i + 1;
	mls_jgen_strn(p->g, mls_buf_cstr(&b), b.len);
	mls_buf_release(&b);
	return 0;
}

static int check_plain_start(struct yp *p, char c, size_t line)
{
	if (c == '&' || c == '*' || c == '!')
		return yfail(p, line, "anchors, aliases and tags are not supported");
	if (c == '?')
		return yfail(p, line, "complex keys are not supported");
	if (c == '@' || c == '`')
		return yfail(p, line, "reserved indicator at the start of a scalar");
	return 0;
}

/* ---- flow collections ---- */

static int flow_value(struct yp *p, const char *s, size_t n, size_t *pos, unsigned depth, size_t line);

static void flow_ws(const char *s, size_t n, size_t *pos)
{
	while (*pos < n && (s[*pos] == ' ' || s[*pos] == '\t' || s[*pos] == '\n'))
		(*pos)++;
}

/* A plain scalar inside a flow collection: ends at , ] } or ": ". */
static int flow_plain(struct yp *p, const char *s, size_t n, size_t *pos, int is_key, size_t line)
{
	size_t st = *pos, e = st;
	if (check_plain_start(p, s[st], line) < 0)
		return -1;
	while (e < n && s[e] != ',' && s[e] != ']' && s[e] != '}' && s[e] != '[' && s[e] != '{') {
		if (s[e] == ':' && (e + 1 >= n || s[e + 1] == ' ' || s[e + 1] == ',' || s[e + 1] == ']' || s[e + 1] == '}'))
			break;
		if (s[e] == '#' && e > st && (s[e - 1] == ' ' || s[e - 1] == '\n'))
			return yfail(p, line, "comment inside a flow collection");
		e++;
	}
	*pos = e;
	while (e > st && isspace((unsigned char)s[e - 1]))
		e--;
	if (e == st && !is_key) {
		yajl_gen_null(p->g);
		return 0;
	}
	/* fold inner newlines to spaces */
	struct mls_buf b;
	mls_buf_init(&b, e - st + 1);
	for (size_t k = st; k < e; k++)
		mls_buf_putc(&b, s[k] == '\n' ? ' ' : s[k]);
	mls_jgen_strn(p->g, mls_buf_cstr(&b), b.len);
	mls_buf_release(&b);
	return 0;
}

static int flow_scalar(struct yp *p, const char *s, size_t n, size_t *pos, int is_key, size_t line)
{
	size_t used = 0;
	if (s[*pos] == '"') {
		if (emit_dquoted(p, s + *pos, n - *pos, &used, line) < 0)
			return -1;
		*pos += used;
		return 0;
	}
	if (s[*pos] == '\'') {
		if (emit_squoted(p, s + *pos, n - *pos, &used, line) < 0)
			return -1;
		*pos += used;
		return 0;
	}
	return flow_plain(p, s, n, pos, is_key, line);
}

static int flow_value(struct yp *p, const char *s, size_t n, size_t *pos, unsigned depth, size_t line)
{
	if (depth > p->max_depth)
		return yfail(p, line, "nesting too deep");
	flow_ws(s, n, pos);
	if (*pos >= n)
		return yfail(p, line, "unexpected end of a flow collection");
	char c = s[*pos];
	if (c == '[' || c == '{') {
		char close = c == '[' ? ']' : '}';
		int map = c == '{';
		(*pos)++;
		if (map)
			yajl_gen_map_open(p->g);
		else
			yajl_gen_array_open(p->g);
		for (;;) {
			flow_ws(s, n, pos);
			if (*pos >= n)
				return yfail(p, line, "unterminated flow collection");
			if (s[*pos] == close) {
				(*pos)++;
				break;
			}
			if (map) {
				if (s[*pos] == '[' || s[*pos] == '{')
					return yfail(p, line, "collections as keys are not supported");
				if (flow_scalar(p, s, n, pos, 1, line) < 0)
					return -1;
				flow_ws(s, n, pos);
				if (*pos < n && s[*pos] == ':') {
					(*pos)++;
					flow_ws(s, n, pos);
					if (*pos < n && (s[*pos] == ',' || s[*pos] == '}'))
						yajl_gen_null(p->g);
					else if (flow_value(p, s, n, pos, depth + 1, line) < 0)
						return -1;
				} else {
					yajl_gen_null(p->g);
				}
			} else if (flow_value(p, s, n, pos, depth + 1, line) < 0) {
				return -1;
			}
			flow_ws(s, n, pos);
			if (*pos < n && s[*pos] == ',') {
				(*pos)++;
				continue;
			}
			if (*pos < n && s[*pos] == close)
				continue;
			return yfail(p, line, "expected ',' or the end of a flow collection");
		}
		if (map)
			yajl_gen_map_close(p->g);
		else
			yajl_gen_array_close(p->g);
		return 0;
	}
	return flow_scalar(p, s, n, pos, 0, line);
}

/* Collects a flow collection that may continue over the next lines. */
static int parse_flow(struct yp *p, const char *s, size_t n, unsigned depth)
{
	struct mls_buf b;
	size_t line = p->i, pos = 0;
	int bal = 0, rc;
	char q = 0;

	size_t scanned = 0;
	int esc = 0;

	mls_buf_init(&b, (size_t)64 << 20);
	mls_buf_append(&b, s, n);
	p->i++;
	for (;;) {
		/* only the newly appended bytes are scanned: linear in the input */
		for (; scanned < b.len; scanned++) {
			char c = b.data[scanned];
			if (q) {
				if (esc)
					esc = 0;
				else if (q == '"' && c == '\\')
					esc = 1;
				else if (c == q)
					q = 0;
			} else if (c == '"' || c == '\'') {
				q = c;
			} else if (c == '[' || c == '{') {
				bal++;
			} else if (c == ']' || c == '}') {
				bal--;
			}
		}
		if (bal <= 0 || p->i >= p->n)
			break;
		mls_buf_putc(&b, '\n');
		if (mls_buf_append(&b, p->l[p->i].s, p->l[p->i].len) < 0) {
			mls_buf_release(&b);
			return yfail(p, line, "flow collection too large");
		}
		p->i++;
	}
	rc = flow_value(p, b.data, b.len, &pos, depth, line);
	if (rc == 0) {
		flow_ws(b.data, b.len, &pos);
		if (pos < b.len && b.data[pos] == '#' )
			pos = b.len;
		if (pos < b.len)
			rc = yfail(p, line, "text after a flow collection");
	}
	mls_buf_release(&b);
	return rc;
}

/* ---- block scalars ---- */

static int parse_block_scalar(struct yp *p, const char *hdr, size_t hlen, int parent_indent)
{
	size_t line = p->i;
	char chomp = 'c';
	int folded = hdr[0] == '>', explicit_ind = 0;
	struct mls_buf b;
	int bind = -1;

	for (size_t k = 1; k < hlen; k++) {
		char c = hdr[k];
		if (c == '-' || c == '+')
			chomp = c;
		else if (c >= '1' && c <= '9')
			explicit_ind = c - '0';
		else if (c == ' ' || c == '\t')
			break; /* a comment may follow */
		else
			return yfail(p, line, "bad block scalar header");
	}
	p->i++;
	if (explicit_ind)
		bind = parent_indent + explicit_ind;
	mls_buf_init(&b, (size_t)64 << 20);
	size_t pending_nl = 0;
	int first = 1, prev_more = 0;
	while (p->i < p->n) {
		const struct yline *l = &p->l[p->i];
		if (is_blank(l)) {
			pending_nl++;
			p->i++;
			continue;
		}
		if (bind < 0) {
			if (l->indent <= parent_indent)
				break;
			bind = l->indent;
		}
		if (l->indent < bind)
			break;
		int more = l->indent > bind;
		if (!first) {
			if (folded && pending_nl == 0 && !more && !prev_more)
				mls_buf_putc(&b, ' ');
			else if (folded && !more && !prev_more)
				for (size_t k = 0; k < pending_nl; k++)
					mls_buf_putc(&b, '\n');
			else
				for (size_t k = 0; k <= pending_nl; k++)
					mls_buf_putc(&b, '\n');
		} else {
			for (size_t k = 0; k < pending_nl; k++)
				mls_buf_putc(&b, '\n');
		}
		for (int k = bind; k < l->indent; k++)
			mls_buf_putc(&b, ' ');
		if (mls_buf_append(&b, l->s, l->len) < 0) {
			mls_buf_release(&b);
			return yfail(p, line, "block scalar too large");
		}
		pending_nl = 0;
		first = 0;
		prev_more = more;
		p->i++;
	}
	if (!first && chomp != '-')
		mls_buf_putc(&b, '\n');
	if (chomp == '+')
		for (size_t k = 0; k < pending_nl; k++)
			mls_buf_putc(&b, '\n');
	mls_jgen_strn(p->g, mls_buf_cstr(&b), b.len);
	mls_buf_release(&b);
	return 0;
}

/* ---- plain / quoted scalars in block context ---- */

/*
 * Emits the scalar s[0..n) found on line p->i (already consumed up to s) and
 * any continuation lines more indented than parent_indent.
 */
static int parse_scalar(struct yp *p, const char *s, size_t n, int parent_indent)
{
	size_t line = p->i;
	struct mls_buf b;
	size_t used = 0;

	if (s[0] == '"' || s[0] == '\'') {
		/* a quoted scalar may continue on following lines: join them */
		size_t scanned = 1;
		int bs = 0, done = 0;
		mls_buf_init(&b, (size_t)64 << 20);
		mls_buf_append(&b, s, n);
		p->i++;
		for (;;) {
			/* is the quote closed?  only the new bytes are scanned */
			for (; scanned < b.len && !done; scanned++) {
				char c = b.data[scanned];
				if (s[0] == '"') {
					if (bs)
						bs = 0;
					else if (c == '\\')
						bs = 1;
					else if (c == '"')
						done = 1;
				} else if (c == '\'') {
					/* '' is an escaped quote (it never spans lines: a space joins them) */
					if (scanned + 1 < b.len && b.data[scanned + 1] == '\'')
						scanned++;
					else
						done = 1;
				}
			}
			if (done || p->i >= p->n)
				break;
			mls_buf_putc(&b, ' ');
			if (mls_buf_append(&b, p->l[p->i].s, p->l[p->i].len) < 0)
				break;
			p->i++;
		}
		int rc = s[0] == '"' ? emit_dquoted(p, b.data, b.len, &used, line)
				     : emit_squoted(p, b.data, b.len, &used, line);
		if (rc == 0) {
			size_t k = used;
			while (k < b.len && (b.data[k] == ' ' || b.data[k] == '\t'))
				k++;
			if (k < b.len && b.data[k] != '#')
				rc = yfail(p, line, "text after a quoted scalar");
		}
		mls_buf_release(&b);
		return rc;
	}
	if (check_plain_start(p, s[0], line) < 0)
		return -1;
	mls_buf_init(&b, (size_t)64 << 20);
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '#' && k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			break;
		mls_buf_putc(&b, s[k]);
	}
	p->i++;
	/* continuation lines */
	while (p->i < p->n) {
		const struct yline *l = &p->l[p->i];
		if (is_blank(l) || is_comment(l)) {
			size_t j = p->i;
			while (j < p->n && (is_blank(&p->l[j]) || is_comment(&p->l[j])))
				j++;
			if (j < p->n && p->l[j].indent > parent_indent && !is_comment(&p->l[p->i])) {
				mls_buf_putc(&b, '\n');
				p->i = j;
				continue;
			}
			break;
		}
		if (l->indent <= parent_indent)
			break;
		if (b.len && b.data[b.len - 1] != '\n')
			mls_buf_putc(&b, ' ');
		for (size_t k = 0; k < l->len; k++) {
			if (l->s[k] == '#' && k > 0 && (l->s[k - 1] == ' ' || l->s[k - 1] == '\t'))
				break;
			if (mls_buf_putc(&b, l->s[k]) < 0)
				break;
		}
		p->i++;
	}
	while (b.len && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	mls_jgen_strn(p->g, mls_buf_cstr(&b), b.len);
	mls_buf_release(&b);
	return 0;
}

/* ---- block collections ---- */

static int parse_block(struct yp *p, int min_indent, unsigned depth);

/*
 * Finds a mapping key on line l: returns 1 with the key's extent and the
 * offset of the value (after ':' and spaces), or 0 when the line is not a
 * "key: value" line.
 */
static int find_key(const struct yline *l, size_t *key_end, size_t *val)
{
	const char *s = l->s;
	size_t n = l->len, k = 0;

	if (n && (s[0] == '"' || s[0] == '\'')) {
		char q = s[0];
		for (k = 1; k < n; k++) {
			if (q == '"' && s[k] == '\\') {
				k++;
				continue;
			}
			if (s[k] == q) {
				if (q == '\'' && k + 1 < n && s[k + 1] == '\'') {
					k++;
					continue;
				}
				break;
			}
		}
		if (k >= n)
			return 0;
		k++;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k < n && s[k] == ':' && (k + 1 == n || s[k + 1] == ' ' || s[k + 1] == '\t')) {
			*key_end = k;
			*val = k + 1;
			while (*val < n && (s[*val] == ' ' || s[*val] == '\t'))
				(*val)++;
			return 1;
		}
		return 0;
	}
	if (n && (s[0] == '[' || s[0] == '{' || s[0] == '#'))
		return 0;
	for (k = 0; k < n; k++) {
		if (s[k] == '#' && k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			return 0;
		if (s[k] == ':' && (k + 1 == n || s[k + 1] == ' ' || s[k + 1] == '\t')) {
			*key_end = k;
			*val = k + 1;
			while (*val < n && (s[*val] == ' ' || s[*val] == '\t'))
				(*val)++;
			return 1;
		}
	}
	return 0;
}

static int emit_key(struct yp *p, const char *s, size_t end, size_t line)
{
	size_t used = 0;
	if (s[0] == '"')
		return emit_dquoted(p, s, end, &used, line);
	if (s[0] == '\'')
		return emit_squoted(p, s, end, &used, line);
	if (check_plain_start(p, s[0], line) < 0)
		return -1;
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	mls_jgen_strn(p->g, s, end);
	return 0;
}

/* The value after "key:" or "- " (s[0..n), possibly empty) of a node at indent ind. */
static int parse_value(struct yp *p, const char *s, size_t n, int ind, unsigned depth)
{
	if (depth > p->max_depth)
		return yfail(p, p->i, "nesting too deep");
	if (n == 0 || s[0] == '#') {
		p->i++;
		skip_empty(p);
		if (p->i < p->n && p->l[p->i].indent > ind)
			return parse_block(p, ind + 1, depth + 1);
		if (p->i < p->n && p->l[p->i].indent == ind && is_seq_item(&p->l[p->i]))
			return parse_block(p, ind, depth + 1);
		yajl_gen_null(p->g);
		return 0;
	}
	if (s[0] == '|' || s[0] == '>')
		return parse_block_scalar(p, s, n, ind);
	if (s[0] == '[' || s[0] == '{')
		return parse_flow(p, s, n, depth + 1);
	return parse_scalar(p, s, n, ind);
}

static int parse_seq(struct yp *p, int ind, unsigned depth)
{
	yajl_gen_array_open(p->g);
	for (;;) {
		skip_empty(p);
		if (p->failed)
			return -1;
		if (p->i >= p->n)
			break;
		struct yline *l = &p->l[p->i];
		if (l->indent != ind || !is_seq_item(l))
			break;
		size_t off = 1;
		while (off < l->len && (l->s[off] == ' ' || l->s[off] == '\t'))
			off++;
		if (off >= l->len || l->s[off] == '#') {
			if (parse_value(p, "", 0, ind, depth) < 0)
				return -1;
			continue;
		}
		/* the item's content becomes a node of its own at its column */
		size_t kend, kval;
		l->s += off;
		l->len -= off;
		l->indent += (int)off;
		if (is_seq_item(l) || find_key(l, &kend, &kval)) {
			if (parse_block(p, l->indent, depth + 1) < 0)
				return -1;
		} else if (parse_value(p, l->s, l->len, ind, depth) < 0) {
			return -1;
		}
	}
	yajl_gen_array_close(p->g);
	return p->failed ? -1 : 0;
}

static int parse_map(struct yp *p, int ind, unsigned depth)
{
	yajl_gen_map_open(p->g);
	for (;;) {
		skip_empty(p);
		if (p->failed)
			return -1;
		if (p->i >= p->n)
			break;
		const struct yline *l = &p->l[p->i];
		size_t kend, kval;
		if (l->indent < ind)
			break;
		if (l->indent > ind)
			return yfail(p, p->i, "unexpected indentation");
		if (is_seq_item(l))
			break;
		if (!find_key(l, &kend, &kval))
			return yfail(p, p->i, "expected 'key: value'");
		if (emit_key(p, l->s, kend, p->i) < 0)
			return -1;
		if (parse_value(p, l->s + kval, l->len - kval, ind, depth) < 0)
			return -1;
	}
	yajl_gen_map_close(p->g);
	return p->failed ? -1 : 0;
}

static int parse_block(struct yp *p, int min_indent, unsigned depth)
{
	size_t kend, kval;

	if (depth > p->max_depth)
		return yfail(p, p->i, "nesting too deep");
	skip_empty(p);
	if (p->i >= p->n) {
		yajl_gen_null(p->g);
		return 0;
	}
	struct yline *l = &p->l[p->i];
	if (l->indent < min_indent) {
		yajl_gen_null(p->g);
		return 0;
	}
	if (is_seq_item(l))
		return parse_seq(p, l->indent, depth);
	if (find_key(l, &kend, &kval))
		return parse_map(p, l->indent, depth);
	return parse_value(p, l->s, l->len, l->indent - 1, depth);
}

int hs_yaml_to_json(struct mls_buf *out, const char *text, size_t len, unsigned max_depth)
{
	struct yp p;
	const unsigned char *buf;
	size_t blen, cap = 0;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.max_depth = max_depth ? max_depth : HS_DEFAULT_MAX_DEPTH;
	if (memchr(text, '\0', len))
		return mls_error_set(MLS_EFORMAT, "front matter contains a NUL byte");
	/* split into lines */
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		if (p.n == cap) {
			if (cap >= YAML_MAX_LINES) {
				rc = mls_error_set(MLS_ELIMIT, "front matter has more than %d lines", YAML_MAX_LINES);
				goto done;
			}
			size_t nc = cap ? cap * 2 : 64;
			struct yline *nl = realloc(p.l, nc * sizeof(*nl));
			if (!nl) {
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
				goto done;
			}
			p.l = nl;
			cap = nc;
		}
		struct yline *l = &p.l[p.n++];
		size_t k = i;
		while (k < j && text[k] == ' ')
			k++;
		if (k < j && text[k] == '\t') {
			/* a tab in the indentation: only allowed on blank lines */
			size_t t = k;
			while (t < j && isspace((unsigned char)text[t]))
				t++;
			if (t < j) {
				rc = mls_error_set(MLS_EFORMAT, "front matter line %zu: tab in indentation", p.n);
				goto done;
			}
		}
		size_t e = j;
		while (e > k && isspace((unsigned char)text[e - 1]))
			e--;
		l->s = text + k;
		l->len = e - k;
		l->indent = (int)(k - i);
		if (l->indent > 100000)
			l->indent = 100000;
		i = j + 1;
	}
	p.g = mls_jgen_new(0);
	if (!p.g) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	yajl_gen_config(p.g, yajl_gen_validate_utf8, 0);
	skip_empty(&p);
	if (p.i < p.n && p.l[p.i].len == 3 && !memcmp(p.l[p.i].s, "---", 3))
		p.i++;
	skip_empty(&p);
	if (p.i >= p.n) {
		yajl_gen_map_open(p.g);
		yajl_gen_map_close(p.g);
	} else if (parse_block(&p, 0, 1) < 0 || p.failed) {
		rc = mls_error_set(MLS_EFORMAT, "%s", p.err[0] ? p.err : "front matter: invalid YAML");
		goto done;
	} else {
		skip_empty(&p);
		if (p.i < p.n) {
			if ((p.l[p.i].len == 3 && (!memcmp(p.l[p.i].s, "---", 3) || !memcmp(p.l[p.i].s, "...", 3))))
				rc = mls_error_set(MLS_EFORMAT, "front matter line %zu: multiple documents are not supported",
						   p.i + 1);
			else
				rc = mls_error_set(MLS_EFORMAT, "front matter line %zu: unexpected content", p.i + 1);
			goto done;
		}
	}
	if (yajl_gen_get_buf(p.g, &buf, &blen) != yajl_gen_status_ok) {
		rc = mls_error_set(MLS_EFORMAT, "front matter: cannot convert to JSON");
		goto done;
	}
	rc = mls_buf_append(out, buf, blen);
done:
	if (p.g)
		yajl_gen_free(p.g);
	free(p.l);
	return rc;
}

int hs_frontmatter_split(const char *text, size_t len, const char **fm, size_t *fmlen, const char **body,
			 size_t *bodylen)
{
	size_t i = 0;

	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
		i = 3;
	if (len - i < 3 || memcmp(text + i, "---", 3) != 0)
		return 0;
	i += 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i < len && text[i] != '\n')
		return 0;
	i++;
	size_t start = i;
	while (i <= len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t e = j;
		while (e > i && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t'))
			e--;
		if (e - i == 3 && (!memcmp(text + i, "---", 3) || !memcmp(text + i, "...", 3))) {
			*fm = text + start;
			*fmlen = i - start;
			*body = j < len ? text + j + 1 : text + len;
			*bodylen = (size_t)(text + len - *body);
			return 1;
		}
		if (j >= len)
			break;
		i = j + 1;
	}
	return mls_error_set(MLS_EFORMAT, "model card front matter is not closed by '---'");
}

int hs_card_parse(struct hs_card *c, const char *text, size_t len, uint64_t max_bytes, unsigned max_depth)
{
	const char *fm = NULL, *body = NULL;
	size_t fmlen = 0, bodylen = 0, i = 0;
	struct mls_buf json;
	int rc;

	memset(c, 0, sizeof(*c));
	if (max_bytes && len > max_bytes)
		return mls_error_set(MLS_ELIMIT, "model card of %zu bytes exceeds the %llu byte limit", len,
				     (unsigned long long)max_bytes);
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && text[i] == '{') {
		rc = mls_json_parse(&c->root, text, len, max_bytes, max_depth);
		if (rc == 0 && !YAJL_IS_OBJECT(c->root)) {
			yajl_tree_free(c->root);
			c->root = NULL;
			rc = mls_error_set(MLS_EFORMAT, "a JSON model card must be an object");
		}
		return rc;
	}
	c->from_readme = 1;
	if (memchr(text, '\0', len) || !mls_utf8_valid(text, len))
		return mls_error_set(MLS_EFORMAT, "model card is neither JSON nor UTF-8 text (README with YAML front matter)");
	rc = hs_frontmatter_split(text, len, &fm, &fmlen, &body, &bodylen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (i < len && text[i] == '[')
			return mls_error_set(MLS_EFORMAT, "a JSON model card must be an object");
		body = text;
		bodylen = len;
	}
	mls_buf_init(&json, (size_t)(max_bytes ? max_bytes * 4 + 64 : MLS_BUF_DEFAULT_MAX));
	if (rc == 1)
		rc = hs_yaml_to_json(&json, fm, fmlen, max_depth);
	else
		rc = mls_buf_puts(&json, "{}");
	if (rc == 0)
		rc = mls_json_parse(&c->root, json.data, json.len, 0, max_depth ? max_depth + 2 : 0);
	if (rc == 0 && !YAJL_IS_OBJECT(c->root)) {
		rc = mls_error_set(MLS_EFORMAT, "model card front matter must be a mapping");
		yajl_tree_free(c->root);
		c->root = NULL;
	}
	if (rc == 0) {
		c->body = strndup(body, bodylen);
		if (!c->body)
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
	}
	mls_buf_release(&json);
	return rc;
}

int hs_card_load(struct hs_card *c, const char *path, uint64_t max_bytes, unsigned max_depth)
{
	struct mls_buf b;
	int rc;

	memset(c, 0, sizeof(*c));
	mls_buf_init(&b, (size_t)max_bytes + 1);
	rc = mls_read_file(&b, path, (size_t)max_bytes);
	if (rc == 0)
		rc = hs_card_parse(c, mls_buf_cstr(&b), b.len, max_bytes, max_depth);
	if (rc < 0)
		mls_error_prefix("model card '%s'", path);
	mls_buf_release(&b);
	return rc;
}

void hs_card_release(struct hs_card *c)
{
	if (!c)
		return;
	if (c->root)
		yajl_tree_free(c->root);
	free(c->body);
	memset(c, 0, sizeof(*c));
}
