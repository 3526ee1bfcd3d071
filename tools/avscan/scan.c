/*
 * Scanning one file on the shared, compiled engine.  The per-scan context
 * given to libclamav's callbacks tracks the chain of archive members being
 * inspected, so that each alert carries the member path it was raised in.
 * Alerts for exceeded limits and encrypted content are not detections: they
 * make the file "not scanned" (incomplete), never clean.
 */
#include <clamav.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "avscan.h"

struct layer {
	int fd;
	char *name; /* NULL when libclamav had no name (a normalised layer) */
	char type[32];
};

struct alert {
	char *virname;
	char *member; /* "" for the file itself */
};

/* A member name announced by a container parser (full path inside it). */
struct meta_name {
	char *name;
	unsigned pos;
	unsigned long real_size; /* declared uncompressed size, 0 if unknown */
	int used;
};

struct scan_ctx {
	struct meta_name *metas;
	size_t nmetas, capmetas;
	struct layer *layers;
	size_t nlayers, caplayers;
	char top_type[64];
	uint64_t max_filesize;
	char limit_note[512]; /* first member libclamav could not scan whole */
	struct alert *alerts;
	size_t nalerts, capalerts;
	int oom;
};

static void free_ctx(struct scan_ctx *c)
{
	for (size_t i = 0; i < c->nmetas; i++)
		free(c->metas[i].name);
	free(c->metas);
	for (size_t i = 0; i < c->nlayers; i++)
		free(c->layers[i].name);
	for (size_t i = 0; i < c->nalerts; i++) {
		free(c->alerts[i].virname);
		free(c->alerts[i].member);
	}
	free(c->layers);
	free(c->alerts);
}

/* Container parsers announce each member with its full name (the
 * inspection callback later only gets the base name for zip members). */
static cl_error_t on_meta(const char *container_type, unsigned long container_size, const char *name,
			  unsigned long real_size, int encrypted, unsigned int pos, void *context)
{
	struct scan_ctx *c = context;
	(void)container_size;
	if (!c || !name || !*name || !container_type)
		return CL_CLEAN;
	/* libclamav also looks for archive headers embedded anywhere in a file
	 * (random weights contain "PK\3\4" now and then) and announces what it
	 * finds there before giving up on it: only members of the layer being
	 * scanned, an archive of that very type, are real. */
	if (!c->nlayers || strcmp(c->layers[c->nlayers - 1].type, container_type) != 0)
		return CL_CLEAN;
	/* libclamav truncates a member larger than the file size limit and
	 * scans the first part without any alert: catch it here. */
	if (!c->limit_note[0] && real_size > c->max_filesize)
		snprintf(c->limit_note, sizeof(c->limit_note),
			 "not scanned: member %s (%lu bytes) is larger than --max-filesize (%llu)", name, real_size,
			 (unsigned long long)c->max_filesize);
	if (!c->limit_note[0] && encrypted)
		snprintf(c->limit_note, sizeof(c->limit_note), "not scanned: member %s is encrypted", name);
	if (c->nmetas && c->metas[c->nmetas - 1].pos == pos && strcmp(c->metas[c->nmetas - 1].name, name) == 0)
		return CL_CLEAN; /* announced twice (local header and central directory) */
	if (c->nmetas == c->capmetas) {
		size_t cap = c->capmetas ? c->capmetas * 2 : 16;
		struct meta_name *p = realloc(c->metas, cap * sizeof(*p));
		if (!p) {
			c->oom = 1;
			return CL_CLEAN;
		}
		c->metas = p;
		c->capmetas = cap;
	}
	if (!(c->metas[c->nmetas].name = strdup(name))) {
		c->oom = 1;
		return CL_CLEAN;
	}
	c->metas[c->nmetas].pos = pos;
	c->metas[c->nmetas].real_size = real_size;
	c->metas[c->nmetas].used = 0;
	c->nmetas++;
	return CL_CLEAN;
}

/* The full member name for a base name, from the first unused announcement. */
static struct meta_name *full_name(struct scan_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->nmetas; i++) {
		struct meta_name *m = &c->metas[i];
		if (m->used)
			continue;
		if (strcmp(m->name, name) == 0 || strcmp(mls_path_basename(m->name), name) == 0) {
			m->used = 1;
			return m;
		}
	}
	return NULL;
}

