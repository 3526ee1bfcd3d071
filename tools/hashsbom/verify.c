/*
 * `hashsbom verify SBOM [MODEL]`: recomputes every hash a CycloneDX BOM
 * records for a model and checks the BOM's structure.
 *
 * The model is MODEL when given, else the BOM's mlsecops:model:path resolved
 * against the SBOM's own directory.  A directory model is hashed once
 * (mls_walk: sorted, symlinks never followed out of it, the SBOM itself left
 * out); then every `file` component is looked up by its relative name, and
 * files on disk that the BOM does not list are reported.  Names from the BOM
 * are untrusted: absolute ones and ones with ".." are refused and reported.
 * Findings carry the rule ids of docs/rules/hashsbom.md (HS-VERIFY-0xx).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "hashsbom.h"

struct rule {
	const char *id, *name, *desc;
	enum mls_severity sev;
};

static const struct rule rules[] = {
	{ "HS-VERIFY-001", "digest-mismatch", "a file's digest differs from the one the BOM records", MLS_SEV_CRITICAL },
	{ "HS-VERIFY-002", "file-missing", "a file the BOM lists is missing", MLS_SEV_HIGH },
	{ "HS-VERIFY-003", "file-unexpected", "a file of the model directory is not listed in the BOM", MLS_SEV_HIGH },
	{ "HS-VERIFY-004", "file-renamed", "a listed file is missing and an unlisted one has its digest", MLS_SEV_HIGH },
	{ "HS-VERIFY-005", "unsafe-path", "a path in the BOM is absolute, contains '..' or leaves the model", MLS_SEV_HIGH },
	{ "HS-VERIFY-006", "spec-version", "the BOM's specVersion is missing or not supported (1.6, 1.7)", MLS_SEV_MEDIUM },
	{ "HS-VERIFY-007", "duplicate-bom-ref", "two objects of the BOM share a bom-ref", MLS_SEV_MEDIUM },
	{ "HS-VERIFY-008", "unresolved-ref", "a dependency refers to a bom-ref that does not exist", MLS_SEV_MEDIUM },
	{ "HS-VERIFY-009", "nothing-to-verify", "the model or a file component has no SHA-256/SHA-512 hash", MLS_SEV_MEDIUM },
	{ "HS-VERIFY-010", "manifest-mismatch", "the directory's manifest digest differs from the BOM's", MLS_SEV_CRITICAL },
};

#define RULES_URI "docs/rules/hashsbom.md"

static const struct rule *rule_get(const char *id)
{
	for (size_t i = 0; i < MLS_ARRAY_SIZE(rules); i++)
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	return &rules[0];
}

static long finding(struct mls_report *r, const char *id, const char *path, const char *location, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
static long finding(struct mls_report *r, const char *id, const char *path, const char *location, const char *fmt, ...)
{
	const struct rule *ru = rule_get(id);
	struct mls_buf msg;
	va_list ap;
	long idx;

	mls_buf_init(&msg, (size_t)1 << 16);
	va_start(ap, fmt);
	mls_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	idx = mls_report_add_finding(r, ru->id, ru->name, ru->sev, path, location, mls_buf_cstr(&msg), NULL);
	mls_buf_release(&msg);
	return idx;
}

/* ---- bom-refs ---- */

struct refs {
	char **v;
	size_t n, cap;
};

static int refs_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void refs_add(struct refs *s, const char *ref)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		char **p = realloc(s->v, nc * sizeof(*p));
		if (!p)
			return;
		s->v = p;
		s->cap = nc;
	}
	s->v[s->n++] = (char *)ref;
}

static int refs_has(const struct refs *s, const char *ref)
{
	return bsearch(&ref, s->v, s->n, sizeof(*s->v), refs_cmp) != NULL;
}

/* Collects bom-refs of components (recursively, nested "components") and services. */
static void collect_refs(struct refs *s, yajl_val arr, const char *nested, int depth)
{
	if (!arr || !YAJL_IS_ARRAY(arr) || depth > 32)
		return;
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val c = arr->u.array.values[i];
		const char *ref = mls_json_get_str(c, "bom-ref");
		if (ref)
			refs_add(s, ref);
		collect_refs(s, mls_json_get(c, nested), nested, depth + 1);
	}
}

