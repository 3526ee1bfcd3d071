/*
 * pip requirements files: one PEP 508 requirement per logical line.
 *
 * Supported: comments ("#" at the start or after whitespace), line
 * continuations (trailing "\"), names with extras ("pkg[a,b]"), version
 * specifiers (~= == != <= >= < > ===, comma separated, optionally in
 * parentheses), direct references ("pkg @ URL"), environment markers (";"),
 * per-requirement options (--hash=ALG:HEX, others ignored), -r/--requirement
 * and -c/--constraint includes (relative to the including file; constraint
 * files are read for their own includes but add no component), and the
 * global options pip accepts (ignored).  Editable (-e) and bare path/URL
 * lines have no name to list: each becomes a warning.  Everything is
 * bounded: include depth, files read, line length, file size, entries.
 * Markers are recorded, not evaluated.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashsbom.h"

void hs_req_limits_default(struct hs_req_limits *l)
{
	l->max_depth = 8;
	l->max_files = 64;
	l->max_line = (size_t)64 << 10;
	l->max_bytes = (size_t)16 << 20;
	l->max_reqs = 20000;
}

struct req_state {
	struct hs_req_list *out;
	const struct hs_req_limits *lim;
	int follow;             /* follow includes (files) */
	char **stack;           /* realpaths of the files being read (loop detection) */
	unsigned depth;
};

char *hs_pep503_normalize(const char *name)
{
	size_t n = strlen(name);
	char *out = malloc(n + 1);
	size_t k = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-' || c == '_' || c == '.') {
			if (k == 0 || out[k - 1] != '-')
				out[k++] = '-';
		} else {
			out[k++] = (char)tolower((unsigned char)c);
		}
	}
	out[k] = '\0';
	return out;
}

/* Percent-encodes s into b, keeping unreserved characters and `keep`. */
static int purl_encode(struct mls_buf *b, const char *s, const char *keep)
{
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p) || (keep && strchr(keep, *p)))
			rc = mls_buf_putc(b, (char)*p);
		else
			rc = mls_buf_printf(b, "%%%02X", *p);
	}
	return rc;
}

/*
 * The package URL of a PyPI package.  The purl specification lower-cases
 * the name and replaces "_" with "-" (dots stay), which is also what
 * packageurl-python and cyclonedx-py write.
 */
char *hs_pypi_purl(const char *name, const char *version)
{
	struct mls_buf b;
	int rc;

	mls_buf_init(&b, (size_t)1 << 16);
	rc = mls_buf_puts(&b, "pkg:pypi/");
	for (const char *p = name; rc == 0 && *p; p++) {
		char c = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
		char s[2] = { c, 0 };
		rc = purl_encode(&b, s, NULL);
	}
	if (rc == 0 && version) {
		rc = mls_buf_putc(&b, '@');
		if (rc == 0)
			rc = purl_encode(&b, version, NULL);
	}
	if (rc < 0) {
		mls_buf_release(&b);
		return NULL;
	}
	return mls_buf_detach(&b, NULL);
}

static void req_free(struct hs_req *r)
{
	free(r->name);
	free(r->norm);
	free(r->version);
	free(r->specifier);
	for (size_t i = 0; i < r->nextras; i++)
		free(r->extras[i]);
	free(r->extras);
	free(r->marker);
	free(r->url);
	for (size_t i = 0; i < r->nhashes; i++)
		free(r->hashes[i]);
	free(r->hashes);
	free(r->origin);
	memset(r, 0, sizeof(*r));
}

void hs_req_list_release(struct hs_req_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		req_free(&l->v[i]);
	free(l->v);
	hs_warnings_release(&l->warnings);
	memset(l, 0, sizeof(*l));
}

