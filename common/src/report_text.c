/*
 * Text writer, for people at a terminal: one line per file, the findings
 * grouped by file with their severity, errors, then a summary and the
 * result (status, verdict).  Colour (ANSI) only when the caller asks for it
 * (mls_report_write does on a terminal without NO_COLOR).  Every string
 * taken from the report goes through mls_escape_term, so names and messages
 * from a hostile model cannot drive the terminal.
 */
#include <stdarg.h>
#include <string.h>

#include "mls/common.h"
#include "report_priv.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_BRED "\033[1;31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

struct tw {
	struct mls_buf *out;
	int color;
	int err;
};

static void put(struct tw *w, const char *s)
{
	if (!w->err && mls_buf_puts(w->out, s) < 0)
		w->err = MLS_ENOMEM;
}

static void putf(struct tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct tw *w, const char *fmt, ...)
{
	va_list ap;
	if (w->err)
		return;
	va_start(ap, fmt);
	if (mls_buf_vprintf(w->out, fmt, ap) < 0)
		w->err = MLS_ENOMEM;
	va_end(ap);
}

/* Untrusted text, escaped for the terminal. */
static void esc(struct tw *w, const char *s)
{
	if (!w->err && mls_escape_term(w->out, s ? s : "") < 0)
		w->err = MLS_ENOMEM;
}

static void col(struct tw *w, const char *code)
{
	if (w->color)
		put(w, code);
}

static const char *sev_color(enum mls_severity s)
{
	switch (s) {
	case MLS_SEV_CRITICAL:
		return C_BRED;
	case MLS_SEV_HIGH:
		return C_RED;
	case MLS_SEV_MEDIUM:
		return C_YELLOW;
	case MLS_SEV_LOW:
		return C_CYAN;
	default:
		return C_DIM;
	}
}

static const char *file_color(enum mls_file_status s)
{
	switch (s) {
	case MLS_FILE_FAILED:
		return C_RED;
	case MLS_FILE_INCOMPLETE:
		return C_YELLOW;
	case MLS_FILE_SKIPPED:
		return C_DIM;
	default:
		return C_GREEN;
	}
}

/* "CRITICAL" etc., padded to 8 columns. */
static void sev_label(struct tw *w, enum mls_severity s)
{
	char up[16];
	const char *n = mls_severity_name(s);
	size_t i = 0;
	for (; n[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
	up[i] = '\0';
	col(w, sev_color(s));
	putf(w, "%-8s", up);
	col(w, C_RESET);
}

static void put_files(struct tw *w, const struct mls_report *r)
{
	if (!r->nfiles)
		return;
	col(w, C_BOLD);
	put(w, "Files:");
	col(w, C_RESET);
	put(w, "\n");
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct mls_report_file *f = &r->files[i];
		put(w, "  ");
		col(w, file_color(f->status));
		putf(w, "%-10s", mls_file_status_name(f->status));
		col(w, C_RESET);
		put(w, " ");
		esc(w, f->path);
		if (f->format) {
			put(w, " (");
			esc(w, f->format);
			put(w, ")");
		}
		if (f->reason) {
			put(w, ": ");
			esc(w, f->reason);
		}
		put(w, "\n");
	}
}

static void put_findings(struct tw *w, const struct mls_report *r)
{
	if (!r->nfindings)
		return;
	col(w, C_BOLD);
	put(w, "Findings:");
	col(w, C_RESET);
	put(w, "\n");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mls_finding *f = &r->findings[i];
		const char *p = f->path ? f->path : MLS_REPORT_RUN_NAME;
		const char *prev = i ? (r->findings[i - 1].path ? r->findings[i - 1].path : MLS_REPORT_RUN_NAME) : NULL;
		if (!prev || strcmp(prev, p) != 0) {
			put(w, "  ");
			col(w, C_BOLD);
			esc(w, p);
			col(w, C_RESET);
			put(w, "\n");
		}
		put(w, "    ");
		sev_label(w, f->severity);
		put(w, " ");
		esc(w, f->id);
		if (f->rule) {
			put(w, " ");
			esc(w, f->rule);
		}
		put(w, ": ");
		esc(w, f->message);
		put(w, "\n");
		if (f->location && *f->location) {
			put(w, "             at ");
			esc(w, f->location);
			put(w, "\n");
		}
		if (f->evidence && *f->evidence) {
			put(w, "             evidence: ");
			esc(w, f->evidence);
			put(w, "\n");
		}
	}
}

static void put_errors(struct tw *w, const struct mls_report *r)
{
	if (!r->nerrors)
		return;
	col(w, C_BOLD);
	put(w, "Errors:");
	col(w, C_RESET);
	put(w, "\n");
	for (size_t i = 0; i < r->nerrors; i++) {
		put(w, "  ");
		col(w, C_RED);
		esc(w, r->errors[i].path ? r->errors[i].path : MLS_REPORT_RUN_NAME);
		col(w, C_RESET);
		put(w, ": ");
		esc(w, r->errors[i].message);
		put(w, "\n");
	}
}

static void put_summary(struct tw *w, const struct mls_report *r)
{
	size_t files[4], sev[5];
	mls_report_counts(r, files, sev);
	putf(w, "Summary: %zu file%s (%zu scanned, %zu skipped, %zu incomplete, %zu failed); ", r->nfiles,
	     r->nfiles == 1 ? "" : "s", files[MLS_FILE_SCANNED], files[MLS_FILE_SKIPPED],
	     files[MLS_FILE_INCOMPLETE], files[MLS_FILE_FAILED]);
	putf(w, "%zu finding%s", r->nfindings, r->nfindings == 1 ? "" : "s");
	if (r->nfindings) {
		const char *sep = " (";
		for (int s = MLS_SEV_CRITICAL; s >= MLS_SEV_INFO; s--) {
			if (!sev[s])
				continue;
			putf(w, "%s%zu %s", sep, sev[s], mls_severity_name((enum mls_severity)s));
			sep = ", ";
		}
		put(w, ")");
	}
	if (r->nerrors)
		putf(w, "; %zu error%s", r->nerrors, r->nerrors == 1 ? "" : "s");
	put(w, "\n");

	const char *vc = r->verdict == MLS_VERDICT_CLEAN ? C_GREEN : r->verdict == MLS_VERDICT_FINDINGS ? C_BRED : C_YELLOW;
	put(w, "Result: ");
	col(w, C_BOLD);
	col(w, vc);
	put(w, mls_verdict_name(r->verdict));
	col(w, C_RESET);
	putf(w, " (status %s, threshold %s", mls_report_status_name(r->status), mls_severity_name(r->threshold));
	size_t above = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		above += r->findings[i].severity >= r->threshold;
	putf(w, ", %zu finding%s at or above it)\n", above, above == 1 ? "" : "s");
}

/* Appends the terminal report to out; returns 0 or MLS_ENOMEM. */
int mls_report_render_text(struct mls_buf *out, const struct mls_report *r, int color)
{
	struct tw w = { out, color, 0 };
	col(&w, C_BOLD);
	esc(&w, r->tool_name);
	col(&w, C_RESET);
	put(&w, " ");
	esc(&w, r->tool_version);
	if (r->target) {
		put(&w, ": ");
		esc(&w, r->target);
	}
	put(&w, "\n");
	put_files(&w, r);
	put_findings(&w, r);
	put_errors(&w, r);
	put_summary(&w, r);
	if (w.err)
		return mls_error_set(MLS_ENOMEM, "report: the text report is too large");
	return 0;
}
