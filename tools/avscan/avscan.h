/*
 * avscan: ClamAV (libclamav) scans of model files and directories.
 *
 * Modules:
 *   engine.c   loads the databases once, sets limits and callbacks, compiles
 *   scan.c     scans one file (a read-only map of it) on the shared engine;
 *              member paths, limits, alerts -> the report
 *   verify.c   reads top-level archives back with libarchive (corruption)
 *   action.c   --move (quarantine with a JSON record) and --remove
 *   output.c   the clamscan-style text report and the summary block
 *   run.c      avscan_run: walk the targets, scan in parallel, write reports
 * main.c only parses options into struct avscan_opts and maps the outcome to
 * an exit code.
 */
#ifndef AVSCAN_H
#define AVSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include "mls/common.h"

#define AVSCAN_TOOL "avscan"
#define AVSCAN_SYSTEM_DB "/var/lib/clamav"
#ifndef AVSCAN_SIGNATURES_DIR
#define AVSCAN_SIGNATURES_DIR "/usr/local/share/mlsecops/signatures"
#endif

/* libclamav refuses to scan files of 2 GiB or more (it caps its max file size). */
#define AVSCAN_CLAMAV_MAX_FILESIZE ((uint64_t)2147483647)

/* Finding ids (docs/rules/avscan.md). */
#define AVSCAN_RULE_CLAMAV "AV-SIG-001"   /* a signature from a ClamAV database */
#define AVSCAN_RULE_MLS "AV-MLS-001"      /* a signature of this repo's model-threat set */

struct avscan_opts {
	const char **databases;   /* -d, repeatable; NULL = the system default */
	size_t ndatabases;
	const char *signatures;   /* --signatures DIR; NULL = $MLS_SIGNATURES or the install dir */
	int signatures_explicit;  /* DIR came from the command line or the environment */
	int no_system_db;         /* --no-system-db */
	int no_signatures;        /* --no-signatures */
	int jobs;
	int infected_only;        /* --infected */
	int recursive;            /* -r */
	int remove;               /* --remove */
	const char *move_dir;     /* --move=DIR */
	int summary;              /* print the summary block (text format) */
	int archive_check;        /* check top-level archives' structure with libarchive */
	int hash;                 /* SHA-256 of every scanned file (files[].sha256) */
	uint64_t max_filesize, max_scansize;
	uint64_t max_recursion, max_files, max_scantime_ms;
	uint64_t max_db_age_days; /* 0 = no check */
	struct mls_output_opts out;
	char **paths;
	size_t npaths;
};

void avscan_opts_init(struct avscan_opts *o);
void avscan_opts_release(struct avscan_opts *o);

/* One loaded database file (for the report and the age check). */
struct avscan_db {
	char *path;
	unsigned version;  /* CVD/CLD version, 0 for plain signature files */
	unsigned sigs;
	long long built;   /* CVD build time or file mtime (seconds since the epoch) */
	int cvd;           /* official .cvd/.cld/.cud container */
};

struct avscan_engine {
	void *cl;                  /* struct cl_engine * */
	unsigned sigs;             /* signatures loaded */
	struct avscan_db *dbs;
	size_t ndbs, capdbs;
	char **loaded;             /* realpaths of what was given to cl_load */
	size_t nloaded;
	uint64_t max_filesize;     /* effective (after libclamav's cap) */
	long long newest_cvd;      /* build time of the newest .cvd/.cld, 0 if none */
};

/* Loads every database (dbs, then the repo signatures), sets the limits, the
 * callbacks and compiles.  Fails with MLS_ENOTFOUND when no signature could
 * be loaded, with a message saying how to get some. */
int avscan_engine_new(struct avscan_engine **out, const struct avscan_opts *o);
void avscan_engine_free(struct avscan_engine *e);
/* Age of the newest official database in days, or -1 when none is loaded. */
double avscan_engine_db_age_days(const struct avscan_engine *e);
/* Adds engine/database properties and the structured "engine" object to r. */
void avscan_engine_describe(const struct avscan_engine *e, struct mls_report *r);
const char *avscan_engine_version(void);
/* The scan option set every scan uses (struct cl_scan_options *). */
void avscan_engine_scan_options(void *scanopts);

/* Shared state of one run (read-only engine, thread-safe report). */
struct avscan_run {
	const struct avscan_opts *o;
	struct avscan_engine *engine;
	struct mls_report *report;
	atomic_ullong bytes_scanned;   /* libclamav's "scanned" counter, in bytes */
	atomic_ullong files_scanned;
	atomic_ullong files_infected;
	atomic_ullong files_incomplete;
	unsigned long long dirs;
};

/* Scans one regular file: adds it to the report with its status, a finding
 * per signature, and applies the action (--move/--remove).  display is the
 * path as shown; via_symlink allows following a final in-root symlink.
 * Returns 0 (outcomes are in the report) or MLS_ENOMEM. */
int avscan_scan_file(struct avscan_run *run, const char *path, uint64_t size, int via_symlink);

/* Sets the engine callbacks scan.c relies on (member names, alerts). */
void avscan_scan_install_callbacks(void *cl_engine);
/* Classifies a ClamAV alert: 1 and *reason set for "not scanned" heuristics
 * (limits exceeded, encrypted content), 0 for a detection. */
int avscan_alert_is_not_scanned(const char *virname, char *reason, size_t reasonsz);
/* 1 when virname comes from this repo's signature set ("MLSecOps."). */
int avscan_sig_is_mls(const char *virname);

/* Actions on an infected file; fd is the open, scanned file.  On success
 * *what describes the outcome ("moved to 'q/abc.data'", "removed"); free it. */
struct avscan_quarantine_info {
	const char *path;
	const char *sha256;
	uint64_t size;
	const char *const *signatures;
	const char *const *members;
	size_t nsignatures;
	const char *engine_version;
};
int avscan_quarantine(char **dest_out, const char *dir, int fd, const struct avscan_quarantine_info *info);
int avscan_remove(int fd, const char *path);
/* Checks that path still names the file open on fd (same device and inode). */
int avscan_same_file(int fd, const char *path, int follow);
/* A quarantine name stem for path: basename with unsafe bytes replaced. */
void avscan_safe_name(char *out, size_t outsz, const char *path);

/* Structural check of an archive open on fd with libarchive: 0 when every
 * member reads back (headers, data, CRCs), MLS_EFORMAT with the reason when
 * corrupt, MLS_EUNSUPPORTED when encrypted, other codes otherwise. */
int avscan_archive_check(int fd, const struct avscan_opts *o);
/* 1 when a libclamav file type names an archive format libarchive reads. */
int avscan_type_is_archive(const char *cltype);

/* Renders the clamscan-style text report (and summary) into out. */
int avscan_render_text(struct mls_buf *out, const struct avscan_run *run, double seconds);

/* The whole run: returns the exit code (0/1/2; 2 also when nothing ran). */
int avscan_run(const struct avscan_opts *o);

#endif
