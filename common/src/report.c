/*
 * The report model: files, findings, errors, rules and properties added by
 * a tool (from any thread), then finished (status, verdict, sorting) and
 * rendered by one of the four writers.  Also the names of severities,
 * statuses and formats, and the shared output options.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mls/common.h"
#include "report_priv.h"

/* Hard limits: a hostile input must not make the report itself unbounded. */
#define REPORT_MAX_ENTRIES ((size_t)1 << 22) /* per array: files, findings, errors... */
#define REPORT_MAX_STR ((size_t)64 << 10)    /* one string copied into the report */
#define REPORT_MAX_DOC ((size_t)1 << 30)     /* one rendered report */
#define REPORT_TRUNC_MARK "...[truncated]"

static void report_lock(const struct mls_report *r)
{
	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
}

static void report_unlock(const struct mls_report *r)
{
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
}

/*
 * Copies s (NULL stays NULL) into a new string; strings longer than
 * REPORT_MAX_STR are cut at a UTF-8 character boundary and marked.  Returns
 * 0, or MLS_ENOMEM leaving *out NULL.
 */
static int dup_str(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	size_t n = strlen(s), keep = n, extra = 0;
	if (n > REPORT_MAX_STR) {
		keep = REPORT_MAX_STR;
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
		extra = sizeof(REPORT_TRUNC_MARK) - 1;
	}
	char *p = malloc(keep + extra + 1);
	if (!p)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	memcpy(p, s, keep);
	if (extra)
		memcpy(p + keep, REPORT_TRUNC_MARK, extra);
	p[keep + extra] = '\0';
	*out = p;
	return 0;
}

/* Makes room for one more element in *arr (size elem), doubling capacity. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem, const char *what)
{
	if (n < *cap)
		return 0;
	if (n >= REPORT_MAX_ENTRIES)
		return mls_error_set(MLS_ELIMIT, "report: too many %s (limit %zu)", what, REPORT_MAX_ENTRIES);
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > REPORT_MAX_ENTRIES)
		ncap = REPORT_MAX_ENTRIES;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

static void kv_release(struct mls_kv *kv)
{
	free(kv->key);
	free(kv->value);
}

static void file_release(struct mls_report_file *f)
{
	free(f->path);
	free(f->sha256);
	free(f->format);
	free(f->reason);
}

static void finding_release(struct mls_finding *f)
{
	free(f->id);
	free(f->rule);
	free(f->path);
	free(f->location);
	free(f->message);
	free(f->evidence);
	for (size_t i = 0; i < f->ndetails; i++)
		kv_release(&f->details[i]);
	free(f->details);
}

static void rule_release(struct mls_rule_info *ri)
{
	free(ri->id);
	free(ri->name);
	free(ri->description);
	free(ri->help_uri);
}

/* ------------------------------------------------------------------ names */

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical" };
static const char *const file_status_names[] = { "scanned", "skipped", "incomplete", "failed" };
static const char *const status_names[] = { "complete", "incomplete", "error" };
static const char *const verdict_names[] = { "clean", "findings", "unknown" };
static const char *const format_names[] = { "text", "json", "sarif", "junit" };

const char *mls_severity_name(enum mls_severity s)
{
	return (unsigned)s < MLS_ARRAY_SIZE(sev_names) ? sev_names[s] : "unknown";
}

/* Accepts info|low|medium|high|critical, case-insensitive. */
int mls_severity_parse(enum mls_severity *out, const char *s)
{
	for (size_t i = 0; s && i < MLS_ARRAY_SIZE(sev_names); i++) {
		if (strcasecmp(s, sev_names[i]) == 0) {
			*out = (enum mls_severity)i;
			return 0;
		}
	}
	return mls_error_set(MLS_EINVAL, "invalid severity '%s' (expected critical, high, medium, low or info)",
			     s ? s : "");
}

const char *mls_file_status_name(enum mls_file_status s)
{
	return (unsigned)s < MLS_ARRAY_SIZE(file_status_names) ? file_status_names[s] : "unknown";
}

