/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_tf_savedmodel(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_tf_savedmodel(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'tf_savedmodel' not implemented yet");
	return 0;
}

int ms_probe_tf_keras_meta(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_tf_keras_meta(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'tf_keras_meta' not implemented yet");
	return 0;
}

