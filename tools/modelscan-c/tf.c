/*
 * TensorFlow protobufs: SavedModel (saved_model.pb), frozen GraphDef (.pb),
 * keras_metadata.pb and fingerprint.pb, read with the bounded protobuf reader
 * over a mapped view.  Every node of every meta graph and of every function
 * in the function library is checked (whether reachable or not), and Keras
 * metadata strings (keras_metadata.pb, SavedUserObject.metadata) go through
 * the Keras config walker.
 *
 *   MS-TF-001 critical  operation that runs Python (PyFunc, EagerPyFunc ...)
 *   MS-TF-002 high      operation that reads, lists or writes files
 *   MS-TF-003 high      operation that talks to the network (RPC, tf.data service)
 *   MS-TF-004 low       operation that prints or writes debug output
 * Checkpoint save/restore ops (SaveV2, RestoreV2, MergeV2Checkpoints) are in
 * every SavedModel's saver and are not reported.
 */
#include <stdlib.h>
#include <string.h>
#include "formats_util.h"
#include "mls/protobuf.h"

#define TF_MAX_DEPTH 96
#define TF_MAX_FINDINGS 200

static const struct {
	const char *op;
	int cls; /* 1 python, 2 file, 3 network, 4 print/debug */
} tf_ops[] = {
	{ "PyFunc", 1 }, { "PyFuncStateless", 1 }, { "EagerPyFunc", 1 }, { "PyCall", 1 },
	{ "ReadFile", 2 }, { "WriteFile", 2 }, { "MatchingFiles", 2 }, { "WholeFileReader", 2 },
	{ "WholeFileReaderV2", 2 }, { "TextLineReader", 2 }, { "TextLineReaderV2", 2 },
	{ "FixedLengthRecordReader", 2 }, { "FixedLengthRecordReaderV2", 2 }, { "TFRecordReader", 2 },
	{ "TFRecordReaderV2", 2 }, { "LMDBReader", 2 }, { "InitializeTableFromTextFile", 2 },
	{ "InitializeTableFromTextFileV2", 2 }, { "ImmutableConst", 2 }, { "LoadAndRemapMatrix", 2 },
	{ "DatasetToTFRecord", 2 }, { "ExperimentalDatasetToTFRecord", 2 }, { "SaveDataset", 2 },
	{ "SaveDatasetV2", 2 }, { "LoadDataset", 2 }, { "TFRecordDataset", 2 }, { "TFRecordDatasetV2", 2 },
	{ "TextLineDataset", 2 }, { "FixedLengthRecordDataset", 2 }, { "FixedLengthRecordDatasetV2", 2 },
	{ "CSVDataset", 2 }, { "CSVDatasetV2", 2 }, { "ExperimentalCSVDataset", 2 }, { "SqlDataset", 2 },
	{ "ExperimentalSqlDataset", 2 }, { "LMDBDataset", 2 }, { "ExperimentalLMDBDataset", 2 },
	{ "CreateSummaryFileWriter", 2 }, { "CreateSummaryDbWriter", 2 }, { "WriteSummary", 2 },
	{ "WriteRawProtoSummary", 2 }, { "ImportEvent", 2 }, { "SnapshotDataset", 2 },
	{ "SnapshotDatasetV2", 2 }, { "CacheDatasetV2", 2 }, { "DistributedSave", 2 },
	{ "DecodeProtoV2", 2 }, { "EncodeProto", 2 },
	{ "Rpc", 3 }, { "TryRpc", 3 }, { "RpcCall", 3 }, { "RpcClient", 3 }, { "RpcServer", 3 },
	{ "RpcServerStart", 3 }, { "RpcServerRegister", 3 }, { "RpcGetValue", 3 }, { "RpcCheckStatus", 3 },
	{ "DataServiceDataset", 3 }, { "DataServiceDatasetV2", 3 }, { "DataServiceDatasetV3", 3 },
	{ "DataServiceDatasetV4", 3 }, { "RegisterDataset", 3 }, { "RegisterDatasetV2", 3 },
	{ "GcsConfigureCredentials", 3 }, { "GcsConfigureBlockCache", 3 }, { "BigQueryReader", 3 },
	{ "Print", 4 }, { "PrintV2", 4 }, { "DebugIdentity", 4 }, { "DebugIdentityV2", 4 },
	{ "DebugIdentityV3", 4 }, { "DebugNanCount", 4 }, { "DebugNumericSummary", 4 },
	{ "DebugNumericSummaryV2", 4 },
};

