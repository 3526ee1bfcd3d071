/*
 * The pickle policy as data: loading (built-in JSON + user files through
 * yajl) and judging imported globals.  See policy.h for the rules.
 */
#include <stdlib.h>
#include <string.h>
#include "policy.h"

#define POLICY_MAX_BYTES ((size_t)8 << 20)
#define NAME_MAX_LEN 512

struct pol_entry {
	char *module;
	char **names;      /* NULL: the whole module family ("*") */
	size_t nnames;
	enum mls_severity sev;
	char *why;
	int loader;
};

struct pol_alias {
	char *from, *to;
};

struct ms_policy {
	struct pol_entry *deny, *allow;
	size_t ndeny, nallow, capdeny, capallow;
	struct pol_alias *aliases;
	size_t naliases, capaliases;
};

static void entry_release(struct pol_entry *e)
{
	free(e->module);
	for (size_t i = 0; i < e->nnames; i++)
		free(e->names[i]);
	free(e->names);
	free(e->why);
}

void ms_policy_free(struct ms_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ndeny; i++)
		entry_release(&p->deny[i]);
	for (size_t i = 0; i < p->nallow; i++)
		entry_release(&p->allow[i]);
	for (size_t i = 0; i < p->naliases; i++) {
		free(p->aliases[i].from);
		free(p->aliases[i].to);
	}
	free(p->deny);
	free(p->allow);
	free(p->aliases);
	free(p);
}

int ms_policy_new_empty(struct ms_policy **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : mls_error_set(MLS_ENOMEM, "out of memory");
}

int ms_policy_new_default(struct ms_policy **out)
{
	struct ms_policy *p = NULL;
	int rc = ms_policy_new_empty(&p);
	if (rc < 0)
		return rc;
	rc = ms_policy_merge_json(p, (const char *)ms_policy_default_json, ms_policy_default_json_len,
				  "built-in policy");
	if (rc < 0) {
		ms_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *q = realloc(*arr, nc * elem);
	if (!q)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	*arr = q;
	*cap = nc;
	return 0;
}

static int parse_entry(struct pol_entry *e, yajl_val v, int deny, const char *what)
{
	memset(e, 0, sizeof(*e));
	const char *mod = mls_json_get_str(v, "module");
	if (!mod || !mod[0] || strlen(mod) > NAME_MAX_LEN)
		return mls_error_set(MLS_EFORMAT, "%s: an entry has no valid \"module\"", what);
	e->module = strdup(mod);
	e->sev = deny ? MLS_SEV_CRITICAL : MLS_SEV_INFO;
	const char *sev = mls_json_get_str(v, "severity");
	if (sev && mls_severity_parse(&e->sev, sev) < 0)
		return mls_error_set(MLS_EFORMAT, "%s: bad severity '%s' for module '%s'", what, sev, mod);
	const char *why = mls_json_get_str(v, "why");
	e->why = strdup(why ? why : "listed in the policy");
	yajl_val lv = mls_json_get(v, "loader");
	e->loader = lv && YAJL_IS_TRUE(lv);
	if (!e->module || !e->why)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	yajl_val names = mls_json_get(v, "names");
	const char *star = mls_json_str(names);
	if (star && strcmp(star, "*") == 0)
		return 0;
	if (!names || !YAJL_IS_ARRAY(names))
		return mls_error_set(MLS_EFORMAT, "%s: module '%s': \"names\" must be \"*\" or a list", what, mod);
	size_t n = YAJL_GET_ARRAY(names)->len;
	e->names = calloc(n ? n : 1, sizeof(char *));
	if (!e->names)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *s = mls_json_str(YAJL_GET_ARRAY(names)->values[i]);
		if (!s || strlen(s) > NAME_MAX_LEN)
			return mls_error_set(MLS_EFORMAT, "%s: module '%s': names must be strings", what, mod);
		e->names[e->nnames] = strdup(s);
		if (!e->names[e->nnames])
			return mls_error_set(MLS_ENOMEM, "out of memory");
		e->nnames++;
	}
	return 0;
}