/* Called for every file libclamav is about to scan, outer and inner. */
static cl_error_t on_inspect(int fd, const char *type, const char **ancestors, size_t parent_size,
			     const char *name, size_t size, const char *buf, uint32_t level, uint32_t attrs,
			     void *context)
{
	struct scan_ctx *c = context;
	(void)ancestors;
	(void)parent_size;
	(void)buf;
	(void)attrs;
	if (!c)
		return CL_CLEAN;
	if (level == 0 && type)
		snprintf(c->top_type, sizeof(c->top_type), "%s", type);
	while (c->nlayers > level) {
		c->nlayers--;
		free(c->layers[c->nlayers].name);
	}
	if (c->nlayers < level) /* a layer we were not told about: keep the chain aligned */
		level = (uint32_t)c->nlayers;
	if (c->nlayers == c->caplayers) {
		size_t cap = c->caplayers ? c->caplayers * 2 : 8;
		struct layer *p = realloc(c->layers, cap * sizeof(*p));
		if (!p) {
			c->oom = 1;
			return CL_CLEAN;
		}
		c->layers = p;
		c->caplayers = cap;
	}
	c->layers[c->nlayers].fd = fd;
	snprintf(c->layers[c->nlayers].type, sizeof(c->layers[c->nlayers].type), "%s", type ? type : "");
	if (name && level > 0) {
		struct meta_name *m = full_name(c, name);
		if (m) {
			name = m->name;
			if (!c->limit_note[0] && m->real_size > size)
				snprintf(c->limit_note, sizeof(c->limit_note),
					 "not scanned completely: libclamav scanned %zu of the %lu bytes of member %s",
					 size, m->real_size, name);
		}
	}
	c->layers[c->nlayers].name = name ? strdup(name) : NULL;
	if (name && !c->layers[c->nlayers].name)
		c->oom = 1;
	c->nlayers++;
	return CL_CLEAN;
}

/* The member path of the layer open on fd: inner names joined with "!". */
static char *member_path(const struct scan_ctx *c, int fd)
{
	struct mls_buf b;
	size_t top = c->nlayers;
	if (fd < 0)
		return strdup("");
	while (top > 0 && c->layers[top - 1].fd != fd)
		top--;
	mls_buf_init(&b, 1 << 16);
	for (size_t i = 1; i < top; i++) {
		if (!c->layers[i].name)
			continue;
		if (b.len)
			mls_buf_putc(&b, '!');
		mls_buf_puts(&b, c->layers[i].name);
	}
	return mls_buf_detach(&b, NULL);
}

static void on_virus(int fd, const char *virname, void *context)
{
	struct scan_ctx *c = context;
	if (!c || !virname)
		return;
	char *member = member_path(c, fd);
	if (!member) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < c->nalerts; i++) /* all-match mode repeats alerts (raw and typed passes) */
		if (strcmp(c->alerts[i].virname, virname) == 0 && strcmp(c->alerts[i].member, member) == 0) {
			free(member);
			return;
		}
	if (c->nalerts == c->capalerts) {
		size_t cap = c->capalerts ? c->capalerts * 2 : 4;
		struct alert *p = realloc(c->alerts, cap * sizeof(*p));
		if (!p) {
			free(member);
			c->oom = 1;
			return;
		}
		c->alerts = p;
		c->capalerts = cap;
	}
	struct alert *a = &c->alerts[c->nalerts];
	a->virname = strdup(virname);
	a->member = member;
	if (!a->virname || !a->member) {
		free(a->virname);
		free(a->member);
		c->oom = 1;
		return;
	}
	c->nalerts++;
}

/* A stored archive member also matches in the raw archive bytes: keep the
 * precise alert (with the member) and drop the whole-file duplicate. */
static void drop_redundant(struct scan_ctx *c)
{
	size_t w = 0;
	for (size_t i = 0; i < c->nalerts; i++) {
		int dup = 0;
		if (!c->alerts[i].member[0])
			for (size_t j = 0; j < c->nalerts && !dup; j++)
				dup = j != i && c->alerts[j].member[0] &&
				      strcmp(c->alerts[j].virname, c->alerts[i].virname) == 0;
		if (dup) {
			free(c->alerts[i].virname);
			free(c->alerts[i].member);
			continue;
		}
		c->alerts[w++] = c->alerts[i];
	}
	c->nalerts = w;
}

