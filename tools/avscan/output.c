/*
 * The text report, in clamscan's shape so that people and scripts used to
 * clamscan read it the same way:
 *
 *   path: Sig.Name FOUND
 *   path: moved to 'quarantine/abc-file.data'    (or "path: Removed.")
 *   path: OK
 *   path: not scanned: <reason>           (avscan's addition; never "OK")
 *
 *   ----------- SCAN SUMMARY -----------
 *   Known viruses: ...
 *
 * Paths and names are escaped for the terminal (a newline in a file name
 * cannot forge a line).  --infected keeps only the FOUND (and action) lines.
 */
#include <string.h>
#include "avscan.h"

static void put_path(struct mls_buf *out, const char *path)
{
	mls_escape_term(out, path ? path : "");
}

static const char *detail(const struct mls_finding *f, const char *key)
{
	for (size_t i = 0; i < f->ndetails; i++)
		if (strcmp(f->details[i].key, key) == 0)
			return f->details[i].value;
	return NULL;
}

static void stamp_local(char *out, size_t outsz, const char *rfc)
{
	/* "2026-11-25T17:19:55.123Z" -> "2026:11:25 17:19:55" (clamscan's look) */
	if (strlen(rfc) < 19) {
		snprintf(out, outsz, "%s", rfc);
		return;
	}
	snprintf(out, outsz, "%.4s:%.2s:%.2s %.8s UTC", rfc, rfc + 5, rfc + 8, rfc + 11);
}

int avscan_render_text(struct mls_buf *out, const struct avscan_run *run, double seconds)
{
	const struct mls_report *r = run->report;
	const struct avscan_opts *o = run->o;
	size_t fi = 0;

	for (size_t i = 0; i < r->nfiles; i++) {
		const struct mls_report_file *f = &r->files[i];
		const char *action = NULL;
		int found = 0;
		while (fi < r->nfindings && strcmp(r->findings[fi].path ? r->findings[fi].path : "", f->path) < 0)
			fi++;
		for (; fi < r->nfindings && strcmp(r->findings[fi].path ? r->findings[fi].path : "", f->path) == 0;
		     fi++) {
			const struct mls_finding *g = &r->findings[fi];
			put_path(out, f->path);
			mls_buf_puts(out, ": ");
			mls_escape_term(out, g->evidence ? g->evidence : g->id);
			mls_buf_puts(out, " FOUND\n");
			if (!action)
				action = detail(g, "action");
			found = 1;
		}
		if (action) {
			put_path(out, f->path);
			mls_buf_puts(out, ": ");
			/* clamscan's exact words for a removal */
			mls_escape_term(out, strcmp(action, "removed") == 0 ? "Removed." : action);
			mls_buf_puts(out, "\n");
		}
		if (o->infected_only)
			continue;
		if (f->status == MLS_FILE_SCANNED && !found) {
			put_path(out, f->path);
			mls_buf_puts(out, ": OK\n");
		} else if (f->status == MLS_FILE_SKIPPED) {
			put_path(out, f->path);
			mls_buf_puts(out, ": skipped: ");
			mls_escape_term(out, f->reason ? f->reason : "");
			mls_buf_puts(out, "\n");
		} else if (f->status != MLS_FILE_SCANNED) {
			put_path(out, f->path);
			mls_buf_puts(out, ": ");
			mls_escape_term(out, f->reason ? f->reason : "not scanned");
			mls_buf_puts(out, "\n");
		}
	}
	if (!o->summary)
		return 0;

	char start[64], end[64];
	stamp_local(start, sizeof(start), r->started_at);
	stamp_local(end, sizeof(end), r->finished_at);
	int mins = (int)(seconds / 60);
	mls_buf_puts(out, "\n----------- SCAN SUMMARY -----------\n");
	mls_buf_printf(out, "Known viruses: %u\n", run->engine ? run->engine->sigs : 0);
	mls_buf_printf(out, "Engine version: %s\n", avscan_engine_version());
	mls_buf_printf(out, "Scanned directories: %llu\n", run->dirs);
	mls_buf_printf(out, "Scanned files: %llu\n", (unsigned long long)atomic_load(&run->files_scanned));
	mls_buf_printf(out, "Infected files: %llu\n", (unsigned long long)atomic_load(&run->files_infected));
	mls_buf_printf(out, "Not scanned: %llu\n", (unsigned long long)atomic_load(&run->files_incomplete));
	if (r->nerrors)
		mls_buf_printf(out, "Errors: %zu\n", r->nerrors);
	mls_buf_printf(out, "Data scanned: %.2f MB\n", (double)atomic_load(&run->bytes_scanned) / (1024.0 * 1024.0));
	mls_buf_printf(out, "Time: %.3f sec (%d m %d s)\n", seconds, mins, (int)(seconds - mins * 60));
	mls_buf_printf(out, "Start Date: %s\n", start);
	mls_buf_printf(out, "End Date:   %s\n", end);
	mls_buf_printf(out, "Status: %s, verdict: %s\n", mls_report_status_name(r->status),
		       mls_verdict_name(r->verdict));
	return 0;
}
