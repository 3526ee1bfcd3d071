/*
 * mlflow-register's two commands: `register` (gate, then an idempotent
 * registration: experiment, run, artifacts, registered model, version, alias)
 * and `show` (a version's metadata, tags and artifacts).  main.c fills
 * struct mr_options from the command line and maps the results to exit codes.
 */
#ifndef MR_REGISTER_H
#define MR_REGISTER_H

#include "gate.h"
#include "http.h"
#include "mlflow.h"
#include "mls/report.h"

#define MR_DEFAULT_EXPERIMENT "mlsecops-intake"

struct mr_options {
	const char *tracking_uri;          /* --tracking-uri or MLFLOW_TRACKING_URI */
	struct mr_http_opts http;
	/* register */
	const char *model_file, *model_name, *model_card, *experiment;
	struct mr_gate_opts gate;
	const char *reason, *build_url, *alias;
	struct mr_kvs tags;                /* --tag K=V: version and run tags */
	struct mr_kvs model_tags;          /* --model-tag K=V: registered-model tags */
	const char *result_path;           /* -o FILE: JSON result */
	enum mls_format format;            /* stdout: text or json */
	const char *json_path, *sarif_path, *junit_path; /* the gate's report */
	double wait_timeout;               /* seconds to wait for READY */
	int verify_download;               /* download the model back and compare SHA-256 */
	int gate_only;                     /* --check: evaluate the gate, contact nothing */
	/* show */
	const char *show_name, *show_version, *show_alias;
};

void mr_options_init(struct mr_options *o);
void mr_options_release(struct mr_options *o);

/* Outcome of `register`: 0 registered or already registered, 1 refused by
 * the gate; negative MLS_E* codes when it could not finish. */
enum { MR_REFUSED = 1 };
int mr_register_run(const struct mr_options *o);

/* `show`: prints to stdout; 0 or a negative code. */
int mr_show_run(const struct mr_options *o);

/* Who asked for an override: $BUILD_USER_ID, else $USER, else the login name. */
const char *mr_who(void);

/* The model-card text: the file's contents when arg names a readable regular
 * file (*is_file = 1), else arg itself.  free() the result. */
int mr_model_card(char **out, int *is_file, const char *arg);

/* Waits until name/version is READY (polling); MLS_ESERVER on FAILED_REGISTRATION,
 * MLS_ELIMIT after timeout seconds. */
int mr_wait_ready(struct mr_client *c, const char *name, const char *version, double timeout,
		  struct mr_model_version *out);

#endif
