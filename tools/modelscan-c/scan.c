/*
 * modelscan-c orchestration: walks the paths, scans each file (in parallel)
 * through the format dispatcher, fills the common report and writes it.
 * Knows nothing about any format: formats plug in through the handler
 * table (formats.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modelscan.h"
#include "policy.h"
#include "scanner.h"

struct rule_doc {
	const char *id, *name, *desc;
	enum mls_severity sev;
};

static const struct rule_doc rules[] = {
	{ "MS-PICKLE-001", "dangerous-global",
	  "The pickle imports a global that the policy denies: loading it can run code, start processes, touch files "
	  "or the network.", MLS_SEV_CRITICAL },
	{ "MS-PICKLE-002", "unknown-global",
	  "The pickle imports a global that is neither denied nor in the allowlist of known-safe globals (low; high "
	  "with --strict).", MLS_SEV_LOW },
	{ "MS-PICKLE-003", "unresolved-global",
	  "An import whose module or name cannot be resolved statically (computed operands, EXT codes, oversized "
	  "names): the imported object is chosen at load time.", MLS_SEV_HIGH },
	{ "MS-PICKLE-004", "computed-call",
	  "A call (REDUCE, OBJ, NEWOBJ...) of a value that is not an imported global, e.g. the result of another "
	  "call: a gadget chain.", MLS_SEV_HIGH },
	{ "MS-PICKLE-005", "trailing-data",
	  "Bytes after the last pickle stream that are not another pickle: hidden data a second load() or another "
	  "reader may use.", MLS_SEV_MEDIUM },
	{ "MS-PICKLE-006", "build-on-global",
	  "BUILD sets attributes on an imported object itself (a module, class or function), which can replace "
	  "code other parts of the program call.", MLS_SEV_HIGH },
	{ "MS-PICKLE-007", "embedded-payload",
	  "Bytes handed to a loader (pickle.loads, torch.load...) that are not a recognised format.", MLS_SEV_MEDIUM },
	{ "MS-PICKLE-009", "too-many-findings", "Findings past the per-stream cap are not reported.", MLS_SEV_INFO },
	{ "MS-TORCH-001", "zip-duplicate-member",
	  "Two zip members have the same name: readers disagree on which one is loaded; all are scanned.",
	  MLS_SEV_MEDIUM },
	{ "MS-TORCH-002", "zip-directory-mismatch",
	  "The zip's local headers and central directory list different members: a member hidden from one reader; "
	  "all are scanned.", MLS_SEV_MEDIUM },
	{ "MS-TORCH-003", "torchscript-code",
	  "A TorchScript archive carries code/ (TorchScript source run by torch.jit.load).", MLS_SEV_LOW },
	{ "MS-TORCH-004", "zip-corrupt-member",
	  "A zip member could not be read cleanly (bad CRC, bad compression): what was read was scanned.",
	  MLS_SEV_MEDIUM },
	{ "MS-NUMPY-001", "object-array",
	  "A .npy array with an object dtype: numpy.load(allow_pickle=True) unpickles it; the pickle was scanned.",
	  MLS_SEV_LOW },
};

void ms_register_rules(struct mls_report *r)
{
	char uri[160];
	for (size_t i = 0; i < MLS_ARRAY_SIZE(rules); i++) {
		char lower[32];
		size_t k;
		for (k = 0; rules[i].id[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)(rules[i].id[k] >= 'A' && rules[i].id[k] <= 'Z' ? rules[i].id[k] + 32 : rules[i].id[k]);
		lower[k] = '\0';
		snprintf(uri, sizeof(uri), "docs/rules/modelscan-pickle.md#%s", lower);
		mls_report_add_rule(r, rules[i].id, rules[i].name, rules[i].desc, uri, rules[i].sev);
	}
}

void ms_opts_init(struct ms_opts *o)
{
	memset(o, 0, sizeof(*o));
	mls_output_opts_init(&o->out);
	mls_limits_default(&o->limits);
	o->jobs = 0;
	o->progress = -1;
}

struct job {
	char *path;      /* as reported */
	uint64_t size;
	enum mls_file_status pre;  /* SKIPPED/INCOMPLETE decided by the walk */
	char *reason;
	int supported;   /* set by the scan */
};

struct run {
	const struct ms_opts *o;
	struct mls_report *report;
	struct ms_policy *policy;
	struct job *jobs;
	size_t njobs, capjobs;
	atomic_size_t done;
	atomic_int supported;
	int progress;
	pthread_mutex_t plock;
};

static int add_job(struct run *r, const char *path, uint64_t size, enum mls_file_status pre, const char *reason)
{
	if (mls_array_reserve(&r->jobs, &r->capjobs, r->njobs, sizeof(*r->jobs), 64) < 0)
		return MLS_ENOMEM;
	struct job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof(*j));
	j->path = strdup(path);
	j->reason = reason ? strdup(reason) : NULL;
	j->size = size;
	j->pre = pre;
	if (!j->path)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	r->njobs++;
	return 0;
}

