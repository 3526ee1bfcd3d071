/*
 * Unit tests for the part-2 format modules, called directly on in-memory
 * inputs with a ms_ctx set up as the CLI does (default limits, no policy):
 * safetensors, GGUF, the Keras config walker, the chat-template checker,
 * TensorFlow GraphDef, ONNX, JSON/text, and recognition by content.
 */
#include <stdint.h>
#include "harness.h"
#include "formats_util.h"

static struct mls_limits lim;

struct fx {
	struct mls_report *rep;
	struct ms_ctx ctx;
};

static void fx_init(struct fx *f)
{
	mls_limits_default(&lim);
	memset(f, 0, sizeof(*f));
	if (mls_report_new(&f->rep, "test", "0", "test") < 0)
		abort();
	f->ctx.report = f->rep;
	f->ctx.limits = &lim;
	f->ctx.path = "test";
	f->ctx.file_idx = mls_report_add_file(f->rep, "test", 0, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_deadline_start(&f->ctx.deadline, 60);
}

static void fx_release(struct fx *f)
{
	mls_report_free(f->rep);
}

static int scan(struct fx *f, int (*fn)(struct ms_ctx *, struct ms_input *), const void *d, size_t n, const char *name)
{
	struct ms_input in;
	ms_input_init_mem(&in, d, n, "", name, 0);
	ms_input_fill_head(&in);
	return fn(&f->ctx, &in);
}

static const struct mls_finding *find(const struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->rep->nfindings; i++)
		if (strcmp(f->rep->findings[i].id, id) == 0)
			return &f->rep->findings[i];
	return NULL;
}

static const char *detect(const void *d, size_t n, const char *name)
{
	struct ms_input in;
	ms_input_init_mem(&in, d, n, "", name, 0);
	ms_input_fill_head(&in);
	const struct ms_format_handler *h = ms_detect(&in);
	return h ? h->name : "none";
}

/* ---- safetensors */
static size_t st_make(unsigned char *out, const char *hdr, size_t data, size_t trailing)
{
	size_t h = strlen(hdr);
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(h >> (8 * i));
	memcpy(out + 8, hdr, h);
	memset(out + 8 + h, 0, data + trailing);
	return 8 + h + data + trailing;
}

TEST(safetensors_valid_and_hidden_bytes)
{
	static unsigned char b[4096];
	const char *hdr = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
			  "\"b\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[16,18]}}";
	struct fx f;
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_safetensors, b, st_make(b, hdr, 18, 0), "m.safetensors"), 0);
	CHECK_EQ_INT(f.rep->nfindings, 0);
	CHECK_EQ_INT(f.ctx.incomplete, 0);
	fx_release(&f);
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_safetensors, b, st_make(b, hdr, 18, 5), "m.safetensors"), 0);
	CHECK(find(&f, "MS-ST-002") != NULL);
	CHECK_CONTAINS(find(&f, "MS-ST-002")->evidence, "5 bytes");
	fx_release(&f);
	CHECK_EQ_STR(detect(b, st_make(b, hdr, 18, 0), "x.bin"), "safetensors");
}

TEST(safetensors_corrupt_headers)
{
	static unsigned char b[4096];
	static const char *const bad[] = {
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",          /* size mismatch */
		"{\"a\":{\"dtype\":\"X1\",\"shape\":[2],\"data_offsets\":[0,8]}}",            /* dtype */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",           /* reversed */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",          /* negative dim */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,8]}}",
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}",   /* extra key */
		"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
		"\"data_offsets\":[4,12]}}",                                                  /* overlap */
		"{\"__metadata__\":{\"k\":[1]}}",
		"[1,2]",
		"{\"a\":",
	};
	for (size_t i = 0; i < MLS_ARRAY_SIZE(bad); i++) {
		struct fx f;
		fx_init(&f);
		int rc = scan(&f, ms_scan_safetensors, b, st_make(b, bad[i], 16, 0), "m.safetensors");
		if (rc != MLS_EFORMAT)
			fprintf(stderr, "case %zu: rc %d\n", i, rc);
		CHECK_EQ_INT(rc, MLS_EFORMAT);
		fx_release(&f);
	}
}

TEST(safetensors_name_with_other_content)
{
	static unsigned char gg[64] = { 'G', 'G', 'U', 'F', 3 };
	struct fx f;
	fx_init(&f);
	CHECK_EQ_STR(detect(gg, sizeof(gg), "model.safetensors"), "safetensors");
	scan(&f, ms_scan_safetensors, gg, sizeof(gg), "model.safetensors");
	CHECK(find(&f, "MS-ST-001") != NULL);
	CHECK_EQ_STR(find(&f, "MS-ST-001")->evidence, "gguf");
	fx_release(&f);
}

