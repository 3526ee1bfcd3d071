/*
 * `hashsbom sbom`: a CycloneDX 1.6 / 1.7 JSON ML-BOM for a model file or
 * directory, generated with yajl.
 *
 *   metadata.component   machine-learning-model: name, version, hashes (the
 *                        file's digest, or a directory's manifest digest),
 *                        modelCard (card + the model's own metadata + eval
 *                        metrics), mlsecops:* properties, scan results
 *   components           one `file` per file of a directory; `library` per
 *                        requirement (purl, hashes from --hash)
 *   dependencies         the model dependsOn every library
 *   vulnerabilities      one entry per finding of each --scan-report
 * Property names are listed in docs/hashsbom.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/rand.h>
#include "hashsbom.h"

#define HS_MAX_METRICS 10000
#define HS_MAX_TAGS 1000
#define HS_MAX_SECTION 4000
#define HS_META_FILES_MAX 10000

int hs_uuid_v4(char out[37])
{
	unsigned char b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return mls_error_set(MLS_EIO, "cannot get random bytes for the serial number");
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	mls_hex_encode(hex, b, 16);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}

/* ---- small JSON helpers ---- */

static void kv_str(yajl_gen g, const char *k, const char *v)
{
	if (v && *v)
		mls_jgen_kv_str(g, k, v);
}

static void prop(yajl_gen g, const char *name, const char *value)
{
	if (!value)
		return;
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "name", name);
	mls_jgen_kv_str(g, "value", value);
	yajl_gen_map_close(g);
}

static void propf(yajl_gen g, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void propf(yajl_gen g, const char *name, const char *fmt, ...)
{
	char v[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	prop(g, name, v);
}


/* The first present key among a NULL-terminated list of aliases. */
static yajl_val card_get(yajl_val root, const char *const *keys)
{
	for (; *keys; keys++) {
		yajl_val v = mls_json_get(root, *keys);
		if (v && !YAJL_IS_NULL(v))
			return v;
	}
	return NULL;
}

#define CARD(root, ...) card_get((root), (const char *const[]){ __VA_ARGS__, NULL })

static const char *card_str(yajl_val root, const char *const *keys)
{
	return mls_json_scalar_text(card_get(root, keys));
}

#define CARD_STR(root, ...) card_str((root), (const char *const[]){ __VA_ARGS__, NULL })

/* Writes v (a string, or an array of scalars) as an array of strings. */
static size_t gen_str_list(yajl_gen g, yajl_val v)
{
	size_t n = 0;
	yajl_gen_array_open(g);
	if (v && YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++) {
			const char *s = mls_json_scalar_text(v->u.array.values[i]);
			if (s && *s) {
				mls_jgen_str(g, s);
				n++;
			}
		}
	} else if (mls_json_scalar_text(v) && *mls_json_scalar_text(v)) {
		mls_jgen_str(g, mls_json_scalar_text(v));
		n++;
	}
	yajl_gen_array_close(g);
	return n;
}

static int list_nonempty(yajl_val v)
{
	if (!v)
		return 0;
	if (YAJL_IS_ARRAY(v))
		return v->u.array.len > 0;
	return mls_json_scalar_text(v) && *mls_json_scalar_text(v);
}

/* "a,b,c" of a string or an array of scalars into out. */
static void join_list(struct mls_buf *out, yajl_val v)
{
	if (v && YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++) {
			const char *s = mls_json_scalar_text(v->u.array.values[i]);
			if (!s)
				continue;
			if (out->len)
				mls_buf_putc(out, ',');
			mls_buf_puts(out, s);
		}
	} else if (mls_json_scalar_text(v)) {
		mls_buf_puts(out, mls_json_scalar_text(v));
	}
}

/* ---- evaluation metrics ---- */

static int metric_obj(yajl_gen g, const char *type, yajl_val obj, const char *slice)
{
	const char *value = mls_json_scalar_text(mls_json_get(obj, "value"));
	const char *t = CARD_STR(obj, "type", "name", "metric");
	const char *sl = CARD_STR(obj, "slice", "split", "dataset");
	if (!t)
		t = type;
	if (!value || !t)
		return 0;
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "type", t);
	mls_jgen_kv_str(g, "value", value);
	if (sl || (slice && *slice))
		mls_jgen_kv_str(g, "slice", sl ? sl : slice);
	yajl_val ci = mls_json_get(obj, "confidenceInterval");
	const char *lo = mls_json_scalar_text(ci ? mls_json_get(ci, "lowerBound") : mls_json_get(obj, "lowerBound"));
	const char *hi = mls_json_scalar_text(ci ? mls_json_get(ci, "upperBound") : mls_json_get(obj, "upperBound"));
	if (lo || hi) {
		mls_jgen_str(g, "confidenceInterval");
		yajl_gen_map_open(g);
		kv_str(g, "lowerBound", lo);
		kv_str(g, "upperBound", hi);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	return 1;
}

static void eval_walk(yajl_gen g, yajl_val v, struct mls_buf *slice, size_t *count, int depth)
{
	if (!v || *count >= HS_MAX_METRICS || depth > HS_DEFAULT_MAX_DEPTH)
		return;
	if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len && *count < HS_MAX_METRICS; i++)
			if (YAJL_IS_OBJECT(v->u.array.values[i]))
				*count += (size_t)metric_obj(g, NULL, v->u.array.values[i], mls_buf_cstr(slice));
		return;
	}
	if (!YAJL_IS_OBJECT(v))
		return;
	for (size_t i = 0; i < v->u.object.len && *count < HS_MAX_METRICS; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val x = v->u.object.values[i];
		const char *s = mls_json_scalar_text(x);
		if (s) {
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "type", k);
			mls_jgen_kv_str(g, "value", s);
			if (slice->len)
				mls_jgen_kv_str(g, "slice", slice->data);
			yajl_gen_map_close(g);
			(*count)++;
		} else if (YAJL_IS_OBJECT(x) && mls_json_get(x, "value")) {
			*count += (size_t)metric_obj(g, k, x, mls_buf_cstr(slice));
		} else if (YAJL_IS_OBJECT(x) || YAJL_IS_ARRAY(x)) {
			size_t keep = slice->len;
			if (!(YAJL_IS_ARRAY(x) && (!strcmp(k, "metrics") || !strcmp(k, "performanceMetrics")))) {
				if (slice->len)
					mls_buf_putc(slice, '/');
				mls_buf_puts(slice, k);
			}
			eval_walk(g, x, slice, count, depth + 1);
			slice->len = keep;
			if (slice->data)
				slice->data[keep] = '\0';
		}
	}
}

