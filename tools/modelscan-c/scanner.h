/*
 * modelscan-c internals shared by every format module.
 *
 * A top-level file (or an archive member, or an embedded payload) is an
 * ms_input: a byte source with its first bytes pre-read for detection.  The
 * dispatcher (formats.c) recognises the format by content and calls the
 * format's scan function, which reports findings through the ms_ctx.  Format
 * modules never print, never exit and keep no global state.
 */
#ifndef MS_SCANNER_H
#define MS_SCANNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "mls/common.h"

struct ms_policy; /* policy.h */

#define MS_HEAD_MAX 4096

struct ms_input {
	const char *location;        /* where inside the top-level file: "" for the file itself,
	                                "archive/data.pkl" for a member, "data.pkl > embedded@123" ... */
	const char *name;            /* file or member name, for extension hints (may be "") */
	int fd;                      /* >= 0: read from this file descriptor (top-level files) */
	const char *path;            /* path of the top-level file (for fd inputs and libarchive reopen) */
	const unsigned char *mem;    /* non-NULL: the whole input is in memory */
	size_t mem_len;
	struct mls_archive *ar;      /* non-NULL: read sequentially from the current archive entry */
	uint64_t size;               /* total size if known, else UINT64_MAX */
	int depth;                   /* nesting depth (0 = top-level file) */
	unsigned char head[MS_HEAD_MAX];
	size_t head_len;             /* bytes of head filled (<= MS_HEAD_MAX) */
	/* private read state */
	uint64_t pos;                /* bytes consumed through ms_input_read */
	int eof;
	/* (part 1 addition) a custom byte source, e.g. a zlib stream: used when
	 * fd < 0, mem and ar are NULL and read_fn is set */
	ssize_t (*read_fn)(void *read_ctx, void *buf, size_t n);
	void *read_ctx;
};

/* Per top-level-file scan state.  One ms_ctx per file; files scan in parallel. */
struct ms_ctx {
	struct mls_report *report;
	const struct ms_policy *policy;
	const struct mls_limits *limits;
	struct mls_deadline deadline;
	int strict;                  /* unknown globals are high, not low */
	const char *path;            /* the top-level file as reported */
	long file_idx;               /* its index in the report */
	uint64_t opcodes;            /* pickle opcodes used so far (limit: limits->max_opcodes) */
	const char *format;          /* outermost format name, set by the dispatcher */
	int incomplete;              /* set by ms_incomplete() */
	size_t nfindings;            /* findings added for this file */
};

/* --- inputs (input.c) */
void ms_input_init_fd(struct ms_input *in, int fd, const char *path, const char *name, uint64_t size);
void ms_input_init_mem(struct ms_input *in, const void *data, size_t len, const char *location, const char *name,
		       int depth);
void ms_input_init_archive(struct ms_input *in, struct mls_archive *ar, const char *location, const char *name,
			   uint64_t size, int depth);
/* Fills head (reads up to MS_HEAD_MAX bytes without consuming them). */
int ms_input_fill_head(struct ms_input *in);
/* Sequential read of the whole input (head first): >0 bytes, 0 at end, <0 error. */
ssize_t ms_input_read(struct ms_input *in, void *buf, size_t n);
/* Loads the whole input into out (appended), failing with MLS_ELIMIT past max bytes. */
int ms_input_load(struct ms_input *in, struct mls_buf *out, size_t max);
/* (part 1 additions) */
void ms_input_init_stream(struct ms_input *in, ssize_t (*read_fn)(void *, void *, size_t), void *read_ctx,
			  const char *location, const char *name, uint64_t size, int depth);
/* Skips n bytes (seeks for files and memory): 0, or MLS_EFORMAT when the input ends first. */
int ms_input_skip(struct ms_input *in, uint64_t n);
/* 1 when bytes can be re-read at any offset (files and memory). */
int ms_input_seekable(const struct ms_input *in);
/* Reads at an absolute offset of a seekable input: >=0 bytes, <0 error. */
ssize_t ms_input_pread(struct ms_input *in, void *buf, size_t n, uint64_t off);

/* --- reporting helpers (formats.c) */
/* Adds a finding for the current file.  location is relative to the input:
 * the final location is "<in->location>, <location>" (either may be empty). */