static int walk_cb(const struct mls_walk_entry *e, void *ctx)
{
	struct run *r = ctx;
	if (e->type == MLS_WALK_FILE)
		return add_job(r, e->path, e->size, MLS_FILE_SCANNED, NULL);
	if (e->type == MLS_WALK_SKIPPED) {
		/* a link out of the root could point at a model: not examined means not clean */
		int unsafe = e->reason && (strstr(e->reason, "outside") || strstr(e->reason, "dangling") ||
					   strstr(e->reason, "loop"));
		return add_job(r, e->path, 0, unsafe ? MLS_FILE_INCOMPLETE : MLS_FILE_SKIPPED, e->reason);
	}
	return 0;
}

static void progress(struct run *r)
{
	if (!r->progress)
		return;
	size_t d = atomic_fetch_add(&r->done, 1) + 1;
	pthread_mutex_lock(&r->plock);
	fprintf(stderr, "\rmodelscan-c: scanned %zu/%zu files", d, r->njobs);
	if (d == r->njobs)
		fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&r->plock);
}

/* Scans one file: hash, detect, scan; everything goes into the report. */
static int scan_one(size_t i, void *vctx)
{
	struct run *r = vctx;
	struct job *j = &r->jobs[i];
	const struct ms_opts *o = r->o;
	char hex[MLS_HASH_HEX_MAX] = "";
	int fd = -1;
	struct stat st;

	if (j->pre != MLS_FILE_SCANNED) {
		if (j->pre == MLS_FILE_INCOMPLETE || o->show_skipped)
			mls_report_add_file(r->report, j->path, 0, NULL, NULL, j->pre, j->reason);
		if (j->pre == MLS_FILE_INCOMPLETE)
			mls_err("cannot scan '%s': %s", j->path, j->reason ? j->reason : "not examined");
		progress(r);
		return 0;
	}
	long idx = mls_report_add_file(r->report, j->path, j->size, NULL, NULL, MLS_FILE_SCANNED, NULL);
	if (idx < 0) {
		progress(r);
		return (int)idx;
	}
	do
		fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		const char *why = fd < 0 ? strerror(errno) : "not a regular file";
		mls_report_file_status(r->report, idx, MLS_FILE_FAILED, why);
		mls_report_add_error(r->report, j->path, "cannot open '%s': %s", j->path, why);
		mls_err("cannot open '%s': %s", j->path, why);
		goto done;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (!o->no_hash) {
		uint64_t hsz = 0;
		if (mls_hash_fd(hex, &hsz, fd, MLS_SHA256) < 0) {
			mls_report_file_status(r->report, idx, MLS_FILE_FAILED, mls_error_msg());
			mls_report_add_error(r->report, j->path, "cannot read '%s': %s", j->path, mls_error_msg());
			mls_err("cannot read '%s': %s", j->path, mls_error_msg());
			goto done;
		}
		mls_report_file_set(r->report, idx, hex, NULL);
	}
	if ((uint64_t)st.st_size > o->limits.max_file_bytes) {
		char why[160];
		snprintf(why, sizeof(why), "file of %llu bytes is larger than the limit (--max-file-size %llu)",
			 (unsigned long long)st.st_size, (unsigned long long)o->limits.max_file_bytes);
		mls_report_file_status(r->report, idx, MLS_FILE_INCOMPLETE, why);
		mls_err("'%s': %s", j->path, why);
		j->supported = 1;
		goto done;
	}

	struct ms_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.report = r->report;
	ctx.policy = r->policy;
	ctx.limits = &o->limits;
	ctx.strict = o->strict;
	ctx.path = j->path;
	ctx.file_idx = idx;
	mls_deadline_start(&ctx.deadline, o->limits.max_seconds);

	struct ms_input in;
	ms_input_init_fd(&in, fd, j->path, mls_path_basename(j->path), (uint64_t)st.st_size);
	enum ms_format fmt = MS_FMT_UNKNOWN;
	mls_error_clear();
	int rc = ms_scan_input(&ctx, &in, &fmt);
	if (fmt != MS_FMT_UNKNOWN) {
		/* text and JSON files are recognised but are not models: alone they are "nothing to do" */
		j->supported = fmt != MS_FMT_TEXT && fmt != MS_FMT_JSON;
		mls_report_file_set(r->report, idx, NULL, ms_format_name(fmt));
	}
	if (rc < 0) {
		mls_report_file_status(r->report, idx, MLS_FILE_FAILED, mls_error_msg());
		mls_report_add_error(r->report, j->path, "cannot scan '%s': %s", j->path, mls_error_msg());
		mls_err("cannot scan '%s': %s", j->path, mls_error_msg());
	} else if (fmt == MS_FMT_UNKNOWN) {
		mls_report_file_status(r->report, idx, MLS_FILE_SKIPPED, "not a supported model format");
		j->supported = 0;
	} else if (ctx.incomplete) {
		mls_warn("'%s' was not fully examined (see the report)", j->path);
	}
done:
	if (fd >= 0)
		close(fd);
	progress(r);
	return 0;
}