static void check_structure(struct mls_report *r, yajl_val root, struct refs *all)
{
	yajl_val md = mls_json_get(root, "metadata");
	yajl_val mc = mls_json_get(md, "component");
	const char *spec = mls_json_get_str(root, "specVersion");

	if (!spec || (strcmp(spec, "1.6") != 0 && strcmp(spec, "1.7") != 0))
		finding(r, "HS-VERIFY-006", NULL, "specVersion", "specVersion '%s' is not supported (expected 1.6 or 1.7)",
			spec ? spec : "(missing)");
	if (mc) {
		const char *ref = mls_json_get_str(mc, "bom-ref");
		if (ref)
			refs_add(all, ref);
		collect_refs(all, mls_json_get(mc, "components"), "components", 0);
	}
	collect_refs(all, mls_json_path(md, "tools", "components", NULL), "components", 0);
	collect_refs(all, mls_json_path(md, "tools", "services", NULL), "services", 0);
	collect_refs(all, mls_json_get(root, "components"), "components", 0);
	collect_refs(all, mls_json_get(root, "services"), "services", 0);
	collect_refs(all, mls_json_get(root, "vulnerabilities"), "-", 0);
	qsort(all->v, all->n, sizeof(*all->v), refs_cmp);
	for (size_t i = 1; i < all->n; i++)
		if (!strcmp(all->v[i], all->v[i - 1]) && (i < 2 || strcmp(all->v[i], all->v[i - 2]) != 0))
			finding(r, "HS-VERIFY-007", NULL, "bom-ref", "bom-ref '%s' is used more than once", all->v[i]);
	yajl_val deps = mls_json_get(root, "dependencies");
	if (deps && YAJL_IS_ARRAY(deps))
		for (size_t i = 0; i < deps->u.array.len; i++) {
			yajl_val d = deps->u.array.values[i];
			const char *ref = mls_json_get_str(d, "ref");
			char loc[64];
			snprintf(loc, sizeof(loc), "dependencies[%zu]", i);
			if (!ref || !refs_has(all, ref))
				finding(r, "HS-VERIFY-008", NULL, loc, "dependency ref '%s' does not match any bom-ref",
					ref ? ref : "(missing)");
			static const char *const lists[] = { "dependsOn", "provides" };
			for (size_t l = 0; l < 2; l++) {
				yajl_val on = mls_json_get(d, lists[l]);
				if (!on || !YAJL_IS_ARRAY(on))
					continue;
				for (size_t k = 0; k < on->u.array.len; k++) {
					const char *t = mls_json_str(on->u.array.values[k]);
					if (!t || !refs_has(all, t))
						finding(r, "HS-VERIFY-008", NULL, loc, "'%s' of '%s' refers to unknown bom-ref '%s'",
							lists[l], ref ? ref : "?", t ? t : "(not a string)");
				}
			}
		}
}

/* ---- hashes ---- */

/* The SHA-256 (preferred) or SHA-512 content of a "hashes" array. */
static const char *pick_hash(yajl_val hashes, enum mls_hash_algo *algo)
{
	const char *h512 = NULL;
	if (!hashes || !YAJL_IS_ARRAY(hashes))
		return NULL;
	for (size_t i = 0; i < hashes->u.array.len; i++) {
		yajl_val h = hashes->u.array.values[i];
		const char *alg = mls_json_get_str(h, "alg"), *content = mls_json_get_str(h, "content");
		if (!alg || !content)
			continue;
		if (!strcmp(alg, "SHA-256")) {
			*algo = MLS_SHA256;
			return content;
		}
		if (!strcmp(alg, "SHA-512"))
			h512 = content;
	}
	if (h512)
		*algo = MLS_SHA512;
	return h512;
}

static const char *get_prop(yajl_val comp, const char *name)
{
	yajl_val props = mls_json_get(comp, "properties");
	if (!props || !YAJL_IS_ARRAY(props))
		return NULL;
	for (size_t i = 0; i < props->u.array.len; i++) {
		const char *n = mls_json_get_str(props->u.array.values[i], "name");
		if (n && !strcmp(n, name))
			return mls_json_get_str(props->u.array.values[i], "value");
	}
	return NULL;
}

struct bom_file {
	const char *name;
	const char *digest;
	enum mls_hash_algo algo;
	size_t index;        /* in components[] */
	long entry;          /* tree entry, -1 when missing */
	int unsafe;
};

static int entry_cmp(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const struct hs_entry *)e)->rel);
}