const char *mls_report_status_name(enum mls_report_status s)
{
	return (unsigned)s < MLS_ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

const char *mls_verdict_name(enum mls_verdict v)
{
	return (unsigned)v < MLS_ARRAY_SIZE(verdict_names) ? verdict_names[v] : "unknown";
}

/* Accepts text|console|json|sarif|junit (console is ModelScan's name for text). */
int mls_format_parse(enum mls_format *out, const char *s)
{
	if (s && strcasecmp(s, "console") == 0) {
		*out = MLS_FMT_TEXT;
		return 0;
	}
	for (size_t i = 0; s && i < MLS_ARRAY_SIZE(format_names); i++) {
		if (strcasecmp(s, format_names[i]) == 0) {
			*out = (enum mls_format)i;
			return 0;
		}
	}
	return mls_error_set(MLS_EINVAL, "invalid format '%s' (expected text, json, sarif or junit)", s ? s : "");
}

const char *mls_format_name(enum mls_format f)
{
	return (unsigned)f < MLS_ARRAY_SIZE(format_names) ? format_names[f] : "unknown";
}

/* ------------------------------------------------------------ life cycle */

/* Allocates an empty report (threshold medium, started_at now); *out is the caller's (mls_report_free). */
int mls_report_new(struct mls_report **out, const char *tool, const char *version, const char *target)
{
	int rc = 0;
	struct mls_report *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		return mls_error_set(MLS_ENOMEM, "report: cannot create a mutex");
	}
	if ((rc = dup_str(&r->tool_name, tool ? tool : "mlsecops")) < 0 ||
	    (rc = dup_str(&r->tool_version, version ? version : MLS_VERSION)) < 0 ||
	    (rc = dup_str(&r->target, target)) < 0)
		goto done;
	mls_time_rfc3339(r->started_at);
	r->threshold = MLS_SEV_MEDIUM;
	r->status = MLS_STATUS_COMPLETE;
	r->verdict = MLS_VERDICT_UNKNOWN;
	*out = r;
	r = NULL;
done:
	mls_report_free(r);
	return rc;
}