/* ---- GGUF */
struct gb {
	unsigned char d[8192];
	size_t n;
};
static void put(struct gb *g, const void *p, size_t n)
{
	memcpy(g->d + g->n, p, n);
	g->n += n;
}
static void put32(struct gb *g, uint32_t v)
{
	put(g, &v, 4);
}
static void put64(struct gb *g, uint64_t v)
{
	put(g, &v, 8);
}
static void putstr(struct gb *g, const char *s)
{
	put64(g, strlen(s));
	put(g, s, strlen(s));
}

static size_t gguf_make(struct gb *g, const char *tpl)
{
	g->n = 0;
	put(g, "GGUF", 4);
	put32(g, 3);
	put64(g, 1); /* tensors */
	put64(g, 4); /* kv */
	putstr(g, "general.architecture");
	put32(g, 8);
	putstr(g, "llama");
	putstr(g, "tokenizer.chat_template");
	put32(g, 8);
	putstr(g, tpl);
	putstr(g, "tokenizer.ggml.tokens");
	put32(g, 9);
	put32(g, 8);
	put64(g, 2);
	putstr(g, "a");
	putstr(g, "b");
	putstr(g, "general.alignment");
	put32(g, 4);
	put32(g, 32);
	putstr(g, "w");
	put32(g, 1);
	put64(g, 64);
	put32(g, 8); /* Q8_0: 64 elems = 2 blocks of 34 bytes */
	put64(g, 0);
	while (g->n % 32)
		g->d[g->n++] = 0;
	memset(g->d + g->n, 0, 68);
	g->n += 68;
	return g->n;
}

TEST(gguf_metadata_and_templates)
{
	static struct gb g;
	struct fx f;
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_gguf, g.d, gguf_make(&g, "{{ messages[0]['content'] }}"), "m.gguf"), 0);
	CHECK(find(&f, "MS-GGUF-000") != NULL);
	CHECK(find(&f, "MS-TMPL-001") == NULL);
	const struct mls_finding *m = find(&f, "MS-GGUF-000");
	int arch = 0;
	for (size_t i = 0; m && i < m->ndetails; i++)
		if (!strcmp(m->details[i].key, "architecture") && !strcmp(m->details[i].value, "llama"))
			arch = 1;
	CHECK(arch);
	fx_release(&f);
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_gguf, g.d, gguf_make(&g, "{{ x.__class__.__base__.__subclasses__() }}"), "m"),
		     0);
	CHECK(find(&f, "MS-TMPL-001") != NULL);
	CHECK_CONTAINS(find(&f, "MS-TMPL-001")->location, "tokenizer.chat_template");
	fx_release(&f);
	CHECK_EQ_STR(detect(g.d, g.n, "x"), "gguf");
}

TEST(gguf_every_truncation_fails_cleanly)
{
	static struct gb g;
	size_t n = gguf_make(&g, "{{ hi }}");
	for (size_t cut = 0; cut < n; cut++) {
		struct fx f;
		fx_init(&f);
		int rc = scan(&f, ms_scan_gguf, g.d, cut, "m.gguf");
		CHECK(rc == MLS_EFORMAT || f.ctx.incomplete);
		fx_release(&f);
	}
}

TEST(gguf_version1_counts_are_32_bit)
{
	static struct gb g;
	g.n = 0;
	put(&g, "GGUF", 4);
	put32(&g, 1);
	put32(&g, 0); /* tensors */
	put32(&g, 1); /* kv */
	put32(&g, 23);
	put(&g, "tokenizer.chat_template", 23);
	put32(&g, 8);
	put32(&g, 22);
	put(&g, "{{ x.__globals__.os }}", 22);
	struct fx f;
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_gguf, g.d, g.n, "m.gguf"), 0);
	CHECK(find(&f, "MS-TMPL-001") != NULL);
	CHECK_EQ_INT(f.ctx.incomplete, 0);
	fx_release(&f);
}

TEST(gguf_hostile_counts)
{
	static struct gb g;
	gguf_make(&g, "t");
	uint64_t huge = UINT64_MAX;
	memcpy(g.d + 16, &huge, 8); /* kv count */
	struct fx f;
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_gguf, g.d, g.n, "m.gguf"), MLS_EFORMAT);
	fx_release(&f);
	gguf_make(&g, "t");
	memcpy(g.d + 24, &huge, 8); /* first key length */
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_gguf, g.d, g.n, "m.gguf"), MLS_EFORMAT);
	fx_release(&f);
}

