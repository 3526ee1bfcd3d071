/*
 * ONNX models (ModelProto, protobuf) read with the bounded protobuf reader
 * over a mapped view: initializer bytes are skipped by length, so time
 * depends on the graph, not the weights.  Every graph is walked: the main
 * graph, graphs in node attributes (If/Loop/Scan bodies, at any depth),
 * model-local functions and training graphs.
 *
 *   MS-ONNX-001  external_data location that is absolute or escapes the model
 *                directory (reads any file on the loading host)
 *                (also through a symbolic link, for a model file on disk)
 *   MS-ONNX-002  operator from a non-standard domain: it needs a custom
 *                operator library (native code) to run
 *   MS-ONNX-003  external data file with several hard links (on disk)
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "formats_util.h"
#include "mls/protobuf.h"

#define ONNX_MAX_DEPTH 96
#define ONNX_MAX_SEEN 64

struct ox {
	struct ms_ctx *ctx;
	struct ms_input *in;
	const unsigned char *fdom[ONNX_MAX_SEEN]; /* model-local function domains */
	size_t fdomlen[ONNX_MAX_SEEN];
	int nfdom;
	char seen[ONNX_MAX_SEEN][160];
	int nseen;
	uint64_t nodes;
	int stop;
};

static int onnx_field_ok(uint32_t num)
{
	/* ModelProto field numbers */
	return (num >= 1 && num <= 8) || num == 14 || num == 20 || num == 25 || num == 26;
}

int ms_probe_onnx(const struct ms_input *in)
{
	if (in->head_len < 4 || in->head[0] != 0x08)
		return 0;
	struct mls_pb r;
	struct mls_pb_field f;
	mls_pb_init(&r, in->head, in->head_len, 1);
	int rc = mls_pb_next(&r, &f);
	if (rc != 1 || f.num != 1 || f.wire != MLS_PB_VARINT || f.u64 < 2 || f.u64 > 32)
		return 0;
	int n = 1, graph = 0;
	while ((rc = mls_pb_next(&r, &f)) == 1) {
		if (!onnx_field_ok(f.num))
			return 0;
		if ((f.num == 2 || f.num == 3 || f.num == 4 || f.num == 6 || f.num == 7 || f.num == 8) &&
		    f.wire != MLS_PB_LEN)
			return 0;
		if (f.num == 7 || f.num == 8)
			graph = 1;
		n++;
	}
	if (rc < 0 && !(r.short_read && (f.num == 0 || onnx_field_ok(f.num))))
		return 0;
	if (r.short_read)
		graph = 1; /* the graph is usually the big field that runs past the head */
	int score = graph && n >= 2 ? 75 : 40;
	if (ms_name_ends(in->name, ".onnx"))
		score += 20;
	return score;
}

static int std_domain(const unsigned char *d, size_t n, const struct ox *o)
{
	static const char *const known[] = { "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
					     "ai.onnx.preview", "com.microsoft", "com.microsoft.nchwc",
					     "com.microsoft.experimental", "com.microsoft.dml", "org.pytorch.aten" };
	if (n == 0)
		return 1;
	for (size_t i = 0; i < MLS_ARRAY_SIZE(known); i++)
		if (strlen(known[i]) == n && memcmp(known[i], d, n) == 0)
			return 1;
	for (int i = 0; i < o->nfdom; i++)
		if (o->fdomlen[i] == n && memcmp(o->fdom[i], d, n) == 0)
			return 1;
	return 0;
}

static void str_of(char *out, size_t outsz, const unsigned char *p, size_t n)
{
	size_t k = n < outsz - 1 ? n : outsz - 1;
	for (size_t i = 0; i < k; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[k] = '\0';
}

static int once(struct ox *o, const char *key)
{
	for (int i = 0; i < o->nseen; i++)
		if (strcmp(o->seen[i], key) == 0)
			return 0;
	if (o->nseen < ONNX_MAX_SEEN)
		snprintf(o->seen[o->nseen++], sizeof(o->seen[0]), "%s", key);
	return 1;
}

static int location_escapes(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	if (s[0] == '/' || s[0] == '\\' || s[0] == '~' || (n >= 2 && s[1] == ':'))
		return 1;
	if (memchr(s, '\0', n))
		return 1;
	/* any ".." path component, with either separator */
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/' || s[i - 1] == '\\') &&
		    (i + 2 == n || s[i + 2] == '/' || s[i + 2] == '\\'))
			return 1;
	return 0;
}