static int strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	char **p = realloc(*v, (*n + 1) * sizeof(*p));
	if (!p)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	*v = p;
	if (!(p[*n] = strdup(s)))
		return mls_error_set(MLS_ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Adds r to the list (taking its strings), merging a duplicate (same
 * normalised name, version and URL): extras and hashes are united. */
static int list_add(struct req_state *st, struct hs_req *r)
{
	struct hs_req_list *l = st->out;
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct hs_req *o = &l->v[i];
		if (strcmp(o->norm, r->norm) != 0 || !same_str(o->version, r->version) || !same_str(o->url, r->url))
			continue;
		for (size_t k = 0; rc == 0 && k < r->nextras; k++)
			rc = strv_add_unique(&o->extras, &o->nextras, r->extras[k]);
		for (size_t k = 0; rc == 0 && k < r->nhashes; k++)
			rc = strv_add_unique(&o->hashes, &o->nhashes, r->hashes[k]);
		req_free(r);
		return rc;
	}
	if (l->n >= st->lim->max_reqs) {
		req_free(r);
		return mls_error_set(MLS_ELIMIT, "more than %zu requirements", st->lim->max_reqs);
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct hs_req *p = realloc(l->v, nc * sizeof(*p));
		if (!p) {
			req_free(r);
			return mls_error_set(MLS_ENOMEM, "out of memory");
		}
		l->v = p;
		l->cap = nc;
	}
	l->v[l->n++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* Reads a PEP 508 identifier at *pp; returns a copy or NULL (no name). */
static char *read_name(const char **pp)
{
	const char *p = *pp, *s = p;
	if (!isalnum((unsigned char)*p))
		return NULL;
	while (is_name_char(*p))
		p++;
	while (p > s && !isalnum((unsigned char)p[-1]))
		p--;
	*pp = p;
	return strndup(s, (size_t)(p - s));
}

static const char *const version_ops[] = { "===", "~=", "==", "!=", "<=", ">=", "<", ">" };

static int is_version_char(char c)
{
	return isalnum((unsigned char)c) || strchr(".*+!_-", c) != NULL;
}

/*
 * Parses a version specifier list between p and end ("(>=1, <2)" or
 * ">=1,<2"); on success sets *spec (normalised: no spaces) and *pinned
 * (the version when the list is a single == / === clause without '*').
 */
static int parse_specifier(char **spec, char **pinned, const char *p, const char *end)
{
	struct mls_buf b;
	int nclauses = 0, rc = 0, paren = 0;
	const char *last_op = NULL, *last_v = NULL;
	size_t last_vlen = 0;

	*spec = *pinned = NULL;
	mls_buf_init(&b, (size_t)1 << 16);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p < end && *p == '(') {
		if (end[-1] != ')') {
			rc = mls_error_set(MLS_EFORMAT, "unbalanced parenthesis in version specifier");
			goto done;
		}
		p++;
		end--;
		paren = 1;
	}
	(void)paren;
	while (p < end) {
		const char *op = NULL;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (size_t i = 0; i < MLS_ARRAY_SIZE(version_ops); i++) {
			size_t l = strlen(version_ops[i]);
			if ((size_t)(end - p) >= l && memcmp(p, version_ops[i], l) == 0) {
				op = version_ops[i];
				p += l;
				break;
			}
		}
		if (!op) {
			rc = mls_error_set(MLS_EFORMAT, "expected a version operator (==, >=, ~= ...)");
			goto done;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *v = p;
		if (strcmp(op, "===") == 0) {
			while (p < end && *p != ',' && *p != ' ' && *p != '\t' && (unsigned char)*p > ' ')
				p++;
		} else {
			while (p < end && is_version_char(*p))
				p++;
		}
		if (p == v) {
			rc = mls_error_set(MLS_EFORMAT, "missing version after '%s'", op);
			goto done;
		}
		if (nclauses)
			mls_buf_putc(&b, ',');
		mls_buf_puts(&b, op);
		rc = mls_buf_append(&b, v, (size_t)(p - v));
		if (rc < 0)
			goto done;
		nclauses++;
		last_op = op;
		last_v = v;
		last_vlen = (size_t)(p - v);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end) {
			if (*p != ',') {
				rc = mls_error_set(MLS_EFORMAT, "unexpected '%c' in version specifier", *p);
				goto done;
			}
			p++;
		}
	}
	if (nclauses == 0) {
		rc = mls_error_set(MLS_EFORMAT, "empty version specifier");
		goto done;
	}
	if (nclauses == 1 && (strcmp(last_op, "==") == 0 || strcmp(last_op, "===") == 0) &&
	    !memchr(last_v, '*', last_vlen)) {
		*pinned = strndup(last_v, last_vlen);
		if (!*pinned) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
			goto done;
		}
	}
	*spec = mls_buf_detach(&b, NULL);
done:
	mls_buf_release(&b);
	return rc;
}