static void collect_files(yajl_val comps, struct bom_file **out, size_t *n, size_t *cap)
{
	if (!comps || !YAJL_IS_ARRAY(comps))
		return;
	for (size_t i = 0; i < comps->u.array.len; i++) {
		yajl_val c = comps->u.array.values[i];
		const char *type = mls_json_get_str(c, "type");
		if (!type || strcmp(type, "file") != 0)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			struct bom_file *p = realloc(*out, nc * sizeof(*p));
			if (!p)
				return;
			*out = p;
			*cap = nc;
		}
		struct bom_file *f = &(*out)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->name = mls_json_get_str(c, "name");
		f->digest = pick_hash(mls_json_get(c, "hashes"), &f->algo);
		f->index = i;
		f->entry = -1;
	}
}

static int hex_cmp(const void *a, const void *b)
{
	return strcmp((*(struct hs_entry *const *)a)->hex, (*(struct hs_entry *const *)b)->hex);
}

/* Digest of one file with algo (for entries hashed with the other algorithm). */
static int rehash(char *hex, const char *path, enum mls_hash_algo algo)
{
	return mls_hash_file(hex, NULL, path, algo);
}

static void verify_dir(struct mls_report *r, const struct hs_verify_opts *o, yajl_val root, yajl_val mc,
		       const char *base, int claims_dir, const char *sbom_real)
{
	struct hs_tree t;
	struct bom_file *files = NULL;
	size_t nfiles = 0, capfiles = 0;
	char *listed = NULL;
	struct hs_entry **by_hex = NULL;
	int rc;

	rc = hs_tree_hash(&t, base, MLS_SHA256, o->jobs, sbom_real);
	if (rc < 0) {
		mls_report_add_error(r, base, "%s", mls_error_msg());
		hs_tree_release(&t);
		return;
	}
	for (size_t i = 0; i < t.skipped.n; i++)
		mls_report_add_error(r, base, "not verified: %s", t.skipped.v[i]);
	for (size_t i = 0; i < t.n; i++) {
		if (t.e[i].rc < 0)
			mls_report_add_error(r, t.e[i].rel, "%s", t.e[i].err ? t.e[i].err : mls_strerror(t.e[i].rc));
	}
	listed = calloc(t.n ? t.n : 1, 1);
	collect_files(mls_json_get(root, "components"), &files, &nfiles, &capfiles);
	if (!listed)
		goto done;
	for (size_t i = 0; i < nfiles; i++) {
		struct bom_file *f = &files[i];
		char loc[64];
		snprintf(loc, sizeof(loc), "components[%zu]", f->index);
		if (!f->name || !mls_path_is_safe_relative(f->name)) {
			finding(r, "HS-VERIFY-005", f->name, loc, "file component name '%s' is absolute or leaves the model directory: refused",
				f->name ? f->name : "(missing)");
			f->unsafe = 1;
			continue;
		}
		const char *name = f->name;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		struct hs_entry *e = bsearch(name, t.e, t.n, sizeof(*t.e), entry_cmp);
		if (e) {
			f->entry = e - t.e;
			listed[f->entry] = 1;
		}
		if (!f->digest) {
			finding(r, "HS-VERIFY-009", f->name, loc, "file component '%s' has no SHA-256 or SHA-512 hash", f->name);
			continue;
		}
		if (!e || e->rc < 0)
			continue;
		char hex[MLS_HASH_HEX_MAX];
		const char *have = e->hex;
		if (f->algo != MLS_SHA256) {
			if (rehash(hex, e->path, f->algo) < 0) {
				mls_report_add_error(r, e->rel, "%s", mls_error_msg());
				continue;
			}
			have = hex;
		}
		mls_report_add_file(r, e->rel, e->size, e->hex, NULL, MLS_FILE_SCANNED, NULL);
		if (strcasecmp(have, f->digest) != 0)
			finding(r, "HS-VERIFY-001", f->name, loc, "'%s': %s mismatch: the BOM records %s, the file has %s",
				f->name, mls_hash_cdx_name(f->algo), f->digest, have);
	}
	/* renames: a missing file whose digest an unlisted file has (unlisted
	 * entries sorted by digest, so this stays O(n log n)) */
	size_t nunl = 0;
	for (size_t k = 0; k < t.n; k++)
		if (!listed[k] && t.e[k].rc == 0)
			nunl++;
	by_hex = calloc(nunl ? nunl : 1, sizeof(*by_hex));
	if (!by_hex)
		goto done;
	nunl = 0;
	for (size_t k = 0; k < t.n; k++)
		if (!listed[k] && t.e[k].rc == 0)
			by_hex[nunl++] = &t.e[k];
	qsort(by_hex, nunl, sizeof(*by_hex), hex_cmp);
	for (size_t i = 0; i < nfiles; i++) {
		struct bom_file *f = &files[i];
		if (f->unsafe || f->entry >= 0 || !f->name)
			continue;
		char loc[64];
		snprintf(loc, sizeof(loc), "components[%zu]", f->index);
		long match = -1;
		if (claims_dir && f->digest && f->algo == MLS_SHA256 && strlen(f->digest) < MLS_HASH_HEX_MAX) {
			char lower[MLS_HASH_HEX_MAX];
			size_t dl = strlen(f->digest);
			for (size_t k = 0; k <= dl; k++)
				lower[k] = (char)tolower((unsigned char)f->digest[k]);
			struct hs_entry key, *kp = &key, **hit;
			memcpy(key.hex, lower, dl + 1);
			hit = bsearch(&kp, by_hex, nunl, sizeof(*by_hex), hex_cmp);
			/* the first unlisted entry with that digest not yet paired */
			while (hit && hit > by_hex && !strcmp((hit[-1])->hex, lower))
				hit--;
			while (hit && hit < by_hex + nunl && !strcmp((*hit)->hex, lower) && listed[*hit - t.e])
				hit++;
			if (hit && hit < by_hex + nunl && !strcmp((*hit)->hex, lower))
				match = (long)(*hit - t.e);
		}
		if (match >= 0) {
			listed[match] = 2;
			finding(r, "HS-VERIFY-004", f->name, loc, "'%s' was renamed to '%s' (same SHA-256, %s)", f->name,
				t.e[match].rel, t.e[match].hex);
		} else {
			finding(r, "HS-VERIFY-002", f->name, loc, "'%s' is listed in the BOM but missing from '%s'", f->name,
				base);
		}
	}
	if (claims_dir)
		for (size_t k = 0; k < t.n; k++)
			if (!listed[k])
				finding(r, "HS-VERIFY-003", t.e[k].rel, "components",
					"'%s' is in the model directory but not listed in the BOM", t.e[k].rel);
	/* the manifest digest of the directory */
	if (claims_dir) {
		enum mls_hash_algo algo = MLS_SHA256;
		const char *want = pick_hash(mls_json_get(mc, "hashes"), &algo);
		if (!want) {
			finding(r, "HS-VERIFY-009", NULL, "metadata.component", "the model component has no SHA-256 hash");
		} else if (algo != MLS_SHA256) {
			mls_report_add_error(r, base, "manifest digest recorded as %s: only SHA-256 manifests are verified",
					     mls_hash_cdx_name(algo));
		} else if (t.nfailed == 0 && strcasecmp(want, t.manifest) != 0) {
			finding(r, "HS-VERIFY-010", base, "metadata.component",
				"manifest digest of '%s' differs: the BOM records %s, the directory now gives %s", base, want,
				t.manifest);
		}
	} else if (nfiles == 0) {
		finding(r, "HS-VERIFY-009", NULL, "components", "the BOM lists no file component to verify");
	}
done:
	free(by_hex);
	free(listed);
	free(files);
	hs_tree_release(&t);
}