/*
 * Eval files: a flat object {"accuracy": 0.93}, nested objects whose keys
 * become the slice ({"test": {"accuracy": 0.9}} -> slice "test"), metric
 * objects {"type"/"name", "value", "slice", "lowerBound", "upperBound"} in an
 * array (top level, or under "metrics").
 */
int hs_eval_metrics(yajl_gen g, yajl_val eval, size_t *count)
{
	struct mls_buf slice;
	mls_buf_init(&slice, (size_t)1 << 16);
	eval_walk(g, eval, &slice, count, 0);
	mls_buf_release(&slice);
	return 0;
}

/* HF model-index results: task, dataset -> slice, metrics[]. */
static void model_index_metrics(yajl_gen g, yajl_val mi, size_t *count)
{
	if (!mi || !YAJL_IS_ARRAY(mi))
		return;
	for (size_t i = 0; i < mi->u.array.len; i++) {
		yajl_val results = mls_json_get(mi->u.array.values[i], "results");
		if (!results || !YAJL_IS_ARRAY(results))
			continue;
		for (size_t j = 0; j < results->u.array.len; j++) {
			yajl_val r = results->u.array.values[j];
			yajl_val ds = mls_json_get(r, "dataset");
			const char *dsname = CARD_STR(ds, "name", "type");
			const char *split = CARD_STR(ds, "split");
			char slice[512] = "";
			if (dsname)
				snprintf(slice, sizeof(slice), "%s%s%s", dsname, split ? "/" : "", split ? split : "");
			yajl_val ms = mls_json_get(r, "metrics");
			if (!ms || !YAJL_IS_ARRAY(ms))
				continue;
			for (size_t k = 0; k < ms->u.array.len && *count < HS_MAX_METRICS; k++) {
				yajl_val m = ms->u.array.values[k];
				const char *t = CARD_STR(m, "type", "name");
				const char *v = mls_json_scalar_text(mls_json_get(m, "value"));
				if (!t || !v)
					continue;
				yajl_gen_map_open(g);
				mls_jgen_kv_str(g, "type", t);
				mls_jgen_kv_str(g, "value", v);
				if (slice[0])
					mls_jgen_kv_str(g, "slice", slice);
				yajl_gen_map_close(g);
				(*count)++;
			}
		}
	}
}

/* ---- README body sections ---- */

struct sections {
	char *limitations, *uses, *risks, *out_of_scope;
};

static int contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (strncasecmp(hay + i, needle, l) == 0)
			return 1;
	return 0;
}

/* Extracts the text of a few well-known Markdown sections of a HF card. */
static void body_sections(struct sections *s, const char *body)
{
	const char *p = body;
	memset(s, 0, sizeof(*s));
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		if (ll > 1 && p[0] == '#') {
			int level = 0;
			while (p[level] == '#')
				level++;
			char **dst = NULL;
			if (contains_ci(p, ll, "out-of-scope") || contains_ci(p, ll, "out of scope"))
				dst = &s->out_of_scope;
			else if (contains_ci(p, ll, "bias") || contains_ci(p, ll, "risk") || contains_ci(p, ll, "ethic"))
				dst = &s->risks;
			else if (contains_ci(p, ll, "intended use") || contains_ci(p, ll, "direct use") ||
				 contains_ci(p, ll, "use case") || (level >= 2 && ll == (size_t)level + 5 &&
								    !strncasecmp(p + level + 1, "uses", 4)))
				dst = &s->uses;
			else if (contains_ci(p, ll, "limitation"))
				dst = &s->limitations;
			const char *q = eol ? eol + 1 : p + ll;
			const char *start = q;
			/* until the next heading of the same or a higher level */
			while (*q) {
				const char *e2 = strchr(q, '\n');
				if (q[0] == '#') {
					int l2 = 0;
					while (q[l2] == '#')
						l2++;
					if (l2 <= level && q[l2] == ' ')
						break;
				}
				q = e2 ? e2 + 1 : q + strlen(q);
			}
			if (dst && !*dst) {
				size_t n = (size_t)(q - start);
				while (n && isspace((unsigned char)*start)) {
					start++;
					n--;
				}
				while (n && isspace((unsigned char)start[n - 1]))
					n--;
				if (n > HS_MAX_SECTION)
					n = HS_MAX_SECTION;
				if (n && !contains_ci(start, n < 64 ? n : 64, "More Information Needed"))
					*dst = strndup(start, n);
			}
			p = eol ? eol + 1 : p + ll;
			continue;
		}
		p = eol ? eol + 1 : p + ll;
	}
}

static void sections_release(struct sections *s)
{
	free(s->limitations);
	free(s->uses);
	free(s->risks);
	free(s->out_of_scope);
}

/* ---- the BOM ---- */

struct sbom {
	const struct hs_sbom_opts *o;
	struct hs_tree tree;
	struct hs_card card;
	int have_card;
	yajl_val eval;
	struct hs_req_list reqs;
	int have_reqs;
	struct hs_scan_report *scans;
	size_t nscans;
	struct hs_modelmeta meta;
	char *model_ref;
	char *model_path;  /* relative to the SBOM's directory when inside it, else the base name */
	char **lib_refs;
	char *name, *version;
	char *card_sha, *eval_sha, *req_sha;
	int v17;
};

static const char *const approach_types[] = { "supervised", "unsupervised", "reinforcement-learning",
					      "semi-supervised", "self-supervised" };

