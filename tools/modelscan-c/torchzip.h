/*
 * The zip member walker shared by PyTorch zip checkpoints (torch.c) and
 * .npz files (numpy.c): central directory first, then local headers, every
 * member scanned, duplicates and directory mismatches reported.
 */
#ifndef MS_TORCHZIP_H
#define MS_TORCHZIP_H

#include "scanner.h"

struct ms_zip_walk {
	int torch;   /* 1: PyTorch rules (pickles by name or content, code/ reported);
	                0: every member goes through format detection (npz) */
};

int ms_zip_walk(struct ms_ctx *ctx, struct ms_input *in, const struct ms_zip_walk *w);

#endif
