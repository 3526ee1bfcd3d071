/*
 * The ClamAV engine, loaded once per run: databases given with -d (or the
 * system directory), then this repo's signature set; explicit limits for
 * model-sized files; compiled, then shared read-only by every worker thread.
 */
#include <clamav.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include "avscan.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

/* libclamav's own messages: load errors are shown (they name the bad line of
 * a signature file); everything else only with -vv. */
static void on_clamav_msg(enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
	(void)fullmsg;
	char line[512];
	size_t n = msg ? strlen(msg) : 0;
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) - 1 ? n : sizeof(line) - 1), msg ? msg : "");
	if (severity == CL_MSG_ERROR && !context)
		mls_log(MLS_LOG_INFO, "libclamav: %s", line);
	else
		mls_debug("libclamav: %s", line);
}

static void do_init(void)
{
	cl_set_clcb_msg(on_clamav_msg);
	init_rc = cl_init(CL_INIT_DEFAULT);
}

const char *avscan_engine_version(void)
{
	return cl_retver();
}

static int has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return 0;
	for (size_t i = 0; exts[i]; i++)
		if (strcmp(dot + 1, exts[i]) == 0)
			return 1;
	return 0;
}

static const char *const cvd_exts[] = { "cvd", "cld", "cud", NULL };
static const char *const sig_exts[] = { "db", "hdb", "hsb", "hdu", "hsu", "mdb", "msb", "mdu", "msu", "ndb",
					"ndu", "ldb", "ldu", "idb", "cdb", "cbc", "cat", "crb", "pdb", "gdb",
					"wdb", "ftm", "yar", "yara", "sfp", "fp", "ign", "ign2", "info", NULL };

/* Records one database file (version, signature count, build time). */
static int note_db(struct avscan_engine *e, const char *path)
{
	const char *base = mls_path_basename(path);
	int cvd = has_ext(base, cvd_exts);
	struct stat st;
	unsigned sigs = 0, version = 0;
	long long built = 0;

	if (!cvd && !has_ext(base, sig_exts))
		return 0;
	if (stat(path, &st) == 0)
		built = (long long)st.st_mtime;
	if (cvd) {
		struct cl_cvd *h = cl_cvdhead(path);
		if (h) {
			version = h->version;
			sigs = h->sigs;
			if (h->stime)
				built = (long long)h->stime;
			cl_cvdfree(h);
		}
		if (built > e->newest_cvd)
			e->newest_cvd = built;
	} else if (cl_countsigs(path, CL_COUNTSIGS_ALL, &sigs) != CL_SUCCESS) {
		sigs = 0;
	}
	if (mls_array_reserve(&e->dbs, &e->capdbs, e->ndbs, sizeof(*e->dbs), 16) < 0)
		return MLS_ENOMEM;
	struct avscan_db *d = &e->dbs[e->ndbs];
	memset(d, 0, sizeof(*d));
	if (!(d->path = strdup(path)))
		return mls_error_set(MLS_ENOMEM, "out of memory");
	d->version = version;
	d->sigs = sigs;
	d->built = built;
	d->cvd = cvd;
	e->ndbs++;
	return 0;
}

/* Notes the database files of a directory (cl_load does not recurse either). */
static int note_dir(struct avscan_engine *e, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct mls_buf p;
	int rc = 0;
	if (!d)
		return 0;
	mls_buf_init(&p, PATH_MAX * 2);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		mls_buf_reset(&p);
		if ((rc = mls_buf_printf(&p, "%s/%s", dir, de->d_name)) < 0)
			break;
		rc = note_db(e, mls_buf_cstr(&p));
	}
	closedir(d);
	mls_buf_release(&p);
	return rc;
}

static int already_loaded(const struct avscan_engine *e, const char *real)
{
	for (size_t i = 0; i < e->nloaded; i++)
		if (strcmp(e->loaded[i], real) == 0)
			return 1;
	return 0;
}