static int valid_hash(const char *alg_hex)
{
	const char *colon = strchr(alg_hex, ':');
	size_t n, want;
	if (!colon)
		return 0;
	n = strlen(colon + 1);
	if (!strncmp(alg_hex, "sha256:", 7))
		want = 64;
	else if (!strncmp(alg_hex, "sha384:", 7))
		want = 96;
	else if (!strncmp(alg_hex, "sha512:", 7))
		want = 128;
	else
		return 0;
	if (n != want)
		return 0;
	for (const char *p = colon + 1; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	return 1;
}

/* Per-requirement options after the requirement (" --hash=sha256:..."). */
static int parse_req_options(struct req_state *st, struct hs_req *r, char *opts, const char *origin)
{
	char *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(opts, " \t", &save); rc == 0 && tok; tok = strtok_r(NULL, " \t", &save)) {
		const char *val = NULL;
		if (!strncmp(tok, "--hash=", 7)) {
			val = tok + 7;
		} else if (!strcmp(tok, "--hash")) {
			val = strtok_r(NULL, " \t", &save);
		} else {
			if (!strncmp(tok, "--", 2) && !strchr(tok, '=')) /* option with a separate value */
				(void)strtok_r(NULL, " \t", &save);
			continue;
		}
		if (!val || !valid_hash(val)) {
			hs_warnings_add(&st->out->warnings, "%s: ignoring invalid --hash value '%s'", origin,
					val ? val : "");
			continue;
		}
		char lower[160];
		size_t n = strlen(val);
		if (n >= sizeof(lower))
			continue;
		for (size_t i = 0; i <= n; i++)
			lower[i] = (char)tolower((unsigned char)val[i]);
		rc = strv_add_unique(&r->hashes, &r->nhashes, lower);
	}
	return rc;
}

/* Parses one requirement line (comment stripped, trimmed, non-empty). */
static int parse_requirement(struct req_state *st, char *line, const char *origin, int constraint)
{
	struct hs_req r;
	char *opts = NULL;
	const char *p;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	/* per-requirement options start at the first " --" */
	for (char *q = line; *q; q++)
		if ((*q == ' ' || *q == '\t') && q[1] == '-' && q[2] == '-') {
			*q = '\0';
			opts = q + 1;
			break;
		}
	p = skip_ws(line);
	r.name = read_name(&p);
	if (!r.name) {
		if (*p == '.' || *p == '/' || strstr(p, "://"))
			hs_warnings_add(&st->out->warnings, "%s: '%s' is a path or URL without a package name: not listed",
					origin, line);
		else
			hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': expected a package name",
					origin, line);
		goto done;
	}
	if (strstr(r.name, ".whl") || strstr(r.name, ".tar") || strstr(r.name, ".zip") || (*p == '/' )) {
		hs_warnings_add(&st->out->warnings, "%s: '%s' is a path or URL without a package name: not listed",
				origin, line);
		goto done;
	}
	p = skip_ws(p);
	if (*p == '[') {
		p++;
		for (;;) {
			p = skip_ws(p);
			if (*p == ']') {
				p++;
				break;
			}
			char *ex = read_name(&p);
			if (!ex) {
				hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': bad extras", origin, line);
				goto done;
			}
			rc = strv_add_unique(&r.extras, &r.nextras, ex);
			free(ex);
			if (rc < 0)
				goto done;
			p = skip_ws(p);
			if (*p == ',')
				p++;
			else if (*p != ']') {
				hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': bad extras", origin, line);
				goto done;
			}
		}
		p = skip_ws(p);
	}
	if (*p == '@') {
		const char *u = skip_ws(p + 1), *e = u;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		if (e == u) {
			hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': missing URL after '@'", origin, line);
			goto done;
		}
		r.url = strndup(u, (size_t)(e - u));
		p = skip_ws(e);
		if (*p && *p != ';') {
			hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': text after the URL", origin, line);
			goto done;
		}
	} else if (*p && *p != ';') {
		const char *end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		if (parse_specifier(&r.specifier, &r.version, p, end) < 0) {
			hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': %s", origin, line,
					mls_error_msg());
			goto done;
		}
		p = end;
	}
	if (*p == ';') {
		const char *m = skip_ws(p + 1);
		size_t n = strlen(m);
		while (n && (m[n - 1] == ' ' || m[n - 1] == '\t'))
			n--;
		if (n == 0) {
			hs_warnings_add(&st->out->warnings, "%s: cannot parse requirement '%s': empty marker", origin, line);
			goto done;
		}
		r.marker = strndup(m, n);
	}
	if (opts && (rc = parse_req_options(st, &r, opts, origin)) < 0)
		goto done;
	if (constraint)
		goto done;
	r.norm = hs_pep503_normalize(r.name);
	r.origin = strdup(origin);
	if (!r.norm || !r.origin) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	if (!r.version && !r.url)
		hs_warnings_add(&st->out->warnings, "%s: '%s' is not pinned to one version (==): listed without a version",
				origin, r.name);
	return list_add(st, &r);
