/*
 * Fuzzes format recognition and dispatch: arbitrary bytes as a top-level
 * input (any format modelscan-c knows, containers included), with small
 * limits.  Never crashes, never leaks, bounded time and memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "scanner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ms_policy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls_limits lim;
	struct mls_report *rep = NULL;
	if (!policy && ms_policy_new_default(&policy) < 0)
		abort();
	mls_limits_default(&lim);
	lim.max_opcodes = 200000;
	lim.max_depth = 3;
	lim.max_members = 64;
	lim.max_decompressed_bytes = 8 << 20;
	lim.max_json_bytes = 1 << 20;
	lim.max_seconds = 10;
	if (mls_report_new(&rep, "fuzz", "0", "fuzz") < 0)
		return 0;
	struct ms_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.report = rep;
	ctx.policy = policy;
	ctx.limits = &lim;
	ctx.path = "fuzz";
	ctx.file_idx = mls_report_add_file(rep, "fuzz", size, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_deadline_start(&ctx.deadline, lim.max_seconds);
	struct ms_input in;
	ms_input_init_mem(&in, data, size, "", "", 0);
	enum ms_format f;
	(void)ms_scan_input(&ctx, &in, &f);
	mls_report_free(rep);
	return 0;
}
