/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_pytorch_zip(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_pytorch_zip(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'pytorch_zip' not implemented yet");
	return 0;
}

int ms_probe_pytorch_legacy(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_pytorch_legacy(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'pytorch_legacy' not implemented yet");
	return 0;
}

int ms_probe_pytorch_tar(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_pytorch_tar(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'pytorch_tar' not implemented yet");
	return 0;
}

