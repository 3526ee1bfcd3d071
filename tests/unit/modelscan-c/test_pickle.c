/*
 * Unit tests for the pickle engine (pickle.c) and the policy (policy.c):
 * opcodes of every protocol, the symbolic stack and memo, broken streams,
 * trailing bytes, embedded pickles, joblib inline arrays, policy judging.
 * Inputs are byte strings written here as opcodes; nothing is unpickled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "pickle.h"
#include "policy.h"

static struct ms_policy *pol;

struct res {
	struct mls_report *rep;
	struct ms_pickle_stats st;
	int incomplete;
	char reason[512];
};

/* Scans data as a raw pickle (joblib mode optional) and keeps the report. */
static void scan_bytes(struct res *r, const void *data, size_t len, int joblib, int strict)
{
	struct mls_limits lim;
	memset(r, 0, sizeof(*r));
	if (!pol && ms_policy_new_default(&pol) < 0) {
		fprintf(stderr, "policy: %s\n", mls_error_msg());
		exit(2);
	}
	mls_limits_default(&lim);
	mls_report_new(&r->rep, "t", "0", "t");
	struct ms_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.report = r->rep;
	ctx.policy = pol;
	ctx.limits = &lim;
	ctx.strict = strict;
	ctx.path = "t.pkl";
	ctx.file_idx = mls_report_add_file(r->rep, "t.pkl", len, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_deadline_start(&ctx.deadline, 60);
	struct ms_input in;
	ms_input_init_mem(&in, data, len, "", "t.pkl", 0);
	struct ms_pickle_opts o = { joblib, 0, 0, 0 };
	CHECK_EQ_INT(ms_pickle_scan(&ctx, &in, &o, &r->st), 0);
	r->incomplete = ctx.incomplete;
	if (r->rep->files[0].reason)
		snprintf(r->reason, sizeof(r->reason), "%s", r->rep->files[0].reason);
}

static const struct mls_finding *find(const struct res *r, const char *id, const char *evidence)
{
	for (size_t i = 0; i < r->rep->nfindings; i++) {
		const struct mls_finding *f = &r->rep->findings[i];
		if (strcmp(f->id, id) == 0 && (!evidence || (f->evidence && strcmp(f->evidence, evidence) == 0)))
			return f;
	}
	return NULL;
}

static void done(struct res *r)
{
	mls_report_free(r->rep);
}

#define S(x) x, sizeof(x) - 1

TEST(protocol0_global_and_string)
{
	struct res r;
	scan_bytes(&r, S("cos\nsystem\n(S'id'\ntR."), 0, 0);
	const struct mls_finding *f = find(&r, "MS-PICKLE-001", "os.system");
	CHECK(f != NULL);
	CHECK(f && f->severity == MLS_SEV_CRITICAL);
	CHECK_CONTAINS(f ? f->location : NULL, "offset 0");
	CHECK_EQ_INT(r.st.streams, 1);
	CHECK(!r.incomplete);
	done(&r);
}

TEST(stack_global_from_escaped_protocol0_strings)
{
	/* STRING escapes decode before the import: 'o\x73' is "os" */
	struct res r;
	scan_bytes(&r, S("\x80\x04S'o\\x73'\nS'sys\\164em'\n\x93S'id'\n\x85R."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "os.system") != NULL);
	done(&r);
}

TEST(unicode_raw_escape)
{
	struct res r;
	scan_bytes(&r, S("\x80\x04V\\u006fs\nVsystem\n\x93."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "os.system") != NULL);
	done(&r);
}

TEST(memoize_counts_distinct_keys)
{
	/* BINPUT 5 then MEMOIZE stores at len(memo) == 1, not 6: the real
	 * strings are fetched back with BINGET 5 / BINGET 1 */
	struct res r;
	scan_bytes(&r, S("\x80\x04\x8c\x02osq\x05\x8c\x06system\x94" "00h\x05h\x01\x93."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "os.system") != NULL);
	CHECK_EQ_INT(r.st.broken, 0);
	done(&r);
}

TEST(memo_reput_overwrites)
{
	/* memo[0] = "torch._utils" then re-PUT to "subprocess" */
	struct res r;
	scan_bytes(&r,
		   S("\x80\x04\x8c\x0ctorch._utilsq\x00" "0\x8c\x0asubprocessq\x00" "0\x8c\x05Popen\x94h\x00h\x01\x93."),
		   0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "subprocess.Popen") != NULL);
	done(&r);
}

TEST(pop_on_empty_frame_pops_mark)
{
	struct res r;
	scan_bytes(&r, S("\x80\x04(\x8c\x01x00\x8c\x08" "builtins\x8c\x04" "eval\x93N."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "builtins.eval") != NULL);
	CHECK_EQ_INT(r.st.broken, 0);
	done(&r);
}

