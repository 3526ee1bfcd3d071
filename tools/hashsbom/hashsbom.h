/*
 * hashsbom: SHA-256 manifests, CycloneDX ML-BOMs and their verification.
 *
 * One module per concern:
 *   hash_cmd.c      hashing files and trees (manifest digest), `hashsbom hash`
 *   requirements.c  pip requirements files (PEP 508 lines, -r/-c includes, --hash)
 *   modelcard.c     model cards: Hugging Face README front matter (YAML subset) or JSON
 *   modelmeta.c     metadata the model carries itself: HF config.json, GGUF, safetensors
 *   scanreport.c    avscan / modelscan-c JSON reports (the DESIGN.md envelope)
 *   sbom.c          the CycloneDX 1.6 / 1.7 JSON writer, `hashsbom sbom`
 *   verify.c        `hashsbom verify`: recompute hashes, check the BOM's structure
 * Parsers take bytes and limits and never print; only main.c maps results to
 * exit codes.
 */
#ifndef HASHSBOM_H
#define HASHSBOM_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "mls/common.h"

#define HS_TOOL "hashsbom"
#define HS_DEFAULT_MAX_INPUT ((uint64_t)16 << 20) /* card, eval, requirements, scan report */
#define HS_DEFAULT_MAX_SBOM ((uint64_t)256 << 20)
#define HS_DEFAULT_MAX_DEPTH 64