static void gen_io(yajl_gen g, const char *key, yajl_val v)
{
	if (!list_nonempty(v))
		return;
	mls_jgen_str(g, key);
	yajl_gen_array_open(g);
	if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++) {
			yajl_val x = v->u.array.values[i];
			const char *f = mls_json_scalar_text(x) ? mls_json_scalar_text(x) : CARD_STR(x, "format", "type", "name");
			if (!f)
				continue;
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "format", f);
			yajl_gen_map_close(g);
		}
	} else {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "format", mls_json_scalar_text(v));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_datasets(yajl_gen g, yajl_val v)
{
	if (!list_nonempty(v))
		return;
	mls_jgen_str(g, "datasets");
	yajl_gen_array_open(g);
	size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 1;
	for (size_t i = 0; i < n; i++) {
		yajl_val x = YAJL_IS_ARRAY(v) ? v->u.array.values[i] : v;
		const char *name = mls_json_scalar_text(x) ? mls_json_scalar_text(x) : CARD_STR(x, "name", "id");
		if (!name)
			continue;
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "type", "dataset");
		mls_jgen_kv_str(g, "name", name);
		if (!mls_json_scalar_text(x)) {
			kv_str(g, "description", CARD_STR(x, "description"));
			kv_str(g, "classification", CARD_STR(x, "classification"));
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/* Inputs and outputs implied by common Hugging Face pipeline tags, used
 * when the card names a task but no inputs / outputs. */
static const char *const task_io[][3] = {
	{ "text-generation", "text", "text" }, { "text2text-generation", "text", "text" },
	{ "text-classification", "text", "label" }, { "token-classification", "text", "labels" },
	{ "question-answering", "text", "text" }, { "summarization", "text", "text" },
	{ "translation", "text", "text" }, { "fill-mask", "text", "text" },
	{ "feature-extraction", "text", "embedding" }, { "sentence-similarity", "text", "score" },
	{ "image-classification", "image", "label" }, { "object-detection", "image", "bounding boxes" },
	{ "image-segmentation", "image", "mask" }, { "image-to-text", "image", "text" },
	{ "text-to-image", "text", "image" }, { "automatic-speech-recognition", "audio", "text" },
	{ "text-to-speech", "text", "audio" }, { "audio-classification", "audio", "label" },
	{ "zero-shot-classification", "text", "label" }, { "tabular-classification", "table", "label" },
	{ "tabular-regression", "table", "number" },
};

static void gen_task_io(yajl_gen g, const char *task, int which)
{
	for (size_t i = 0; task && i < MLS_ARRAY_SIZE(task_io); i++)
		if (!strcmp(task, task_io[i][0])) {
			mls_jgen_str(g, which == 1 ? "inputs" : "outputs");
			yajl_gen_array_open(g);
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "format", task_io[i][which]);
			yajl_gen_map_close(g);
			yajl_gen_array_close(g);
			return;
		}
}

static void gen_model_parameters(yajl_gen g, struct sbom *s)
{
	yajl_val c = s->have_card ? s->card.root : NULL;
	const char *task = CARD_STR(c, "task", "pipeline_tag");
	const char *fam = CARD_STR(c, "architectureFamily", "architecture_family");
	const char *arch = CARD_STR(c, "modelArchitecture", "model_architecture", "architecture");
	yajl_val ap = CARD(c, "approach", "learning_type");
	const char *apt = mls_json_scalar_text(ap) ? mls_json_scalar_text(ap) : CARD_STR(ap, "type");
	yajl_val ds = CARD(c, "datasets", "dataset");
	yajl_val in = CARD(c, "inputs", "input");
	yajl_val out = CARD(c, "outputs", "output");
	int valid_ap = 0;

	if (!fam)
		fam = s->meta.family;
	if (!arch)
		arch = s->meta.architecture;
	for (size_t i = 0; apt && i < MLS_ARRAY_SIZE(approach_types); i++)
		if (!strcmp(apt, approach_types[i]))
			valid_ap = 1;
	if (apt && !valid_ap)
		mls_warn("model card: approach '%s' is not a CycloneDX learning type: ignored", apt);
	if (!task && !fam && !arch && !valid_ap && !list_nonempty(ds) && !list_nonempty(in) && !list_nonempty(out))
		return;
	mls_jgen_str(g, "modelParameters");
	yajl_gen_map_open(g);
	if (valid_ap) {
		mls_jgen_str(g, "approach");
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "type", apt);
		yajl_gen_map_close(g);
	}
	kv_str(g, "task", task);
	kv_str(g, "architectureFamily", fam);
	kv_str(g, "modelArchitecture", arch);
	gen_datasets(g, ds);
	if (list_nonempty(in))
		gen_io(g, "inputs", in);
	else
		gen_task_io(g, task, 1);
	if (list_nonempty(out))
		gen_io(g, "outputs", out);
	else
		gen_task_io(g, task, 2);
	yajl_gen_map_close(g);
}

static void gen_quantitative(yajl_gen g, struct sbom *s)
{
	yajl_val mi = s->have_card ? CARD(s->card.root, "model-index", "model_index") : NULL;
	yajl_val cm = s->have_card ? CARD(s->card.root, "performanceMetrics", "metrics_results") : NULL;
	size_t count = 0;

	if (!s->eval && !mi && !(cm && YAJL_IS_ARRAY(cm)))
		return;
	/* generate into a scratch generator first: only write non-empty sections */
	yajl_gen t = mls_jgen_new(0);
	if (!t)
		return;
	yajl_gen_array_open(t);
	if (s->eval)
		hs_eval_metrics(t, s->eval, &count);
	if (cm && YAJL_IS_ARRAY(cm))
		hs_eval_metrics(t, cm, &count);
	model_index_metrics(t, mi, &count);
	yajl_gen_array_close(t);
	if (count) {
		const unsigned char *buf;
		size_t len;
		yajl_val arr = NULL;
		if (yajl_gen_get_buf(t, &buf, &len) == yajl_gen_status_ok &&
		    mls_json_parse(&arr, (const char *)buf, len, 0, 8) == 0) {
			mls_jgen_str(g, "quantitativeAnalysis");
			yajl_gen_map_open(g);
			mls_jgen_str(g, "performanceMetrics");
			mls_jgen_value(g, arr);
			yajl_gen_map_close(g);
			yajl_tree_free(arr);
		}
	}
	yajl_gen_free(t);
}

