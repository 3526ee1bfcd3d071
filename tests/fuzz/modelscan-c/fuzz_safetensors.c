/*
 * Fuzzes the safetensors header checks parser on arbitrary bytes (in memory, small limits).
 * Never crashes, never reads out of bounds, bounded time and memory.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	if (fz_begin(&z, data, size, "m.safetensors") < 0)
		return 0;
	(void)ms_scan_safetensors(&z.ctx, &z.in);
	fz_end(&z);
	return 0;
}