void mls_report_free(struct mls_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		file_release(&r->files[i]);
	for (size_t i = 0; i < r->nfindings; i++)
		finding_release(&r->findings[i]);
	for (size_t i = 0; i < r->nerrors; i++) {
		free(r->errors[i].path);
		free(r->errors[i].message);
	}
	for (size_t i = 0; i < r->nrules; i++)
		rule_release(&r->rules[i]);
	for (size_t i = 0; i < r->nprops; i++)
		kv_release(&r->props[i]);
	free(r->files);
	free(r->findings);
	free(r->errors);
	free(r->rules);
	free(r->props);
	free(r->tool_name);
	free(r->tool_version);
	free(r->target);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ----------------------------------------------------------------- adds */

/* Adds a file entry (strings copied); returns its index or a negative code. */
long mls_report_add_file(struct mls_report *r, const char *path, uint64_t size, const char *sha256,
			 const char *format, enum mls_file_status status, const char *reason)
{
	struct mls_report_file f = { 0 };
	long rc;
	if (!r || !path)
		return mls_error_set(MLS_EINVAL, "report: file without a path");
	if ((unsigned)status > MLS_FILE_FAILED)
		return mls_error_set(MLS_EINVAL, "report: invalid file status %d", (int)status);
	f.size = size;
	f.status = status;
	if ((rc = dup_str(&f.path, path)) < 0 || (rc = dup_str(&f.sha256, sha256)) < 0 ||
	    (rc = dup_str(&f.format, format)) < 0 || (rc = dup_str(&f.reason, reason)) < 0)
		goto done;
	report_lock(r);
	rc = grow((void **)&r->files, &r->capfiles, r->nfiles, sizeof(*r->files), "files");
	if (rc == 0) {
		r->files[r->nfiles] = f;
		rc = (long)r->nfiles++;
		memset(&f, 0, sizeof(f));
	}
	report_unlock(r);
done:
	file_release(&f);
	return rc;
}

/*
 * Raises a file's status: the worse of the current and the new status wins
 * (failed > incomplete > skipped > scanned).  A worse status replaces the
 * reason; the same status adds a different reason after "; ".  An unknown
 * index is ignored.
 */
void mls_report_file_status(struct mls_report *r, long idx, enum mls_file_status status, const char *reason)
{
	if (!r || (unsigned)status > MLS_FILE_FAILED)
		return;
	report_lock(r);
	if (idx < 0 || (size_t)idx >= r->nfiles)
		goto done;
	struct mls_report_file *f = &r->files[idx];
	if (status < f->status)
		goto done;
	if (status > f->status || !f->reason) {
		char *nr = NULL;
		/* Out of memory for the reason: the status still changes. */
		if ((reason && dup_str(&nr, reason) == 0) || status > f->status) {
			free(f->reason);
			f->reason = nr;
		}
	} else if (reason && *reason && !strstr(f->reason, reason) && strlen(f->reason) < REPORT_MAX_STR) {
		struct mls_buf b;
		mls_buf_init(&b, REPORT_MAX_STR * 2);
		if (mls_buf_printf(&b, "%s; %s", f->reason, reason) == 0) {
			char *nr = NULL;
			if (dup_str(&nr, mls_buf_cstr(&b)) == 0) {
				free(f->reason);
				f->reason = nr;
			}
		}
		mls_buf_release(&b);
	}
	f->status = status;
done:
	report_unlock(r);
}

/* Sets a file's digest and/or format (NULL leaves a field unchanged). */
void mls_report_file_set(struct mls_report *r, long idx, const char *sha256, const char *format)
{
	char *s = NULL, *fm = NULL;
	if (!r || dup_str(&s, sha256) < 0 || dup_str(&fm, format) < 0)
		goto done;
	report_lock(r);
	if (idx >= 0 && (size_t)idx < r->nfiles) {
		struct mls_report_file *f = &r->files[idx];
		if (s) {
			free(f->sha256);
			f->sha256 = s;
			s = NULL;
		}
		if (fm) {
			free(f->format);
			f->format = fm;
			fm = NULL;
		}
	}
	report_unlock(r);
done:
	free(s);
	free(fm);
}

/* Adds a finding (strings copied); returns its index or a negative code. */
long mls_report_add_finding(struct mls_report *r, const char *id, const char *rule, enum mls_severity sev,
			    const char *path, const char *location, const char *message, const char *evidence)
{
	struct mls_finding f = { 0 };
	long rc;
	if (!r || !id || !*id)
		return mls_error_set(MLS_EINVAL, "report: finding without a rule id");
	if ((unsigned)sev > MLS_SEV_CRITICAL)
		return mls_error_set(MLS_EINVAL, "report: invalid severity %d", (int)sev);
	f.severity = sev;
	if ((rc = dup_str(&f.id, id)) < 0 || (rc = dup_str(&f.rule, rule)) < 0 ||
	    (rc = dup_str(&f.path, path)) < 0 || (rc = dup_str(&f.location, location)) < 0 ||
	    (rc = dup_str(&f.message, message ? message : (rule ? rule : id))) < 0 ||
	    (rc = dup_str(&f.evidence, evidence)) < 0)
		goto done;
	report_lock(r);
	rc = grow((void **)&r->findings, &r->capfindings, r->nfindings, sizeof(*r->findings), "findings");
	if (rc == 0) {
		f.order = r->nfindings;
		r->findings[r->nfindings] = f;
		rc = (long)r->nfindings++;
		memset(&f, 0, sizeof(f));
	}
	report_unlock(r);
done:
	finding_release(&f);
	return rc;
}

/* Sets key=value on f (taking *k and *v when stored); the report is locked. */
static int detail_locked(struct mls_finding *f, char **k, char **v)
{
	for (size_t i = 0; i < f->ndetails; i++) {
		if (strcmp(f->details[i].key, *k) == 0) {
			free(f->details[i].value);
			f->details[i].value = *v;
			*v = NULL;
			return 0;
		}
	}
	if (f->ndetails >= 1024)
		return mls_error_set(MLS_ELIMIT, "report: too many details on one finding");
	struct mls_kv *nd = realloc(f->details, (f->ndetails + 1) * sizeof(*nd));
	if (!nd)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	f->details = nd;
	nd[f->ndetails++] = (struct mls_kv){ *k, *v };
	*k = *v = NULL;
	return 0;
}

/* Adds key=value under the finding's "details" (a key set twice is replaced). */
int mls_report_finding_detail(struct mls_report *r, long idx, const char *key, const char *value)
{
	char *k = NULL, *v = NULL;
	int rc;
	if (!r || !key)
		return mls_error_set(MLS_EINVAL, "report: detail without a key");
	if ((rc = dup_str(&k, key)) < 0 || (rc = dup_str(&v, value ? value : "")) < 0)
		goto done;
	report_lock(r);
	if (idx < 0 || (size_t)idx >= r->nfindings)
		rc = mls_error_set(MLS_EINVAL, "report: no finding %ld", idx);
	else
		rc = detail_locked(&r->findings[idx], &k, &v);
	report_unlock(r);
done:
	free(k);
	free(v);
	return rc;
}

/* Adds an error (path may be NULL for the whole run); makes the report incomplete. */
int mls_report_add_error(struct mls_report *r, const char *path, const char *fmt, ...)
{
	struct mls_buf b;
	struct mls_report_error e = { 0 };
	va_list ap;
	int rc;
	if (!r || !fmt)
		return mls_error_set(MLS_EINVAL, "report: error without a message");
	mls_buf_init(&b, 0); /* dup_str caps what is kept */
	va_start(ap, fmt);
	rc = mls_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0) { /* longer than the buffer's hard maximum */
		mls_buf_reset(&b);
		(void)mls_buf_puts(&b, "(message too long)");
	}
	if ((rc = dup_str(&e.path, path)) < 0 || (rc = dup_str(&e.message, mls_buf_cstr(&b))) < 0)
		goto done;
	report_lock(r);
	rc = grow((void **)&r->errors, &r->caperrors, r->nerrors, sizeof(*r->errors), "errors");
	if (rc == 0) {
		r->errors[r->nerrors++] = e;
		memset(&e, 0, sizeof(e));
	}
	report_unlock(r);
done:
	free(e.path);
	free(e.message);
	mls_buf_release(&b);
	return rc;
}