static void gen_risks(yajl_gen g, yajl_val v, const char *fallback)
{
	yajl_gen_array_open(g);
	if (v) {
		size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 1;
		for (size_t i = 0; i < n; i++) {
			yajl_val x = YAJL_IS_ARRAY(v) ? v->u.array.values[i] : v;
			const char *name = mls_json_scalar_text(x) ? mls_json_scalar_text(x) : CARD_STR(x, "name", "risk");
			if (!name)
				continue;
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "name", name);
			if (!mls_json_scalar_text(x))
				kv_str(g, "mitigationStrategy", CARD_STR(x, "mitigationStrategy", "mitigation_strategy", "mitigation"));
			yajl_gen_map_close(g);
		}
	} else if (fallback) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "name", fallback);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_fairness(yajl_gen g, yajl_val v)
{
	yajl_gen_array_open(g);
	size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 1;
	for (size_t i = 0; i < n; i++) {
		yajl_val x = YAJL_IS_ARRAY(v) ? v->u.array.values[i] : v;
		if (!YAJL_IS_OBJECT(x))
			continue;
		yajl_gen_map_open(g);
		kv_str(g, "groupAtRisk", CARD_STR(x, "groupAtRisk", "group_at_risk"));
		kv_str(g, "benefits", CARD_STR(x, "benefits"));
		kv_str(g, "harms", CARD_STR(x, "harms"));
		kv_str(g, "mitigationStrategy", CARD_STR(x, "mitigationStrategy", "mitigation_strategy"));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_considerations(yajl_gen g, struct sbom *s)
{
	yajl_val c = s->have_card ? CARD(s->card.root, "considerations") : NULL;
	struct sections sec;
	yajl_val users = CARD(c, "users");
	yajl_val uses = CARD(c, "useCases", "use_cases");
	yajl_val lim = CARD(c, "technicalLimitations", "technical_limitations", "limitations");
	yajl_val trade = CARD(c, "performanceTradeoffs", "performance_tradeoffs");
	yajl_val eth = CARD(c, "ethicalConsiderations", "ethical_considerations");
	yajl_val fair = CARD(c, "fairnessAssessments", "fairness_assessments");

	body_sections(&sec, s->have_card ? s->card.body : NULL);
	int any = list_nonempty(users) || list_nonempty(uses) || list_nonempty(lim) || list_nonempty(trade) ||
		  (eth && (YAJL_IS_ARRAY(eth) ? eth->u.array.len > 0 : 1)) ||
		  (fair && (YAJL_IS_ARRAY(fair) ? fair->u.array.len > 0 : YAJL_IS_OBJECT(fair))) || sec.uses ||
		  sec.limitations || sec.risks || sec.out_of_scope;
	if (!any)
		goto done;
	mls_jgen_str(g, "considerations");
	yajl_gen_map_open(g);
	if (list_nonempty(users)) {
		mls_jgen_str(g, "users");
		gen_str_list(g, users);
	}
	if (list_nonempty(uses) || sec.uses) {
		mls_jgen_str(g, "useCases");
		if (list_nonempty(uses)) {
			gen_str_list(g, uses);
		} else {
			yajl_gen_array_open(g);
			mls_jgen_str(g, sec.uses);
			yajl_gen_array_close(g);
		}
	}
	if (list_nonempty(lim) || sec.limitations || sec.out_of_scope) {
		mls_jgen_str(g, "technicalLimitations");
		if (list_nonempty(lim)) {
			gen_str_list(g, lim);
		} else {
			yajl_gen_array_open(g);
			if (sec.limitations)
				mls_jgen_str(g, sec.limitations);
			if (sec.out_of_scope) {
				struct mls_buf b;
				mls_buf_init(&b, HS_MAX_SECTION + 64);
				mls_buf_printf(&b, "Out of scope: %s", sec.out_of_scope);
				mls_jgen_str(g, mls_buf_cstr(&b));
				mls_buf_release(&b);
			}
			yajl_gen_array_close(g);
		}
	}
	if (list_nonempty(trade)) {
		mls_jgen_str(g, "performanceTradeoffs");
		gen_str_list(g, trade);
	}
	if ((eth && (YAJL_IS_ARRAY(eth) ? eth->u.array.len > 0 : 1)) || sec.risks) {
		mls_jgen_str(g, "ethicalConsiderations");
		gen_risks(g, eth, sec.risks);
	}
	if (fair && (YAJL_IS_ARRAY(fair) ? fair->u.array.len > 0 : YAJL_IS_OBJECT(fair))) {
		mls_jgen_str(g, "fairnessAssessments");
		gen_fairness(g, fair);
	}
	yajl_gen_map_close(g);
done:
	sections_release(&sec);
}

static void gen_card_properties(yajl_gen g, struct sbom *s)
{
	yajl_val c = s->have_card ? s->card.root : NULL;
	struct mls_buf b;
	char key[256];

	mls_buf_init(&b, (size_t)1 << 20);
	mls_jgen_str(g, "properties");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->meta.nhyper; i++) {
		snprintf(key, sizeof(key), "cdx:ai-ml:model:hyperparameter:%s", s->meta.hyper[i].key);
		prop(g, key, s->meta.hyper[i].value);
	}
	yajl_val hp = CARD(c, "hyperparameters", "hyperparameter");
	if (hp && YAJL_IS_OBJECT(hp))
		for (size_t i = 0; i < hp->u.object.len && i < 256; i++) {
			const char *v = mls_json_scalar_text(hp->u.object.values[i]);
			int dup = 0;
			for (size_t k = 0; k < s->meta.nhyper; k++)
				if (!strcmp(s->meta.hyper[k].key, hp->u.object.keys[i]))
					dup = 1;
			if (!v || dup)
				continue;
			snprintf(key, sizeof(key), "cdx:ai-ml:model:hyperparameter:%.200s", hp->u.object.keys[i]);
			prop(g, key, v);
		}
	const char *q = CARD_STR(c, "quantization");
	prop(g, "cdx:ai-ml:model:hyperparameter:quantization", q ? q : s->meta.quantization);
	const char *pc = CARD_STR(c, "parameter_count", "parameterCount", "parameters");
	prop(g, "cdx:ai-ml:model:parameter:count", pc ? pc : s->meta.param_count);
	const char *tm = CARD_STR(c, "tune_methods", "tuneMethods");
	prop(g, "cdx:ai-ml:model:parameter:tune_methods", tm);
	yajl_val lang = CARD(c, "language", "languages");
	if (list_nonempty(lang)) {
		join_list(&b, lang);
		prop(g, "cdx:ai-ml:model:languages", mls_buf_cstr(&b));
	}
	yajl_gen_array_close(g);
	mls_buf_release(&b);
}

static void gen_model_card(yajl_gen g, struct sbom *s)
{
	mls_jgen_str(g, "modelCard");
	yajl_gen_map_open(g);
	gen_model_parameters(g, s);
	gen_quantitative(g, s);
	gen_considerations(g, s);
	gen_card_properties(g, s);
	yajl_gen_map_close(g);
}

static const char *sev_cdx(const char *s)
{
	static const char *const ok[] = { "critical", "high", "medium", "low", "info", "none" };
	for (size_t i = 0; s && i < MLS_ARRAY_SIZE(ok); i++)
		if (!strcasecmp(s, ok[i]))
			return ok[i];
	return "unknown";
}

static void gen_model_properties(yajl_gen g, struct sbom *s)
{
	const struct hs_tree *t = &s->tree;
	uint64_t total = 0;
	char key[256];
	static const char *const sev[5] = { "critical", "high", "medium", "low", "info" };

	for (size_t i = 0; i < t->n; i++)
		total += t->e[i].size;
	mls_jgen_str(g, "properties");
	yajl_gen_array_open(g);
	prop(g, "mlsecops:model:kind", t->is_dir ? "directory" : "file");
	prop(g, "mlsecops:model:path", s->model_path);
	propf(g, "mlsecops:model:files", "%zu", t->n);
	propf(g, "mlsecops:model:size", "%llu", (unsigned long long)total);
	if (t->is_dir) {
		prop(g, "mlsecops:manifest:sha256", t->manifest);
		prop(g, "mlsecops:manifest:format", "sha256sum-lines");
	}
	if (s->card_sha) {
		prop(g, "mlsecops:card:file", mls_path_basename(s->o->card));
		prop(g, "mlsecops:card:sha256", s->card_sha);
	}
	if (s->have_card) {
		yajl_val c = s->card.root;
		yajl_val bm = CARD(c, "base_model", "baseModel");
		if (list_nonempty(bm)) {
			struct mls_buf b;
			mls_buf_init(&b, (size_t)1 << 16);
			join_list(&b, bm);
			prop(g, "mlsecops:card:base_model", mls_buf_cstr(&b));
			mls_buf_release(&b);
		}
		prop(g, "mlsecops:card:library_name", CARD_STR(c, "library_name"));
	}
	if (s->eval_sha) {
		prop(g, "mlsecops:eval:file", mls_path_basename(s->o->eval));
		prop(g, "mlsecops:eval:sha256", s->eval_sha);
	}
	if (s->req_sha) {
		prop(g, "mlsecops:requirements:file", mls_path_basename(s->o->requirements));
		prop(g, "mlsecops:requirements:sha256", s->req_sha);
	}
	for (size_t i = 0; i < s->meta.nprops; i++)
		prop(g, s->meta.props[i].key, s->meta.props[i].value);
	for (size_t k = 0; k < s->nscans; k++) {
		const struct hs_scan_report *r = &s->scans[k];
#define SCANKEY(suffix) (snprintf(key, sizeof(key), "mlsecops:scan:%s:%s", r->tool, suffix), key)
		prop(g, SCANKEY("status"), r->status ? r->status : "unknown");
		prop(g, SCANKEY("verdict"), r->verdict ? r->verdict : "unknown");
		prop(g, SCANKEY("version"), r->tool_version);
		prop(g, SCANKEY("finished_at"), r->finished_at);
		prop(g, SCANKEY("report_sha256"), r->sha256);
		propf(g, SCANKEY("files:scanned"), "%lld", r->files_scanned);
		propf(g, SCANKEY("files:skipped"), "%lld", r->files_skipped);
		propf(g, SCANKEY("files:failed"), "%lld", r->files_failed);
		for (int i = 0; i < 5; i++) {
			char sub[64];
			snprintf(sub, sizeof(sub), "findings:%s", sev[i]);
			propf(g, SCANKEY(sub), "%lld", r->counts[i]);
		}
#undef SCANKEY
	}
	yajl_gen_array_close(g);
}

static void gen_hash(yajl_gen g, const char *alg, const char *hex)
{
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "alg", alg);
	mls_jgen_kv_str(g, "content", hex);
	yajl_gen_map_close(g);
}