/* Warnings collected by parsers (printed by the caller). */
struct hs_warnings {
	char **v;
	size_t n, cap;
};
void hs_warnings_add(struct hs_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hs_warnings_release(struct hs_warnings *w);

/* ---- hashing (hash_cmd.c) ---- */

struct hs_entry {
	char *path;     /* as opened: root + "/" + rel */
	char *rel;      /* relative to the root ("/"-separated); the file name for a file root */
	uint64_t size;
	char hex[MLS_HASH_HEX_MAX];
	int rc;         /* 0, or the negative code hashing failed with */
	char *err;      /* message when rc < 0 */
};

struct hs_tree {
	char *root;
	int is_dir;
	enum mls_hash_algo algo;
	struct hs_entry *e;  /* sorted by rel (strcmp) */
	size_t n;
	char manifest[MLS_HASH_HEX_MAX]; /* directories: digest over the sorted sum lines */
	struct hs_warnings skipped;      /* "rel: reason" for entries the walk did not hash */
	size_t nfailed;
	int walk_rc;                     /* <0 when the walk stopped early (limit): no manifest */
};

/* Hashes root (a file or a directory, walked with mls_walk) with `jobs`
 * threads.  Per-file failures stay in e[i].rc/err (counted in nfailed);
 * returns <0 only when the walk itself failed.  Release with hs_tree_release. */
int hs_tree_hash(struct hs_tree *t, const char *root, enum mls_hash_algo algo, int jobs,
		 const char *exclude_real);
/* The two halves of hs_tree_hash: list the files (no hashing), then hash the
 * files of several trees together on one pool of `jobs` threads. */
int hs_tree_collect(struct hs_tree *t, const char *root, enum mls_hash_algo algo, const char *exclude_real);
int hs_trees_hash(struct hs_tree *const *trees, size_t ntrees, int jobs);
void hs_tree_release(struct hs_tree *t);
/* Appends one GNU coreutils style line "<hex>  <name>\n"; a name holding a
 * backslash, newline or carriage return is escaped and the line starts with '\'. */
int hs_sum_line(struct mls_buf *out, const char *hex, const char *name);
/* Manifest digest: algo over the concatenated hs_sum_line(hex, rel) of the
 * entries, which must be sorted by rel (strcmp). */
int hs_manifest_digest(char *hex, const struct hs_entry *e, size_t n, enum mls_hash_algo algo);

struct hs_hash_opts {
	enum mls_hash_algo algo;
	int jobs;
	int json;
	const char *output;  /* NULL = stdout */
	char **paths;
	size_t npaths;
};
/* `hashsbom hash`: returns an exit code (0, or 2 when something could not be hashed). */
int hs_hash_run(const struct hs_hash_opts *o);

/* ---- requirements (requirements.c) ---- */

struct hs_req {
	char *name;        /* as written */
	char *norm;        /* PEP 503 normalised */
	char *version;     /* the pinned version (== / ===), or NULL */
	char *specifier;   /* the whole version specifier as written (">=1,<2"), or NULL */
	char **extras;
	size_t nextras;
	char *marker;      /* environment marker text, or NULL */
	char *url;         /* name @ url, or NULL */
	char **hashes;     /* "sha256:<hex>" from --hash */
	size_t nhashes;
	char *origin;      /* "file:line" */
};

struct hs_req_limits {
	unsigned max_depth;     /* -r and -c nesting (default 8) */
	size_t max_files;       /* files read in total (default 64) */
	size_t max_line;        /* bytes of a logical line (default 64 KiB) */
	size_t max_bytes;       /* bytes of one file (default 16 MiB) */
	size_t max_reqs;        /* requirements in total (default 20000) */
};
void hs_req_limits_default(struct hs_req_limits *l);

struct hs_req_list {
	struct hs_req *v;
	size_t n, cap;
	struct hs_warnings warnings;
	size_t files_read;
};
/* Parses a requirements file and its -r / -c includes (resolved against the
 * including file's directory; loops and the depth / count limits fail with
 * MLS_EFORMAT / MLS_ELIMIT).  Release with hs_req_list_release. */
int hs_req_parse_file(struct hs_req_list *out, const char *path, const struct hs_req_limits *lim);
/* Parses text; includes are not followed (each one becomes a warning).  For
 * tests and the fuzzer. */
int hs_req_parse_text(struct hs_req_list *out, const char *text, size_t len, const char *origin,
		      const struct hs_req_limits *lim);
void hs_req_list_release(struct hs_req_list *l);
/* PEP 503: lower case, runs of "-", "_", "." become one "-".  Caller frees. */
char *hs_pep503_normalize(const char *name);
/* "pkg:pypi/<norm>@<version>" with the version percent-encoded.  Caller frees. */
char *hs_pypi_purl(const char *norm, const char *version);

/* ---- model card (modelcard.c) ---- */

/* Converts the YAML subset of model card front matter into JSON text
 * (appended to out; every scalar becomes a string).  See docs/hashsbom.md. */
int hs_yaml_to_json(struct mls_buf *out, const char *text, size_t len, unsigned max_depth);
/* Finds "---\n...\n---" at the start of a README: fm and fmlen the YAML, body/bodylen the rest.
 * Returns 1 when found, 0 when the text has no front matter. */
int hs_frontmatter_split(const char *text, size_t len, const char **fm, size_t *fmlen, const char **body,
			 size_t *bodylen);

struct hs_card {
	yajl_val root;     /* an object: the JSON card, or the front matter as JSON */
	char *body;        /* Markdown body of a README (NULL for a JSON card) */
	int from_readme;
};
/* Loads a card: JSON when the file starts with '{', else a README whose front
 * matter is read.  Size / depth bounded. */
int hs_card_load(struct hs_card *c, const char *path, uint64_t max_bytes, unsigned max_depth);
int hs_card_parse(struct hs_card *c, const char *text, size_t len, uint64_t max_bytes, unsigned max_depth);
void hs_card_release(struct hs_card *c);

/* ---- model metadata (modelmeta.c) ---- */

struct hs_modelmeta {
	char *architecture;  /* "LlamaForCausalLM", GGUF general.architecture */
	char *family;        /* HF model_type, GGUF general.architecture */
	char *quantization;  /* "Q4_K_M", "bf16" */
	char *name;          /* GGUF general.name */
	char *param_count;   /* GGUF general.size_label */
	struct mls_kv *hyper;    /* cdx:ai-ml:model:hyperparameter:<key> */
	size_t nhyper, caphyper;
	struct mls_kv *props;    /* mlsecops:... */
	size_t nprops, capprops;
	struct hs_warnings warnings;
};
/* Reads the metadata of one file, recognised by its bytes (GGUF magic,
 * safetensors header) or name (config.json). */
int hs_modelmeta_file(struct hs_modelmeta *m, const char *path, const char *rel, uint64_t max_json,
		      unsigned max_depth);
int hs_modelmeta_gguf_buf(struct hs_modelmeta *m, const unsigned char *buf, size_t len);
void hs_modelmeta_release(struct hs_modelmeta *m);

/* ---- scan reports (scanreport.c) ---- */

struct hs_scan_finding {
	char *id, *severity, *path, *location, *message, *evidence;
};
struct hs_scan_report {
	char *tool, *tool_version, *status, *verdict, *finished_at, *sha256, *file;
	long long counts[5];          /* critical, high, medium, low, info */
	long long files_scanned, files_skipped, files_failed;
	struct hs_scan_finding *findings;
	size_t nfindings;
	size_t nfindings_total;       /* before the import limit */
};
int hs_scan_report_load(struct hs_scan_report *r, const char *path, uint64_t max_bytes, unsigned max_depth);
void hs_scan_report_release(struct hs_scan_report *r);

/* ---- sbom (sbom.c) ---- */

struct hs_sbom_opts {
	const char *model;
	const char *name, *version;
	const char *card, *eval, *requirements;
	const char **scan_reports;
	size_t nscan_reports;
	const char *spec_version;   /* "1.6" (default) or "1.7" */
	const char *output;         /* NULL = stdout */
	int jobs;
	uint64_t max_input;
	unsigned max_depth;
};
int hs_sbom_run(const struct hs_sbom_opts *o);
/* Writes a random (version 4) UUID "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" into out[37]. */
int hs_uuid_v4(char out[37]);
/* Appends the eval file's metrics as CycloneDX performanceMetrics entries. */
int hs_eval_metrics(yajl_gen g, yajl_val eval, size_t *count);

/* ---- verify (verify.c) ---- */

struct hs_verify_opts {
	const char *sbom;
	const char *model;          /* may be NULL */
	struct mls_output_opts out;
	int jobs;
	uint64_t max_sbom;
};
/* Fills a report; returns 0, or <0 when the SBOM is unreadable/invalid (report fatal). */
int hs_verify(struct mls_report *r, const struct hs_verify_opts *o);
int hs_verify_run(const struct hs_verify_opts *o);

#endif