/* 0 when op is harmless, else its class (see tf_ops). */
int ms_tf_op_class(const unsigned char *op, size_t n)
{
	for (size_t i = 0; i < MLS_ARRAY_SIZE(tf_ops); i++)
		if (strlen(tf_ops[i].op) == n && memcmp(tf_ops[i].op, op, n) == 0)
			return tf_ops[i].cls;
	return 0;
}

struct tfw {
	struct ms_ctx *ctx;
	struct ms_input *in;
	unsigned nfind, suppressed;
	uint64_t nodes;
	int stop;
};

static void str_of(char *out, size_t outsz, const unsigned char *p, size_t n)
{
	size_t k = n < outsz - 1 ? n : outsz - 1;
	for (size_t i = 0; i < k; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[k] = '\0';
}

static void op_finding(struct tfw *w, int cls, const char *op, const char *where, const char *node, size_t off)
{
	static const char *const ids[] = { "", "MS-TF-001", "MS-TF-002", "MS-TF-003", "MS-TF-004" };
	static const char *const rules[] = { "", "python-op", "file-io-op", "network-op", "debug-output-op" };
	static const char *const why[] = { "", "runs arbitrary Python code in the loading process",
					   "reads, lists or writes files on the host", "connects to remote services",
					   "prints or writes debug output (information leak)" };
	static const enum mls_severity sev[] = { MLS_SEV_INFO, MLS_SEV_CRITICAL, MLS_SEV_HIGH, MLS_SEV_HIGH,
						 MLS_SEV_LOW };
	if (w->nfind >= TF_MAX_FINDINGS) {
		w->suppressed++;
		return;
	}
	w->nfind++;
	char loc[700];
	snprintf(loc, sizeof(loc), "%s, node '%s', offset %zu", where, node, off);
	ms_finding(w->ctx, w->in, ids[cls], rules[cls], sev[cls], loc, op, "TensorFlow operation '%s' %s", op,
		   why[cls]);
}

static int walk_nodedef(struct tfw *w, const struct mls_pb *parent, const struct mls_pb_field *nf, const char *where)
{
	struct mls_pb n;
	struct mls_pb_field f;
	const unsigned char *op = NULL;
	size_t oplen = 0;
	char name[200] = "";
	int rc;
	if ((rc = mls_pb_sub(&n, parent, nf)) < 0)
		return rc;
	while ((rc = mls_pb_next(&n, &f)) == 1) {
		if (f.num == 1 && f.wire == MLS_PB_LEN)
			str_of(name, sizeof(name), f.data, f.len);
		else if (f.num == 2 && f.wire == MLS_PB_LEN) {
			op = f.data;
			oplen = f.len;
		}
	}
	if (rc < 0)
		return rc;
	if ((++w->nodes & 0x3ff) == 0 && ms_out_of_time(w->ctx, w->in)) {
		w->stop = 1;
		return 0;
	}
	int cls = op ? ms_tf_op_class(op, oplen) : 0;
	if (cls) {
		char ops[128];
		str_of(ops, sizeof(ops), op, oplen);
		op_finding(w, cls, ops, where, name, nf->offset);
	}
	return 0;
}

static int walk_library(struct tfw *w, const struct mls_pb *parent, const struct mls_pb_field *lf)
{
	struct mls_pb lib, fn, sig;
	struct mls_pb_field f, g, h;
	int rc = 0;
	if ((rc = mls_pb_sub(&lib, parent, lf)) < 0)
		return rc;
	while (!w->stop && (rc = mls_pb_next(&lib, &f)) == 1) {
		if (f.num != 1 || f.wire != MLS_PB_LEN)
			continue;
		char fname[200] = "", where[260];
		if ((rc = mls_pb_sub(&fn, &lib, &f)) < 0)
			return rc;
		struct mls_pb scan = fn;
		while ((rc = mls_pb_next(&scan, &g)) == 1)
			if (g.num == 1 && g.wire == MLS_PB_LEN) {
				if ((rc = mls_pb_sub(&sig, &scan, &g)) < 0)
					return rc;
				while ((rc = mls_pb_next(&sig, &h)) == 1)
					if (h.num == 1 && h.wire == MLS_PB_LEN)
						str_of(fname, sizeof(fname), h.data, h.len);
				if (rc < 0)
					return rc;
			}
		if (rc < 0)
			return rc;
		snprintf(where, sizeof(where), "function '%s'", fname);
		while (!w->stop && (rc = mls_pb_next(&fn, &g)) == 1)
			if (g.num == 3 && g.wire == MLS_PB_LEN && (rc = walk_nodedef(w, &fn, &g, where)) < 0)
				return rc;
		if (rc < 0)
			return rc;
	}
	return rc < 0 ? rc : 0;
}

static int walk_graphdef(struct tfw *w, const struct mls_pb *g, const char *where)
{
	struct mls_pb r = *g;
	struct mls_pb_field f;
	int rc = 0;
	while (!w->stop && (rc = mls_pb_next(&r, &f)) == 1) {
		if (f.num == 1 && f.wire == MLS_PB_LEN)
			rc = walk_nodedef(w, &r, &f, where);
		else if (f.num == 2 && f.wire == MLS_PB_LEN)
			rc = walk_library(w, &r, &f);
		if (rc < 0)
			return rc;
	}
	return rc < 0 ? rc : 0;
}

/* A Keras metadata JSON string found in a protobuf. */
static void keras_metadata(struct tfw *w, const unsigned char *s, size_t n, const char *where)
{
	if (n == 0 || s[0] != '{')
		return;
	if (ms_keras_check_json(w->ctx, w->in, (const char *)s, n, where) < 0)
		ms_incomplete(w->ctx, w->in, "%s", mls_error_msg());
}

static int walk_object_graph(struct tfw *w, const struct mls_pb *parent, const struct mls_pb_field *of)
{
	struct mls_pb og, obj, uo;
	struct mls_pb_field f, g, h;
	int rc;
	unsigned idx = 0;
	if ((rc = mls_pb_sub(&og, parent, of)) < 0)
		return rc;
	while ((rc = mls_pb_next(&og, &f)) == 1) {
		if (f.num != 1 || f.wire != MLS_PB_LEN)
			continue;
		if ((rc = mls_pb_sub(&obj, &og, &f)) < 0)
			return rc;
		while ((rc = mls_pb_next(&obj, &g)) == 1) {
			if (g.num != 4 || g.wire != MLS_PB_LEN)
				continue;
			if ((rc = mls_pb_sub(&uo, &obj, &g)) < 0)
				return rc;
			while ((rc = mls_pb_next(&uo, &h)) == 1)
				if (h.num == 3 && h.wire == MLS_PB_LEN) {
					char where[96];
					snprintf(where, sizeof(where), "object_graph node %u metadata", idx);
					keras_metadata(w, h.data, h.len, where);
				}
			if (rc < 0)
				return rc;
		}
		if (rc < 0)
			return rc;
		idx++;
	}
	return rc < 0 ? rc : 0;
}

enum tf_kind { TF_UNKNOWN = 0, TF_SAVEDMODEL, TF_GRAPHDEF, TF_FINGERPRINT };

static enum tf_kind classify(const unsigned char *d, size_t n, const char *name)
{
	struct mls_pb r, s;
	struct mls_pb_field f, g;
	mls_pb_init(&r, d, n, 4);
	int first = mls_pb_next(&r, &f);
	if (first != 1 && !r.short_read)
		return TF_UNKNOWN;
	/* first != 1: the field runs past the head; f.data/len cover what is there */
	if (name && strcmp(mls_path_basename(name), "fingerprint.pb") == 0)
		return TF_FINGERPRINT;
	if (f.num == 1 && f.wire == MLS_PB_VARINT && f.u64 <= 1) {
		if (mls_pb_next(&r, &f) == 1 || r.short_read)
			if (f.num == 2)
				return TF_SAVEDMODEL;
		return TF_UNKNOWN;
	}
	if (f.num == 2 && f.wire == MLS_PB_LEN && f.data && f.len > 0 && f.data[0] == 0x0a)
		return TF_SAVEDMODEL;
	if (f.num == 1 && f.wire == MLS_PB_LEN && f.data) {
		/* GraphDef: the first NodeDef has a name (1) and an op (2) that is an identifier */
		if (mls_pb_sub(&s, &r, &f) < 0)
			return TF_UNKNOWN;
		int has_op = 0;
		while (mls_pb_next(&s, &g) == 1) {
			if (g.num > 7)
				return TF_UNKNOWN;
			if (g.num == 2 && g.wire == MLS_PB_LEN && g.len > 0 && g.len < 128) {
				has_op = 1;
				for (size_t i = 0; i < g.len; i++)
					if (!(g.data[i] == '_' || (g.data[i] >= 'A' && g.data[i] <= 'Z') ||
					      (g.data[i] >= 'a' && g.data[i] <= 'z') || (g.data[i] >= '0' && g.data[i] <= '9')))
						return TF_UNKNOWN;
			}
		}
		return has_op ? TF_GRAPHDEF : TF_UNKNOWN;
	}
	return TF_UNKNOWN;
}

int ms_probe_tf_savedmodel(const struct ms_input *in)
{
	if (in->head_len < 2)
		return 0;
	enum tf_kind k = classify(in->head, in->head_len, in->name);
	int pb = ms_name_ends(in->name, ".pb");
	switch (k) {
	case TF_SAVEDMODEL:
		return strcmp(mls_path_basename(in->name), "saved_model.pb") == 0 ? 92 : 80;
	case TF_GRAPHDEF:
		return pb ? 80 : 55;
	case TF_FINGERPRINT:
		return mls_pb_looks_valid(in->head, in->head_len, 1) ? 80 : 0;
	default:
		return 0;
	}
}

int ms_probe_tf_keras_meta(const struct ms_input *in)
{
	if (in->head_len < 2 || in->head[0] != 0x0a)
		return 0;
	if (strcmp(mls_path_basename(in->name), "keras_metadata.pb") == 0)
		return 95;
	return memmem(in->head, in->head_len, "_tf_keras_", 10) && mls_pb_looks_valid(in->head, in->head_len, 1) ? 85 : 0;
}

static int open_view(struct ms_ctx *ctx, struct ms_input *in, struct ms_view *v, const char *what)
{
	int rc = ms_view_open(v, in, (size_t)ctx->limits->max_decompressed_bytes);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(ctx, in, "%s not examined: %s", what, mls_error_msg());
		return 1;
	}
	return rc;
}

