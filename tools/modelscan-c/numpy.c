/* STUB: replaced by the module's real implementation. */
#include "scanner.h"

int ms_probe_numpy(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_numpy(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'numpy' not implemented yet");
	return 0;
}

int ms_probe_npz(const struct ms_input *in)
{
	(void)in;
	return 0;
}

int ms_scan_npz(struct ms_ctx *ctx, struct ms_input *in)
{
	ms_incomplete(ctx, in, "format 'npz' not implemented yet");
	return 0;
}

