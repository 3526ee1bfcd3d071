/* Fuzz harness: the requirements parser (text mode: includes are not followed). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "hashsbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_req_list l;
	struct hs_req_limits lim;

	hs_req_limits_default(&lim);
	lim.max_line = 4096;
	(void)hs_req_parse_text(&l, (const char *)data, size, "fuzz.txt", &lim);
	for (size_t i = 0; i < l.n; i++) {
		char *p = hs_pypi_purl(l.v[i].name, l.v[i].version);
		free(p);
	}
	hs_req_list_release(&l);
	return 0;
}
