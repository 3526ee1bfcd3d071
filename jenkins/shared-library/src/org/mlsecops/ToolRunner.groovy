package org.mlsecops

/*
 * What every stage shares: where the tools and reports are, running a tool
 * through `sh(returnStatus: true)`, reading its JSON report, and turning the
 * exit code into the stage's outcome (ExitCodes).  The outcome of each stage
 * is also kept in environment variables (MLSECOPS_STAGE_<NAME>, MLSECOPS_STAGES,
 * MLSECOPS_FAILURE) so that a later `post` section can summarise the build.
 *
 * `steps` is the pipeline script (`this` in a vars/ step): every Jenkins step
 * is called on it, which lets plain Groovy tests pass a recording fake.
 */
class ToolRunner implements Serializable {
    private static final long serialVersionUID = 1L

    static final List<String> THRESHOLDS = ['critical', 'high', 'medium', 'low']
    static final String DEFAULT_REPORTS_DIR = 'reports'

    def steps

    ToolRunner(def steps) {
        this.steps = steps
    }

    /* The command for a tool: <bin>/<name> when args.bin or $MLS_BIN is set, else the name (found on PATH). */
    String tool(Map a, String name) {
        String bin = a.bin ? a.bin.toString() : steps.env.MLS_BIN
        if (bin) {
            return bin.replaceAll('/+$', '') + '/' + name
        }
        return name
    }

    String reportsDir(Map a) {
        return a.reportsDir ? a.reportsDir.toString().replaceAll('/+$', '') : DEFAULT_REPORTS_DIR
    }

    /* The --fail-on threshold: args.failOn, else $MLSECOPS_FAIL_ON, else medium; anything else is a usage error. */
    String failOn(Map a, String stage) {
        String v = a.failOn ? a.failOn.toString() : (steps.env.MLSECOPS_FAIL_ON ?: 'medium')
        v = v.trim().toLowerCase()
        if (!THRESHOLDS.contains(v)) {
            fail(stage, 'error at ' + stage + ": invalid failOn '" + v + "' (expected " + THRESHOLDS.join('|') + ')')
        }
        return v
    }

    /* Makes sure the reports directory exists. */
    void ensureDir(String dir) {
        steps.sh(script: 'mkdir -p ' + Shell.quote(dir), label: 'mkdir ' + dir)
    }

    /* Runs one tool; returns its exit status (never throws for a non-zero status). */
    int run(String label, List args) {
        Object code = steps.sh(script: Shell.join(args), returnStatus: true, label: label)
        return (code as Integer).intValue()
    }

    /* The parsed JSON report, or null if it is missing or unreadable. */
    def readReport(String file) {
        if (file == null || !steps.fileExists(file)) {
            return null
        }
        try {
            return steps.readJSON(file: file)
        } catch (Exception e) {
            steps.echo('mlsecops: cannot read ' + file + ': ' + e.getMessage())
            return null
        }
    }

    /*
     * Maps a tool's exit code to the stage outcome and acts on it:
     * 0 passes; 1 fails the build as "blocked at <stage>: <findings>";
     * anything else fails it as "error at <stage>: ...".  With failBuild: false
     * the result map is returned instead of failing (the caller decides).
     */
    Map conclude(String stage, String toolName, int code, def report, Map a) {
        String outcome = ExitCodes.outcome(code)
        Map r = [stage: stage, tool: toolName, exitCode: code, outcome: outcome,
                 verdict: Report.verdict(report), status: Report.status(report), message: null]
        String label
        String message = null
        if (outcome == ExitCodes.PASSED) {
            label = r.verdict ?: 'ok'
        } else if (outcome == ExitCodes.BLOCKED) {
            String found = Report.findingsText(report, 5)
            String counts = Report.countsText(report)
            if (!found) {
                found = Report.problemsText(report, 3) ?: (toolName + ' exited 1 (' + ExitCodes.meaning(code) + ')')
            }
            message = 'blocked at ' + stage + ': ' + found
            label = 'blocked' + (counts ? ' (' + counts + ')' : '')
        } else {
            String problems = Report.problemsText(report, 3)
            message = 'error at ' + stage + ': ' + toolName + ' exited ' + code + ' (' + ExitCodes.meaning(code) + ')' +
                    (problems ? ': ' + problems : '')
            label = 'error (exit ' + code + ')'
        }
        r.summary = label
        r.message = message
        record(stage, label)
        if (message == null) {
            steps.echo(stage + ': ' + label)
            return r
        }
        if (a.failBuild == false) {
            steps.echo(message)
            return r
        }
        fail(stage, message)
        return r
    }

    /* Records a stage's one-word-or-so summary for the build description. */
    void record(String stage, String label) {
        String key = envKey(stage)
        steps.env.setProperty(key, label)
        String list = steps.env.MLSECOPS_STAGES ?: ''
        List<String> names = list ? list.split(',') as List<String> : []
        if (!names.contains(stage)) {
            names.add(stage)
        }
        steps.env.setProperty('MLSECOPS_STAGES', names.join(','))
    }

    /* Fails the build with message (kept as the first failure for the summary). */
    void fail(String stage, String message) {
        if (!steps.env.MLSECOPS_FAILURE) {
            steps.env.setProperty('MLSECOPS_FAILURE', message)
        }
        steps.error(message)
    }

    static String envKey(String stage) {
        return 'MLSECOPS_STAGE_' + stage.toUpperCase().replaceAll('[^A-Z0-9]+', '_')
    }

    /* Adds "--flag value" when value is set. */
    static void opt(List args, String flag, Object value) {
        if (value != null && value.toString().length() > 0) {
            args.add(flag)
            args.add(value.toString())
        }
    }

    /* Normalises a String-or-List argument into a List of Strings. */
    static List<String> list(Object v) {
        List<String> out = []
        if (v == null) {
            return out
        }
        if (v instanceof Collection) {
            for (Object o : (Collection) v) {
                if (o != null && o.toString().length() > 0) {
                    out.add(o.toString())
                }
            }
        } else if (v.toString().length() > 0) {
            out.add(v.toString())
        }
        return out
    }
}