static void drop_unlisted_skips(struct run *r)
{
	/* without --show-skipped unsupported files are counted, not listed (ModelScan) */
	struct mls_report *rep = r->report;
	size_t k = 0, skipped = 0;
	for (size_t i = 0; i < rep->nfiles; i++) {
		struct mls_report_file *f = &rep->files[i];
		if (f->status == MLS_FILE_SKIPPED && !r->o->show_skipped) {
			free(f->path);
			free(f->sha256);
			free(f->format);
			free(f->reason);
			skipped++;
			continue;
		}
		rep->files[k++] = *f;
	}
	rep->nfiles = k;
	if (skipped) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", skipped);
		mls_report_set_property(rep, "skipped_unsupported_files", n);
	}
}

int ms_run(const struct ms_opts *o, int *exit_code)
{
	struct run r;
	struct mls_buf target;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	pthread_mutex_init(&r.plock, NULL);
	*exit_code = MLS_EXIT_ERROR;
	mls_buf_init(&target, 1 << 20);
	for (size_t i = 0; i < o->npaths; i++) {
		if (i)
			mls_buf_putc(&target, ' ');
		mls_buf_puts(&target, o->paths[i]);
	}
	rc = mls_report_new(&r.report, "modelscan-c", MLS_VERSION, mls_buf_cstr(&target));
	if (rc < 0)
		goto done;
	ms_register_rules(r.report);
	rc = ms_policy_new_default(&r.policy);
	for (size_t i = 0; rc == 0 && i < o->npolicies; i++)
		rc = ms_policy_merge_file(r.policy, o->policies[i]);
	if (rc < 0)
		goto done;
	{
		char n[64];
		snprintf(n, sizeof(n), "%zu deny, %zu allow", ms_policy_count(r.policy, 1), ms_policy_count(r.policy, 0));
		mls_report_set_property(r.report, "policy", n);
		mls_report_set_property(r.report, "strict", o->strict ? "true" : "false");
	}

	for (size_t i = 0; i < o->npaths; i++) {
		struct stat st;
		if (lstat(o->paths[i], &st) != 0) {
			mls_report_add_error(r.report, o->paths[i], "cannot open '%s': %s", o->paths[i], strerror(errno));
			mls_err("cannot open '%s': %s", o->paths[i], strerror(errno));
			continue;
		}
		struct mls_walk_opts wo = { 0, 0, 0 };
		int wrc = mls_walk(o->paths[i], &wo, walk_cb, &r);
		if (wrc < 0) {
			mls_report_add_error(r.report, o->paths[i], "cannot walk '%s': %s", o->paths[i], mls_error_msg());
			mls_err("cannot walk '%s': %s", o->paths[i], mls_error_msg());
			if (mls_error_code() == MLS_ENOMEM) {
				rc = wrc;
				goto done;
			}
		}
	}
	r.progress = o->progress < 0 ? (isatty(2) && mls_log_get_level() >= MLS_LOG_WARN && r.njobs > 1) : o->progress;
	rc = mls_parallel_for(r.njobs, o->jobs > 0 ? o->jobs : mls_default_jobs(), scan_one, &r);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < r.njobs; i++)
		if (r.jobs[i].supported || r.jobs[i].pre == MLS_FILE_INCOMPLETE)
			atomic_fetch_add(&r.supported, 1);
	drop_unlisted_skips(&r);
	mls_report_finish(r.report, o->out.fail_on);
	rc = mls_report_write_outputs(r.report, &o->out);
	if (rc < 0) {
		mls_err("cannot write the report: %s", mls_error_msg());
		*exit_code = MLS_EXIT_ERROR;
		rc = 0;
		goto done;
	}
	*exit_code = mls_report_exit_code(r.report);
	if (*exit_code == MLS_EXIT_OK && atomic_load(&r.supported) == 0 && r.report->nerrors == 0) {
		mls_info("no supported model file found");
		*exit_code = MLS_EXIT_NOTHING;
	}
done:
	for (size_t i = 0; i < r.njobs; i++) {
		free(r.jobs[i].path);
		free(r.jobs[i].reason);
	}
	free(r.jobs);
	ms_policy_free(r.policy);
	mls_report_free(r.report);
	mls_buf_release(&target);
	pthread_mutex_destroy(&r.plock);
	return rc;
}
