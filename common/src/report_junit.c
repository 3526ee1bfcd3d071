/*
 * JUnit XML writer, for Jenkins' `junit` step: one <testsuite> named after
 * the tool, one <testcase> per file (classname = tool, name = path).  A file
 * with findings at or above the threshold fails (<failure type=rule-id>,
 * every finding of the file in the body); findings below it go to
 * <system-out>; failed or incomplete files are <error>s; skipped files are
 * <skipped/>.  Findings and errors naming no known file get a test case of
 * their own (named after their path, or "(run)"), and a report without any
 * still has one test case (the target), so the suite is never empty.
 * Every string goes through mls_escape_xml.
 */
#include <stdlib.h>
#include <string.h>

#include "mls/common.h"
#include "report_priv.h"

/* One <testcase>: a file, or a name that only findings/errors refer to. */
struct jcase {
	const char *name;
	const struct mls_report_file *file; /* NULL for a name without a file */
	size_t first_finding, nfindings;    /* range in the finding index */
	size_t first_error, nerrors;        /* range in the error index */
};

struct name_idx {
	const char *name;
	size_t idx;
};

static const char *name_or_run(const char *path)
{
	return path && *path ? path : MLS_REPORT_RUN_NAME;
}

static int cmp_name_idx(const void *a, const void *b)
{
	return strcmp(((const struct name_idx *)a)->name, ((const struct name_idx *)b)->name);
}

static int cmp_case(const void *a, const void *b)
{
	return strcmp(((const struct jcase *)a)->name, ((const struct jcase *)b)->name);
}