static void gen_metadata(yajl_gen g, struct sbom *s, const char *timestamp)
{
	yajl_val c = s->have_card ? s->card.root : NULL;

	mls_jgen_str(g, "metadata");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "timestamp", timestamp);
	mls_jgen_str(g, "tools");
	yajl_gen_map_open(g);
	mls_jgen_str(g, "components");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "type", "application");
	mls_jgen_kv_str(g, "bom-ref", "tool:hashsbom");
	mls_jgen_kv_str(g, "group", "mlsecops");
	mls_jgen_kv_str(g, "name", HS_TOOL);
	mls_jgen_kv_str(g, "version", MLS_VERSION);
	yajl_gen_map_close(g);
	for (size_t k = 0; k < s->nscans; k++) {
		int dup = 0;
		for (size_t j = 0; j < k; j++)
			if (!strcmp(s->scans[j].tool, s->scans[k].tool))
				dup = 1;
		if (dup || !strcmp(s->scans[k].tool, HS_TOOL))
			continue;
		char ref[256];
		snprintf(ref, sizeof(ref), "tool:%s", s->scans[k].tool);
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "type", "application");
		mls_jgen_kv_str(g, "bom-ref", ref);
		mls_jgen_kv_str(g, "group", "mlsecops");
		mls_jgen_kv_str(g, "name", s->scans[k].tool);
		kv_str(g, "version", s->scans[k].tool_version);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);

	mls_jgen_str(g, "component");
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "type", "machine-learning-model");
	mls_jgen_kv_str(g, "bom-ref", s->model_ref);
	mls_jgen_kv_str(g, "name", s->name);
	kv_str(g, "version", s->version);
	kv_str(g, "description", CARD_STR(c, "description", "model_description", "summary"));
	mls_jgen_str(g, "hashes");
	yajl_gen_array_open(g);
	if (s->tree.is_dir)
		gen_hash(g, mls_hash_cdx_name(s->tree.algo), s->tree.manifest);
	else if (s->tree.n == 1)
		gen_hash(g, mls_hash_cdx_name(s->tree.algo), s->tree.e[0].hex);
	yajl_gen_array_close(g);
	yajl_val lic = CARD(c, "license", "licenses");
	if (list_nonempty(lic)) {
		mls_jgen_str(g, "licenses");
		yajl_gen_array_open(g);
		size_t n = YAJL_IS_ARRAY(lic) ? lic->u.array.len : 1;
		for (size_t i = 0; i < n; i++) {
			const char *l = mls_json_scalar_text(YAJL_IS_ARRAY(lic) ? lic->u.array.values[i] : lic);
			if (!l || !*l)
				continue;
			yajl_gen_map_open(g);
			mls_jgen_str(g, "license");
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "name", l);
			yajl_gen_map_close(g);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_val tags = CARD(c, "tags");
	if (list_nonempty(tags)) {
		mls_jgen_str(g, "tags");
		/* tags must be unique */
		yajl_gen_array_open(g);
		size_t n = YAJL_IS_ARRAY(tags) ? tags->u.array.len : 1;
		if (n > HS_MAX_TAGS) {
			mls_warn("model card: only the first %d of %zu tags recorded", HS_MAX_TAGS, n);
			n = HS_MAX_TAGS;
		}
		for (size_t i = 0; i < n; i++) {
			const char *t = mls_json_scalar_text(YAJL_IS_ARRAY(tags) ? tags->u.array.values[i] : tags);
			int dup = 0;
			if (!t || !*t)
				continue;
			for (size_t j = 0; j < i && YAJL_IS_ARRAY(tags); j++) {
				const char *u = mls_json_scalar_text(tags->u.array.values[j]);
				if (u && !strcmp(u, t))
					dup = 1;
			}
			if (!dup)
				mls_jgen_str(g, t);
		}
		yajl_gen_array_close(g);
	}
	gen_model_properties(g, s);
	gen_model_card(g, s);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_components(yajl_gen g, struct sbom *s)
{
	char ref[4200];
	mls_jgen_str(g, "components");
	yajl_gen_array_open(g);
	if (s->tree.is_dir)
		for (size_t i = 0; i < s->tree.n; i++) {
			const struct hs_entry *e = &s->tree.e[i];
			snprintf(ref, sizeof(ref), "file:%s", e->rel);
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "type", "file");
			mls_jgen_kv_str(g, "bom-ref", ref);
			mls_jgen_kv_str(g, "name", e->rel);
			mls_jgen_str(g, "hashes");
			yajl_gen_array_open(g);
			gen_hash(g, mls_hash_cdx_name(s->tree.algo), e->hex);
			yajl_gen_array_close(g);
			mls_jgen_str(g, "properties");
			yajl_gen_array_open(g);
			propf(g, "mlsecops:file:size", "%llu", (unsigned long long)e->size);
			yajl_gen_array_close(g);
			yajl_gen_map_close(g);
		}
	for (size_t i = 0; i < s->reqs.n; i++) {
		const struct hs_req *r = &s->reqs.v[i];
		char *purl = hs_pypi_purl(r->name, r->version);
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "type", "library");
		mls_jgen_kv_str(g, "bom-ref", s->lib_refs[i]);
		mls_jgen_kv_str(g, "name", r->name);
		kv_str(g, "version", r->version);
		if (r->nhashes) {
			mls_jgen_str(g, "hashes");
			yajl_gen_array_open(g);
			for (size_t k = 0; k < r->nhashes; k++) {
				const char *colon = strchr(r->hashes[k], ':');
				const char *alg = !strncmp(r->hashes[k], "sha256", 6) ? "SHA-256"
						  : !strncmp(r->hashes[k], "sha384", 6) ? "SHA-384" : "SHA-512";
				gen_hash(g, alg, colon + 1);
			}
			yajl_gen_array_close(g);
		}
		if (purl) {
			if (r->url && !r->version) {
				struct mls_buf b;
				mls_buf_init(&b, (size_t)1 << 16);
				mls_buf_printf(&b, "%s?download_url=", purl);
				for (const unsigned char *p = (const unsigned char *)r->url; *p; p++) {
					if (isalnum(*p) || strchr("-._~:/", *p))
						mls_buf_putc(&b, (char)*p);
					else
						mls_buf_printf(&b, "%%%02X", *p);
				}
				mls_jgen_kv_str(g, "purl", mls_buf_cstr(&b));
				mls_buf_release(&b);
			} else {
				mls_jgen_kv_str(g, "purl", purl);
			}
		}
		free(purl);
		if (r->url) {
			mls_jgen_str(g, "externalReferences");
			yajl_gen_array_open(g);
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "type", "distribution");
			mls_jgen_kv_str(g, "url", r->url);
			yajl_gen_map_close(g);
			yajl_gen_array_close(g);
		}
		mls_jgen_str(g, "properties");
		yajl_gen_array_open(g);
		for (size_t k = 0; k < r->nextras; k++)
			prop(g, "cdx:python:package:required-extra", r->extras[k]);
		prop(g, "mlsecops:requirement:specifier", r->specifier);
		prop(g, "mlsecops:requirement:marker", r->marker);
		prop(g, "mlsecops:requirement:source", r->origin);
		prop(g, "mlsecops:requirement:pinned", r->version ? "true" : "false");
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_dependencies(yajl_gen g, struct sbom *s)
{
	mls_jgen_str(g, "dependencies");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "ref", s->model_ref);
	mls_jgen_str(g, "dependsOn");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->reqs.n; i++)
		mls_jgen_str(g, s->lib_refs[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	for (size_t i = 0; i < s->reqs.n; i++) {
		yajl_gen_map_open(g);
		mls_jgen_kv_str(g, "ref", s->lib_refs[i]);
		mls_jgen_str(g, "dependsOn");
		yajl_gen_array_open(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_vulnerabilities(yajl_gen g, struct sbom *s)
{
	size_t total = 0;
	for (size_t k = 0; k < s->nscans; k++)
		total += s->scans[k].nfindings;
	if (!total)
		return;
	mls_jgen_str(g, "vulnerabilities");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < s->nscans; k++) {
		const struct hs_scan_report *r = &s->scans[k];
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct hs_scan_finding *f = &r->findings[i];
			char ref[256];
			struct mls_buf detail;
			snprintf(ref, sizeof(ref), "vuln:%s:%zu:%zu", r->tool, k + 1, i + 1);
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "bom-ref", ref);
			mls_jgen_kv_str(g, "id", f->id && *f->id ? f->id : "UNKNOWN");
			mls_jgen_str(g, "source");
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "name", r->tool);
			yajl_gen_map_close(g);
			mls_jgen_str(g, "ratings");
			yajl_gen_array_open(g);
			yajl_gen_map_open(g);
			mls_jgen_str(g, "source");
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "name", r->tool);
			yajl_gen_map_close(g);
			mls_jgen_kv_str(g, "severity", sev_cdx(f->severity));
			mls_jgen_kv_str(g, "method", "other");
			yajl_gen_map_close(g);
			yajl_gen_array_close(g);
			kv_str(g, "description", f->message);
			mls_buf_init(&detail, (size_t)1 << 20);
			if (f->path)
				mls_buf_printf(&detail, "path: %s", f->path);
			if (f->location)
				mls_buf_printf(&detail, "%slocation: %s", detail.len ? "; " : "", f->location);
			if (f->evidence)
				mls_buf_printf(&detail, "%sevidence: %s", detail.len ? "; " : "", f->evidence);
			if (detail.len)
				mls_jgen_kv_str(g, "detail", detail.data);
			mls_buf_release(&detail);
			mls_jgen_str(g, "affects");
			yajl_gen_array_open(g);
			yajl_gen_map_open(g);
			mls_jgen_kv_str(g, "ref", s->model_ref);
			yajl_gen_map_close(g);
			yajl_gen_array_close(g);
			mls_jgen_str(g, "properties");
			yajl_gen_array_open(g);
			prop(g, "mlsecops:finding:path", f->path);
			prop(g, "mlsecops:finding:location", f->location);
			prop(g, "mlsecops:finding:evidence", f->evidence);
			yajl_gen_array_close(g);
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_array_close(g);
}

/* The BOM's timestamp: now, or SOURCE_DATE_EPOCH when set (reproducible builds). */
static void bom_time(char out[40])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;
	if (sde && mls_parse_uint(&v, sde) == 0) {
		time_t t = (time_t)v;
		struct tm tm;
		if (gmtime_r(&t, &tm)) {
			strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
			return;
		}
	}
	mls_time_rfc3339(out);
}