/* ---- Keras walker */
static struct fx *keras(const char *json)
{
	static struct fx f;
	fx_init(&f);
	struct ms_input in;
	ms_input_init_mem(&in, json, strlen(json), "", "config.json", 0);
	CHECK_EQ_INT(ms_keras_check_json(&f.ctx, &in, json, strlen(json), "config.json"), 0);
	return &f;
}

TEST(keras_walker)
{
	struct fx *f = keras("{\"module\":\"keras\",\"class_name\":\"Sequential\",\"config\":{\"layers\":["
			     "{\"module\":\"keras.layers\",\"class_name\":\"Dense\",\"config\":{\"name\":\"d\"}}]}}");
	CHECK_EQ_INT(f->rep->nfindings, 0);
	fx_release(f);
	f = keras("{\"class_name\":\"Model\",\"config\":{\"layers\":[{\"class_name\":\"Bidirectional\",\"config\":{"
		  "\"layer\":{\"class_name\":\"TimeDistributed\",\"config\":{\"layer\":{\"class_name\":\"Lambda\","
		  "\"config\":{\"name\":\"deep\",\"function\":{\"class_name\":\"__lambda__\",\"config\":{\"code\":\"4wEA\"}}"
		  "}}}}}}]}}");
	CHECK(find(f, "MS-KERAS-002") != NULL);
	CHECK_CONTAINS(find(f, "MS-KERAS-002")->location, "layer 'deep'");
	fx_release(f);
	f = keras("{\"module\":\"posix\",\"class_name\":\"system\",\"config\":{}}");
	CHECK(find(f, "MS-KERAS-003") != NULL);
	CHECK_EQ_INT(find(f, "MS-KERAS-003")->severity, MLS_SEV_CRITICAL);
	fx_release(f);
	f = keras("{\"class_name\":\"Lambda\",\"config\":{\"arguments\":{\"safe_mode\":false},\"function\":{\"module\":"
		  "\"keras.models\",\"class_name\":\"function\",\"config\":\"load_model\"}}}");
	CHECK(find(f, "MS-KERAS-004") != NULL);
	CHECK(find(f, "MS-KERAS-005") != NULL);
	fx_release(f);
	f = keras("{\"class_name\":\"Dense\",\"registered_name\":\"my_pkg>MyDense\",\"config\":{}}");
	CHECK(find(f, "MS-KERAS-003") != NULL);
	CHECK_EQ_INT(find(f, "MS-KERAS-003")->severity, MLS_SEV_LOW);
	fx_release(f);
	f = keras("{\"class_name\":\"TFOpLambda\",\"config\":{\"function\":\"io.write_file\"}}");
	CHECK(find(f, "MS-KERAS-001") != NULL);
	fx_release(f);
}

TEST(keras_walker_rejects_bad_json)
{
	struct fx f;
	fx_init(&f);
	struct ms_input in;
	ms_input_init_mem(&in, "", 0, "", "", 0);
	CHECK_EQ_INT(ms_keras_check_json(&f.ctx, &in, "{\"a\":", 5, "config.json"), MLS_EFORMAT);
	CHECK_CONTAINS(mls_error_msg(), "config.json");
	fx_release(&f);
}

/* ---- templates */
static int tmpl(const char *t, const char *id)
{
	struct fx f;
	fx_init(&f);
	struct ms_input in;
	ms_input_init_mem(&in, "", 0, "", "", 0);
	ms_template_check(&f.ctx, &in, "t", t, strlen(t));
	int r = find(&f, id) != NULL;
	size_t n = f.rep->nfindings;
	fx_release(&f);
	return id ? r : (int)n;
}

TEST(template_checker)
{
	CHECK_EQ_INT(tmpl("{% set ns = namespace(a=1) %}{% for m in messages %}{{ m['role'] + ': ' + m.content|trim }}"
			  "{% if loop.last %}{{ 'system' }}{% endif %}{% endfor %}{{ raise_exception('x') }}", NULL), 0);
	CHECK(tmpl("{{ ''.__class__.__mro__[1].__subclasses__() }}", "MS-TMPL-001"));
	CHECK(tmpl("{{ x['__globals__'] }}", "MS-TMPL-001"));
	CHECK(tmpl("{{ lipsum.__globals__.os.popen('id').read() }}", "MS-TMPL-001"));
	CHECK(tmpl("{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", "MS-TMPL-002"));
	CHECK(tmpl("{{ x|attr('_'~'_'~'class'~'_'~'_') }}", "MS-TMPL-002"));
	CHECK(tmpl("{% import 'evil.j2' as e %}", "MS-TMPL-002"));
	CHECK(tmpl("{{ '%c%c' % (95, 95) }}", "MS-TMPL-002"));
	CHECK_EQ_INT(tmpl("text with __class__ outside code and {# __class__ in a comment #}", NULL), 0);
	CHECK(tmpl("{{ x.__class__ ", "MS-TMPL-001")); /* unterminated code still checked */
}

