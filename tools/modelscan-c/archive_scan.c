/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_archive(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_archive(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'archive' not implemented yet");
	return 0;
}

int ms_probe_compressed(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_compressed(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'compressed' not implemented yet");
	return 0;
}