/* Loads one database file or directory.  what names it in messages. */
static int load_path(struct avscan_engine *e, const char *path, const char *what, int *dup)
{
	struct stat st;
	unsigned before = e->sigs;
	char *real;
	int rc;

	if (stat(path, &st) != 0)
		return mls_error_set(MLS_ENOTFOUND, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (!(real = realpath(path, NULL)))
		return mls_error_set(MLS_EIO, "cannot resolve %s '%s': %s", what, path, strerror(errno));
	*dup = already_loaded(e, real);
	if (*dup) {
		free(real);
		return 0;
	}
	char **p = realloc(e->loaded, (e->nloaded + 1) * sizeof(*p));
	if (!p) {
		free(real);
		return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	e->loaded = p;
	e->loaded[e->nloaded++] = real;

	if (S_ISDIR(st.st_mode)) {
		/* An empty directory is "no signatures here", not a failure yet:
		 * the caller decides (it is one for the system database). */
		DIR *d = opendir(path);
		int any = 0;
		struct dirent *de;
		if (!d)
			return mls_error_set(MLS_EIO, "cannot open %s '%s': %s", what, path, strerror(errno));
		while (!any && (de = readdir(d)) != NULL)
			any = de->d_name[0] != '.' && (has_ext(de->d_name, cvd_exts) || has_ext(de->d_name, sig_exts));
		closedir(d);
		if (!any)
			return 0;
	}
	rc = cl_load(path, e->cl, &e->sigs, CL_DB_STDOPT);
	if (rc != CL_SUCCESS)
		return mls_error_set(MLS_EFORMAT, "cannot load %s '%s': %s", what, path, cl_strerror(rc));
	mls_info("loaded %u signatures from %s '%s'", e->sigs - before, what, path);
	return S_ISDIR(st.st_mode) ? note_dir(e, path) : note_db(e, path);
}

static int set_num(struct cl_engine *cl, enum cl_engine_field f, uint64_t v, const char *name)
{
	if (v > (uint64_t)LLONG_MAX)
		v = (uint64_t)LLONG_MAX;
	int rc = cl_engine_set_num(cl, f, (long long)v);
	if (rc != CL_SUCCESS)
		return mls_error_set(MLS_EINVAL, "cannot set %s: %s", name, cl_strerror(rc));
	return 0;
}

/* Where the repo signatures are: --signatures, $MLS_SIGNATURES, install dir. */
static const char *signatures_dir(const struct avscan_opts *o, int *explicit_out)
{
	const char *env = getenv("MLS_SIGNATURES");
	*explicit_out = 1;
	if (o->signatures)
		return o->signatures;
	if (env && *env)
		return env;
	*explicit_out = 0;
	return AVSCAN_SIGNATURES_DIR;
}

static const char *const no_db_help =
	"run 'freshclam' to download the ClamAV databases into "
	AVSCAN_SYSTEM_DB ", or point -d/--database at a directory of databases "
	"(--no-system-db scans with this repo's signatures only)";

int avscan_engine_new(struct avscan_engine **out, const struct avscan_opts *o)
{
	struct avscan_engine *e;
	int rc = 0, explicit_sigs, dup = 0;
	const char *sigdir;

	*out = NULL;
	pthread_once(&init_once, do_init);
	if (init_rc != CL_SUCCESS)
		return mls_error_set(MLS_EIO, "cannot initialise libclamav: %s", cl_strerror(init_rc));
	if (!(e = calloc(1, sizeof(*e))))
		return mls_error_set(MLS_ENOMEM, "out of memory");
	if (!(e->cl = cl_engine_new())) {
		rc = mls_error_set(MLS_ENOMEM, "cannot create the ClamAV engine");
		goto done;
	}

	/* 1. ClamAV databases: each -d, or the system directory. */
	for (size_t i = 0; i < o->ndatabases; i++) {
		unsigned before = e->sigs;
		if ((rc = load_path(e, o->databases[i], "database", &dup)) < 0)
			goto done;
		if (!dup && e->sigs == before) {
			rc = mls_error_set(MLS_ENOTFOUND, "no signatures in '%s': %s", o->databases[i], no_db_help);
			goto done;
		}
	}
	if (!o->ndatabases && !o->no_system_db) {
		unsigned before = e->sigs;
		if ((rc = load_path(e, AVSCAN_SYSTEM_DB, "ClamAV database directory", &dup)) < 0 || e->sigs == before) {
			rc = mls_error_set(MLS_ENOTFOUND, "no ClamAV databases in '%s': %s", AVSCAN_SYSTEM_DB,
					   no_db_help);
			goto done;
		}
	}

	/* 2. This repo's signatures. */
	sigdir = signatures_dir(o, &explicit_sigs);
	if (!o->no_signatures) {
		struct stat st;
		if (stat(sigdir, &st) != 0 && !explicit_sigs) {
			mls_warn("the mlsecops signatures are not installed in '%s' (--signatures DIR or "
				 "MLS_SIGNATURES chooses them)", sigdir);
		} else if ((rc = load_path(e, sigdir, "signature directory", &dup)) < 0) {
			goto done;
		}
	}
	if (e->sigs == 0) {
		rc = mls_error_set(MLS_ENOTFOUND, "no usable signatures: %s", no_db_help);
		goto done;
	}

	/* 3. Limits: explicit, sized for models.  libclamav cannot scan 2 GiB
	 * or more; a larger --max-filesize is capped (and files above the cap
	 * are reported as not scanned before libclamav sees them). */
	e->max_filesize = o->max_filesize < AVSCAN_CLAMAV_MAX_FILESIZE ? o->max_filesize : AVSCAN_CLAMAV_MAX_FILESIZE;
	if ((rc = set_num(e->cl, CL_ENGINE_MAX_FILESIZE, e->max_filesize, "the maximum file size")) < 0 ||
	    (rc = set_num(e->cl, CL_ENGINE_MAX_SCANSIZE, o->max_scansize, "the maximum scan size")) < 0 ||
	    (rc = set_num(e->cl, CL_ENGINE_MAX_RECURSION, o->max_recursion, "the maximum recursion")) < 0 ||
	    (rc = set_num(e->cl, CL_ENGINE_MAX_FILES, o->max_files, "the maximum file count")) < 0 ||
	    (rc = set_num(e->cl, CL_ENGINE_MAX_SCANTIME, o->max_scantime_ms, "the maximum scan time")) < 0)
		goto done;

	avscan_scan_install_callbacks(e->cl);
	int crc = cl_engine_compile(e->cl);
	if (crc != CL_SUCCESS) {
		rc = mls_error_set(MLS_EFORMAT, "cannot compile the ClamAV engine: %s", cl_strerror(crc));
		goto done;
	}
	*out = e;
	e = NULL;
done:
	avscan_engine_free(e);
	return rc;
}

void avscan_engine_free(struct avscan_engine *e)
{
	if (!e)
		return;
	if (e->cl)
		cl_engine_free(e->cl);
	for (size_t i = 0; i < e->ndbs; i++)
		free(e->dbs[i].path);
	for (size_t i = 0; i < e->nloaded; i++)
		free(e->loaded[i]);
	free(e->dbs);
	free(e->loaded);
	free(e);
}

double avscan_engine_db_age_days(const struct avscan_engine *e)
{
	if (!e || !e->newest_cvd)
		return -1.0;
	double age = difftime(time(NULL), (time_t)e->newest_cvd) / 86400.0;
	return age < 0 ? 0.0 : age;
}

static void stamp(char out[40], long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

/* The "engine" object of the JSON report. */
static void write_engine_json(void *gen, void *ctx)
{
	yajl_gen g = gen;
	const struct avscan_engine *e = ctx;
	char t[40];
	mls_jgen_str(g, "engine");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", "libclamav");
	mls_jgen_kv_str(g, "version", cl_retver());
	mls_jgen_kv_uint(g, "functionality_level", cl_retflevel());
	mls_jgen_kv_uint(g, "signatures", e->sigs);
	mls_jgen_str(g, "databases");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < e->ndbs; i++) {
		const struct avscan_db *d = &e->dbs[i];
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "path", d->path);
		mls_jgen_kv_str(g, "name", mls_path_basename(d->path));
		if (d->cvd)
			mls_jgen_kv_uint(g, "version", d->version);
		mls_jgen_kv_uint(g, "signatures", d->sigs);
		stamp(t, d->built);
		if (t[0])
			mls_jgen_kv_str(g, d->cvd ? "built" : "modified", t);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	double age = avscan_engine_db_age_days(e);
	if (age >= 0)
		mls_jgen_kv_double(g, "database_age_days", age);
	yajl_gen_map_close(g);
}

/* Properties (flat, also in SARIF) and the structured "engine" object. */
void avscan_engine_describe(const struct avscan_engine *e, struct mls_report *r)
{
	char v[64];
	struct mls_buf b;
	if (!e || !r)
		return;
	mls_report_set_property(r, "engine", "libclamav");
	mls_report_set_property(r, "engine_version", cl_retver());
	snprintf(v, sizeof(v), "%u", e->sigs);
	mls_report_set_property(r, "signatures", v);
	mls_buf_init(&b, 1 << 20);
	for (size_t i = 0; i < e->ndbs; i++) {
		const struct avscan_db *d = &e->dbs[i];
		if (b.len)
			mls_buf_puts(&b, ", ");
		if (d->cvd)
			mls_buf_printf(&b, "%s:%u (%u signatures)", mls_path_basename(d->path), d->version, d->sigs);
		else
			mls_buf_printf(&b, "%s (%u signatures)", mls_path_basename(d->path), d->sigs);
	}
	mls_report_set_property(r, "databases", mls_buf_cstr(&b));
	mls_buf_release(&b);
	mls_report_set_extra(r, write_engine_json, (void *)e);
}

void avscan_engine_scan_options(void *scanopts)
{
	struct cl_scan_options *so = scanopts;
	memset(so, 0, sizeof(*so));
	/* All matches: every signature and every member is reported. */
	so->general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
	/* Archives, documents, executables, mail...: everything libclamav parses. */
	so->parse = ~0u;
	/* Alert (and so report "not scanned") whatever exceeded a limit or was encrypted. */
	so->heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX | CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE |
			CL_SCAN_HEURISTIC_ENCRYPTED_DOC;
}