long ms_finding(struct ms_ctx *ctx, const struct ms_input *in, const char *id, const char *rule, enum mls_severity sev,
		const char *location, const char *evidence, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* Marks the file incomplete (not fully examined) with a reason; the first reason is kept. */
void ms_incomplete(struct ms_ctx *ctx, const struct ms_input *in, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 if the wall-time budget of this file is spent (and marks it incomplete). */
int ms_out_of_time(struct ms_ctx *ctx, const struct ms_input *in);

/* --- dispatch (formats.c) */
enum ms_format {
	MS_FMT_UNKNOWN = 0,
	MS_FMT_PICKLE,          /* raw pickle stream(s): .pkl .bin .pt .ckpt .dat ... */
	MS_FMT_PYTORCH_ZIP,     /* torch.save zip (incl. TorchScript) */
	MS_FMT_PYTORCH_LEGACY,  /* pre-1.6 torch.save: magic number pickle + several pickles */
	MS_FMT_PYTORCH_TAR,     /* oldest torch.save tar (sys_info, pickle, storages, tensors) */
	MS_FMT_NUMPY,           /* .npy */
	MS_FMT_NPZ,             /* zip of .npy */
	MS_FMT_JOBLIB,          /* joblib (pickle with numpy arrays interleaved; compressed variants) */
	MS_FMT_KERAS,           /* Keras v3 .keras zip */
	MS_FMT_HDF5,            /* HDF5 (legacy Keras .h5) */
	MS_FMT_TF_SAVEDMODEL,   /* saved_model.pb / .pb GraphDef */
	MS_FMT_TF_KERAS_META,   /* keras_metadata.pb */
	MS_FMT_TFLITE,          /* TFLite flatbuffer */
	MS_FMT_ONNX,
	MS_FMT_GGUF,
	MS_FMT_SAFETENSORS,
	MS_FMT_ARCHIVE,         /* generic zip / tar / 7z / rar ... */
	MS_FMT_COMPRESSED,      /* single gzip / bz2 / xz / zstd / lz4 stream */
	MS_FMT_JSON,            /* config.json, tokenizer.json ...: benign unless a format says otherwise */
	MS_FMT_TEXT,            /* README, txt: not a model */
	MS_FMT_COUNT
};

struct ms_format_handler {
	enum ms_format fmt;
	const char *name;       /* reported as the file's format: "pickle", "pytorch-zip", ... */
	/* Returns a confidence 0..100 from the head bytes and the name (0 = not this format). */
	int (*probe)(const struct ms_input *in);
	/* Scans the input; returns 0 when done (findings/incomplete are recorded in ctx),
	 * <0 for a hard failure (file reported failed with mls_error_msg()). */
	int (*scan)(struct ms_ctx *ctx, struct ms_input *in);
};

const struct ms_format_handler *ms_handlers(size_t *n);
const char *ms_format_name(enum ms_format fmt);
/* Recognises in (head must be filled) and returns the best handler or NULL. */
const struct ms_format_handler *ms_detect(const struct ms_input *in);
/* Detects and scans an input (used for top-level files, archive members and
 * embedded payloads).  Enforces limits->max_depth. Unknown formats are reported
 * through *fmt_out = MS_FMT_UNKNOWN and return 0. */
int ms_scan_input(struct ms_ctx *ctx, struct ms_input *in, enum ms_format *fmt_out);

/* --- format modules: probe + scan for each (one file per format) */
#define MS_DECLARE_FORMAT(x) \
	int ms_probe_##x(const struct ms_input *in); \
	int ms_scan_##x(struct ms_ctx *ctx, struct ms_input *in);
MS_DECLARE_FORMAT(pickle)          /* pickle.c        (part 1) */
MS_DECLARE_FORMAT(pytorch_zip)     /* torch.c         (part 1) */
MS_DECLARE_FORMAT(pytorch_legacy)  /* torch.c         (part 1) */
MS_DECLARE_FORMAT(pytorch_tar)     /* torch.c         (part 1) */
MS_DECLARE_FORMAT(numpy)           /* numpy.c         (part 1) */
MS_DECLARE_FORMAT(npz)             /* numpy.c         (part 1) */
MS_DECLARE_FORMAT(joblib)          /* joblib.c        (part 1) */
MS_DECLARE_FORMAT(keras)           /* keras.c         (part 2) */
MS_DECLARE_FORMAT(hdf5)            /* hdf5.c          (part 2) */
MS_DECLARE_FORMAT(tf_savedmodel)   /* tf.c            (part 2) */
MS_DECLARE_FORMAT(tf_keras_meta)   /* tf.c            (part 2) */
MS_DECLARE_FORMAT(tflite)          /* tflite.c        (part 2) */
MS_DECLARE_FORMAT(onnx)            /* onnx.c          (part 2) */
MS_DECLARE_FORMAT(gguf)            /* gguf.c          (part 2) */
MS_DECLARE_FORMAT(safetensors)     /* safetensors.c   (part 2) */
MS_DECLARE_FORMAT(archive)         /* archive_scan.c  (part 2) */
MS_DECLARE_FORMAT(compressed)      /* archive_scan.c  (part 2) */
MS_DECLARE_FORMAT(json)            /* textish.c       (part 2) */
MS_DECLARE_FORMAT(text)            /* textish.c       (part 2) */

#endif
