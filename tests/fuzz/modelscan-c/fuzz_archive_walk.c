/*
 * Fuzzes the archive walker: arbitrary bytes as an archive (zip, tar, 7z,
 * cpio ...) or a compressed stream, every member recognised and dispatched,
 * and as a Keras archive (config.json walked).  Small limits.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	if (fz_begin(&z, data, size, "a.zip") < 0)
		return 0;
	(void)ms_scan_archive(&z.ctx, &z.in);
	fz_end(&z);
	if (fz_begin(&z, data, size, "a.gz") < 0)
		return 0;
	(void)ms_scan_compressed(&z.ctx, &z.in);
	fz_end(&z);
	if (fz_begin(&z, data, size, "m.keras") < 0)
		return 0;
	(void)ms_scan_keras(&z.ctx, &z.in);
	fz_end(&z);
	return 0;
}
