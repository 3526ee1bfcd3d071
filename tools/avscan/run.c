/*
 * avscan_run: load the engine once, walk every target (mls_walk: sorted,
 * symlinks never followed out of the root), scan the files on --jobs threads
 * sharing the engine (largest first, so big checkpoints do not end up last
 * on one thread), then write the reports.  Nothing that was not scanned is
 * ever reported clean.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "avscan.h"

void avscan_opts_init(struct avscan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = mls_default_jobs();
	o->summary = 1;
	o->archive_check = 1;
	o->hash = 1;
	o->max_filesize = AVSCAN_CLAMAV_MAX_FILESIZE;        /* libclamav's ceiling (2 GiB - 1) */
	o->max_scansize = (uint64_t)4 << 30;                 /* 4 GiB of data per top-level file */
	o->max_recursion = 17;
	o->max_files = 100000;
	o->max_scantime_ms = 600000;                         /* 10 minutes per file */
	o->max_db_age_days = 7;
	mls_output_opts_init(&o->out);
}

void avscan_opts_release(struct avscan_opts *o)
{
	free(o->databases);
	free(o->paths);
	memset(o, 0, sizeof(*o));
}

struct item {
	char *path;
	uint64_t size;
	int via_symlink;
};

struct collect {
	struct avscan_run *run;
	struct item *items;
	size_t n, cap;
	char *quarantine; /* realpath of --move DIR when it exists */
};

