/* Fuzz harness: README front matter (YAML subset -> JSON) and card parsing.
 * Whatever the converter produces must be valid JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "hashsbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls_buf json;
	struct hs_card card;
	yajl_val v = NULL;

	mls_buf_init(&json, (size_t)16 << 20);
	if (hs_yaml_to_json(&json, (const char *)data, size, 32) == 0) {
		if (mls_json_parse(&v, json.data ? json.data : "", json.len, 0, 64) != 0)
			abort(); /* the converter must only ever emit valid JSON */
		yajl_tree_free(v);
	}
	mls_buf_release(&json);
	(void)hs_card_parse(&card, (const char *)data, size, (size_t)1 << 20, 32);
	hs_card_release(&card);
	return 0;
}