void avscan_scan_install_callbacks(void *cl_engine)
{
	cl_engine_set_clcb_file_inspection(cl_engine, on_inspect);
	cl_engine_set_clcb_virus_found(cl_engine, on_virus);
	cl_engine_set_clcb_meta(cl_engine, on_meta);
}

int avscan_sig_is_mls(const char *virname)
{
	return virname && strncmp(virname, "MLSecOps.", 9) == 0;
}

static const struct {
	const char *name;
	const char *reason;
} limit_names[] = {
	{ "MaxFileSize", "a file or member is larger than --max-filesize" },
	{ "MaxScanSize", "--max-scansize was reached" },
	{ "MaxRecursion", "archives are nested deeper than --max-recursion" },
	{ "MaxFiles", "the archive has more members than --max-files" },
	{ "MaxScanTime", "the scan took longer than --max-scantime" },
};

/* "Heuristics.Limits.Exceeded.MaxFileSize" -> reason; "Heuristics.Encrypted.Zip" -> reason. */
int avscan_alert_is_not_scanned(const char *virname, char *reason, size_t reasonsz)
{
	static const char lim[] = "Heuristics.Limits.Exceeded.";
	static const char enc[] = "Heuristics.Encrypted.";
	if (!virname)
		return 0;
	if (strncmp(virname, lim, sizeof(lim) - 1) == 0) {
		const char *which = virname + sizeof(lim) - 1;
		for (size_t i = 0; i < MLS_ARRAY_SIZE(limit_names); i++)
			if (strcmp(which, limit_names[i].name) == 0) {
				snprintf(reason, reasonsz, "not scanned: %s", limit_names[i].reason);
				return 1;
			}
		snprintf(reason, reasonsz, "not scanned: ClamAV limit %s was reached", which);
		return 1;
	}
	if (strncmp(virname, enc, sizeof(enc) - 1) == 0) {
		snprintf(reason, reasonsz, "not scanned: encrypted content (%s)", virname + sizeof(enc) - 1);
		return 1;
	}
	return 0;
}

/* "CL_TYPE_ZIP" -> "zip" into out. */
static void format_name(char *out, size_t outsz, const char *type)
{
	size_t n = 0;
	if (!type || !*type || outsz == 0) {
		if (outsz)
			out[0] = '\0';
		return;
	}
	if (strncmp(type, "CL_TYPE_", 8) == 0)
		type += 8;
	for (; type[n] && n + 1 < outsz; n++)
		out[n] = (char)(type[n] >= 'A' && type[n] <= 'Z' ? type[n] - 'A' + 'a' : type[n]);
	out[n] = '\0';
}

static void add_not_scanned(struct avscan_run *run, const char *path, uint64_t size, const char *format,
			    enum mls_file_status st, const char *reason)
{
	mls_report_add_file(run->report, path, size, NULL, format, st, reason);
	atomic_fetch_add(&run->files_incomplete, 1);
	mls_warn("'%s' %s", path, reason);
}