done:
	req_free(&r);
	return rc;
}

static int parse_file_impl(struct req_state *st, const char *path, int constraint);

/* Handles a line starting with '-'. */
static int parse_option_line(struct req_state *st, char *line, const char *origin, const char *dir)
{
	static const char *const ignored_with_value[] = { "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
							  "--trusted-host", "--no-binary", "--only-binary", "--use-feature",
							  "--config-settings", "--global-option", "--install-option", "--progress-bar" };
	static const char *const ignored_flags[] = { "--no-index", "--pre", "--prefer-binary", "--require-hashes",
						     "-Z", "--always-unzip", "--no-deps" };
	char *save = NULL;
	char *opt = strtok_r(line, " \t", &save);
	char *val = NULL;
	int include = 0, constraint = 0;

	if (!opt)
		return 0;
	char *eq = strchr(opt, '=');
	if (!strncmp(opt, "--", 2) && eq) {
		*eq = '\0';
		val = eq + 1;
	}
	if (!strcmp(opt, "-r") || !strcmp(opt, "--requirement")) {
		include = 1;
	} else if (!strcmp(opt, "-c") || !strcmp(opt, "--constraint")) {
		include = constraint = 1;
	} else if (!strncmp(opt, "-r", 2) && opt[2] && opt[1] != '-') {
		include = 1;
		val = opt + 2;
	} else if (!strncmp(opt, "-c", 2) && opt[2] && opt[1] != '-') {
		include = constraint = 1;
		val = opt + 2;
	} else if (!strcmp(opt, "-e") || !strcmp(opt, "--editable") || !strncmp(opt, "-e", 2)) {
		hs_warnings_add(&st->out->warnings, "%s: editable requirement not listed", origin);
		return 0;
	} else {
		for (size_t i = 0; i < MLS_ARRAY_SIZE(ignored_with_value); i++)
			if (!strcmp(opt, ignored_with_value[i]))
				return 0;
		for (size_t i = 0; i < MLS_ARRAY_SIZE(ignored_flags); i++)
			if (!strcmp(opt, ignored_flags[i]))
				return 0;
		hs_warnings_add(&st->out->warnings, "%s: unknown option '%s' ignored", origin, opt);
		return 0;
	}
	if (!val)
		val = strtok_r(NULL, " \t", &save);
	if (!val || !*val) {
		hs_warnings_add(&st->out->warnings, "%s: '%s' without a file name", origin, opt);
		return 0;
	}
	(void)include;
	if (strstr(val, "://")) {
		hs_warnings_add(&st->out->warnings, "%s: remote include '%s' not followed", origin, val);
		return 0;
	}
	if (!st->follow || !dir) {
		hs_warnings_add(&st->out->warnings, "%s: include '%s' not followed", origin, val);
		return 0;
	}
	struct mls_buf p;
	int rc;
	mls_buf_init(&p, PATH_MAX * 2);
	if (val[0] == '/')
		rc = mls_buf_puts(&p, val);
	else
		rc = mls_path_join(&p, dir, val);
	if (rc < 0) {
		/* ".." in an include is allowed in pip; join it without the check */
		mls_buf_reset(&p);
		rc = mls_buf_printf(&p, "%s/%s", dir, val);
	}
	if (rc == 0)
		rc = parse_file_impl(st, mls_buf_cstr(&p), constraint);
	if (rc < 0)
		mls_error_prefix("%s", origin);
	mls_buf_release(&p);
	return rc;
}