static int file_sha(char **out, const char *path)
{
	char hex[MLS_HASH_HEX_MAX];
	int rc = mls_hash_file(hex, NULL, path, MLS_SHA256);
	if (rc == 0 && !(*out = strdup(hex)))
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
	return rc;
}

static int load_inputs(struct sbom *s)
{
	const struct hs_sbom_opts *o = s->o;
	int rc = 0;

	if (o->card) {
		if ((rc = hs_card_load(&s->card, o->card, o->max_input, o->max_depth)) < 0)
			return rc;
		s->have_card = 1;
		if ((rc = file_sha(&s->card_sha, o->card)) < 0)
			return rc;
	}
	if (o->eval) {
		rc = mls_json_parse_file(&s->eval, o->eval, o->max_input, o->max_depth);
		if (rc < 0) {
			mls_error_prefix("evaluation file");
			return rc;
		}
		if (!YAJL_IS_OBJECT(s->eval) && !YAJL_IS_ARRAY(s->eval))
			return mls_error_set(MLS_EFORMAT, "evaluation file '%s' must hold an object or an array", o->eval);
		if ((rc = file_sha(&s->eval_sha, o->eval)) < 0)
			return rc;
	}
	if (o->requirements) {
		struct hs_req_limits lim;
		hs_req_limits_default(&lim);
		lim.max_bytes = (size_t)o->max_input;
		rc = hs_req_parse_file(&s->reqs, o->requirements, &lim);
		s->have_reqs = 1;
		for (size_t i = 0; i < s->reqs.warnings.n; i++)
			mls_warn("%s", s->reqs.warnings.v[i]);
		if (rc < 0) {
			mls_error_prefix("requirements");
			return rc;
		}
		if ((rc = file_sha(&s->req_sha, o->requirements)) < 0)
			return rc;
	}
	if (o->nscan_reports) {
		s->scans = calloc(o->nscan_reports, sizeof(*s->scans));
		if (!s->scans)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		for (size_t i = 0; i < o->nscan_reports; i++) {
			if ((rc = hs_scan_report_load(&s->scans[i], o->scan_reports[i], o->max_input, o->max_depth)) < 0)
				return rc;
			s->nscans++;
			if (s->scans[i].nfindings < s->scans[i].nfindings_total)
				mls_warn("scan report '%s': only the first %zu of %zu findings recorded", o->scan_reports[i],
					 s->scans[i].nfindings, s->scans[i].nfindings_total);
		}
	}
	return 0;
}