/* ---- TensorFlow GraphDef / ONNX (hand-encoded protobuf) */
static size_t pb_len(unsigned char *o, unsigned num, const void *d, size_t n)
{
	size_t k = 0;
	o[k++] = (unsigned char)(num << 3 | 2);
	o[k++] = (unsigned char)n; /* n < 128 in these tests */
	memcpy(o + k, d, n);
	return k + n;
}

TEST(tf_graphdef_ops)
{
	unsigned char node[64], g[128];
	size_t n = pb_len(node, 1, "r", 1);
	n += pb_len(node + n, 2, "ReadFile", 8);
	size_t k = pb_len(g, 1, node, n);
	struct fx f;
	fx_init(&f);
	CHECK_EQ_STR(detect(g, k, "frozen.pb"), "tensorflow-savedmodel");
	CHECK_EQ_INT(scan(&f, ms_scan_tf_savedmodel, g, k, "frozen.pb"), 0);
	CHECK(find(&f, "MS-TF-002") != NULL);
	CHECK_CONTAINS(find(&f, "MS-TF-002")->location, "node 'r'");
	fx_release(&f);
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_tf_savedmodel, g, k - 2, "frozen.pb"), MLS_EFORMAT);
	fx_release(&f);
}

TEST(onnx_domains_and_external_data)
{
	unsigned char node[64], graph[256], m[300], ent[64], ten[96];
	size_t n = pb_len(node, 4, "Evil", 4);
	n += pb_len(node + n, 7, "com.bad", 7);
	size_t e = pb_len(ent, 1, "location", 8);
	e += pb_len(ent + e, 2, "/etc/shadow", 11);
	size_t t = pb_len(ten, 8, "w", 1);
	t += pb_len(ten + t, 13, ent, e);
	size_t g = pb_len(graph, 1, node, n);
	g += pb_len(graph + g, 5, ten, t);
	size_t k = 0;
	m[k++] = 0x08;
	m[k++] = 8; /* ir_version */
	k += pb_len(m + k, 7, graph, g);
	struct fx f;
	fx_init(&f);
	CHECK_EQ_STR(detect(m, k, "model.onnx"), "onnx");
	CHECK_EQ_INT(scan(&f, ms_scan_onnx, m, k, "model.onnx"), 0);
	CHECK(find(&f, "MS-ONNX-001") != NULL);
	CHECK(find(&f, "MS-ONNX-002") != NULL);
	fx_release(&f);
}

/* ---- JSON / text and recognition */
TEST(json_and_text)
{
	const char *cfg = "{\"model_type\":\"x\",\"auto_map\":{\"AutoModel\":\"modeling_x.M\"}}";
	struct fx f;
	fx_init(&f);
	CHECK_EQ_STR(detect(cfg, strlen(cfg), "config.json"), "json");
	CHECK_EQ_INT(scan(&f, ms_scan_json, cfg, strlen(cfg), "config.json"), 0);
	CHECK(find(&f, "MS-HF-001") != NULL);
	fx_release(&f);
	fx_init(&f);
	CHECK_EQ_INT(scan(&f, ms_scan_json, "{\"a\": tru", 9, "x.json"), MLS_EFORMAT);
	fx_release(&f);
	CHECK_EQ_STR(detect("{%- for m in messages %}", 24, "chat_template.jinja"), "text");
	CHECK_EQ_STR(detect("# Model card\n", 13, "README.md"), "text");
}

TEST(recognition_by_content)
{
	static const unsigned char h5[16] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
	static const unsigned char tfl[16] = { 0x10, 0, 0, 0, 'T', 'F', 'L', '3' };
	static const unsigned char xz[16] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char sz[16] = { '7', 'z', 0xbc, 0xaf, 0x27, 0x1c };
	CHECK_EQ_STR(detect(h5, sizeof(h5), "weights.bin"), "hdf5");
	CHECK_EQ_STR(detect(tfl, sizeof(tfl), "m"), "tflite");
	CHECK_EQ_STR(detect(xz, sizeof(xz), "m"), "compressed");
	CHECK_EQ_STR(detect(sz, sizeof(sz), "m"), "archive");
}

TEST_MAIN()