int ms_policy_merge_json(struct ms_policy *p, const char *text, size_t len, const char *what)
{
	yajl_val doc = NULL;
	int rc = mls_json_parse(&doc, text, len, POLICY_MAX_BYTES, 16);
	if (rc < 0) {
		mls_error_prefix("%s", what);
		return rc;
	}
	if (!YAJL_IS_OBJECT(doc)) {
		rc = mls_error_set(MLS_EFORMAT, "%s: not a JSON object", what);
		goto done;
	}
	yajl_val al = mls_json_get(doc, "aliases");
	if (al && YAJL_IS_OBJECT(al)) {
		for (size_t i = 0; i < YAJL_GET_OBJECT(al)->len; i++) {
			const char *to = mls_json_str(YAJL_GET_OBJECT(al)->values[i]);
			if (!to) {
				rc = mls_error_set(MLS_EFORMAT, "%s: alias values must be strings", what);
				goto done;
			}
			if ((rc = grow((void **)&p->aliases, &p->capaliases, p->naliases, sizeof(*p->aliases))) < 0)
				goto done;
			p->aliases[p->naliases].from = strdup(YAJL_GET_OBJECT(al)->keys[i]);
			p->aliases[p->naliases].to = strdup(to);
			p->naliases++;
			if (!p->aliases[p->naliases - 1].from || !p->aliases[p->naliases - 1].to) {
				rc = mls_error_set(MLS_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	for (int deny = 0; deny < 2; deny++) {
		yajl_val arr = mls_json_get(doc, deny ? "deny" : "allow");
		if (!arr)
			continue;
		if (!YAJL_IS_ARRAY(arr)) {
			rc = mls_error_set(MLS_EFORMAT, "%s: \"%s\" must be a list", what, deny ? "deny" : "allow");
			goto done;
		}
		for (size_t i = 0; i < YAJL_GET_ARRAY(arr)->len; i++) {
			struct pol_entry **list = deny ? &p->deny : &p->allow;
			size_t *n = deny ? &p->ndeny : &p->nallow;
			size_t *cap = deny ? &p->capdeny : &p->capallow;
			if ((rc = grow((void **)list, cap, *n, sizeof(**list))) < 0)
				goto done;
			rc = parse_entry(&(*list)[*n], YAJL_GET_ARRAY(arr)->values[i], deny, what);
			(*n)++;
			if (rc < 0)
				goto done;
		}
	}
	rc = 0;
done:
	yajl_tree_free(doc);
	return rc;
}

int ms_policy_merge_file(struct ms_policy *p, const char *path)
{
	struct mls_buf b;
	mls_buf_init(&b, POLICY_MAX_BYTES + 1);
	int rc = mls_read_file(&b, path, POLICY_MAX_BYTES);
	if (rc == 0)
		rc = ms_policy_merge_json(p, mls_buf_cstr(&b), b.len, path);
	else
		mls_error_prefix("cannot read policy '%s'", path);
	mls_buf_release(&b);
	return rc;
}

size_t ms_policy_count(const struct ms_policy *p, int deny)
{
	return deny ? p->ndeny : p->nallow;
}

/* Canonical module name through the aliases (longest prefix at a dot). */
static void canon_module(const struct ms_policy *p, const char *mod, char *out, size_t outsz)
{
	size_t best = 0;
	const char *to = NULL;
	for (size_t i = 0; i < p->naliases; i++) {
		size_t l = strlen(p->aliases[i].from);
		if (l > best && strncmp(mod, p->aliases[i].from, l) == 0 && (mod[l] == '\0' || mod[l] == '.')) {
			best = l;
			to = p->aliases[i].to;
		}
	}
	if (to)
		snprintf(out, outsz, "%s%s", to, mod + best);
	else
		snprintf(out, outsz, "%s", mod);
}

static int in_family(const char *mod, const char *fam)
{
	size_t l = strlen(fam);
	return strncmp(mod, fam, l) == 0 && (mod[l] == '\0' || mod[l] == '.');
}

static int has_name(const struct pol_entry *e, const char *name)
{
	for (size_t i = 0; i < e->nnames; i++)
		if (strcmp(e->names[i], name) == 0)
			return 1;
	return 0;
}

/* The first component of a dotted name into out. */
static void first_component(const char *name, char *out, size_t outsz)
{
	size_t l = strcspn(name, ".");
	if (l >= outsz)
		l = outsz - 1;
	memcpy(out, name, l);
	out[l] = '\0';
}

/* Applies the deny list to (canonical module, name); updates v with the worst match. */
static void deny_check(const struct ms_policy *p, const char *mod, const char *name, struct ms_verdict *v, int *exact)
{
	char first[NAME_MAX_LEN + 1];
	first_component(name, first, sizeof(first));
	for (size_t i = 0; i < p->ndeny; i++) {
		const struct pol_entry *e = &p->deny[i];
		int hit = 0;
		if (!e->names) {
			hit = in_family(mod, e->module);
		} else if (strcmp(mod, e->module) == 0) {
			hit = has_name(e, name) || has_name(e, first);
		}
		if (!hit)
			continue;
		if (e->names)
			*exact = 1;
		if (v->j != MS_J_DENY || e->sev > v->sev) {
			v->j = MS_J_DENY;
			v->sev = e->sev;
			v->why = e->why;
			if (e->names)
				snprintf(v->matched, sizeof(v->matched), "%s.%s", e->module, first);
			else
				snprintf(v->matched, sizeof(v->matched), "%s.*", e->module);
		}
		if (e->loader)
			v->loader = 1;
	}
}

void ms_policy_judge(const struct ms_policy *p, const char *module, const char *name, struct ms_verdict *v)
{
	char cm[NAME_MAX_LEN * 2 + 2], chain[NAME_MAX_LEN * 2 + 2], sub[NAME_MAX_LEN * 2 + 2];
	int exact = 0;
	memset(v, 0, sizeof(*v));
	v->j = MS_J_UNKNOWN;
	v->sev = MLS_SEV_LOW;
	canon_module(p, module, cm, sizeof(cm));

	/* 1. the module itself with the full name and the name's first component */
	deny_check(p, cm, name, v, &exact);
	/* 2. every prefix of module + name treated as a module (torch + hub.load -> torch.hub) */
	snprintf(chain, sizeof(chain), "%s.%s", cm, name);
	/* when cm fills chain, snprintf truncated it: there is no name part to walk */
	size_t cml = strlen(cm);
	char *first_dot = cml + 1 < strlen(chain) ? strchr(chain + cml + 1, '.') : NULL;
	for (char *dot = first_dot; dot; dot = strchr(dot + 1, '.')) {
		size_t l = (size_t)(dot - chain);
		memcpy(sub, chain, l);
		sub[l] = '\0';
		deny_check(p, sub, dot + 1, v, &exact);
	}
	/* 3. sub-chains of the attribute path: pathlib + os.system -> os + system */
	for (const char *s = name; s; s = strchr(s, '.')) {
		if (*s == '.')
			s++;
		const char *dot = strchr(s, '.');
		if (!dot)
			break;
		char m2[NAME_MAX_LEN * 2 + 2];
		size_t l = (size_t)(dot - s);
		if (l >= sizeof(sub))
			break;
		memcpy(sub, s, l);
		sub[l] = '\0';
		canon_module(p, sub, m2, sizeof(m2));
		deny_check(p, m2, dot + 1, v, &exact);
		/* and longer module prefixes inside the chain */
		for (const char *d2 = strchr(dot + 1, '.'); d2; d2 = strchr(d2 + 1, '.')) {
			size_t l2 = (size_t)(d2 - s);
			if (l2 >= sizeof(sub))
				break;
			memcpy(sub, s, l2);
			sub[l2] = '\0';
			canon_module(p, sub, m2, sizeof(m2));
			deny_check(p, m2, d2 + 1, v, &exact);
		}
	}
	/* an exact allow entry beats a family deny (torch.jit._pickle.build_intlist under torch.jit.*),
	 * never an exact deny; a family allow beats nothing that is denied */
	if (v->j == MS_J_DENY && exact)
		return;
	/* a name too long to be judged in full is never allowed and never merely low */
	if (strlen(module) > NAME_MAX_LEN || strlen(name) > NAME_MAX_LEN) {
		if (v->j != MS_J_DENY && v->sev < MLS_SEV_HIGH)
			v->sev = MLS_SEV_HIGH;
		return;
	}
	for (size_t i = 0; i < p->nallow; i++) {
		const struct pol_entry *e = &p->allow[i];
		if (!e->names) {
			if (v->j != MS_J_DENY && (in_family(module, e->module) || in_family(cm, e->module)))
				goto allowed;
			continue;
		}
		if ((strcmp(module, e->module) == 0 || strcmp(cm, e->module) == 0) && has_name(e, name))
			goto allowed;
	}
	return;
allowed:
	v->j = MS_J_ALLOW;
	v->sev = MLS_SEV_INFO;
	v->why = NULL;
	v->matched[0] = '\0';
	v->loader = 0;
}
