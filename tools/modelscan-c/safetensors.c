/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_safetensors(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_safetensors(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'safetensors' not implemented yet");
	return 0;
}