/* Registers a rule for SARIF's rules[]; a second registration of an id is ignored. */
int mls_report_add_rule(struct mls_report *r, const char *id, const char *name, const char *description,
			const char *help_uri, enum mls_severity default_sev)
{
	struct mls_rule_info ri = { 0 };
	int rc;
	if (!r || !id || !*id)
		return mls_error_set(MLS_EINVAL, "report: rule without an id");
	if ((unsigned)default_sev > MLS_SEV_CRITICAL)
		return mls_error_set(MLS_EINVAL, "report: invalid severity %d", (int)default_sev);
	ri.severity = default_sev;
	if ((rc = dup_str(&ri.id, id)) < 0 || (rc = dup_str(&ri.name, name)) < 0 ||
	    (rc = dup_str(&ri.description, description)) < 0 || (rc = dup_str(&ri.help_uri, help_uri)) < 0)
		goto done;
	report_lock(r);
	int known = 0;
	for (size_t i = 0; i < r->nrules && !known; i++)
		known = strcmp(r->rules[i].id, id) == 0;
	if (!known && (rc = grow((void **)&r->rules, &r->caprules, r->nrules, sizeof(*r->rules), "rules")) == 0) {
		r->rules[r->nrules++] = ri;
		memset(&ri, 0, sizeof(ri));
	}
	report_unlock(r);
done:
	rule_release(&ri);
	return rc;
}

/* Sets a report property (written under "properties"); an existing key is replaced. */
int mls_report_set_property(struct mls_report *r, const char *key, const char *value)
{
	struct mls_kv kv = { 0 };
	int rc;
	if (!r || !key || !*key)
		return mls_error_set(MLS_EINVAL, "report: property without a key");
	if ((rc = dup_str(&kv.key, key)) < 0 || (rc = dup_str(&kv.value, value ? value : "")) < 0)
		goto done;
	report_lock(r);
	struct mls_kv *slot = NULL;
	for (size_t i = 0; i < r->nprops && !slot; i++)
		if (strcmp(r->props[i].key, key) == 0)
			slot = &r->props[i];
	if (slot) {
		free(slot->value);
		slot->value = kv.value;
		kv.value = NULL;
	} else if ((rc = grow((void **)&r->props, &r->capprops, r->nprops, sizeof(*r->props), "properties")) == 0) {
		r->props[r->nprops++] = kv;
		memset(&kv, 0, sizeof(kv));
	}
	report_unlock(r);
done:
	kv_release(&kv);
	return rc;
}