static int finish(struct tfw *w, int rc, const char *what)
{
	if (w->suppressed)
		ms_finding(w->ctx, w->in, "MS-TF-002", "file-io-op", MLS_SEV_HIGH, NULL, NULL,
			   "%u more dangerous operations not listed", w->suppressed);
	if (rc == MLS_ELIMIT) {
		ms_incomplete(w->ctx, w->in, "%s: %s", what, mls_error_msg());
		return 0;
	}
	if (rc < 0)
		mls_error_prefix("corrupt %s", what);
	return rc < 0 ? rc : 0;
}

int ms_scan_tf_savedmodel(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_view v;
	struct tfw w = { .ctx = ctx, .in = in };
	struct mls_pb r, mg, sub;
	struct mls_pb_field f, g;
	int rc = open_view(ctx, in, &v, "TensorFlow protobuf");
	if (rc)
		return rc < 0 ? rc : 0;
	enum tf_kind kind = classify(v.data, v.len, in->name);
	mls_pb_init(&r, v.data, v.len, TF_MAX_DEPTH);
	if (kind == TF_FINGERPRINT) {
		while ((rc = mls_pb_next(&r, &f)) == 1)
			;
		rc = finish(&w, rc, "fingerprint.pb");
	} else if (kind == TF_GRAPHDEF) {
		rc = finish(&w, walk_graphdef(&w, &r, "graph"), "GraphDef");
	} else if (kind == TF_SAVEDMODEL) {
		unsigned mi = 0;
		while (!w.stop && (rc = mls_pb_next(&r, &f)) == 1) {
			if (f.num != 2 || f.wire != MLS_PB_LEN)
				continue;
			char where[64];
			snprintf(where, sizeof(where), "meta_graph[%u]", mi++);
			if ((rc = mls_pb_sub(&mg, &r, &f)) < 0)
				break;
			while (!w.stop && (rc = mls_pb_next(&mg, &g)) == 1) {
				if (g.num == 2 && g.wire == MLS_PB_LEN) {
					if ((rc = mls_pb_sub(&sub, &mg, &g)) < 0 || (rc = walk_graphdef(&w, &sub, where)) < 0)
						break;
				} else if (g.num == 7 && g.wire == MLS_PB_LEN) {
					if ((rc = walk_object_graph(&w, &mg, &g)) < 0)
						break;
				}
			}
			if (rc < 0)
				break;
		}
		rc = finish(&w, rc, "SavedModel");
	} else {
		rc = mls_error_set(MLS_EFORMAT, "not a TensorFlow SavedModel or GraphDef");
	}
	ms_view_close(&v);
	return rc;
}

