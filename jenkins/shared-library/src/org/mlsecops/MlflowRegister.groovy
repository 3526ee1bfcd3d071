package org.mlsecops

/*
 * Stage "Register": mlflow-register gates the model on the earlier reports and,
 * if they pass, registers it in the MLflow Model Registry.  The result
 * (name, version, run_id, status, url) goes to <reportsDir>/register.json, the
 * gate's own report to gate.json, gate.sarif and gate.junit.xml.
 * Exit 1 means the gate refused the model ("blocked at Register: <reason>").
 *
 * Arguments: path and name (required), trackingUri (default: the tool reads
 * $MLFLOW_TRACKING_URI), modelCard (file or text), alias, experiment, failOn,
 * avReport / scanReport / sbom (default: the files of the earlier stages when
 * present), buildUrl (default $BUILD_URL), tags (Map or List of K=V),
 * allowFindings, allowIncomplete, allowMissingReports, reason,
 * credentialsId (default 'mlflow-credentials'; '' for none): a Jenkins
 * username/password credential bound to MLFLOW_TRACKING_USERNAME/PASSWORD.
 * A missing credential is not an error (the server may not need one).
 * reportsDir, bin, extraArgs, failBuild (default true).
 */
class MlflowRegister implements Serializable {
    private static final long serialVersionUID = 1L
    static final String STAGE = 'Register'
    static final String DEFAULT_CREDENTIALS = 'mlflow-credentials'

    def steps

    MlflowRegister(def steps) {
        this.steps = steps
    }

    List command(Map a, ToolRunner t) {
        String dir = t.reportsDir(a)
        List args = [t.tool(a, 'mlflow-register'), 'register',
                     '--model-file', a.path.toString(), '--model-name', a.name.toString()]
        ToolRunner.opt(args, '--tracking-uri', a.trackingUri)
        ToolRunner.opt(args, '--model-card', a.modelCard)
        ToolRunner.opt(args, '--av-report', report(a.avReport, dir + '/av.json'))
        ToolRunner.opt(args, '--scan-report', report(a.scanReport, dir + '/modelscan.json'))
        ToolRunner.opt(args, '--sbom', report(a.sbom, dir + '/sbom.cdx.json'))
        ToolRunner.opt(args, '--alias', a.alias)
        ToolRunner.opt(args, '--experiment', a.experiment)
        args.addAll(['--fail-on', t.failOn(a, STAGE)])
        if (a.allowFindings == true) {
            args.add('--allow-findings')
        }
        if (a.allowIncomplete == true) {
            args.add('--allow-incomplete')
        }
        if (a.allowMissingReports == true) {
            args.add('--allow-missing-reports')
        }
        ToolRunner.opt(args, '--reason', a.reason)
        ToolRunner.opt(args, '--build-url', a.buildUrl ?: steps.env.BUILD_URL)
        for (String kv : tagList(a.tags)) {
            args.add('--tag')
            args.add(kv)
        }
        args.addAll(ToolRunner.list(a.extraArgs))
        args.addAll(['--format', 'text', '--json', dir + '/gate.json', '--sarif', dir + '/gate.sarif',
                     '--junit', dir + '/gate.junit.xml', '-o', dir + '/register.json'])
        return args
    }

    /* An explicit report path, else the default one when that file exists. */
    private String report(Object explicit, String fallback) {
        if (explicit != null) {
            return explicit.toString()
        }
        return steps.fileExists(fallback) ? fallback : null
    }

    private static List<String> tagList(Object tags) {
        List<String> out = []
        if (tags instanceof Map) {
            for (Object k : ((Map) tags).keySet()) {
                out.add(k.toString() + '=' + ((Map) tags).get(k))
            }
        } else {
            out.addAll(ToolRunner.list(tags))
        }
        return out
    }

    Map run(Map a) {
        ToolRunner t = new ToolRunner(steps)
        if (!a.path || !a.name) {
            t.fail(STAGE, 'error at ' + STAGE + ': mlflowRegister needs path and name')
        }
        List args = command(a, t)
        String dir = t.reportsDir(a)
        t.ensureDir(dir)
        String label = 'mlflow-register ' + a.name
        String credentialsId = (a.credentialsId == null) ? DEFAULT_CREDENTIALS : a.credentialsId.toString()
        int code = withMlflowCredentials(credentialsId) {
            return t.run(label, args)
        }
        def result = t.readReport(dir + '/register.json')
        def gate = t.readReport(dir + '/gate.json')
        Map r = t.conclude(STAGE, 'mlflow-register', code, gate != null ? gate : result, a)
        r.name = Report.str(Report.field(result, 'name')) ?: a.name.toString()
        r.version = Report.str(Report.field(result, 'version'))
        r.runId = Report.str(Report.field(result, 'run_id'))
        r.url = Report.str(Report.field(result, 'url'))
        if (r.version) {
            steps.env.setProperty('MLSECOPS_MLFLOW_NAME', r.name)
            steps.env.setProperty('MLSECOPS_MLFLOW_VERSION', r.version)
            steps.env.setProperty('MLSECOPS_MLFLOW_URL', r.url ?: versionUrl(r.name, r.version))
            if (a.alias) {
                steps.env.setProperty('MLSECOPS_MLFLOW_ALIAS', a.alias.toString())
            }
            steps.echo('Register: ' + r.name + ' version ' + r.version + ' ' + steps.env.MLSECOPS_MLFLOW_URL)
        }
        return r
    }

    /* The MLflow UI page of a model version, from $MLFLOW_TRACKING_URI. */
    String versionUrl(String name, String version) {
        String base = steps.env.MLFLOW_TRACKING_URI ?: ''
        return base.replaceAll('/+$', '') + '/#/models/' + URLEncoder.encode(name, 'UTF-8').replace('+', '%20') +
                '/versions/' + version
    }

    /*
     * Runs body with MLFLOW_TRACKING_USERNAME/PASSWORD bound from the Jenkins
     * credential credentialsId.  If that credential does not exist, runs body
     * without it (a server without authentication needs none); the body never
     * runs twice.
     */
    private def withMlflowCredentials(String credentialsId, Closure body) {
        if (!credentialsId) {
            return body.call()
        }
        boolean started = false
        try {
            return steps.withCredentials([steps.usernamePassword(credentialsId: credentialsId,
                    usernameVariable: 'MLFLOW_TRACKING_USERNAME', passwordVariable: 'MLFLOW_TRACKING_PASSWORD')]) {
                started = true
                return body.call()
            }
        } catch (Exception e) {
            if (started || !isMissingCredential(e)) {
                throw e
            }
            steps.echo("Register: no Jenkins credential '" + credentialsId + "'; calling MLflow without authentication")
            return body.call()
        }
    }

    private static boolean isMissingCredential(Exception e) {
        String cls = e.getClass().getName()
        String msg = e.getMessage() ?: ''
        return cls.endsWith('CredentialNotFoundException') || msg.contains('Could not find credentials entry')
    }
}
