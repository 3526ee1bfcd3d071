/* Shared set-up for the part-2 format harnesses: a report, a ctx with small
 * limits (as a CLI run would have, scaled down) and the default policy. */
#ifndef MS_FUZZ_COMMON_H
#define MS_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "formats_util.h"

struct fz {
	struct mls_limits lim;
	struct mls_report *rep;
	struct ms_ctx ctx;
	struct ms_input in;
};

static struct ms_policy *fz_policy;

static int fz_begin(struct fz *z, const void *data, size_t size, const char *name)
{
	if (!fz_policy && ms_policy_new_default(&fz_policy) < 0)
		abort();
	mls_limits_default(&z->lim);
	z->lim.max_opcodes = 200000;
	z->lim.max_depth = 3;
	z->lim.max_members = 64;
	z->lim.max_decompressed_bytes = 8 << 20;
	z->lim.max_json_bytes = 1 << 20;
	z->lim.max_seconds = 10;
	z->rep = NULL;
	if (mls_report_new(&z->rep, "fuzz", "0", "fuzz") < 0)
		return -1;
	memset(&z->ctx, 0, sizeof(z->ctx));
	z->ctx.report = z->rep;
	z->ctx.policy = fz_policy;
	z->ctx.limits = &z->lim;
	z->ctx.path = "fuzz";
	z->ctx.file_idx = mls_report_add_file(z->rep, "fuzz", size, NULL, NULL, MLS_FILE_SCANNED, NULL);
	mls_deadline_start(&z->ctx.deadline, z->lim.max_seconds);
	ms_input_init_mem(&z->in, data, size, "", name, 0);
	ms_input_fill_head(&z->in);
	return 0;
}

static void fz_end(struct fz *z)
{
	mls_report_free(z->rep);
}

#endif