/* Applies --move/--remove to an infected file and notes it on its findings. */
static void apply_action(struct avscan_run *run, int fd, const char *path, uint64_t size, const char *sha256,
			 const struct scan_ctx *c, const long *finding_idx, size_t nfind, int via_symlink)
{
	const struct avscan_opts *o = run->o;
	char *what = NULL;
	int rc;

	if (!o->move_dir && !o->remove)
		return;
	if (via_symlink) {
		what = strdup("no action: reached through a symbolic link (its target is handled where it lies)");
		rc = what ? 0 : MLS_ENOMEM;
	} else if (o->move_dir) {
		const char **sigs = calloc(nfind ? nfind : 1, sizeof(*sigs));
		const char **members = calloc(nfind ? nfind : 1, sizeof(*members));
		size_t n = 0;
		if (!sigs || !members) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
		} else {
			for (size_t i = 0; i < c->nalerts; i++) {
				char tmp[256];
				if (avscan_alert_is_not_scanned(c->alerts[i].virname, tmp, sizeof(tmp)))
					continue;
				sigs[n] = c->alerts[i].virname;
				members[n] = c->alerts[i].member;
				n++;
			}
			struct avscan_quarantine_info qi = { path, sha256, size, sigs, members, n,
							     avscan_engine_version() };
			rc = avscan_quarantine(&what, o->move_dir, fd, &qi);
		}
		free(sigs);
		free(members);
	} else {
		rc = avscan_remove(fd, path);
		if (rc == 0 && !(what = strdup("removed")))
			rc = MLS_ENOMEM;
	}
	if (rc < 0) {
		mls_err("cannot %s '%s': %s", o->move_dir ? "quarantine" : "remove", path, mls_error_msg());
		mls_report_add_error(run->report, path, "cannot %s: %s", o->move_dir ? "quarantine" : "remove",
				     mls_error_msg());
		free(what);
		if (!(what = malloc(512)))
			return;
		snprintf(what, 512, "%s failed", o->move_dir ? "quarantine" : "removal");
	}
	for (size_t i = 0; i < nfind; i++)
		if (finding_idx[i] >= 0)
			mls_report_finding_detail(run->report, finding_idx[i], "action", what);
	free(what);
}

/*
 * Files are handed to libclamav as read-only memory maps of the file
 * (cl_fmap_open_memory), not as descriptors.  For a descriptor libclamav
 * copies the file into anonymous memory it remaps page by page under one
 * process-wide mutex, which serialises worker threads (and each remap flushes
 * the other CPUs' TLBs): --jobs 2 would be no faster than one thread.  A map
 * of the file reads straight from the page cache.
 *
 * A mapped file that shrinks while it is scanned raises SIGBUS on access past
 * its new end.  The guard below turns that into "the file changed while it
 * was scanned" for the scan that hit it (that scan's libclamav state is
 * abandoned, a small leak for a hostile event); a SIGBUS anywhere else is
 * re-raised with the default action.
 */
struct bus_guard {
	const char *start;
	size_t len;
	sigjmp_buf env;
};

