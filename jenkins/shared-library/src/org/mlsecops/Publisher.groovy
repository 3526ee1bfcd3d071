package org.mlsecops

/*
 * Publishes what the stages wrote under the reports directory, whatever the
 * build's outcome: JUnit XML to the test view (the gate, not the test count,
 * decides the build result, so junit never marks the build unstable), SARIF to
 * the warnings view (warnings-ng recordIssues), every report and the SBOM as
 * artifacts, and a short summary (verdict per stage, MLflow version link, the
 * reason of a block) as the build description.
 *
 * Arguments: reportsDir, descriptionFormat ('html', the default, for the Safe
 * HTML markup formatter; or 'text'), sarifId / sarifName for recordIssues.
 * One publisher failing (say, a plugin missing) does not stop the others.
 */
class Publisher implements Serializable {
    private static final long serialVersionUID = 1L
    static final List<String> STAGE_ORDER = ['Prepare', 'AV Scan', 'Model Scan', 'SBOM', 'Register']

    def steps

    Publisher(def steps) {
        this.steps = steps
    }

    String publish(Map a) {
        ToolRunner t = new ToolRunner(steps)
        String dir = t.reportsDir(a)
        safely('junit') {
            steps.junit(testResults: dir + '/*.junit.xml', allowEmptyResults: true, skipMarkingBuildUnstable: true)
        }
        safely('recordIssues') {
            steps.recordIssues(enabledForFailure: true, skipPublishingChecks: true,
                    tools: [steps.sarif(pattern: dir + '/*.sarif', id: a.sarifId ?: 'mlsecops', name: a.sarifName ?: 'MLSecOps')])
        }
        safely('archiveArtifacts') {
            steps.archiveArtifacts(artifacts: dir + '/**', allowEmptyArchive: true, fingerprint: true)
        }
        String text = description(a.descriptionFormat == 'text')
        steps.currentBuild.description = text
        return text
    }

    /* Runs one publisher; a failure is logged, except an interruption (abort), which propagates. */
    private void safely(String what, Closure body) {
        try {
            body.call()
        } catch (InterruptedException e) {
            throw e
        } catch (Exception e) {
            steps.echo('mlsecops: ' + what + ' failed: ' + e.getMessage())
        }
    }

    /*
     * The build description from the stage records: a first line saying
     * REGISTERED (with the MLflow version and its link), BLOCKED or ERROR (with
     * the stage and finding), or PASSED; then the verdict of each stage.
     */
    String description(boolean plain) {
        def env = steps.env
        String failure = env.MLSECOPS_FAILURE ?: ''
        String head
        if (failure) {
            String word = failure.startsWith('blocked') ? 'BLOCKED' : 'ERROR'
            String rest = failure.replaceFirst('^(blocked|error) ', '')
            head = plain ? word + ' ' + rest : '<b>' + word + '</b> ' + Report.html(rest)
        } else if (env.MLSECOPS_MLFLOW_VERSION) {
            String what = env.MLSECOPS_MLFLOW_NAME + ' version ' + env.MLSECOPS_MLFLOW_VERSION
            String alias = env.MLSECOPS_MLFLOW_ALIAS ? ' (alias ' + env.MLSECOPS_MLFLOW_ALIAS + ')' : ''
            String url = env.MLSECOPS_MLFLOW_URL ?: ''
            if (plain) {
                head = 'REGISTERED ' + what + alias + (url ? ' ' + url : '')
            } else {
                head = '<b>REGISTERED</b> ' + (url ? '<a href="' + Report.html(url) + '">' + Report.html(what) + '</a>'
                        : Report.html(what)) + Report.html(alias)
            }
        } else if (env.MLSECOPS_STAGES) {
            head = plain ? 'PASSED' : '<b>PASSED</b>'
        } else {
            head = plain ? 'NOT RUN' : '<b>NOT RUN</b>'
        }
        List<String> parts = []
        for (String stage : stageNames(env.MLSECOPS_STAGES ?: '')) {
            String v = env.getProperty(ToolRunner.envKey(stage))
            if (v) {
                parts.add(plain ? stage + ': ' + v : Report.html(stage + ': ' + v))
            }
        }
        String sep = plain ? ' | ' : ' &middot; '
        String nl = plain ? '\n' : '<br>'
        return parts.isEmpty() ? head : head + nl + parts.join(sep)
    }

    /* Recorded stage names, the known ones in pipeline order first. */
    private static List<String> stageNames(String recorded) {
        List<String> got = recorded ? recorded.split(',') as List<String> : []
        List<String> out = []
        for (String s : STAGE_ORDER) {
            if (got.contains(s)) {
                out.add(s)
            }
        }
        for (String s : got) {
            if (!out.contains(s)) {
                out.add(s)
            }
        }
        return out
    }
}