int ms_scan_tf_keras_meta(struct ms_ctx *ctx, struct ms_input *in)
{
	struct ms_view v;
	struct tfw w = { .ctx = ctx, .in = in };
	struct mls_pb r, obj;
	struct mls_pb_field f, g;
	int rc = open_view(ctx, in, &v, "keras_metadata.pb");
	if (rc)
		return rc < 0 ? rc : 0;
	mls_pb_init(&r, v.data, v.len, TF_MAX_DEPTH);
	unsigned idx = 0;
	while ((rc = mls_pb_next(&r, &f)) == 1) {
		if (f.num != 1 || f.wire != MLS_PB_LEN)
			continue;
		char path[160] = "", where[260];
		const unsigned char *meta = NULL;
		size_t mlen = 0;
		if ((rc = mls_pb_sub(&obj, &r, &f)) < 0)
			break;
		while ((rc = mls_pb_next(&obj, &g)) == 1) {
			if (g.num == 3 && g.wire == MLS_PB_LEN)
				str_of(path, sizeof(path), g.data, g.len);
			else if (g.num == 5 && g.wire == MLS_PB_LEN) {
				meta = g.data;
				mlen = g.len;
			}
		}
		if (rc < 0)
			break;
		snprintf(where, sizeof(where), "keras_metadata node %u '%s'", idx++, path);
		if (meta)
			keras_metadata(&w, meta, mlen, where);
		if ((idx & 0xff) == 0 && ms_out_of_time(ctx, in))
			break;
	}
	rc = finish(&w, rc, "keras_metadata.pb");
	ms_view_close(&v);
	return rc;
}
