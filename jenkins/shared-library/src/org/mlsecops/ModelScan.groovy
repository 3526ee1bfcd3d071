package org.mlsecops

/*
 * Stage "Model Scan": modelscan-c (static model-format scanner) over the model.
 * Writes <reportsDir>/modelscan.json, modelscan.sarif and modelscan.junit.xml.
 * Exit 3 (no file of a supported kind) is an error: an unscanned model is never
 * passed as clean.
 *
 * Arguments: path (required), failOn, reportsDir, bin, policy (file), strict,
 * showSkipped, extraArgs (List), failBuild (default true).
 * $MLSECOPS_MODELSCAN_ARGS adds whitespace-separated options for every job.
 */
class ModelScan implements Serializable {
    private static final long serialVersionUID = 1L
    static final String STAGE = 'Model Scan'

    def steps

    ModelScan(def steps) {
        this.steps = steps
    }

    List command(Map a, ToolRunner t) {
        String dir = t.reportsDir(a)
        List args = [t.tool(a, 'modelscan-c'), '--format', 'text',
                     '--json', dir + '/modelscan.json', '--sarif', dir + '/modelscan.sarif',
                     '--junit', dir + '/modelscan.junit.xml', '--fail-on', t.failOn(a, STAGE)]
        ToolRunner.opt(args, '--policy', a.policy)
        if (a.strict == true) {
            args.add('--strict')
        }
        if (a.showSkipped == true) {
            args.add('--show-skipped')
        }
        args.addAll(Shell.words(steps.env.MLSECOPS_MODELSCAN_ARGS))
        args.addAll(ToolRunner.list(a.extraArgs))
        args.add(Shell.pathArg(a.path.toString()))
        return args
    }

    Map run(Map a) {
        ToolRunner t = new ToolRunner(steps)
        if (!a.path) {
            t.fail(STAGE, 'error at ' + STAGE + ': modelScan needs path')
        }
        List args = command(a, t)
        t.ensureDir(t.reportsDir(a))
        int code = t.run('modelscan-c ' + a.path, args)
        return t.conclude(STAGE, 'modelscan-c', code, t.readReport(t.reportsDir(a) + '/modelscan.json'), a)
    }
}
