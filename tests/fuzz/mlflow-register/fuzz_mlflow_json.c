/*
 * Fuzzes mlflow-register's handling of MLflow JSON responses (error bodies,
 * model versions, runs, registered models, artifact lists) and of the gate's
 * report and SBOM parsing: nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "gate.h"
#include "mlflow.h"
#include "mls/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char code[64], msg[256];
	mr_parse_error(code, sizeof(code), msg, sizeof(msg), text, size);

	yajl_val v = NULL;
	if (mls_json_parse(&v, text, size, MR_JSON_MAX, MLS_JSON_DEFAULT_DEPTH) == 0) {
		struct mr_model_version mv, *mvs = NULL;
		struct mr_run run, *runs = NULL;
		struct mr_registered_model rm;
		struct mr_artifact *a = NULL;
		size_t n = 0;

		if (mr_parse_model_version(&mv, mls_json_get(v, "model_version")) == 0)
			mr_model_version_release(&mv);
		if (mr_parse_run(&run, mls_json_get(v, "run")) == 0)
			mr_run_release(&run);
		if (mr_parse_registered_model(&rm, mls_json_get(v, "registered_model")) == 0)
			mr_registered_model_release(&rm);
		mr_parse_model_version_list(&mvs, &n, v, 1000);
		mr_model_versions_free(mvs, n);
		n = 0;
		mr_parse_run_list(&runs, &n, v, 1000);
		mr_runs_free(runs, n);
		n = 0;
		mr_parse_artifact_list(&a, &n, v, 1000);
		mr_artifacts_free(a, n);
		mls_json_get_str(v, "next_page_token");
		yajl_tree_free(v);
	}

	static const char *const model[] = { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	struct mr_stage s;
	memset(&s, 0, sizeof(s));
	mls_buf_init(&s.blocking, 1 << 20);
	mr_gate_parse_report(&s, text, size, MLS_SEV_MEDIUM, model, 1);
	mls_buf_release(&s.blocking);
	mr_gate_sbom_covers(text, size, model, 1);
	mls_error_clear();
	return 0;
}