TEST(operands_cannot_cross_a_mark)
{
	/* STACK_GLOBAL right after MARK sees an empty frame: Python refuses it, so do we */
	struct res r;
	scan_bytes(&r, S("\x80\x04\x8c\x02os\x8c\x06system(\x93."), 0, 0);
	CHECK_EQ_INT(r.st.broken, 1);
	CHECK(r.incomplete);
	CHECK_CONTAINS(r.reason, "STACK_GLOBAL needs 2");
	done(&r);
}

TEST(inst_obj_newobj_ex_build)
{
	struct res r;
	scan_bytes(&r, S("(S'id'\nisubprocess\ncall\n."), 0, 0);
	const struct mls_finding *f = find(&r, "MS-PICKLE-001", "subprocess.call");
	CHECK(f != NULL);
	done(&r);
	scan_bytes(&r, S("(cos\npopen\nS'id'\no."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "os.popen") != NULL);
	done(&r);
	scan_bytes(&r, S("\x80\x04\x8c\x03pty\x8c\x05spawn\x93)}\x92."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "pty.spawn") != NULL);
	done(&r);
	scan_bytes(&r, S("\x80\x02" "ccollections\nOrderedDict\n}b."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-006", "collections.OrderedDict") != NULL);
	done(&r);
}

TEST(popped_call_is_reported)
{
	struct res r;
	scan_bytes(&r, S("\x80\x02" "cos\nsystem\n\x8c\x02id\x85R0}."), 0, 0);
	const struct mls_finding *f = find(&r, "MS-PICKLE-001", "os.system");
	CHECK(f != NULL);
	int discarded = 0;
	for (size_t i = 0; f && i < f->ndetails; i++)
		discarded |= strcmp(f->details[i].key, "result_discarded") == 0;
	CHECK(discarded);
	done(&r);
}

TEST(unresolved_and_ext_and_computed_call)
{
	struct res r;
	scan_bytes(&r, S("\x80\x02" "c_codecs\nencode\n\x8c\x02os\x8c\x06latin1\x86R\x8c\x06system\x93."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-003", NULL) != NULL);
	done(&r);
	scan_bytes(&r, S("\x80\x02\x82\x07)R."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-003", NULL) != NULL);
	done(&r);
	scan_bytes(&r, S("\x80\x02" "ccollections\nOrderedDict\n)R)R."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-004", NULL) != NULL);
	done(&r);
}

TEST(broken_streams)
{
	struct res r;
	/* dangerous import then truncation: finding and incomplete */
	scan_bytes(&r, S("\x80\x04\x8c\x02os\x8c\x06system\x93\x8c"), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "os.system") != NULL);
	CHECK(r.incomplete);
	done(&r);
	/* nothing found: incomplete only */
	scan_bytes(&r, S("\x80\x04}\x8c\x01" "aK\x01"), 0, 0);
	CHECK_EQ_INT(r.rep->nfindings, 0);
	CHECK(r.incomplete);
	CHECK_CONTAINS(r.reason, "without STOP");
	done(&r);
	scan_bytes(&r, S("\x80\x04}\xff."), 0, 0);
	CHECK(r.incomplete);
	CHECK_CONTAINS(r.reason, "invalid opcode 0xff");
	done(&r);
	scan_bytes(&r, S("\x80\x04X\xff\xff\x00\x00" "abc"), 0, 0);
	CHECK(r.incomplete);
	done(&r);
	scan_bytes(&r, S("\x80\x06N."), 0, 0);
	CHECK(r.incomplete);
	done(&r);
}

TEST(streams_and_trailing_bytes)
{
	struct res r;
	scan_bytes(&r, S("\x80\x02}.\x80\x04]." "(dp0\n."), 0, 0);
	CHECK_EQ_INT(r.st.streams, 3);
	CHECK_EQ_INT(r.rep->nfindings, 0);
	CHECK(!r.incomplete);
	done(&r);
	scan_bytes(&r, S("\x80\x02}.hidden bytes here"), 0, 0);
	CHECK(find(&r, "MS-PICKLE-005", NULL) != NULL);
	CHECK(!r.incomplete);
	done(&r);
	scan_bytes(&r, S("\x80\x02}.\x80\x02" "cposix\nsystem\n."), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "posix.system") != NULL);
	CHECK_EQ_INT(r.st.streams, 2);
	done(&r);
}

TEST(every_scalar_and_container_opcode)
{
	/* a benign protocol-5 pickle using many opcodes: no findings, complete */
	struct res r;
	static const unsigned char q[] =
		"\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00"
		"(K\x01M\x02\x01J\xff\xff\xff\xff\x8a\x02\x01\x02\x8b\x01\x00\x00\x00\x05"
		"G\x00\x00\x00\x00\x00\x00\x00\x00" "F1.5\nI01\nI7\nL9L\nN\x88\x89"
		"C\x02xyB\x01\x00\x00\x00z\x8e\x01\x00\x00\x00\x00\x00\x00\x00w"
		"\x96\x01\x00\x00\x00\x00\x00\x00\x00vU\x01uT\x01\x00\x00\x00t"
		"\x8d\x01\x00\x00\x00\x00\x00\x00\x00s\x97\x98l"
		"]q\x01(K\x01K\x02" "e\x8f(K\x03\x90(K\x04\x91)N\x85NN\x86NNN\x87\x94"
		"}(K\x01K\x02" "u}K\x05K\x06s(K\x07K\x08" "d" "0000002P1\nQ" "g1\nj\x01\x00\x00\x00r\x09\x00\x00\x00p10\n"
		"(1\x86.";
	scan_bytes(&r, q, sizeof(q) - 1, 0, 0);
	CHECK_EQ_INT(r.rep->nfindings, 0);
	CHECK_EQ_INT(r.st.streams, 1);
	if (r.incomplete)
		fprintf(stderr, "reason: %s\n", r.reason);
	CHECK(!r.incomplete);
	done(&r);
}

TEST(large_payloads_are_skipped_and_reread)
{
	/* a 3 MB BINBYTES8 in the middle, then an embedded pickle larger than
	 * what the stack keeps, handed to pickle.loads */
	size_t big = 3u << 20;
	static const unsigned char inner_head[] = "\x80\x04\x8c\x03pad0X\x88\x13\x00\x00";
	static const unsigned char inner_tail[] = "0\x8c\x08" "builtins\x8c\x04" "exec\x93N.";
	size_t inner_len = sizeof(inner_head) - 1 + 5000 + sizeof(inner_tail) - 1;
	size_t cap = big + inner_len + 256;
	unsigned char *p = malloc(cap), *w = p;
	memcpy(w, "\x80\x04\x8e", 3);
	w += 3;
	for (int i = 0; i < 8; i++)
		*w++ = (unsigned char)(((uint64_t)big >> (8 * i)) & 0xff);
	memset(w, 'A', big);
	w += big;
	*w++ = '0';
	memcpy(w, "\x8c\x06pickle\x8c\x05loads\x93" "B", 17);
	w += 17;
	for (int i = 0; i < 4; i++)
		*w++ = (unsigned char)((inner_len >> (8 * i)) & 0xff);
	memcpy(w, inner_head, sizeof(inner_head) - 1);
	w += sizeof(inner_head) - 1;
	memset(w, 'b', 5000);
	w += 5000;
	memcpy(w, inner_tail, sizeof(inner_tail) - 1);
	w += sizeof(inner_tail) - 1;
	memcpy(w, "\x85R.", 3);
	w += 3;
	struct res r;
	scan_bytes(&r, p, (size_t)(w - p), 0, 0);
	CHECK(find(&r, "MS-PICKLE-001", "pickle.loads") != NULL);
	const struct mls_finding *f = find(&r, "MS-PICKLE-001", "builtins.exec");
	CHECK(f != NULL);
	CHECK_CONTAINS(f ? f->location : NULL, "embedded@");
	CHECK(!r.incomplete);
	done(&r);
	free(p);
}

TEST(joblib_inline_array_is_skipped)
{
	/* NumpyArrayWrapper(shape=(2,), dtype=<f8, alignment 16) + 1 pad byte
	 * count + padding + 16 data bytes, then the pickle resumes */
	unsigned char p[512], *w = p;
	static const unsigned char head[] =
		"\x80\x04\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}("
		"\x8c\x05shapeK\x02\x85"
		"\x8c\x05" "dtype\x8c\x05numpy\x8c\x05" "dtype\x93\x8c\x02" "f8\x89\x88\x87R"
		"(K\x03\x8c\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
		"\x8c\x1bnumpy_array_alignment_bytesK\x10u" "b";
	memcpy(w, head, sizeof(head) - 1);
	w += sizeof(head) - 1;
	*w++ = 3;
	memset(w, 0xff, 3);
	w += 3;
	memset(w, 0x2e, 16); /* data that looks like STOP opcodes */
	w += 16;
	memcpy(w, "0\x8c\x02os\x8c\x06system\x93.", 15);
	w += 15;
	struct res r;
	scan_bytes(&r, p, (size_t)(w - p), 1, 0);
	if (r.incomplete)
		fprintf(stderr, "reason: %s\n", r.reason);
	CHECK(find(&r, "MS-PICKLE-001", "os.system") != NULL);
	CHECK(!r.incomplete);
	CHECK_EQ_INT(r.st.streams, 1);
	done(&r);
}

TEST(strict_raises_unknown)
{
	struct res r;
	scan_bytes(&r, S("\x80\x02" "cmypkg.models\nNet\n)\x81."), 0, 0);
	const struct mls_finding *f = find(&r, "MS-PICKLE-002", "mypkg.models.Net");
	CHECK(f && f->severity == MLS_SEV_LOW);
	done(&r);
	scan_bytes(&r, S("\x80\x02" "cmypkg.models\nNet\n)\x81."), 0, 1);
	f = find(&r, "MS-PICKLE-002", "mypkg.models.Net");
	CHECK(f && f->severity == MLS_SEV_HIGH);
	done(&r);
	scan_bytes(&r, S("\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\n."), 0, 1);
	CHECK_EQ_INT(r.rep->nfindings, 0);
	done(&r);
}

TEST(opcode_limit_makes_incomplete)
{
	struct mls_limits lim;
	struct mls_report *rep;
	mls_limits_default(&lim);
	lim.max_opcodes = 10;
	mls_report_new(&rep, "t", "0", "t");
	struct ms_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.report = rep;
	ctx.policy = pol;
	ctx.limits = &lim;
	ctx.path = "t";
	ctx.file_idx = mls_report_add_file(rep, "t", 0, NULL, NULL, MLS_FILE_SCANNED, NULL);
	static const char p[] = "\x80\x02]((((((((((((((((((((((((N.";
	struct ms_input in;
	ms_input_init_mem(&in, p, sizeof(p) - 1, "", "t", 0);
	struct ms_pickle_stats st;
	CHECK_EQ_INT(ms_pickle_scan(&ctx, &in, NULL, &st), 0);
	CHECK(ctx.incomplete);
	CHECK_CONTAINS(rep->files[0].reason, "opcode limit");
	mls_report_free(rep);
}

TEST(policy_judging)
{
	struct ms_verdict v;
	if (!pol)
		ms_policy_new_default(&pol);
	ms_policy_judge(pol, "nt", "system", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "__builtin__", "eval", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "__builtin__", "set", &v);
	CHECK_EQ_INT(v.j, MS_J_ALLOW);
	ms_policy_judge(pol, "_pickle", "loads", &v);
	CHECK(v.j == MS_J_DENY && v.loader);
	ms_policy_judge(pol, "collections", "os.system", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "torch", "hub.load", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "os.path", "join", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "torch.jit._pickle", "build_intlist", &v);
	CHECK_EQ_INT(v.j, MS_J_ALLOW);
	ms_policy_judge(pol, "torch._utils", "_rebuild_tensor_v2", &v);
	CHECK_EQ_INT(v.j, MS_J_ALLOW);
	ms_policy_judge(pol, "numpy.random._pickle", "__randomstate_ctor", &v);
	CHECK_EQ_INT(v.j, MS_J_ALLOW);
	ms_policy_judge(pol, "torch._utils", "os.system", &v);
	CHECK_EQ_INT(v.j, MS_J_DENY);
	ms_policy_judge(pol, "mypkg", "Thing", &v);
	CHECK_EQ_INT(v.j, MS_J_UNKNOWN);
	/* user policy: extend */
	static const char extra[] = "{\"deny\": [{\"module\": \"mypkg\", \"names\": [\"Thing\"], \"severity\": \"high\", "
				    "\"why\": \"ours\"}], \"allow\": [{\"module\": \"safe\", \"names\": [\"X\"]}]}";
	struct ms_policy *p2;
	CHECK_EQ_INT(ms_policy_new_default(&p2), 0);
	CHECK_EQ_INT(ms_policy_merge_json(p2, extra, sizeof(extra) - 1, "extra"), 0);
	ms_policy_judge(p2, "mypkg", "Thing", &v);
	CHECK(v.j == MS_J_DENY && v.sev == MLS_SEV_HIGH);
	ms_policy_judge(p2, "safe", "X", &v);
	CHECK_EQ_INT(v.j, MS_J_ALLOW);
	CHECK(ms_policy_merge_json(p2, "{\"deny\": 3}", 11, "bad") < 0);
	CHECK(ms_policy_merge_json(p2, "{\"deny\": [{\"names\": \"*\"}]}", 25, "bad") < 0);
	ms_policy_free(p2);
}

TEST(looks_like)
{
	CHECK(ms_pickle_looks_like((const unsigned char *)"\x80\x04\x95", 3));
	CHECK(ms_pickle_looks_like((const unsigned char *)"cos\nsystem\n", 11));
	CHECK(ms_pickle_looks_like((const unsigned char *)"(dp0\n", 5));
	CHECK(!ms_pickle_looks_like((const unsigned char *)"PK\x03\x04", 4));
	CHECK(!ms_pickle_looks_like((const unsigned char *)"hello world", 11));
}

TEST_MAIN()