static void verify_file(struct mls_report *r, yajl_val mc, const char *path)
{
	enum mls_hash_algo algo = MLS_SHA256;
	const char *want = pick_hash(mls_json_get(mc, "hashes"), &algo);
	char hex[MLS_HASH_HEX_MAX];
	uint64_t size = 0;
	struct stat st;

	if (!want) {
		finding(r, "HS-VERIFY-009", path, "metadata.component", "the model component has no SHA-256 or SHA-512 hash");
		return;
	}
	if (stat(path, &st) != 0 && errno == ENOENT) {
		finding(r, "HS-VERIFY-002", path, "metadata.component", "model file '%s' is missing", path);
		return;
	}
	if (mls_hash_file(hex, &size, path, algo) < 0) {
		mls_report_add_error(r, path, "%s", mls_error_msg());
		return;
	}
	mls_report_add_file(r, path, size, algo == MLS_SHA256 ? hex : NULL, NULL, MLS_FILE_SCANNED, NULL);
	if (strcasecmp(want, hex) != 0)
		finding(r, "HS-VERIFY-001", path, "metadata.component", "'%s': %s mismatch: the BOM records %s, the file has %s",
			path, mls_hash_cdx_name(algo), want, hex);
}

int hs_verify(struct mls_report *r, const struct hs_verify_opts *o)
{
	yajl_val root = NULL;
	struct refs all = { 0 };
	struct mls_buf base;
	char *sbom_real = NULL, *sbom_dir = NULL;
	struct stat st;
	int rc;

	mls_buf_init(&base, (size_t)1 << 20);
	for (size_t i = 0; i < MLS_ARRAY_SIZE(rules); i++)
		mls_report_add_rule(r, rules[i].id, rules[i].name, rules[i].desc, RULES_URI, rules[i].sev);
	rc = mls_json_parse_file(&root, o->sbom, o->max_sbom, HS_DEFAULT_MAX_DEPTH);
	if (rc < 0) {
		mls_error_prefix("cannot read SBOM");
		goto fatal;
	}
	if (!YAJL_IS_OBJECT(root) || !mls_json_get_str(root, "bomFormat") ||
	    strcmp(mls_json_get_str(root, "bomFormat"), "CycloneDX") != 0) {
		rc = mls_error_set(MLS_EFORMAT, "'%s' is not a CycloneDX JSON BOM (bomFormat is not \"CycloneDX\")", o->sbom);
		goto fatal;
	}
	check_structure(r, root, &all);

	yajl_val mc = mls_json_path(root, "metadata", "component", NULL);
	const char *kind = get_prop(mc, "mlsecops:model:kind");
	const char *mpath = get_prop(mc, "mlsecops:model:path");
	sbom_real = realpath(o->sbom, NULL);
	sbom_dir = sbom_real ? strdup(sbom_real) : NULL;
	if (sbom_dir) {
		char *sl = strrchr(sbom_dir, '/');
		if (sl && sl != sbom_dir)
			*sl = '\0';
		else if (sl)
			sl[1] = '\0';
	}
	if (o->model) {
		mls_buf_puts(&base, o->model);
		/* a file model's SBOM checked against the directory holding it */
		if (kind && !strcmp(kind, "file") && stat(o->model, &st) == 0 && S_ISDIR(st.st_mode) && mpath) {
			if (!mls_path_is_safe_relative(mpath)) {
				finding(r, "HS-VERIFY-005", mpath, "metadata.component.properties",
					"model path '%s' is absolute or leaves the directory: refused", mpath);
				goto done;
			}
			mls_buf_reset(&base);
			mls_path_join(&base, o->model, mls_path_basename(mpath));
		}
	} else if (mpath && !strcmp(mpath, ".")) {
		mls_buf_puts(&base, sbom_dir ? sbom_dir : ".");
	} else if (mpath) {
		if (!mls_path_is_safe_relative(mpath)) {
			finding(r, "HS-VERIFY-005", mpath, "metadata.component.properties",
				"model path '%s' is absolute or leaves the SBOM's directory: refused", mpath);
			goto done;
		}
		mls_path_join(&base, sbom_dir ? sbom_dir : ".", mpath);
	} else {
		mls_buf_puts(&base, sbom_dir ? sbom_dir : ".");
	}
	const char *b = mls_buf_cstr(&base);
	if (stat(b, &st) != 0) {
		finding(r, "HS-VERIFY-002", b, "metadata.component", "model '%s' is missing", b);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		int claims_dir = kind ? !strcmp(kind, "directory") : 0;
		if (kind && !claims_dir)
			finding(r, "HS-VERIFY-001", b, "metadata.component", "the BOM describes a single file but '%s' is a directory", b);
		else
			verify_dir(r, o, root, mc, b, claims_dir, sbom_real);
	} else {
		if (kind && !strcmp(kind, "directory"))
			finding(r, "HS-VERIFY-001", b, "metadata.component", "the BOM describes a directory but '%s' is a file", b);
		else
			verify_file(r, mc, b);
	}
done:
	free(all.v);
	free(sbom_real);
	free(sbom_dir);
	mls_buf_release(&base);
	yajl_tree_free(root);
	return 0;
fatal:
	mls_report_add_error(r, o->sbom, "%s", mls_error_msg());
	mls_report_set_fatal(r);
	if (root)
		yajl_tree_free(root);
	mls_buf_release(&base);
	return rc;
}

int hs_verify_run(const struct hs_verify_opts *o)
{
	struct mls_report *r = NULL;
	int rc, code;

	if (mls_report_new(&r, HS_TOOL, MLS_VERSION, o->sbom) < 0) {
		mls_err("%s", mls_error_msg());
		return MLS_EXIT_ERROR;
	}
	rc = hs_verify(r, o);
	if (rc < 0)
		mls_err("%s", mls_error_msg());
	mls_report_finish(r, o->out.fail_on);
	if (mls_report_write_outputs(r, &o->out) < 0) {
		mls_err("%s", mls_error_msg());
		mls_report_free(r);
		return MLS_EXIT_ERROR;
	}
	code = rc < 0 ? MLS_EXIT_ERROR : mls_report_exit_code(r);
	mls_report_free(r);
	return code;
}
