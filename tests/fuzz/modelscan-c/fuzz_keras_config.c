/*
 * Fuzzes the Keras config walker (config.json, model_config,
 * keras_metadata) and the chat-template checker on arbitrary text.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;
	if (fz_begin(&z, data, size, "config.json") < 0)
		return 0;
	(void)ms_keras_check_json(&z.ctx, &z.in, (const char *)data, size, "config.json");
	(void)ms_template_check(&z.ctx, &z.in, "template", (const char *)data, size);
	(void)ms_scan_json(&z.ctx, &z.in);
	fz_end(&z);
	return 0;
}