/* First case named name (cases sorted by name), or -1. */
static long find_case(const struct jcase *cases, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(cases[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(cases[lo].name, name) == 0 ? (long)lo : -1;
}

/*
 * The case table: one per file, then one per distinct finding/error path
 * without a file, sorted by name; fidx/eidx list finding/error indices
 * grouped by case (each case's range in its fields).
 */
struct jplan {
	struct jcase *cases;
	size_t ncases;
	size_t *fidx, *eidx;
};

static void plan_release(struct jplan *p)
{
	free(p->cases);
	free(p->fidx);
	free(p->eidx);
}

/* Groups n items (case of item i in owner[i]) into idx by case (counting sort). */
static int group(struct jcase *cases, size_t ncases, const long *owner, size_t n, size_t *idx, int findings)
{
	size_t pos = 0;
	for (size_t c = 0; c < ncases; c++) {
		if (findings)
			cases[c].first_finding = pos;
		else
			cases[c].first_error = pos;
		pos += findings ? cases[c].nfindings : cases[c].nerrors;
	}
	size_t *fill = calloc(ncases ? ncases : 1, sizeof(*fill));
	if (!fill)
		return mls_error_set(MLS_ENOMEM, "report: out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t c = (size_t)owner[i];
		size_t base = findings ? cases[c].first_finding : cases[c].first_error;
		idx[base + fill[c]++] = i;
	}
	free(fill);
	return 0;
}

static int plan_build(struct jplan *p, const struct mls_report *r)
{
	struct name_idx *extra = NULL;
	long *fown = NULL, *eown = NULL;
	size_t nextra = 0, n = 0;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	size_t cap = r->nfiles + r->nfindings + r->nerrors + 2;
	p->cases = calloc(cap, sizeof(*p->cases));
	extra = calloc(cap, sizeof(*extra));
	fown = calloc(r->nfindings + 1, sizeof(*fown));
	eown = calloc(r->nerrors + 1, sizeof(*eown));
	p->fidx = calloc(r->nfindings + 1, sizeof(*p->fidx));
	p->eidx = calloc(r->nerrors + 1, sizeof(*p->eidx));
	if (!p->cases || !extra || !fown || !eown || !p->fidx || !p->eidx) {
		rc = mls_error_set(MLS_ENOMEM, "report: out of memory");
		goto done;
	}
	for (size_t i = 0; i < r->nfiles; i++)
		p->cases[n++] = (struct jcase){ .name = name_or_run(r->files[i].path), .file = &r->files[i] };
	if ((rc = mls_report_stable_sort(p->cases, n, sizeof(*p->cases), cmp_case)) < 0)
		goto done;

	/* Names that no file has. */
	for (size_t i = 0; i < r->nfindings; i++) {
		const char *nm = name_or_run(r->findings[i].path);
		if (find_case(p->cases, n, nm) < 0)
			extra[nextra++] = (struct name_idx){ nm, 0 };
	}
	for (size_t i = 0; i < r->nerrors; i++) {
		const char *nm = name_or_run(r->errors[i].path);
		if (find_case(p->cases, n, nm) < 0)
			extra[nextra++] = (struct name_idx){ nm, 0 };
	}
	if (r->status == MLS_STATUS_ERROR && find_case(p->cases, n, MLS_REPORT_RUN_NAME) < 0)
		extra[nextra++] = (struct name_idx){ MLS_REPORT_RUN_NAME, 0 };
	if (n == 0 && nextra == 0)
		extra[nextra++] = (struct name_idx){ name_or_run(r->target), 0 };
	qsort(extra, nextra, sizeof(*extra), cmp_name_idx);
	for (size_t i = 0; i < nextra; i++)
		if (i == 0 || strcmp(extra[i].name, extra[i - 1].name) != 0)
			p->cases[n++] = (struct jcase){ .name = extra[i].name };
	if ((rc = mls_report_stable_sort(p->cases, n, sizeof(*p->cases), cmp_case)) < 0)
		goto done;
	p->ncases = n;

	for (size_t i = 0; i < r->nfindings; i++) {
		fown[i] = find_case(p->cases, n, name_or_run(r->findings[i].path));
		p->cases[fown[i]].nfindings++;
	}
	for (size_t i = 0; i < r->nerrors; i++) {
		eown[i] = find_case(p->cases, n, name_or_run(r->errors[i].path));
		p->cases[eown[i]].nerrors++;
	}
	if ((rc = group(p->cases, n, fown, r->nfindings, p->fidx, 1)) == 0)
		rc = group(p->cases, n, eown, r->nerrors, p->eidx, 0);
done:
	free(extra);
	free(fown);
	free(eown);
	if (rc < 0)
		plan_release(p);
	return rc;
}

/* What a test case becomes. */
enum jkind { J_PASS, J_FAILURE, J_ERROR, J_SKIPPED };

static enum jkind case_kind(const struct mls_report *r, const struct jplan *p, const struct jcase *c)
{
	for (size_t k = 0; k < c->nfindings; k++)
		if (r->findings[p->fidx[c->first_finding + k]].severity >= r->threshold)
			return J_FAILURE;
	if (c->nerrors)
		return J_ERROR;
	if (c->file && (c->file->status == MLS_FILE_FAILED || c->file->status == MLS_FILE_INCOMPLETE))
		return J_ERROR;
	if (!c->file && r->status == MLS_STATUS_ERROR && strcmp(c->name, MLS_REPORT_RUN_NAME) == 0)
		return J_ERROR;
	if (c->file && c->file->status == MLS_FILE_SKIPPED)
		return J_SKIPPED;
	return J_PASS;
}

/* Appends one finding as a text line (escaped for XML). */
static int put_finding(struct mls_buf *out, const struct mls_finding *f)
{
	int rc = mls_buf_printf(out, "[%s] ", mls_severity_name(f->severity));
	if (!rc)
		rc = mls_escape_xml(out, f->id);
	if (!rc && f->rule)
		rc = mls_buf_putc(out, ' ') || mls_escape_xml(out, f->rule);
	if (!rc)
		rc = mls_buf_puts(out, ": ");
	if (!rc)
		rc = mls_escape_xml(out, f->message ? f->message : "");
	if (!rc && f->location && *f->location)
		rc = mls_buf_puts(out, "\n    location: ") || mls_escape_xml(out, f->location);
	if (!rc && f->evidence && *f->evidence)
		rc = mls_buf_puts(out, "\n    evidence: ") || mls_escape_xml(out, f->evidence);
	for (size_t i = 0; !rc && i < f->ndetails; i++)
		rc = mls_buf_puts(out, "\n    ") || mls_escape_xml(out, f->details[i].key) ||
		     mls_buf_puts(out, ": ") || mls_escape_xml(out, f->details[i].value);
	if (!rc)
		rc = mls_buf_putc(out, '\n');
	return rc ? MLS_ENOMEM : 0;
}

/* Writes ` name="value"` with value escaped. */
static int attr(struct mls_buf *out, const char *name, const char *value)
{
	if (mls_buf_printf(out, " %s=\"", name) < 0 || mls_escape_xml(out, value ? value : "") < 0 ||
	    mls_buf_putc(out, '"') < 0)
		return MLS_ENOMEM;
	return 0;
}

static int put_case(struct mls_buf *out, const struct mls_report *r, const struct jplan *p, const struct jcase *c,
		    enum jkind kind)
{
	struct mls_buf msg;
	const struct mls_finding *worst = NULL;
	size_t nabove = 0;
	int rc = 0;

	mls_buf_init(&msg, 0);
	for (size_t k = 0; k < c->nfindings; k++) {
		const struct mls_finding *f = &r->findings[p->fidx[c->first_finding + k]];
		if (f->severity >= r->threshold) {
			nabove++;
			if (!worst || f->severity > worst->severity)
				worst = f;
		}
	}
	if ((rc = mls_buf_puts(out, "    <testcase")) < 0 || (rc = attr(out, "classname", r->tool_name)) < 0 ||
	    (rc = attr(out, "name", c->name)) < 0 || (rc = mls_buf_puts(out, " time=\"0\">\n")) < 0)
		goto done;

	if (kind == J_FAILURE) {
		if (!worst) /* cannot happen: a failing case has a finding at the threshold */
			worst = &r->findings[p->fidx[c->first_finding]];
		(void)mls_buf_printf(&msg, "%s %s: %s", mls_severity_name(worst->severity), worst->id,
				     worst->message ? worst->message : "");
		if (nabove > 1)
			(void)mls_buf_printf(&msg, " (and %zu more at or above %s)", nabove - 1,
					     mls_severity_name(r->threshold));
		if ((rc = mls_buf_puts(out, "      <failure")) < 0 || (rc = attr(out, "message", mls_buf_cstr(&msg))) < 0 ||
		    (rc = attr(out, "type", worst->id)) < 0 || (rc = mls_buf_puts(out, ">")) < 0)
			goto done;
		for (size_t k = 0; k < c->nfindings && rc == 0; k++)
			rc = put_finding(out, &r->findings[p->fidx[c->first_finding + k]]);
		if (rc == 0 && c->file && c->file->status != MLS_FILE_SCANNED)
			rc = mls_buf_printf(out, "file %s: ", mls_file_status_name(c->file->status)) ||
			     mls_escape_xml(out, c->file->reason ? c->file->reason : "") || mls_buf_putc(out, '\n');
		for (size_t k = 0; k < c->nerrors && rc == 0; k++)
			rc = mls_buf_puts(out, "error: ") ||
			     mls_escape_xml(out, r->errors[p->eidx[c->first_error + k]].message) ||
			     mls_buf_putc(out, '\n');
		if (rc || mls_buf_puts(out, "</failure>\n") < 0) {
			rc = MLS_ENOMEM;
			goto done;
		}
	} else if (kind == J_ERROR) {
		const char *type = "error";
		if (c->nerrors) {
			(void)mls_buf_puts(&msg, r->errors[p->eidx[c->first_error]].message);
			if (c->nerrors > 1)
				(void)mls_buf_printf(&msg, " (and %zu more errors)", c->nerrors - 1);
		} else if (c->file) {
			type = mls_file_status_name(c->file->status);
			(void)mls_buf_printf(&msg, "not fully examined (%s)%s%s", type, c->file->reason ? ": " : "",
					     c->file->reason ? c->file->reason : "");
		} else {
			(void)mls_buf_printf(&msg, "the tool could not examine the target (status %s)",
					     mls_report_status_name(r->status));
		}
		if ((rc = mls_buf_puts(out, "      <error")) < 0 || (rc = attr(out, "message", mls_buf_cstr(&msg))) < 0 ||
		    (rc = attr(out, "type", type)) < 0 || (rc = mls_buf_puts(out, ">")) < 0)
			goto done;
		if (c->file && c->file->status != MLS_FILE_SCANNED)
			rc = mls_buf_printf(out, "file %s: ", mls_file_status_name(c->file->status)) ||
			     mls_escape_xml(out, c->file->reason ? c->file->reason : "") || mls_buf_putc(out, '\n');
		for (size_t k = 0; k < c->nerrors && rc == 0; k++)
			rc = mls_buf_puts(out, "error: ") ||
			     mls_escape_xml(out, r->errors[p->eidx[c->first_error + k]].message) ||
			     mls_buf_putc(out, '\n');
		if (rc || mls_buf_puts(out, "</error>\n") < 0) {
			rc = MLS_ENOMEM;
			goto done;
		}
	} else if (kind == J_SKIPPED) {
		if ((rc = mls_buf_puts(out, "      <skipped")) < 0 ||
		    (rc = attr(out, "message", c->file->reason ? c->file->reason : "not examined")) < 0 ||
		    (rc = mls_buf_puts(out, "/>\n")) < 0)
			goto done;
	}

	/* <system-out>: the file's format and digest, then the findings below the threshold. */
	mls_buf_reset(&msg);
	const char *fmt = c->file ? c->file->format : NULL, *sha = c->file ? c->file->sha256 : NULL;
	int bad = 0;
	if (fmt)
		bad |= mls_buf_puts(&msg, "format: ") || mls_escape_xml(&msg, fmt) || mls_buf_putc(&msg, '\n');
	if (sha)
		bad |= mls_buf_puts(&msg, "sha256: ") || mls_escape_xml(&msg, sha) || mls_buf_putc(&msg, '\n');
	for (size_t k = 0; k < c->nfindings && !bad; k++) {
		const struct mls_finding *f = &r->findings[p->fidx[c->first_finding + k]];
		if (f->severity < r->threshold)
			bad |= put_finding(&msg, f) < 0;
	}
	if (bad || (msg.len && (mls_buf_puts(out, "      <system-out>") || mls_buf_append(out, msg.data, msg.len) ||
				mls_buf_puts(out, "</system-out>\n")))) {
		rc = MLS_ENOMEM;
		goto done;
	}
	rc = mls_buf_puts(out, "    </testcase>\n");
done:
	mls_buf_release(&msg);
	return rc;
}

static int put_property(struct mls_buf *out, const char *name, const char *value)
{
	if (mls_buf_puts(out, "      <property") || attr(out, "name", name) || attr(out, "value", value) ||
	    mls_buf_puts(out, "/>\n"))
		return MLS_ENOMEM;
	return 0;
}

/* Appends the JUnit XML report to out; returns 0 or a negative code. */
int mls_report_render_junit(struct mls_buf *out, const struct mls_report *r)
{
	struct jplan p;
	enum jkind *kinds = NULL;
	size_t counts[4] = { 0 };
	char stamp[20] = "";
	int rc;

	if ((rc = plan_build(&p, r)) < 0)
		return rc;
	if (!(kinds = calloc(p.ncases + 1, sizeof(*kinds)))) {
		rc = mls_error_set(MLS_ENOMEM, "report: out of memory");
		goto done;
	}
	for (size_t i = 0; i < p.ncases; i++) {
		kinds[i] = case_kind(r, &p, &p.cases[i]);
		counts[kinds[i]]++;
	}
	/* JUnit's timestamp has no zone or fraction; ours are UTC. */
	if (r->started_at[0]) {
		memcpy(stamp, r->started_at, sizeof(stamp) - 1);
		stamp[sizeof(stamp) - 1] = '\0';
	}
	double secs = mls_report_duration(r);
	if ((rc = mls_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites")) < 0 ||
	    (rc = attr(out, "name", r->tool_name)) < 0 ||
	    (rc = mls_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
				 p.ncases, counts[J_FAILURE], counts[J_ERROR], counts[J_SKIPPED], secs)) < 0 ||
	    (rc = mls_buf_puts(out, "  <testsuite")) < 0 || (rc = attr(out, "name", r->tool_name)) < 0 ||
	    (rc = mls_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
				 p.ncases, counts[J_FAILURE], counts[J_ERROR], counts[J_SKIPPED], secs)) < 0 ||
	    (stamp[0] && (rc = attr(out, "timestamp", stamp)) < 0) || (rc = mls_buf_puts(out, ">\n")) < 0)
		goto done;

	if ((rc = mls_buf_puts(out, "    <properties>\n")) < 0 ||
	    (rc = put_property(out, "schema", MLS_REPORT_SCHEMA)) < 0 ||
	    (rc = put_property(out, "tool.version", r->tool_version)) < 0 ||
	    (r->target && (rc = put_property(out, "target", r->target)) < 0) ||
	    (rc = put_property(out, "status", mls_report_status_name(r->status))) < 0 ||
	    (rc = put_property(out, "verdict", mls_verdict_name(r->verdict))) < 0 ||
	    (rc = put_property(out, "threshold", mls_severity_name(r->threshold))) < 0)
		goto done;
	for (size_t i = 0; i < r->nprops; i++)
		if ((rc = put_property(out, r->props[i].key, r->props[i].value)) < 0)
			goto done;
	if ((rc = mls_buf_puts(out, "    </properties>\n")) < 0)
		goto done;

	for (size_t i = 0; i < p.ncases; i++)
		if ((rc = put_case(out, r, &p, &p.cases[i], kinds[i])) < 0)
			goto done;
	rc = mls_buf_puts(out, "  </testsuite>\n</testsuites>\n");
done:
	if (rc < 0)
		rc = mls_error_set(rc, "report: cannot render the JUnit report: %s", mls_strerror(rc));
	free(kinds);
	plan_release(&p);
	return rc;
}
