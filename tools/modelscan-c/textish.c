/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_json(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_json(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'json' not implemented yet");
	return 0;
}

int ms_probe_text(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_text(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'text' not implemented yet");
	return 0;
}