/*
 * The model's path as verify will resolve it against the SBOM's directory:
 * "." when the SBOM is written into the model directory, the relative path
 * when the model lies below the SBOM's directory, else the model's base
 * name (verify then needs MODEL on its command line).
 */
static char *model_path_for(const char *model, const char *output)
{
	char *mreal = realpath(model, NULL), *dir = NULL, *odir = NULL, *res = NULL;

	if (mreal && output && strcmp(output, "-") != 0) {
		dir = strdup(output);
		if (dir) {
			char *sl = strrchr(dir, '/');
			if (sl == dir)
				sl[1] = '\0';
			else if (sl)
				*sl = '\0';
			odir = realpath(sl ? dir : ".", NULL);
		}
		if (odir) {
			size_t n = strlen(odir);
			if (!strcmp(mreal, odir))
				res = strdup(".");
			else if (!strncmp(mreal, odir, n) && (mreal[n] == '/' || (n == 1 && odir[0] == '/')))
				res = strdup(mreal + n + (mreal[n] == '/'));
		}
	}
	if (!res) {
		char *tmp = strdup(model);
		if (tmp) {
			size_t n = strlen(tmp);
			while (n > 1 && tmp[n - 1] == '/')
				tmp[--n] = '\0';
			res = strdup(mls_path_basename(tmp));
			free(tmp);
		}
	}
	free(mreal);
	free(dir);
	free(odir);
	return res;
}