void mls_report_set_extra(struct mls_report *r, mls_report_extra_fn fn, void *ctx)
{
	if (!r)
		return;
	report_lock(r);
	r->extra_fn = fn;
	r->extra_ctx = ctx;
	report_unlock(r);
}

void mls_report_set_fatal(struct mls_report *r)
{
	if (!r)
		return;
	report_lock(r);
	r->fatal = 1;
	r->status = MLS_STATUS_ERROR;
	r->verdict = MLS_VERDICT_UNKNOWN;
	report_unlock(r);
}

/* -------------------------------------------------------------- finish */

/* Top-down merge sort through a temporary copy: stable, O(n log n). */
static void msort_rec(char *a, char *tmp, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n < 2)
		return;
	size_t h = n / 2;
	msort_rec(a, tmp, h, size, cmp);
	msort_rec(a + h * size, tmp, n - h, size, cmp);
	if (cmp(a + (h - 1) * size, a + h * size) <= 0)
		return; /* already in order */
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		if (cmp(a + j * size, a + i * size) < 0)
			memcpy(tmp + k++ * size, a + j++ * size, size);
		else
			memcpy(tmp + k++ * size, a + i++ * size, size);
	}
	while (i < h)
		memcpy(tmp + k++ * size, a + i++ * size, size);
	while (j < n)
		memcpy(tmp + k++ * size, a + j++ * size, size);
	memcpy(a, tmp, n * size);
}

int mls_report_stable_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n < 2)
		return 0;
	char *tmp = malloc(n * size);
	if (!tmp)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	msort_rec(base, tmp, n, size, cmp);
	free(tmp);
	return 0;
}

static int strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp_null(((const struct mls_report_file *)a)->path, ((const struct mls_report_file *)b)->path);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct mls_finding *x = a, *y = b;
	int c = strcmp_null(x->path, y->path);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_error(const void *a, const void *b)
{
	return strcmp_null(((const struct mls_report_error *)a)->path, ((const struct mls_report_error *)b)->path);
}

/*
 * Stamps finished_at, sorts files by path, findings by path then insertion
 * order (errors by path, stable), and sets threshold, status and verdict.
 * Call it once every worker thread has finished adding.
 */
void mls_report_finish(struct mls_report *r, enum mls_severity threshold)
{
	if (!r)
		return;
	report_lock(r);
	mls_time_rfc3339(r->finished_at);
	/* A failed sort (no memory for the temporary) leaves insertion order. */
	(void)mls_report_stable_sort(r->files, r->nfiles, sizeof(*r->files), cmp_file);
	(void)mls_report_stable_sort(r->findings, r->nfindings, sizeof(*r->findings), cmp_finding);
	(void)mls_report_stable_sort(r->errors, r->nerrors, sizeof(*r->errors), cmp_error);
	r->threshold = (unsigned)threshold <= MLS_SEV_CRITICAL ? threshold : MLS_SEV_MEDIUM;

	int partial = r->nerrors > 0;
	for (size_t i = 0; i < r->nfiles && !partial; i++)
		partial = r->files[i].status == MLS_FILE_FAILED || r->files[i].status == MLS_FILE_INCOMPLETE;
	if (r->fatal)
		r->status = MLS_STATUS_ERROR;
	else
		r->status = partial ? MLS_STATUS_INCOMPLETE : MLS_STATUS_COMPLETE;

	size_t hits = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		hits += r->findings[i].severity >= r->threshold;
	if (r->status != MLS_STATUS_COMPLETE)
		r->verdict = MLS_VERDICT_UNKNOWN;
	else
		r->verdict = hits ? MLS_VERDICT_FINDINGS : MLS_VERDICT_CLEAN;
	report_unlock(r);
}

size_t mls_report_count_at_least(const struct mls_report *r, enum mls_severity sev)
{
	size_t n = 0;
	if (!r)
		return 0;
	report_lock(r);
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].severity >= sev;
	report_unlock(r);
	return n;
}

