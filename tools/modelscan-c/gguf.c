/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_gguf(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_gguf(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'gguf' not implemented yet");
	return 0;
}

