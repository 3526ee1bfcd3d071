/*
 * The pickle policy: which imported globals are dangerous (deny), which are
 * known safe (allow), and which module names are aliases of others.  The
 * policy is data: the built-in policy/default-policy.json is compiled in and
 * users extend it with --policy FILE (same format).
 *
 * Judging (module, name): the module is canonicalised through the aliases;
 * a dotted name ("os.system" under "pathlib") is judged on every prefix
 * (pathlib, pathlib.os) and every sub-chain (os + system), because
 * find_class walks attributes.  Deny wins over allow; allow needs an exact
 * (module, name) match; anything else is unknown.
 */
#ifndef MS_POLICY_H
#define MS_POLICY_H

#include <stddef.h>
#include "mls/common.h"

enum ms_judgement { MS_J_UNKNOWN = 0, MS_J_ALLOW, MS_J_DENY };

struct ms_verdict {
	enum ms_judgement j;
	enum mls_severity sev;   /* deny: the entry's severity */
	const char *why;         /* deny: explanation (owned by the policy) */
	char matched[256];       /* deny: "module.name" or "module.*" that matched */
	int loader;              /* the global unpickles its bytes argument */
};

struct ms_policy;

/* The built-in policy (compiled in from policy/default-policy.json). */
int ms_policy_new_default(struct ms_policy **out);
/* An empty policy (tests). */
int ms_policy_new_empty(struct ms_policy **out);
/* Adds the entries of a JSON policy document (text) / file to p. */
int ms_policy_merge_json(struct ms_policy *p, const char *text, size_t len, const char *what);
int ms_policy_merge_file(struct ms_policy *p, const char *path);
void ms_policy_free(struct ms_policy *p);

/* Judges an import of `name` from `module` (both as found in the pickle). */
void ms_policy_judge(const struct ms_policy *p, const char *module, const char *name, struct ms_verdict *v);
size_t ms_policy_count(const struct ms_policy *p, int deny);

/* The compiled-in default policy text (generated from policy/default-policy.json). */
extern const unsigned char ms_policy_default_json[];
extern const size_t ms_policy_default_json_len;

#endif
