/*
 * The registration gate: reads the avscan and modelscan-c reports (the
 * DESIGN.md "mlsecops-report/1" envelope) and the SBOM, and decides whether a
 * model may be registered.  It touches no network: a refused model creates
 * nothing in MLflow.  Rule ids are listed in docs/rules/mlflow-register.md.
 */
#ifndef MR_GATE_H
#define MR_GATE_H

#include <stddef.h>
#include "mlflow.h"
#include "mls/report.h"

enum { MR_STAGE_AV = 0, MR_STAGE_MODELSCAN = 1, MR_NSTAGES = 2 };

/* One gate decision (a refusal, an error or an override), as a finding. */
struct mr_gate_issue {
	const char *rule;        /* "MR-GATE-001" */
	enum mls_severity severity;
	char *subject;           /* report path or stage name */
	char *message;
	int overridden;          /* an --allow-* flag accepted it */
	int error;               /* could not decide (missing/unreadable): exit 2 unless overridden */
};

struct mr_stage {
	const char *name;        /* "av" or "modelscan" (tag names) */
	const char *label;       /* "AV report" */
	const char *path;        /* NULL when not given */
	int present;             /* read and understood */
	char status[16];         /* complete | incomplete | error | missing */
	char verdict[16];        /* clean | findings | unknown | missing */
	char tool[160];          /* "avscan 0.1.0" */
	long long counts[5];     /* by enum mls_severity */
	long long at_or_above;   /* findings at or above the threshold */
	char sha256[65];         /* of the report file */
	int covers_model;        /* 1 lists a model digest, 0 lists others only, -1 lists none */
	struct mls_buf blocking; /* "ID (severity) path; ..." of findings at or above the threshold */
};

struct mr_gate_opts {
	const char *reports[MR_NSTAGES]; /* --av-report, --scan-report */
	const char *sbom;
	enum mls_severity fail_on;
	int allow_findings, allow_incomplete, allow_missing;
	const char *const *model_sha256; /* digests of the model files */
	size_t nmodel;
};

struct mr_gate {
	struct mr_stage stages[MR_NSTAGES];
	int sbom_present;
	char sbom_sha256[65];
	int sbom_covers;         /* as covers_model */
	enum mls_severity fail_on;
	struct mr_gate_issue *issues;
	size_t nissues;
	int refused;             /* a blocking issue was not overridden: exit 1 */
	int errored;             /* a report missing/unreadable, not overridden: exit 2 */
	int used_findings, used_incomplete, used_missing; /* overrides that were needed */
};

void mr_gate_init(struct mr_gate *g);
void mr_gate_release(struct mr_gate *g);

/* Parses one report's text into s for threshold fail_on (pure: fuzzed, unit-tested).
 * MLS_EFORMAT when it is not an mlsecops-report/1 document. */
int mr_gate_parse_report(struct mr_stage *s, const char *text, size_t len, enum mls_severity fail_on,
			 const char *const *model_sha256, size_t nmodel);
/* 1 lists a model digest, 0 lists only others, 2 lists none, for a CycloneDX SBOM
 * text; MLS_EFORMAT when not CycloneDX JSON. */
int mr_gate_sbom_covers(const char *text, size_t len, const char *const *model_sha256, size_t nmodel);

/* Evaluates everything; fills g (refused/errored/issues).  Returns 0, or a
 * negative code only for failures of the gate itself (out of memory). */
int mr_gate_evaluate(struct mr_gate *g, const struct mr_gate_opts *o);

/* Adds the gate's tags (mlsecops.gate, mlsecops.<stage>.*, mlsecops.sbom.*,
 * mlsecops.override.*) to tags.  who/reason describe an override. */
int mr_gate_tags(const struct mr_gate *g, struct mr_kvs *tags, const char *who, const char *reason);

/* Fills r (a report in the DESIGN.md envelope) with one finding per issue. */
int mr_gate_fill_report(const struct mr_gate *g, struct mls_report *r);

/* Prints the refusal / error reasons to stderr. */
void mr_gate_print(const struct mr_gate *g);

#endif