static _Thread_local struct bus_guard *volatile bus_guard;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	struct bus_guard *g = bus_guard;
	(void)uctx;
	if (g && si && (const char *)si->si_addr >= g->start && (const char *)si->si_addr < g->start + g->len) {
		bus_guard = NULL;
		siglongjmp(g->env, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_sigbus(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* Scans the open regular file fd (len > 0 bytes) through a memory map and,
 * when sha is not NULL, digests the same bytes into it (SHA-256 hex, "" on
 * failure).  Returns libclamav's result; *changed is set when the file shrank
 * under the scan (SIGBUS).  Falls back to the descriptor when mapping fails. */
static cl_error_t scan_mapped(int fd, size_t len, const char *path, const struct cl_engine *engine,
			      struct cl_scan_options *so, struct scan_ctx *c, unsigned long *scanned, int *changed,
			      char *sha)
{
	const char *virname = NULL;
	struct bus_guard g;
	volatile cl_error_t crc = CL_CLEAN;
	cl_fmap_t *volatile map = NULL;
	void *mem;

	*changed = 0;
	mem = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (mem != MAP_FAILED && !(map = cl_fmap_open_memory(mem, len))) {
		munmap(mem, len);
		mem = MAP_FAILED;
	}
	if (mem == MAP_FAILED) {
		crc = cl_scandesc_callback(fd, path, &virname, scanned, engine, so, c);
		if (sha && (lseek(fd, 0, SEEK_SET) != 0 || mls_hash_fd(sha, NULL, fd, MLS_SHA256) < 0))
			sha[0] = '\0';
		return crc;
	}
	pthread_once(&bus_once, install_sigbus);
	g.start = mem;
	g.len = len;
	if (sigsetjmp(g.env, 1) == 0) {
		bus_guard = &g;
		crc = cl_scanmap_callback(map, path, &virname, scanned, engine, so, c);
		cl_fmap_close(map);
		if (sha && mls_hash_buffer(sha, mem, len, MLS_SHA256) < 0)
			sha[0] = '\0';
		bus_guard = NULL;
	} else {
		*changed = 1; /* the map (and libclamav's scan state) are abandoned */
		crc = CL_EREAD;
	}
	munmap(mem, len);
	return crc;
}

/*
 * Scans path: opens it without following a final symlink (unless the walker
 * resolved it inside the root), checks it is still a regular file, checks its
 * size against the limits, scans it, records the file, its findings and any
 * "not scanned" reason, then applies the action.
 */
int avscan_scan_file(struct avscan_run *run, const char *path, uint64_t size_hint, int via_symlink)
{
	const struct avscan_opts *o = run->o;
	struct scan_ctx c;
	struct cl_scan_options so;
	struct stat st;
	unsigned long scanned = 0;
	int changed = 0;
	char format[64] = "", reason[512] = "", sha[MLS_HASH_HEX_MAX] = "";
	long *fidx = NULL;
	size_t nfind = 0;
	int fd, rc = 0;
	enum mls_file_status status = MLS_FILE_SCANNED;

	memset(&c, 0, sizeof(c));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (via_symlink ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		int err = errno;
		snprintf(reason, sizeof(reason), "not scanned: cannot open: %s",
			 err == ENOENT ? "the file disappeared before it was scanned"
			 : err == ELOOP ? "it was replaced by a symbolic link" : strerror(err));
		add_not_scanned(run, path, size_hint, NULL, MLS_FILE_FAILED, reason);
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		add_not_scanned(run, path, size_hint, NULL, MLS_FILE_FAILED,
				"not scanned: no longer a regular file");
		goto done;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((uint64_t)st.st_size > run->engine->max_filesize) {
		if (o->max_filesize > AVSCAN_CLAMAV_MAX_FILESIZE && (uint64_t)st.st_size > AVSCAN_CLAMAV_MAX_FILESIZE)
			snprintf(reason, sizeof(reason),
				 "not scanned: %llu bytes is more than libclamav can scan (2 GiB - 1)",
				 (unsigned long long)st.st_size);
		else
			snprintf(reason, sizeof(reason), "not scanned: %llu bytes is larger than --max-filesize (%llu)",
				 (unsigned long long)st.st_size, (unsigned long long)run->engine->max_filesize);
		add_not_scanned(run, path, (uint64_t)st.st_size, NULL, MLS_FILE_INCOMPLETE, reason);
		goto done;
	}

	c.max_filesize = run->engine->max_filesize;
	avscan_engine_scan_options(&so);
	const char *virname = NULL;
	cl_error_t crc = st.st_size > 0
		? scan_mapped(fd, (size_t)st.st_size, path, run->engine->cl, &so, &c, &scanned, &changed,
			      o->hash ? sha : NULL)
		: cl_scandesc_callback(fd, path, &virname, &scanned, run->engine->cl, &so, &c);
	if (st.st_size == 0 && o->hash)
		mls_hash_buffer(sha, "", 0, MLS_SHA256);
	atomic_fetch_add(&run->bytes_scanned, (unsigned long long)scanned * CL_COUNT_PRECISION);
	format_name(format, sizeof(format), c.top_type);
	if (c.oom) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	if (crc == CL_VIRUS && c.nalerts == 0)
		on_virus(-1, virname ? virname : "Unknown.Signature", &c);
	drop_redundant(&c);
	if (changed) {
		status = MLS_FILE_FAILED;
		snprintf(reason, sizeof(reason), "not scanned completely: the file changed while it was scanned");
	} else if (crc != CL_CLEAN && crc != CL_VIRUS) {
		status = crc == CL_ETIMEOUT || crc == CL_EMAXSIZE || crc == CL_EMAXREC || crc == CL_EMAXFILES
				 ? MLS_FILE_INCOMPLETE : MLS_FILE_FAILED;
		snprintf(reason, sizeof(reason), "not scanned: libclamav: %s", cl_strerror(crc));
	}
	/* Limits and encryption first: they decide the file's status. */
	for (size_t i = 0; i < c.nalerts; i++) {
		char why[256];
		if (!avscan_alert_is_not_scanned(c.alerts[i].virname, why, sizeof(why)))
			continue;
		if (status == MLS_FILE_SCANNED)
			status = MLS_FILE_INCOMPLETE;
		if (!reason[0]) {
			if (c.alerts[i].member[0])
				snprintf(reason, sizeof(reason), "%s (member %s)", why, c.alerts[i].member);
			else
				snprintf(reason, sizeof(reason), "%s", why);
		}
	}
	/* A file that shrank or was rewritten while libclamav read it was not
	 * scanned as it now is (libclamav reads short data as the end). */
	{
		struct stat after;
		if (status == MLS_FILE_SCANNED &&
		    (fstat(fd, &after) != 0 || after.st_size != st.st_size ||
		     after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec)) {
			status = MLS_FILE_FAILED;
			snprintf(reason, sizeof(reason), "not scanned completely: the file changed while it was scanned");
		}
	}
	if (c.limit_note[0] && status == MLS_FILE_SCANNED) {
		status = MLS_FILE_INCOMPLETE;
		snprintf(reason, sizeof(reason), "%s", c.limit_note);
	}
	/* A top-level archive must also read back whole: libclamav passes
	 * corrupt archives as clean. */
	if (status == MLS_FILE_SCANNED && o->archive_check && avscan_type_is_archive(c.top_type)) {
		int arc = avscan_archive_check(fd, o);
		if (arc == MLS_EFORMAT) {
			status = MLS_FILE_FAILED;
			snprintf(reason, sizeof(reason), "not scanned completely: corrupt archive: %s", mls_error_msg());
		} else if (arc == MLS_EUNSUPPORTED) {
			status = MLS_FILE_INCOMPLETE;
			snprintf(reason, sizeof(reason), "not scanned completely: %s", mls_error_msg());
		} else if (arc < 0 && arc != MLS_ELIMIT) {
			status = MLS_FILE_FAILED;
			snprintf(reason, sizeof(reason), "not scanned completely: %s", mls_error_msg());
		}
	}

	for (size_t i = 0; i < c.nalerts; i++) {
		char tmp[8];
		nfind += !avscan_alert_is_not_scanned(c.alerts[i].virname, tmp, sizeof(tmp));
	}
	if (nfind) {
		if (!sha[0] && (lseek(fd, 0, SEEK_SET) != 0 || mls_hash_fd(sha, NULL, fd, MLS_SHA256) < 0))
			sha[0] = '\0';
		if (!(fidx = calloc(nfind, sizeof(*fidx)))) {
			rc = mls_error_set(MLS_ENOMEM, "out of memory");
			goto done;
		}
		atomic_fetch_add(&run->files_infected, 1);
	}
	size_t k = 0;
	for (size_t i = 0; i < c.nalerts; i++) {
		const struct alert *a = &c.alerts[i];
		char tmp[8], msg[1024], loc[1024];
		if (avscan_alert_is_not_scanned(a->virname, tmp, sizeof(tmp)))
			continue;
		int mls = avscan_sig_is_mls(a->virname);
		if (a->member[0]) {
			snprintf(msg, sizeof(msg), "%s FOUND in archive member %s", a->virname, a->member);
			snprintf(loc, sizeof(loc), "member %s", a->member);
		} else {
			snprintf(msg, sizeof(msg), "%s FOUND", a->virname);
		}
		long idx = mls_report_add_finding(run->report, mls ? AVSCAN_RULE_MLS : AVSCAN_RULE_CLAMAV,
						  mls ? "mlsecops-signature" : "clamav-signature", MLS_SEV_CRITICAL,
						  path, a->member[0] ? loc : NULL, msg, a->virname);
		if (idx >= 0) {
			mls_report_finding_detail(run->report, idx, "signature", a->virname);
			if (a->member[0])
				mls_report_finding_detail(run->report, idx, "member", a->member);
		}
		fidx[k++] = idx;
	}
	mls_report_add_file(run->report, path, (uint64_t)st.st_size, sha[0] ? sha : NULL, format[0] ? format : NULL,
			    status, reason[0] ? reason : NULL);
	if (status == MLS_FILE_SCANNED)
		atomic_fetch_add(&run->files_scanned, 1);
	else {
		atomic_fetch_add(&run->files_incomplete, 1);
		mls_warn("'%s' %s", path, reason);
	}
	if (nfind)
		apply_action(run, fd, path, (uint64_t)st.st_size, sha[0] ? sha : NULL, &c, fidx, nfind, via_symlink);
done:
	free(fidx);
	free_ctx(&c);
	close(fd);
	return rc;
}