/* For a model file on disk: does the (safe-looking) location resolve outside
 * the model's directory through a symlink, or name a file with other hard
 * links?  (CVE-2026-27489, CVE-2026-34446) */
static void check_on_disk(struct ox *o, const char *val, const char *loc)
{
	if (o->in->depth != 0 || !o->in->path)
		return;
	char dir[PATH_MAX], rdir[PATH_MAX], target[PATH_MAX], rtarget[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", o->in->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if ((size_t)snprintf(target, sizeof(target), "%s/%s", dir, val) >= sizeof(target))
		return;
	struct stat st;
	if (!realpath(dir, rdir) || lstat(target, &st) != 0)
		return; /* a missing file makes the load fail, nothing to read */
	if (!realpath(target, rtarget) || !mls_path_is_within(rdir, rtarget)) {
		ms_finding(o->ctx, o->in, "MS-ONNX-001", "external-data-escape", MLS_SEV_HIGH, loc, val,
			   "external_data location '%s' resolves outside the model directory through a symbolic link",
			   val);
		return;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		ms_finding(o->ctx, o->in, "MS-ONNX-003", "external-data-hardlink", MLS_SEV_MEDIUM, loc, val,
			   "external_data file '%s' has %lu hard links: it may be another file of the host", val,
			   (unsigned long)st.st_nlink);
}

static int walk_graph(struct ox *o, const struct mls_pb *parent, const struct mls_pb_field *gf, const char *gpath);

static int walk_tensor(struct ox *o, const struct mls_pb *parent, const struct mls_pb_field *tf, const char *where)
{
	struct mls_pb t, e;
	struct mls_pb_field f, g;
	char name[160] = "";
	int rc;
	if ((rc = mls_pb_sub(&t, parent, tf)) < 0)
		return rc;
	while ((rc = mls_pb_next(&t, &f)) == 1) {
		if (f.num == 8 && f.wire == MLS_PB_LEN)
			str_of(name, sizeof(name), f.data, f.len);
		if (f.num == 13 && f.wire == MLS_PB_LEN) {
			const unsigned char *k = NULL, *v = NULL;
			size_t kl = 0, vl = 0;
			if ((rc = mls_pb_sub(&e, &t, &f)) < 0)
				return rc;
			while ((rc = mls_pb_next(&e, &g)) == 1) {
				if (g.num == 1 && g.wire == MLS_PB_LEN) {
					k = g.data;
					kl = g.len;
				} else if (g.num == 2 && g.wire == MLS_PB_LEN) {
					v = g.data;
					vl = g.len;
				}
			}
			if (rc < 0)
				return rc;
			if (k && kl == 8 && memcmp(k, "location", 8) == 0) {
				char loc[300], val[256];
				str_of(val, sizeof(val), v ? v : (const unsigned char *)"", v ? vl : 0);
				snprintf(loc, sizeof(loc), "%s, tensor '%s', offset %zu", where, name, f.offset);
				if (location_escapes(v ? (const char *)v : "", v ? vl : 0))
					ms_finding(o->ctx, o->in, "MS-ONNX-001", "external-data-escape", MLS_SEV_HIGH, loc,
						   val, "external_data location '%s' is absolute or leaves the model "
						   "directory: loading reads that file", val);
				else if (strlen(val) == vl)
					check_on_disk(o, val, loc);
			}
		}
	}
	return rc;
}

static int walk_attribute(struct ox *o, const struct mls_pb *parent, const struct mls_pb_field *af, const char *npath)
{
	struct mls_pb a;
	struct mls_pb_field f;
	char aname[96] = "", gp[512];
	int rc;
	if ((rc = mls_pb_sub(&a, parent, af)) < 0)
		return rc;
	while ((rc = mls_pb_next(&a, &f)) == 1) {
		if (f.num == 1 && f.wire == MLS_PB_LEN)
			str_of(aname, sizeof(aname), f.data, f.len);
		if ((f.num == 6 || f.num == 11) && f.wire == MLS_PB_LEN) {
			snprintf(gp, sizeof(gp), "%s.%s", npath, aname[0] ? aname : "graph");
			if ((rc = walk_graph(o, &a, &f, gp)) < 0)
				return rc;
		} else if ((f.num == 5 || f.num == 10) && f.wire == MLS_PB_LEN) {
			if ((rc = walk_tensor(o, &a, &f, npath)) < 0)
				return rc;
		} else if ((f.num == 22 || f.num == 23) && f.wire == MLS_PB_LEN) {
			struct mls_pb s;
			struct mls_pb_field g;
			if ((rc = mls_pb_sub(&s, &a, &f)) < 0)
				return rc;
			while ((rc = mls_pb_next(&s, &g)) == 1)
				if ((g.num == 1 || g.num == 2) && g.wire == MLS_PB_LEN && (rc = walk_tensor(o, &s, &g, npath)) < 0)
					return rc;
			if (rc < 0)
				return rc;
		}
	}
	return rc;
}

static int walk_node(struct ox *o, const struct mls_pb *parent, const struct mls_pb_field *nf, const char *gpath)
{
	struct mls_pb n;
	struct mls_pb_field f;
	const unsigned char *dom = NULL;
	size_t domlen = 0;
	char op[96] = "", name[128] = "", npath[700];
	int rc;
	if ((rc = mls_pb_sub(&n, parent, nf)) < 0)
		return rc;
	/* first pass: names (attributes may come before them) */
	struct mls_pb scan = n;
	while ((rc = mls_pb_next(&scan, &f)) == 1) {
		if (f.wire != MLS_PB_LEN)
			continue;
		if (f.num == 4)
			str_of(op, sizeof(op), f.data, f.len);
		else if (f.num == 3)
			str_of(name, sizeof(name), f.data, f.len);
		else if (f.num == 7) {
			dom = f.data;
			domlen = f.len;
		}
	}
	if (rc < 0)
		return rc;
	snprintf(npath, sizeof(npath), "%s/node '%s' (%s)", gpath, name, op);
	if (!std_domain(dom, domlen, o)) {
		char d[128], key[160];
		str_of(d, sizeof(d), dom, domlen);
		snprintf(key, sizeof(key), "%s::%s", d, op);
		if (once(o, key)) {
			char loc[800];
			snprintf(loc, sizeof(loc), "%s, offset %zu", npath, nf->offset);
			ms_finding(o->ctx, o->in, "MS-ONNX-002", "custom-operator-domain", MLS_SEV_MEDIUM, loc, key,
				   "operator '%s' from non-standard domain '%s' needs a custom operator library "
				   "(native code) to run", op, d);
		}
	}
	while ((rc = mls_pb_next(&n, &f)) == 1)
		if (f.num == 5 && f.wire == MLS_PB_LEN && (rc = walk_attribute(o, &n, &f, npath)) < 0)
			return rc;
	return rc;
}

static int walk_graph(struct ox *o, const struct mls_pb *parent, const struct mls_pb_field *gf, const char *gpath)
{
	struct mls_pb g;
	struct mls_pb_field f;
	int rc;
	if ((rc = mls_pb_sub(&g, parent, gf)) < 0)
		return rc;
	while ((rc = mls_pb_next(&g, &f)) == 1) {
		if (f.wire != MLS_PB_LEN)
			continue;
		if (f.num == 1) {
			if ((++o->nodes & 0x3ff) == 0 && ms_out_of_time(o->ctx, o->in)) {
				o->stop = 1;
				return 0;
			}
			rc = walk_node(o, &g, &f, gpath);
		} else if (f.num == 5) {
			rc = walk_tensor(o, &g, &f, gpath);
		} else if (f.num == 15) {
			struct mls_pb s;
			struct mls_pb_field h;
			if ((rc = mls_pb_sub(&s, &g, &f)) < 0)
				return rc;
			while ((rc = mls_pb_next(&s, &h)) == 1)
				if ((h.num == 1 || h.num == 2) && h.wire == MLS_PB_LEN &&
				    (rc = walk_tensor(o, &s, &h, gpath)) < 0)
					return rc;
		}
		if (rc < 0)
			return rc;
		if (o->stop)
			return 0;
	}
	return rc;
}

int ms_scan_onnx(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_view v;
	struct ox *o = calloc(1, sizeof(*o));
	struct mls_pb r;
	struct mls_pb_field f;
	int rc;
	if (!o)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	o->ctx = ctx;
	o->in = in;
	rc = ms_view_open(&v, in, (size_t)ctx->limits->max_decompressed_bytes);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "ONNX model not examined: %s", mls_error_msg());
		free(o);
		return 0;
	}
	if (rc < 0) {
		free(o);
		return rc;
	}
	/* pass 1: model-local function domains, and a full structural check */
	mls_pb_init(&r, v.data, v.len, ONNX_MAX_DEPTH);
	while ((rc = mls_pb_next(&r, &f)) == 1) {
		if (f.num == 25 && f.wire == MLS_PB_LEN) {
			struct mls_pb fn;
			struct mls_pb_field g;
			if ((rc = mls_pb_sub(&fn, &r, &f)) < 0)
				goto done;
			while ((rc = mls_pb_next(&fn, &g)) == 1)
				if (g.num == 10 && g.wire == MLS_PB_LEN && o->nfdom < ONNX_MAX_SEEN) {
					o->fdom[o->nfdom] = g.data;
					o->fdomlen[o->nfdom++] = g.len;
				}
			if (rc < 0)
				goto done;
		}
	}
	if (rc < 0)
		goto done;
	/* pass 2: graphs */
	mls_pb_init(&r, v.data, v.len, ONNX_MAX_DEPTH);
	while (!o->stop && (rc = mls_pb_next(&r, &f)) == 1) {
		if (f.num == 7 && f.wire == MLS_PB_LEN) {
			rc = walk_graph(o, &r, &f, "graph");
		} else if (f.num == 25 && f.wire == MLS_PB_LEN) {
			/* FunctionProto: nodes are field 7 */
			struct mls_pb fn;
			struct mls_pb_field g;
			char fname[128] = "", fpath[200];
			if ((rc = mls_pb_sub(&fn, &r, &f)) < 0)
				goto done;
			struct mls_pb scan = fn;
			while ((rc = mls_pb_next(&scan, &g)) == 1)
				if (g.num == 1 && g.wire == MLS_PB_LEN)
					str_of(fname, sizeof(fname), g.data, g.len);
			if (rc < 0)
				goto done;
			snprintf(fpath, sizeof(fpath), "function '%s'", fname);
			while ((rc = mls_pb_next(&fn, &g)) == 1)
				if (g.num == 7 && g.wire == MLS_PB_LEN && (rc = walk_node(o, &fn, &g, fpath)) < 0)
					goto done;
		} else if (f.num == 20 && f.wire == MLS_PB_LEN) {
			struct mls_pb ti;
			struct mls_pb_field g;
			if ((rc = mls_pb_sub(&ti, &r, &f)) < 0)
				goto done;
			while ((rc = mls_pb_next(&ti, &g)) == 1)
				if ((g.num == 1 || g.num == 2) && g.wire == MLS_PB_LEN &&
				    (rc = walk_graph(o, &ti, &g, "training_info")) < 0)
					goto done;
		}
		if (rc < 0)
			goto done;
	}
done:
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "ONNX model: %s", mls_error_msg());
		rc = 0;
	} else if (rc < 0) {
		mls_error_prefix("corrupt ONNX model");
	}
	ms_view_close(&v);
	free(o);
	return rc < 0 ? rc : 0;
}
