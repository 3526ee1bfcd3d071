/* mlflow-register: parse options, run `register` or `show`, map the outcome to an exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "register.h"
#include "mls/common.h"

enum {
	OPT_TRACKING_URI = 1, OPT_MODEL_FILE, OPT_MODEL_NAME, OPT_MODEL_CARD, OPT_AV_REPORT, OPT_SCAN_REPORT, OPT_SBOM,
	OPT_ALIAS, OPT_EXPERIMENT, OPT_ALLOW_FINDINGS, OPT_ALLOW_INCOMPLETE, OPT_ALLOW_MISSING, OPT_REASON,
	OPT_BUILD_URL, OPT_TAG, OPT_MODEL_TAG, OPT_WAIT_TIMEOUT, OPT_VERIFY_DOWNLOAD, OPT_CHECK, OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT, OPT_RETRIES, OPT_SHOW_VERSION, OPT_SHOW_ALIAS, OPT_SHOW_FORMAT
};

static const struct mls_opt conn_opts[] = {
	MLS_OPT_SECTION("Server"),
	{ OPT_TRACKING_URI, "tracking-uri", 0, MLS_OPT_REQARG, "URI", "MLflow server (default $MLFLOW_TRACKING_URI)", NULL },
	{ OPT_CONNECT_TIMEOUT, "connect-timeout", 0, MLS_OPT_REQARG, "SECONDS", "connection timeout (default 10)", NULL },
	{ OPT_TIMEOUT, "timeout", 0, MLS_OPT_REQARG, "SECONDS",
	  "API call timeout; uploads fail after this long without progress (default 60)", NULL },
	{ OPT_RETRIES, "retries", 0, MLS_OPT_REQARG, "N",
	  "retries on connection errors, 429 and 5xx, with backoff (default 4)", NULL },
	MLS_OPT_END
};

static const struct mls_opt register_opts[] = {
	MLS_OPT_SECTION("Model"),
	{ OPT_MODEL_FILE, "model-file", 0, MLS_OPT_REQARG, "PATH", "model file or directory to register (required)", NULL },
	{ OPT_MODEL_NAME, "model-name", 0, MLS_OPT_REQARG, "NAME", "registered model name (required)", NULL },
	{ OPT_MODEL_CARD, "model-card", 0, MLS_OPT_REQARG, "FILE|TEXT",
	  "model card: a file's contents, or the text itself; the version's description", NULL },
	{ OPT_EXPERIMENT, "experiment", 0, MLS_OPT_REQARG, "NAME", "experiment for the run (default mlsecops-intake)", NULL },
	{ OPT_ALIAS, "alias", 0, MLS_OPT_REQARG, "ALIAS", "point ALIAS (e.g. champion) at the version", NULL },
	{ OPT_TAG, "tag", 0, MLS_OPT_REQARG, "K=V", "extra tag on the version and the run (repeatable)", NULL },
	{ OPT_MODEL_TAG, "model-tag", 0, MLS_OPT_REQARG, "K=V", "tag on the registered model (repeatable)", NULL },
	{ OPT_BUILD_URL, "build-url", 0, MLS_OPT_REQARG, "URL", "Jenkins build URL recorded as a tag (default $BUILD_URL)", NULL },
	{ OPT_WAIT_TIMEOUT, "wait-timeout", 0, MLS_OPT_REQARG, "SECONDS", "wait this long for the version to be READY (default 300)", NULL },
	{ OPT_VERIFY_DOWNLOAD, "verify-download", 0, MLS_OPT_NOARG, NULL,
	  "download the uploaded model back and compare its SHA-256", NULL },
	MLS_OPT_SECTION("Gate"),
	{ OPT_AV_REPORT, "av-report", 0, MLS_OPT_REQARG, "FILE", "avscan JSON report", NULL },
	{ OPT_SCAN_REPORT, "scan-report", 0, MLS_OPT_REQARG, "FILE", "modelscan-c JSON report", NULL },
	{ OPT_SBOM, "sbom", 0, MLS_OPT_REQARG, "FILE", "CycloneDX SBOM (JSON) of the model", NULL },
	{ OPT_ALLOW_FINDINGS, "allow-findings", 0, MLS_OPT_NOARG, NULL, "register despite findings (needs --reason; recorded)", NULL },
	{ OPT_ALLOW_INCOMPLETE, "allow-incomplete", 0, MLS_OPT_NOARG, NULL, "register despite an incomplete scan (needs --reason; recorded)", NULL },
	{ OPT_ALLOW_MISSING, "allow-missing-reports", 0, MLS_OPT_NOARG, NULL,
	  "register without a report or SBOM (needs --reason; recorded)", NULL },
	{ OPT_REASON, "reason", 0, MLS_OPT_REQARG, "TEXT", "why an override is justified (recorded as a tag)", NULL },
	{ OPT_CHECK, "check", 0, MLS_OPT_NOARG, NULL, "evaluate the gate only; contact no server", NULL },
	MLS_OPT_SECTION("Output"),
	{ MLS_OPT_FORMAT, "format", 0, MLS_OPT_REQARG, "text|json", "what stdout carries: a line of text or the JSON result", NULL },
	{ MLS_OPT_OUTPUT, "output", 'o', MLS_OPT_REQARG, "FILE", "write the JSON result to FILE, atomically", NULL },
	{ MLS_OPT_JSON_OUT, "json", 0, MLS_OPT_REQARG, "FILE", "write the gate's report (JSON envelope) to FILE", NULL },
	{ MLS_OPT_SARIF_OUT, "sarif", 0, MLS_OPT_REQARG, "FILE", "write the gate's report as SARIF 2.1.0 to FILE", NULL },
	{ MLS_OPT_JUNIT_OUT, "junit", 0, MLS_OPT_REQARG, "FILE", "write the gate's report as JUnit XML to FILE", NULL },
	{ MLS_OPT_FAIL_ON, "fail-on", 0, MLS_OPT_REQARG, "SEVERITY",
	  "refuse findings at or above SEVERITY: critical, high, medium, low or info (default medium)", NULL },
	MLS_OPT_INCLUDE(conn_opts),
	MLS_OPT_SECTION("General"),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_opt show_opts[] = {
	{ OPT_SHOW_VERSION, "version", 0, MLS_OPT_REQARG, "N", "the version to show (default: the latest)", NULL },
	{ OPT_SHOW_ALIAS, "alias", 0, MLS_OPT_REQARG, "ALIAS", "the version an alias points at", NULL },
	{ OPT_SHOW_FORMAT, "format", 0, MLS_OPT_REQARG, "text|json", "output format (default text)", NULL },
	MLS_OPT_INCLUDE(conn_opts),
	MLS_OPT_SECTION("General"),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const char footer[] =
	"The gate refuses a model when a report shows findings at or above --fail-on or is not complete,\n"
	"unless overridden (--allow-*, with --reason; recorded as tags).  A refused model creates nothing in\n"
	"MLflow.  Re-running for the same bytes and name reports the existing version.\n"
	"-o FILE writes the JSON result; --json/--sarif/--junit FILE write the gate's report.\n\n"
	"Environment: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD,\n"
	"MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH,\n"
	"MLFLOW_TRACKING_CLIENT_CERT_PATH, BUILD_URL, BUILD_USER_ID, NO_COLOR.\n\n"
	"Exit status: 0 registered (or already registered), 1 refused by the gate, 2 could not finish\n"
	"(server, network, authentication, I/O, missing report), 4 usage error.\n"
	"Also: mlflow-register show NAME [--version N | --alias A] [--format text|json]";

static const struct mls_cli register_cli = {
	"mlflow-register", MLS_VERSION,
	"[register] --model-file PATH --model-name NAME [OPTIONS]",
	"Registers a scanned model in MLflow behind the security gate: reads the avscan and modelscan-c reports "
	"and the SBOM, uploads the model, the SBOM and the reports as run artifacts (streamed, SHA-256 checked) "
	"and creates a model version carrying the digests and verdicts as tags.",
	register_opts, footer
};

static const struct mls_cli show_cli = {
	"mlflow-register show", MLS_VERSION, "NAME [--version N | --alias A] [--format text|json]",
	"Prints a registered model version's metadata, tags and artifact list.", show_opts,
	"Exit status: 0 shown, 2 not found or server error, 4 usage error."
};

struct ctx {
	struct mr_options *o;
	struct mls_output_opts out;
};

static int parse_seconds(double *out, const char *arg)
{
	double v;
	if (mls_parse_double(&v, arg) < 0 || v < 0 || v > 86400)
		return mls_error_set(MLS_EINVAL, "'%s' is not a number of seconds", arg);
	*out = v;
	return 0;
}

static int parse_kv(struct mr_kvs *k, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return mls_error_set(MLS_EINVAL, "'%s' is not KEY=VALUE", arg);
	char *key = strndup(arg, (size_t)(eq - arg));
	if (!key)
		return mls_error_set(MLS_ENOMEM, "out of memory");
	int rc = mr_kvs_set(k, key, eq + 1);
	free(key);
	return rc;
}

static int on_opt(int id, const char *arg, void *vctx)
{
	struct ctx *x = vctx;
	struct mr_options *o = x->o;
	int r = mls_output_apply_opt(&x->out, id, arg);
	if (r != 0)
		return r < 0 ? r : 0;
	switch (id) {
	case OPT_TRACKING_URI: o->tracking_uri = arg; break;
	case OPT_MODEL_FILE: o->model_file = arg; break;
	case OPT_MODEL_NAME: o->model_name = arg; break;
	case OPT_MODEL_CARD: o->model_card = arg; break;
	case OPT_AV_REPORT: o->gate.reports[MR_STAGE_AV] = arg; break;
	case OPT_SCAN_REPORT: o->gate.reports[MR_STAGE_MODELSCAN] = arg; break;
	case OPT_SBOM: o->gate.sbom = arg; break;
	case OPT_ALIAS: o->alias = arg; break;
	case OPT_EXPERIMENT: o->experiment = arg; break;
	case OPT_ALLOW_FINDINGS: o->gate.allow_findings = 1; break;
	case OPT_ALLOW_INCOMPLETE: o->gate.allow_incomplete = 1; break;
	case OPT_ALLOW_MISSING: o->gate.allow_missing = 1; break;
	case OPT_REASON: o->reason = arg; break;
	case OPT_BUILD_URL: o->build_url = arg; break;
	case OPT_TAG: return parse_kv(&o->tags, arg);
	case OPT_MODEL_TAG: return parse_kv(&o->model_tags, arg);
	case OPT_WAIT_TIMEOUT: return parse_seconds(&o->wait_timeout, arg);
	case OPT_VERIFY_DOWNLOAD: o->verify_download = 1; break;
	case OPT_CHECK: o->gate_only = 1; break;
	case OPT_CONNECT_TIMEOUT: return parse_seconds(&o->http.connect_timeout, arg);
	case OPT_TIMEOUT: return parse_seconds(&o->http.timeout, arg);
	case OPT_RETRIES: {
		uint64_t n;
		if (mls_parse_uint(&n, arg) < 0 || n > 100)
			return mls_error_set(MLS_EINVAL, "'%s' is not a number from 0 to 100", arg);
		o->http.retries = (int)n;
		break;
	}
	case OPT_SHOW_VERSION: o->show_version = arg; break;
	case OPT_SHOW_ALIAS: o->show_alias = arg; break;
	case OPT_SHOW_FORMAT:
		if (!strcmp(arg, "text"))
			o->format = MLS_FMT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = MLS_FMT_JSON;
		else
			return mls_error_set(MLS_EINVAL, "'%s' is not text or json", arg);
		break;
	default: break;
	}
	return 0;
}

static int usage(const char *tool, const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", tool, msg, tool);
	return MLS_EXIT_USAGE;
}

static int exit_for(int rc)
{
	if (rc == MR_REFUSED)
		return MLS_EXIT_FINDINGS;
	if (rc == 0)
		return MLS_EXIT_OK;
	mls_err("%s", mls_error_msg()[0] ? mls_error_msg() : mls_strerror(rc));
	return MLS_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	struct mr_options o;
	struct ctx x;
	int first = 0, rc, code;
	int show = argc > 1 && !strcmp(argv[1], "show");
	int sub = show || (argc > 1 && !strcmp(argv[1], "register"));

	mls_log_init("mlflow-register");
	mr_options_init(&o);
	mls_output_opts_init(&x.out);
	x.o = &o;
	mr_http_opts_from_env(&o.http);
	o.tracking_uri = getenv("MLFLOW_TRACKING_URI");
	if (o.tracking_uri && !*o.tracking_uri)
		o.tracking_uri = NULL;
	o.build_url = getenv("BUILD_URL");
	if (o.build_url && !*o.build_url)
		o.build_url = NULL;

	const struct mls_cli *cli = show ? &show_cli : &register_cli;
	rc = mls_opt_parse(cli, argc - sub, argv + sub, on_opt, &x, &first);
	if (rc == MLS_OPT_DONE) {
		code = MLS_EXIT_OK;
		goto done;
	}
	if (rc < 0) {
		code = MLS_EXIT_USAGE;
		goto done;
	}
	first += sub;
	if (!o.tracking_uri) {
		code = usage(cli->tool, "no MLflow server: use --tracking-uri URI or set MLFLOW_TRACKING_URI");
		goto done;
	}
	if (strncmp(o.tracking_uri, "http://", 7) && strncmp(o.tracking_uri, "https://", 8)) {
		char safe[1024];
		mls_redact_url(safe, sizeof(safe), o.tracking_uri);
		fprintf(stderr, "%s: tracking URI '%s' is not http(s)://: mlflow-register talks to an MLflow server\n",
			cli->tool, safe);
		code = usage(cli->tool, "bad --tracking-uri");
		goto done;
	}

	if (show) {
		if (first != argc - 1) {
			code = usage(cli->tool, first >= argc ? "missing registered model NAME" : "one NAME only");
			goto done;
		}
		if (o.show_version && o.show_alias) {
			code = usage(cli->tool, "--version and --alias exclude each other");
			goto done;
		}
		o.show_name = argv[first];
		code = exit_for(mr_show_run(&o));
		goto done;
	}

	if (first < argc) {
		char msg[512];
		snprintf(msg, sizeof(msg), "unexpected argument '%s'", argv[first]);
		code = usage(cli->tool, msg);
		goto done;
	}
	if (!o.model_file || !o.model_name) {
		code = usage(cli->tool, "--model-file and --model-name are required");
		goto done;
	}
	if (!*o.model_name) {
		code = usage(cli->tool, "--model-name is empty");
		goto done;
	}
	if ((o.gate.allow_findings || o.gate.allow_incomplete || o.gate.allow_missing) && (!o.reason || !*o.reason)) {
		code = usage(cli->tool, "--allow-findings, --allow-incomplete and --allow-missing-reports need --reason TEXT");
		goto done;
	}
	if (x.out.format != MLS_FMT_TEXT && x.out.format != MLS_FMT_JSON) {
		code = usage(cli->tool, "--format: the result is text or json (use --sarif/--junit FILE for the gate's report)");
		goto done;
	}
	o.format = x.out.format;
	o.result_path = x.out.output;
	o.json_path = x.out.json_path;
	o.sarif_path = x.out.sarif_path;
	o.junit_path = x.out.junit_path;
	o.gate.fail_on = x.out.fail_on;
	code = exit_for(mr_register_run(&o));
done:
	mr_options_release(&o);
	return code;
}