/* Skips that leave nothing unexamined: special files, dangling links, loops. */
static int benign_skip(const char *reason)
{
	static const char *const ok[] = { "FIFO", "socket", "character device", "block device", "dangling symlink",
					  "symlink loop", NULL };
	for (size_t i = 0; ok[i]; i++)
		if (strncmp(reason, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

static int on_entry(const struct mls_walk_entry *e, void *ctx)
{
	struct collect *c = ctx;
	struct avscan_run *run = c->run;
	char why[512];

	if (!run->o->recursive && e->depth > 1)
		return 0;
	if (c->quarantine && e->type != MLS_WALK_SKIPPED) {
		/* Never rescan (and re-quarantine) the quarantine itself. */
		char *real = realpath(e->path, NULL);
		int inside = real && mls_path_is_within(c->quarantine, real);
		free(real);
		if (inside) {
			if (e->type == MLS_WALK_FILE)
				mls_report_add_file(run->report, e->path, e->size, NULL, NULL, MLS_FILE_SKIPPED,
						    "in the quarantine directory (--move)");
			return 0;
		}
	}
	if (e->type == MLS_WALK_DIR) {
		if (!run->o->recursive && e->depth == 1) {
			mls_report_add_file(run->report, e->path, 0, NULL, "directory", MLS_FILE_SKIPPED,
					    "directory not scanned (use -r/--recursive)");
			return 0;
		}
		run->dirs++;
		return 0;
	}
	if (e->type == MLS_WALK_SKIPPED) {
		const char *reason = e->reason ? e->reason : "not a regular file";
		/* special files inside a directory are skipped; one named on the command line was not scanned */
		if (benign_skip(reason) && e->depth > 0) {
			mls_report_add_file(run->report, e->path, 0, NULL, NULL, MLS_FILE_SKIPPED, reason);
			return 0;
		}
		snprintf(why, sizeof(why), "not scanned: %s", reason);
		mls_report_add_file(run->report, e->path, 0, NULL, NULL,
				    strstr(reason, "outside") ? MLS_FILE_INCOMPLETE : MLS_FILE_FAILED, why);
		atomic_fetch_add(&run->files_incomplete, 1);
		mls_warn("'%s' %s", e->path, why);
		return 0;
	}
	if (mls_array_reserve(&c->items, &c->cap, c->n, sizeof(*c->items), 256) < 0)
		return MLS_ENOMEM;
	if (!(c->items[c->n].path = strdup(e->path)))
		return mls_error_set(MLS_ENOMEM, "out of memory");
	c->items[c->n].size = e->size;
	c->items[c->n].via_symlink = e->via_symlink;
	c->n++;
	return 0;
}

static int cmp_size_desc(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->path, y->path);
}

struct work {
	struct avscan_run *run;
	struct item *items;
};

static int scan_one(size_t i, void *ctx)
{
	struct work *w = ctx;
	return avscan_scan_file(w->run, w->items[i].path, w->items[i].size, w->items[i].via_symlink);
}

static void add_rules(struct mls_report *r)
{
	mls_report_add_rule(r, AVSCAN_RULE_CLAMAV, "clamav-signature",
			    "A signature from a ClamAV database matched the file or a member of it",
			    "https://docs.clamav.net/manual/Signatures.html", MLS_SEV_CRITICAL);
	mls_report_add_rule(r, AVSCAN_RULE_MLS, "mlsecops-signature",
			    "A signature of the mlsecops model-threat set (signatures/README.md) matched: "
			    "a pickle that calls a command-execution or code-execution function on load",
			    "https://docs.python.org/3/library/pickle.html#restricting-globals", MLS_SEV_CRITICAL);
}

static char *join_targets(const struct avscan_opts *o)
{
	struct mls_buf b;
	mls_buf_init(&b, 1 << 20);
	for (size_t i = 0; i < o->npaths; i++) {
		if (i)
			mls_buf_putc(&b, ' ');
		mls_buf_puts(&b, o->paths[i]);
	}
	return mls_buf_detach(&b, NULL);
}

/* Writes the reports: the clamscan-style text (our own, for text) or the
 * common writers for json/sarif/junit, plus every extra report. */
static int write_reports(const struct avscan_run *run, double seconds, int fatal)
{
	const struct mls_output_opts *oo = &run->o->out;
	int rc = 0, r2;

	if (oo->format == MLS_FMT_TEXT) {
		if (!fatal) {
			struct mls_buf b;
			mls_buf_init(&b, (size_t)1 << 30);
			rc = avscan_render_text(&b, run, seconds);
			if (rc == 0) {
				if (oo->output && strcmp(oo->output, "-") != 0) {
					rc = mls_write_file_atomic(oo->output, b.data ? b.data : "", b.len);
				} else if ((b.len && fwrite(b.data, 1, b.len, stdout) != b.len) || fflush(stdout) != 0) {
					rc = mls_error_set(MLS_EIO, "cannot write the report to stdout");
				}
			}
			mls_buf_release(&b);
		}
	} else if (!fatal || (oo->output && strcmp(oo->output, "-") != 0)) {
		rc = mls_report_write(run->report, oo->format, oo->output);
	}
	if (rc < 0)
		mls_err("%s", mls_error_msg());
	const struct { enum mls_format f; const char *p; } extra[] = {
		{ MLS_FMT_JSON, oo->json_path }, { MLS_FMT_SARIF, oo->sarif_path }, { MLS_FMT_JUNIT, oo->junit_path }
	};
	for (size_t i = 0; i < MLS_ARRAY_SIZE(extra); i++) {
		if (!extra[i].p)
			continue;
		if ((r2 = mls_report_write(run->report, extra[i].f, extra[i].p)) < 0) {
			mls_err("%s", mls_error_msg());
			if (rc == 0)
				rc = r2;
		}
	}
	return rc;
}

int avscan_run(const struct avscan_opts *o)
{
	struct avscan_run run;
	struct collect col;
	char *target = join_targets(o);
	double t0 = mls_now();
	int code = MLS_EXIT_ERROR, rc;

	memset(&run, 0, sizeof(run));
	memset(&col, 0, sizeof(col));
	run.o = o;
	col.run = &run;
	atomic_init(&run.bytes_scanned, 0);
	atomic_init(&run.files_scanned, 0);
	atomic_init(&run.files_infected, 0);
	atomic_init(&run.files_incomplete, 0);
	if (mls_report_new(&run.report, AVSCAN_TOOL, MLS_VERSION, target ? target : "") < 0) {
		mls_err("%s", mls_error_msg());
		goto done;
	}
	add_rules(run.report);

	if (avscan_engine_new(&run.engine, o) < 0) {
		mls_err("%s", mls_error_msg());
		mls_report_add_error(run.report, NULL, "%s", mls_error_msg());
		mls_report_set_fatal(run.report);
		mls_report_finish(run.report, o->out.fail_on);
		(void)write_reports(&run, mls_now() - t0, 1);
		goto done;
	}
	avscan_engine_describe(run.engine, run.report);
	double age = avscan_engine_db_age_days(run.engine);
	if (o->max_db_age_days && age > (double)o->max_db_age_days)
		mls_warn("the ClamAV databases are %.0f days old (more than --max-db-age %llu): run 'freshclam'", age,
			 (unsigned long long)o->max_db_age_days);

	if (o->move_dir)
		col.quarantine = realpath(o->move_dir, NULL);
	for (size_t i = 0; i < o->npaths; i++) {
		struct mls_walk_opts wo = { 0, 0, 1 };
		rc = mls_walk(o->paths[i], &wo, on_entry, &col);
		if (rc == MLS_ENOMEM)
			goto fail;
		if (rc < 0) {
			char why[1024];
			snprintf(why, sizeof(why), "not scanned: %s", mls_error_msg());
			mls_err("%s", mls_error_msg());
			if (rc == MLS_ENOTFOUND)
				mls_report_add_file(run.report, o->paths[i], 0, NULL, NULL, MLS_FILE_FAILED, why);
			else
				mls_report_add_error(run.report, o->paths[i], "%s", mls_error_msg());
		}
	}
	if (col.n)
		qsort(col.items, col.n, sizeof(*col.items), cmp_size_desc);
	{
		struct work w = { &run, col.items };
		int jobs = o->jobs > 0 ? o->jobs : 1;
		mls_info("scanning %zu files with %d threads", col.n, jobs);
		if ((rc = mls_parallel_for(col.n, jobs, scan_one, &w)) < 0)
			goto fail;
	}
	mls_report_finish(run.report, o->out.fail_on);
	code = mls_report_exit_code(run.report);
	if (write_reports(&run, mls_now() - t0, 0) < 0)
		code = MLS_EXIT_ERROR;
	goto done;
fail:
	mls_err("%s", mls_error_msg());
	code = MLS_EXIT_ERROR;
done:
	for (size_t i = 0; i < col.n; i++)
		free(col.items[i].path);
	free(col.items);
	free(col.quarantine);
	mls_report_free(run.report);
	avscan_engine_free(run.engine);
	free(target);
	return code;
}
