/*
 * Budgets every parser takes (shared/DESIGN.md "Limits and failing closed").
 * Reaching one makes the file `incomplete` with the reason, never `clean`.
 */
#ifndef MLS_LIMITS_H
#define MLS_LIMITS_H

#include <stdint.h>
#include "opt.h"

struct mls_limits {
	uint64_t max_file_bytes;         /* largest input file examined */
	uint64_t max_decompressed_bytes; /* bytes produced by decompression, per top-level file */
	double max_ratio;                /* decompressed / compressed */
	uint64_t max_members;            /* archive members per archive */
	unsigned max_depth;              /* nesting: archives in archives, JSON, protobuf, embedded pickles */
	uint64_t max_opcodes;            /* pickle opcodes per file */
	uint64_t max_json_bytes;         /* a JSON document (config, header, card) */
	double max_seconds;              /* wall time per top-level file (0 = no limit) */
};

void mls_limits_default(struct mls_limits *l);

/* Parses "512M", "4G", "100k", "123" (bytes; K/M/G/T = powers of 1024). */
int mls_parse_size(uint64_t *out, const char *s);
int mls_parse_uint(uint64_t *out, const char *s);
int mls_parse_double(double *out, const char *s);

/* Monotonic clock in seconds, and a deadline helper. */
double mls_now(void);
struct mls_deadline { double at; /* 0 = none */ };
void mls_deadline_start(struct mls_deadline *d, double seconds);
int mls_deadline_passed(const struct mls_deadline *d);

/* The shared limit options, for a tool's option table (see opt.h). */
#define MLS_OPT_LIMIT_BASE 9000
enum {
	MLS_OPT_MAX_FILE_SIZE = MLS_OPT_LIMIT_BASE,
	MLS_OPT_MAX_DECOMPRESSED,
	MLS_OPT_MAX_RATIO,
	MLS_OPT_MAX_MEMBERS,
	MLS_OPT_MAX_DEPTH,
	MLS_OPT_MAX_OPCODES,
	MLS_OPT_MAX_JSON,
	MLS_OPT_TIMEOUT
};
extern const struct mls_opt mls_limit_opts[]; /* terminated by a zero entry; see MLS_OPT_INCLUDE */
/* Applies option id with arg to l; 1 if id was a limit option, 0 if not, <0 bad value. */
int mls_limits_apply_opt(struct mls_limits *l, int id, const char *arg);

#endif