static int build_refs(struct sbom *s)
{
	struct mls_buf b;
	yajl_val c = s->have_card ? s->card.root : NULL;
	const char *name = s->o->name ? s->o->name : CARD_STR(c, "model_name", "name");
	const char *version = s->o->version ? s->o->version : CARD_STR(c, "version", "model_version");

	if (!name)
		name = s->meta.name;
	if (!name) {
		char *tmp = strdup(s->o->model);
		if (!tmp)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		size_t n = strlen(tmp);
		while (n > 1 && tmp[n - 1] == '/')
			tmp[--n] = '\0';
		s->name = strdup(mls_path_basename(tmp));
		free(tmp);
	} else {
		s->name = strdup(name);
	}
	s->version = version ? strdup(version) : NULL;
	s->model_path = model_path_for(s->o->model, s->o->output);
	if (!s->model_path)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	mls_buf_init(&b, (size_t)1 << 16);
	mls_buf_printf(&b, "model:%s%s%s", s->name ? s->name : "", s->version ? "@" : "", s->version ? s->version : "");
	s->model_ref = mls_buf_detach(&b, NULL);
	s->lib_refs = calloc(s->reqs.n ? s->reqs.n : 1, sizeof(*s->lib_refs));
	if (!s->name || !s->model_ref || !s->lib_refs)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->reqs.n; i++) {
		const struct hs_req *r = &s->reqs.v[i];
		char *purl = hs_pypi_purl(r->name, r->version);
		if (!purl)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		mls_buf_init(&b, (size_t)1 << 16);
		mls_buf_puts(&b, purl);
		if (r->url && !r->version)
			mls_buf_printf(&b, "#url=%s", r->url);
		free(purl);
		/* unique: the list is deduplicated on (PEP 503 name, version, URL), a
		 * finer key than the purl's name; a version and a URL never come together */
		s->lib_refs[i] = mls_buf_detach(&b, NULL);
		if (!s->lib_refs[i])
			return mls_error_set(MLS_ENOMEM, "out of memory");
	}
	return 0;
}

static void sbom_release(struct sbom *s)
{
	if (s->lib_refs)
		for (size_t i = 0; i < s->reqs.n; i++)
			free(s->lib_refs[i]);
	free(s->lib_refs);
	hs_tree_release(&s->tree);
	hs_card_release(&s->card);
	if (s->eval)
		yajl_tree_free(s->eval);
	hs_req_list_release(&s->reqs);
	for (size_t i = 0; i < s->nscans; i++)
		hs_scan_report_release(&s->scans[i]);
	free(s->scans);
	hs_modelmeta_release(&s->meta);
	free(s->model_ref);
	free(s->model_path);
	free(s->name);
	free(s->version);
	free(s->card_sha);
	free(s->eval_sha);
	free(s->req_sha);
}

int hs_sbom_run(const struct hs_sbom_opts *o)
{
	struct sbom s;
	char uuid[37], ts[40];
	char *out_real = NULL;
	yajl_gen g = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.v17 = o->spec_version && !strcmp(o->spec_version, "1.7");
	if (o->output && strcmp(o->output, "-") != 0)
		out_real = realpath(o->output, NULL);
	rc = hs_tree_hash(&s.tree, o->model, MLS_SHA256, o->jobs, out_real);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < s.tree.skipped.n; i++)
		mls_warn("not in the BOM: %s", s.tree.skipped.v[i]);
	if (s.tree.nfailed) {
		for (size_t i = 0; i < s.tree.n; i++)
			if (s.tree.e[i].rc < 0)
				mls_err("%s", s.tree.e[i].err ? s.tree.e[i].err : mls_strerror(s.tree.e[i].rc));
		rc = mls_error_set(MLS_EIO, "%zu file%s of '%s' could not be hashed", s.tree.nfailed,
				   s.tree.nfailed == 1 ? "" : "s", o->model);
		goto done;
	}
	if (s.tree.n == 0) {
		rc = mls_error_set(MLS_ENOTFOUND, "'%s' holds no regular file", o->model);
		goto done;
	}
	if ((rc = load_inputs(&s)) < 0)
		goto done;
	for (size_t i = 0; i < s.tree.n && i < HS_META_FILES_MAX; i++)
		hs_modelmeta_file(&s.meta, s.tree.e[i].path, s.tree.e[i].rel, o->max_input, o->max_depth);
	for (size_t i = 0; i < s.meta.warnings.n; i++)
		mls_warn("%s", s.meta.warnings.v[i]);
	if ((rc = build_refs(&s)) < 0)
		goto done;
	if ((rc = hs_uuid_v4(uuid)) < 0)
		goto done;
	bom_time(ts);

	g = mls_jgen_new(1);
	if (!g) {
		rc = mls_error_set(MLS_ENOMEM, "out of memory");
		goto done;
	}
	char serial[64];
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	yajl_gen_map_open(g);
	mls_jgen_kv_str(g, "$schema", s.v17 ? "http://cyclonedx.org/schema/bom-1.7.schema.json"
					    : "http://cyclonedx.org/schema/bom-1.6.schema.json");
	mls_jgen_kv_str(g, "bomFormat", "CycloneDX");
	mls_jgen_kv_str(g, "specVersion", s.v17 ? "1.7" : "1.6");
	mls_jgen_kv_str(g, "serialNumber", serial);
	mls_jgen_kv_int(g, "version", 1);
	gen_metadata(g, &s, ts);
	gen_components(g, &s);
	gen_dependencies(g, &s);
	gen_vulnerabilities(g, &s);
	yajl_gen_map_close(g);

	const unsigned char *buf;
	size_t len;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		rc = mls_error_set(MLS_EINVAL, "cannot generate the BOM");
		goto done;
	}
	if (o->output && strcmp(o->output, "-") != 0) {
		rc = mls_write_file_atomic(o->output, buf, len);
	} else {
		if (fwrite(buf, 1, len, stdout) != len || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
			rc = mls_error_set(MLS_EIO, "cannot write to stdout: %s", strerror(errno));
	}
	if (rc == 0 && o->output && strcmp(o->output, "-") != 0)
		mls_info("wrote %s (%zu file%s, %zu librar%s, %zu scan report%s)", o->output, s.tree.n,
			 s.tree.n == 1 ? "" : "s", s.reqs.n, s.reqs.n == 1 ? "y" : "ies", s.nscans, s.nscans == 1 ? "" : "s");
done:
	if (rc < 0)
		mls_err("%s", mls_error_msg());
	if (g)
		yajl_gen_free(g);
	free(out_real);
	sbom_release(&s);
	return rc < 0 ? MLS_EXIT_ERROR : MLS_EXIT_OK;
}
