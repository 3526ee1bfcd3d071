/*
 * hashsbom: thin entry point.  Picks the subcommand (hash, sbom, verify),
 * parses its option table and calls the module; exit codes follow
 * shared/DESIGN.md (0 ok, 1 mismatch/findings, 2 could not finish, 4 usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashsbom.h"

enum {
	OPT_ALGO = 1, OPT_JOBS, OPT_JSON, OPT_OUT, OPT_NAME, OPT_VERSION_STR, OPT_CARD, OPT_EVAL, OPT_REQ,
	OPT_SCAN, OPT_SPEC, OPT_MAX_INPUT, OPT_MAX_DEPTH, OPT_MAX_SBOM
};

static const char footer[] =
	"Exit status: 0 ok, 1 mismatch or findings (verify), 2 could not finish (unreadable or\n"
	"invalid input, a limit reached), 4 usage error.";

static const struct mls_opt hash_opts[] = {
	{ OPT_ALGO, "algo", 'a', MLS_OPT_REQARG, "ALGO", "sha256 (default) or sha512", NULL },
	{ OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files hashed in parallel (default: online CPUs)", NULL },
	{ OPT_JSON, "json", 0, MLS_OPT_NOARG, NULL, "write JSON instead of sha256sum lines", NULL },
	{ OPT_OUT, "output", 'o', MLS_OPT_REQARG, "FILE", "write to FILE (atomically) instead of stdout", NULL },
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_opt sbom_opts[] = {
	{ OPT_NAME, "name", 0, MLS_OPT_REQARG, "NAME", "model name (default: the card's, else the file name)", NULL },
	{ OPT_VERSION_STR, "version", 0, MLS_OPT_REQARG, "V", "model version (default: the card's)", NULL },
	{ OPT_CARD, "model-card", 0, MLS_OPT_REQARG, "FILE", "Hugging Face README (YAML front matter) or JSON card", NULL },
	{ OPT_EVAL, "eval", 0, MLS_OPT_REQARG, "FILE", "evaluation metrics (JSON)", NULL },
	{ OPT_REQ, "requirements", 0, MLS_OPT_REQARG, "FILE", "pip requirements file (PEP 508, -r/-c includes)", NULL },
	{ OPT_SCAN, "scan-report", 0, MLS_OPT_REQARG, "FILE", "avscan / modelscan-c JSON report (repeatable)", NULL },
	{ OPT_SPEC, "spec-version", 0, MLS_OPT_REQARG, "V", "CycloneDX version: 1.6 (default) or 1.7", NULL },
	{ OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files hashed in parallel (default: online CPUs)", NULL },
	{ OPT_OUT, "output", 'o', MLS_OPT_REQARG, "FILE", "write the BOM to FILE (atomically) instead of stdout", NULL },
	{ OPT_MAX_INPUT, "max-input-size", 0, MLS_OPT_REQARG, "SIZE", "largest card/eval/requirements/report (default 16M)", NULL },
	{ OPT_MAX_DEPTH, "max-depth", 0, MLS_OPT_REQARG, "N", "deepest JSON/YAML nesting accepted (default 64)", NULL },
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_opt verify_opts[] = {
	{ OPT_JOBS, "jobs", 'j', MLS_OPT_REQARG, "N", "files hashed in parallel (default: online CPUs)", NULL },
	{ OPT_MAX_SBOM, "max-sbom-size", 0, MLS_OPT_REQARG, "SIZE", "largest SBOM accepted (default 256M)", NULL },
	MLS_OPT_INCLUDE(mls_report_opts),
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

static const struct mls_opt top_opts[] = {
	MLS_OPT_INCLUDE(mls_log_opts),
	MLS_OPT_END
};

struct cli_state {
	struct hs_hash_opts hash;
	struct hs_sbom_opts sbom;
	struct hs_verify_opts verify;
	const char **scans;
	size_t nscans;
};

static int parse_jobs(int *out, const char *arg)
{
	uint64_t v;
	if (mls_parse_uint(&v, arg) < 0 || v < 1 || v > 256)
		return mls_error_set(MLS_EINVAL, "expected a number from 1 to 256, got '%s'", arg);
	*out = (int)v;
	return 0;
}

static int on_hash_opt(int id, const char *arg, void *ctx)
{
	struct hs_hash_opts *o = &((struct cli_state *)ctx)->hash;
	switch (id) {
	case OPT_ALGO: return mls_hash_parse_name(&o->algo, arg);
	case OPT_JOBS: return parse_jobs(&o->jobs, arg);
	case OPT_JSON: o->json = 1; return 0;
	case OPT_OUT: o->output = arg; return 0;
	}
	return 0;
}

static int on_sbom_opt(int id, const char *arg, void *ctx)
{
	struct cli_state *st = ctx;
	struct hs_sbom_opts *o = &st->sbom;
	uint64_t v;

	switch (id) {
	case OPT_NAME: o->name = arg; return 0;
	case OPT_VERSION_STR: o->version = arg; return 0;
	case OPT_CARD: o->card = arg; return 0;
	case OPT_EVAL: o->eval = arg; return 0;
	case OPT_REQ: o->requirements = arg; return 0;
	case OPT_SCAN: {
		const char **p = realloc(st->scans, (st->nscans + 1) * sizeof(*p));
		if (!p)
			return mls_error_set(MLS_ENOMEM, "out of memory");
		st->scans = p;
		st->scans[st->nscans++] = arg;
		return 0;
	}
	case OPT_SPEC:
		if (strcmp(arg, "1.6") != 0 && strcmp(arg, "1.7") != 0)
			return mls_error_set(MLS_EINVAL, "expected 1.6 or 1.7, got '%s'", arg);
		o->spec_version = arg;
		return 0;
	case OPT_JOBS: return parse_jobs(&o->jobs, arg);
	case OPT_OUT: o->output = arg; return 0;
	case OPT_MAX_INPUT:
		if (mls_parse_size(&v, arg) < 0 || v == 0)
			return mls_error_set(MLS_EINVAL, "expected a size such as 16M, got '%s'", arg);
		o->max_input = v;
		return 0;
	case OPT_MAX_DEPTH:
		if (mls_parse_uint(&v, arg) < 0 || v < 1 || v > 1000)
			return mls_error_set(MLS_EINVAL, "expected a number from 1 to 1000, got '%s'", arg);
		o->max_depth = (unsigned)v;
		return 0;
	}
	return 0;
}

static int on_verify_opt(int id, const char *arg, void *ctx)
{
	struct hs_verify_opts *o = &((struct cli_state *)ctx)->verify;
	uint64_t v;
	int rc = mls_output_apply_opt(&o->out, id, arg);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (id) {
	case OPT_JOBS: return parse_jobs(&o->jobs, arg);
	case OPT_MAX_SBOM:
		if (mls_parse_size(&v, arg) < 0 || v == 0)
			return mls_error_set(MLS_EINVAL, "expected a size such as 256M, got '%s'", arg);
		o->max_sbom = v;
		return 0;
	}
	return 0;
}

static int usage(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", HS_TOOL, msg, HS_TOOL);
	return MLS_EXIT_USAGE;
}

static const struct mls_cli top_cli = {
	HS_TOOL, MLS_VERSION, "COMMAND [OPTIONS] ARGS...",
	"Hashes model files, writes CycloneDX ML-BOMs and verifies them.\n\n"
	"Commands:\n"
	"  hash PATH...        SHA-256/512 of files and directories (sha256sum format or JSON)\n"
	"  sbom MODEL          CycloneDX 1.6/1.7 JSON ML-BOM of a model file or directory\n"
	"  verify SBOM [MODEL] recompute every hash in a BOM and check its structure\n\n"
	"Run 'hashsbom COMMAND --help' for a command's options.",
	top_opts, footer
};

int main(int argc, char **argv)
{
	struct cli_state st;
	int first = 0, rc;
	const char *cmd;

	memset(&st, 0, sizeof(st));
	mls_log_init(HS_TOOL);
	if (argc < 2)
		return usage("missing command (hash, sbom or verify)");
	cmd = argv[1];
	if (cmd[0] == '-') {
		rc = mls_opt_parse(&top_cli, argc, argv, NULL, NULL, &first);
		if (rc == MLS_OPT_DONE)
			return MLS_EXIT_OK;
		if (rc < 0)
			return MLS_EXIT_USAGE;
		return usage("missing command (hash, sbom or verify)");
	}
	if (strcmp(cmd, "hash") == 0) {
		static const struct mls_cli cli = {
			HS_TOOL " hash", MLS_VERSION, "[OPTIONS] PATH...",
			"Prints the digest of each file, in the format of sha256sum (so that\n"
			"'sha256sum --check' accepts it), or JSON.  Directories are walked in sorted\n"
			"order; each also gets a manifest digest (stderr note, JSON 'manifests').",
			hash_opts, footer
		};
		st.hash.algo = MLS_SHA256;
		st.hash.jobs = mls_default_jobs();
		rc = mls_opt_parse(&cli, argc - 1, argv + 1, on_hash_opt, &st, &first);
		if (rc == MLS_OPT_DONE)
			return MLS_EXIT_OK;
		if (rc < 0)
			return MLS_EXIT_USAGE;
		if (first + 1 >= argc)
			return usage("hash: missing PATH");
		st.hash.paths = argv + 1 + first;
		st.hash.npaths = (size_t)(argc - 1 - first);
		return hs_hash_run(&st.hash);
	}
	if (strcmp(cmd, "sbom") == 0) {
		static const struct mls_cli cli = {
			HS_TOOL " sbom", MLS_VERSION, "MODEL [OPTIONS]",
			"Writes a CycloneDX JSON ML-BOM for MODEL (a file or a directory): the model\n"
			"component with its hashes and model card, one file component per file,\n"
			"library components from requirements, and the results of scan reports.",
			sbom_opts, footer
		};
		st.sbom.spec_version = "1.6";
		st.sbom.jobs = mls_default_jobs();
		st.sbom.max_input = HS_DEFAULT_MAX_INPUT;
		st.sbom.max_depth = HS_DEFAULT_MAX_DEPTH;
		rc = mls_opt_parse(&cli, argc - 1, argv + 1, on_sbom_opt, &st, &first);
		if (rc == MLS_OPT_DONE) {
			free(st.scans);
			return MLS_EXIT_OK;
		}
		if (rc < 0) {
			free(st.scans);
			return MLS_EXIT_USAGE;
		}
		if (argc - 1 - first != 1) {
			free(st.scans);
			return usage(first + 1 >= argc ? "sbom: missing MODEL" : "sbom: expected exactly one MODEL");
		}
		st.sbom.model = argv[1 + first];
		st.sbom.scan_reports = st.scans;
		st.sbom.nscan_reports = st.nscans;
		rc = hs_sbom_run(&st.sbom);
		free(st.scans);
		return rc;
	}
	if (strcmp(cmd, "verify") == 0) {
		static const struct mls_cli cli = {
			HS_TOOL " verify", MLS_VERSION, "SBOM [MODEL] [OPTIONS]",
			"Recomputes every file hash in a CycloneDX BOM written by 'hashsbom sbom' (or\n"
			"another tool) and checks its structure.  Relative paths are resolved against\n"
			"MODEL (a directory, or the model file) or else the SBOM's own directory.",
			verify_opts, footer
		};
		mls_output_opts_init(&st.verify.out);
		st.verify.jobs = mls_default_jobs();
		st.verify.max_sbom = HS_DEFAULT_MAX_SBOM;
		rc = mls_opt_parse(&cli, argc - 1, argv + 1, on_verify_opt, &st, &first);
		if (rc == MLS_OPT_DONE)
			return MLS_EXIT_OK;
		if (rc < 0)
			return MLS_EXIT_USAGE;
		int npos = argc - 1 - first;
		if (npos < 1 || npos > 2)
			return usage(npos < 1 ? "verify: missing SBOM" : "verify: expected SBOM [MODEL]");
		st.verify.sbom = argv[1 + first];
		st.verify.model = npos == 2 ? argv[2 + first] : NULL;
		return hs_verify_run(&st.verify);
	}
	return usage("unknown command (expected hash, sbom or verify)");
}