/* 1 if any finding >= threshold (even when incomplete); else 2 unless complete; else 0. */
int mls_report_exit_code(const struct mls_report *r)
{
	if (!r)
		return MLS_EXIT_ERROR;
	if (mls_report_count_at_least(r, r->threshold) > 0)
		return MLS_EXIT_FINDINGS;
	return r->status == MLS_STATUS_COMPLETE ? MLS_EXIT_OK : MLS_EXIT_ERROR;
}

void mls_report_counts(const struct mls_report *r, size_t files[4], size_t sev[5])
{
	memset(files, 0, 4 * sizeof(*files));
	memset(sev, 0, 5 * sizeof(*sev));
	for (size_t i = 0; i < r->nfiles; i++)
		if ((unsigned)r->files[i].status <= MLS_FILE_FAILED)
			files[r->files[i].status]++;
	for (size_t i = 0; i < r->nfindings; i++)
		if ((unsigned)r->findings[i].severity <= MLS_SEV_CRITICAL)
			sev[r->findings[i].severity]++;
}

/* Parses our own "YYYY-MM-DDTHH:MM:SS.mmmZ" stamps into seconds since the epoch. */
static int parse_stamp(double *out, const char *s)
{
	struct tm tm = { 0 };
	int ms = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	if (s[n] == '.') {
		int digits = 0;
		for (const char *p = s + n + 1; isdigit((unsigned char)*p) && digits < 3; p++, digits++)
			ms = ms * 10 + (*p - '0');
		for (; digits < 3; digits++)
			ms *= 10;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (double)timegm(&tm) + ms / 1000.0;
	return 0;
}

double mls_report_duration(const struct mls_report *r)
{
	double a, b;
	if (!r->started_at[0] || !r->finished_at[0] || parse_stamp(&a, r->started_at) < 0 ||
	    parse_stamp(&b, r->finished_at) < 0 || b < a)
		return 0.0;
	return b - a;
}

/* ---------------------------------------------------------------- output */

int mls_report_render(struct mls_buf *out, const struct mls_report *r, enum mls_format fmt, int color)
{
	if (!out || !r)
		return mls_error_set(MLS_EINVAL, "report: nothing to render");
	switch (fmt) {
	case MLS_FMT_TEXT:
		return mls_report_render_text(out, r, color);
	case MLS_FMT_JSON:
		return mls_report_render_json(out, r);
	case MLS_FMT_SARIF:
		return mls_report_render_sarif(out, r);
	case MLS_FMT_JUNIT:
		return mls_report_render_junit(out, r);
	}
	return mls_error_set(MLS_EINVAL, "report: unknown format %d", (int)fmt);
}

/*
 * Renders the report, then writes it to path atomically (temporary file in
 * the same directory, renamed over path) or to stdout for NULL or "-".  The
 * text format is coloured only on a terminal without NO_COLOR.  Nothing is
 * created when rendering fails.
 */
int mls_report_write(const struct mls_report *r, enum mls_format fmt, const char *path)
{
	struct mls_buf b;
	struct mls_atomic a = { 0 };
	int to_stdout = !path || strcmp(path, "-") == 0;
	int color = fmt == MLS_FMT_TEXT && to_stdout && mls_use_color(STDOUT_FILENO);
	int rc;

	mls_buf_init(&b, REPORT_MAX_DOC);
	if ((rc = mls_report_render(&b, r, fmt, color)) < 0)
		goto done;
	if (to_stdout) {
		if ((b.len && fwrite(b.data, 1, b.len, stdout) != b.len) || fflush(stdout) != 0)
			rc = mls_error_set(MLS_EIO, "cannot write the report to stdout: %s", strerror(errno));
		goto done;
	}
	if ((rc = mls_atomic_open(&a, path)) < 0)
		goto done;
	if (b.len && fwrite(b.data, 1, b.len, a.fp) != b.len) {
		rc = mls_error_set(MLS_EIO, "cannot write '%s': %s", path, strerror(errno));
		mls_atomic_abort(&a);
		goto done;
	}
	rc = mls_atomic_commit(&a);
done:
	mls_buf_release(&b);
	return rc;
}

/* ------------------------------------------------------- output options */

const struct mls_opt mls_report_opts[] = {
	{ MLS_OPT_FORMAT, "format", 0, MLS_OPT_REQARG, "FMT",
	  "report format: text, json, sarif or junit (default text)", NULL },
	{ MLS_OPT_OUTPUT, "output", 'o', MLS_OPT_REQARG, "FILE",
	  "write the report to FILE, atomically (default: standard output)", NULL },
	{ MLS_OPT_JSON_OUT, "json", 0, MLS_OPT_REQARG, "FILE", "also write a JSON report to FILE", NULL },
	{ MLS_OPT_SARIF_OUT, "sarif", 0, MLS_OPT_REQARG, "FILE", "also write a SARIF 2.1.0 report to FILE", NULL },
	{ MLS_OPT_JUNIT_OUT, "junit", 0, MLS_OPT_REQARG, "FILE", "also write a JUnit XML report to FILE", NULL },
	{ MLS_OPT_FAIL_ON, "fail-on", 0, MLS_OPT_REQARG, "SEVERITY",
	  "exit 1 on findings at or above SEVERITY: critical, high, medium, low or info (default medium)", NULL },
	MLS_OPT_END
};

void mls_output_opts_init(struct mls_output_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = MLS_FMT_TEXT;
	o->fail_on = MLS_SEV_MEDIUM;
}

static int need_arg(int id, const char *arg)
{
	if (arg && *arg)
		return 0;
	for (size_t i = 0; mls_report_opts[i].id; i++)
		if (mls_report_opts[i].id == id)
			return mls_error_set(MLS_EINVAL, "option '--%s' needs a value", mls_report_opts[i].long_name);
	return mls_error_set(MLS_EINVAL, "missing option value");
}

int mls_output_apply_opt(struct mls_output_opts *o, int id, const char *arg)
{
	int rc;
	switch (id) {
	case MLS_OPT_FORMAT:
		if ((rc = need_arg(id, arg)) < 0 || (rc = mls_format_parse(&o->format, arg)) < 0)
			return rc;
		return 1;
	case MLS_OPT_OUTPUT:
		if ((rc = need_arg(id, arg)) < 0)
			return rc;
		o->output = arg;
		return 1;
	case MLS_OPT_JSON_OUT:
		if ((rc = need_arg(id, arg)) < 0)
			return rc;
		o->json_path = arg;
		return 1;
	case MLS_OPT_SARIF_OUT:
		if ((rc = need_arg(id, arg)) < 0)
			return rc;
		o->sarif_path = arg;
		return 1;
	case MLS_OPT_JUNIT_OUT:
		if ((rc = need_arg(id, arg)) < 0)
			return rc;
		o->junit_path = arg;
		return 1;
	case MLS_OPT_FAIL_ON:
		if ((rc = need_arg(id, arg)) < 0 || (rc = mls_severity_parse(&o->fail_on, arg)) < 0)
			return rc;
		return 1;
	default:
		return 0;
	}
}

/*
 * Writes the main report (o->format to o->output, or stdout) and each extra
 * report that was asked for.  Every report is attempted; returns 0 or the
 * first failure (its message kept).
 */
int mls_report_write_outputs(const struct mls_report *r, const struct mls_output_opts *o)
{
	struct { enum mls_format fmt; const char *path; } extra[] = {
		{ MLS_FMT_JSON, o->json_path }, { MLS_FMT_SARIF, o->sarif_path }, { MLS_FMT_JUNIT, o->junit_path }
	};
	int first = mls_report_write(r, o->format, o->output);
	char msg[1024] = "";
	if (first < 0)
		snprintf(msg, sizeof(msg), "%s", mls_error_msg());
	for (size_t i = 0; i < MLS_ARRAY_SIZE(extra); i++) {
		if (!extra[i].path)
			continue;
		int rc = mls_report_write(r, extra[i].fmt, extra[i].path);
		if (rc < 0 && first == 0) {
			first = rc;
			snprintf(msg, sizeof(msg), "%s", mls_error_msg());
		}
	}
	if (first < 0)
		mls_error_set(first, "%s", msg);
	return first;
}
