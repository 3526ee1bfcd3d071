/*
 * Format dispatch: the table of format handlers, recognition by content, and
 * the reporting helpers every format module uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "scanner.h"

#define H(f, n, x) { f, n, ms_probe_##x, ms_scan_##x }
static const struct ms_format_handler handlers[] = {
	H(MS_FMT_PYTORCH_ZIP, "pytorch-zip", pytorch_zip),
	H(MS_FMT_KERAS, "keras", keras),
	H(MS_FMT_NPZ, "npz", npz),
	H(MS_FMT_PYTORCH_TAR, "pytorch-tar", pytorch_tar),
	H(MS_FMT_PYTORCH_LEGACY, "pytorch-legacy", pytorch_legacy),
	H(MS_FMT_NUMPY, "numpy", numpy),
	H(MS_FMT_JOBLIB, "joblib", joblib),
	H(MS_FMT_PICKLE, "pickle", pickle),
	H(MS_FMT_HDF5, "hdf5", hdf5),
	H(MS_FMT_TF_SAVEDMODEL, "tensorflow-savedmodel", tf_savedmodel),
	H(MS_FMT_TF_KERAS_META, "keras-metadata-pb", tf_keras_meta),
	H(MS_FMT_TFLITE, "tflite", tflite),
	H(MS_FMT_ONNX, "onnx", onnx),
	H(MS_FMT_GGUF, "gguf", gguf),
	H(MS_FMT_SAFETENSORS, "safetensors", safetensors),
	H(MS_FMT_ARCHIVE, "archive", archive),
	H(MS_FMT_COMPRESSED, "compressed", compressed),
	H(MS_FMT_JSON, "json", json),
	H(MS_FMT_TEXT, "text", text),
};
#undef H

const struct ms_format_handler *ms_handlers(size_t *n)
{
	*n = MLS_ARRAY_SIZE(handlers);
	return handlers;
}

const char *ms_format_name(enum ms_format fmt)
{
	for (size_t i = 0; i < MLS_ARRAY_SIZE(handlers); i++)
		if (handlers[i].fmt == fmt)
			return handlers[i].name;
	return "unknown";
}

const struct ms_format_handler *ms_detect(const struct ms_input *in)
{
	const struct ms_format_handler *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < MLS_ARRAY_SIZE(handlers); i++) {
		int s = handlers[i].probe(in);
		if (s > best_score) {
			best_score = s;
			best = &handlers[i];
		}
	}
	return best;
}

int ms_scan_input(struct ms_ctx *ctx, struct ms_input *in, enum ms_format *fmt_out)
{
	if (fmt_out)
		*fmt_out = MS_FMT_UNKNOWN;
	if ((unsigned)in->depth > ctx->limits->max_depth) {
		ms_incomplete(ctx, in, "nesting depth limit (%u) reached", ctx->limits->max_depth);
		return 0;
	}
	int rc = ms_input_fill_head(in);
	if (rc < 0)
		return rc;
	const struct ms_format_handler *h = ms_detect(in);
	if (!h)
		return 0;
	if (fmt_out)
		*fmt_out = h->fmt;
	if (in->depth == 0)
		ctx->format = h->name;
	return h->scan(ctx, in);
}

static void join_location(char *out, size_t outsz, const struct ms_input *in, const char *location)
{
	const char *a = in && in->location ? in->location : "";
	const char *b = location ? location : "";
	if (a[0] && b[0])
		snprintf(out, outsz, "%s, %s", a, b);
	else
		snprintf(out, outsz, "%s", a[0] ? a : b);
}

long ms_finding(struct ms_ctx *ctx, const struct ms_input *in, const char *id, const char *rule, enum mls_severity sev,
		const char *location, const char *evidence, const char *fmt, ...)
{
	char loc[2048], msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	join_location(loc, sizeof(loc), in, location);
	ctx->nfindings++;
	return mls_report_add_finding(ctx->report, id, rule, sev, ctx->path, loc[0] ? loc : NULL, msg, evidence);
}

void ms_incomplete(struct ms_ctx *ctx, const struct ms_input *in, const char *fmt, ...)
{
	char msg[1024], loc[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (in && in->location && in->location[0])
		snprintf(loc, sizeof(loc), "%s: %s", in->location, msg);
	else
		snprintf(loc, sizeof(loc), "%s", msg);
	ctx->incomplete = 1;
	mls_report_file_status(ctx->report, ctx->file_idx, MLS_FILE_INCOMPLETE, loc);
}

int ms_out_of_time(struct ms_ctx *ctx, const struct ms_input *in)
{
	if (!mls_deadline_passed(&ctx->deadline))
		return 0;
	ms_incomplete(ctx, in, "time limit of %.0f s reached", ctx->limits->max_seconds);
	return 1;
}