/* Cuts a comment: "#" at the start or after whitespace. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

static int parse_text_impl(struct req_state *st, const char *text, size_t len, const char *name, const char *dir,
			   int constraint)
{
	struct mls_buf logical;
	char origin[512];
	size_t i = 0;
	unsigned lineno = 0, start = 0;
	int rc = 0;

	mls_buf_init(&logical, st->lim->max_line + 1);
	while (i < len && rc == 0) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t e = j;
		if (e > i && text[e - 1] == '\r')
			e--;
		lineno++;
		if (logical.len == 0)
			start = lineno;
		int cont = e > i && text[e - 1] == '\\';
		if (cont)
			e--;
		if (memchr(text + i, '\0', e - i)) {
			rc = mls_error_set(MLS_EFORMAT, "%s:%u: NUL byte in a requirements file", name, lineno);
			break;
		}
		if (logical.len + (e - i) > st->lim->max_line) {
			rc = mls_error_set(MLS_ELIMIT, "%s:%u: line longer than %zu bytes", name, lineno, st->lim->max_line);
			break;
		}
		mls_buf_append(&logical, text + i, e - i);
		i = j + 1;
		if (cont && i < len)
			continue;
		char *s = logical.data ? logical.data : NULL;
		if (s) {
			strip_comment(s);
			char *b = s;
			while (*b == ' ' || *b == '\t' || *b == '\f' || *b == '\v')
				b++;
			size_t n = strlen(b);
			while (n && isspace((unsigned char)b[n - 1]))
				b[--n] = '\0';
			snprintf(origin, sizeof(origin), "%s:%u", name, start);
			if (*b == '-')
				rc = parse_option_line(st, b, origin, dir);
			else if (*b)
				rc = parse_requirement(st, b, origin, constraint);
		}
		mls_buf_reset(&logical);
	}
	mls_buf_release(&logical);
	return rc;
}

static int parse_file_impl(struct req_state *st, const char *path, int constraint)
{
	struct mls_buf text;
	char *real = NULL, *dir = NULL;
	int rc = 0, pushed = 0;

	mls_buf_init(&text, st->lim->max_bytes + 1);
	if (st->depth >= st->lim->max_depth) {
		rc = mls_error_set(MLS_ELIMIT, "includes nested deeper than %u at '%s'", st->lim->max_depth, path);
		goto done;
	}
	if (st->out->files_read >= st->lim->max_files) {
		rc = mls_error_set(MLS_ELIMIT, "more than %zu requirements files included", st->lim->max_files);
		goto done;
	}
	real = realpath(path, NULL);
	if (!real) {
		rc = mls_error_set(errno == ENOENT ? MLS_ENOTFOUND : MLS_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	for (unsigned k = 0; k < st->depth; k++)
		if (strcmp(st->stack[k], real) == 0) {
			rc = mls_error_set(MLS_EFORMAT, "include loop: '%s' includes itself (through %u file%s)", path,
					   st->depth - k, st->depth - k == 1 ? "" : "s");
			goto done;
		}
	rc = mls_read_file(&text, real, st->lim->max_bytes);
	if (rc < 0)
		goto done;
	st->out->files_read++;
	dir = strdup(real);
	if (!dir) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	st->stack[st->depth++] = real;
	pushed = 1;
	rc = parse_text_impl(st, mls_buf_cstr(&text), text.len, path, dir, constraint);
done:
	if (pushed)
		st->depth--;
	free(real);
	free(dir);
	mls_buf_release(&text);
	return rc;
}

int hs_req_parse_file(struct hs_req_list *out, const char *path, const struct hs_req_limits *lim)
{
	struct hs_req_limits def;
	struct req_state st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!lim) {
		hs_req_limits_default(&def);
		lim = &def;
	}
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.lim = lim;
	st.follow = 1;
	st.stack = calloc(lim->max_depth + 1, sizeof(*st.stack));
	if (!st.stack)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	rc = parse_file_impl(&st, path, 0);
	free(st.stack);
	return rc;
}

int hs_req_parse_text(struct hs_req_list *out, const char *text, size_t len, const char *origin,
		      const struct hs_req_limits *lim)
{
	struct hs_req_limits def;
	struct req_state st;

	memset(out, 0, sizeof(*out));
	if (!lim) {
		hs_req_limits_default(&def);
		lim = &def;
	}
	if (len > lim->max_bytes)
		return mls_error_set(MLS_ELIMIT, "'%s' is larger than the %zu byte limit", origin, lim->max_bytes);
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.lim = lim;
	return parse_text_impl(&st, text, len, origin ? origin : "<text>", NULL, 0);
}
