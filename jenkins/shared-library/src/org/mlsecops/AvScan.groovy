package org.mlsecops

/*
 * Stage "AV Scan": avscan (libclamav) over the model file or directory.
 * Writes <reportsDir>/av.json, av.sarif and av.junit.xml.
 *
 * Arguments: path (required), failOn, reportsDir, bin, databases (-d, String
 * or List; default: the tool's /var/lib/clamav), signatures, noSystemDb,
 * recursive (default true), extraArgs (List), failBuild (default true).
 * $MLSECOPS_CLAMAV_DB (a directory) and $MLSECOPS_AVSCAN_ARGS (whitespace-
 * separated options) let an operator set these for every job.
 */
class AvScan implements Serializable {
    private static final long serialVersionUID = 1L
    static final String STAGE = 'AV Scan'

    def steps

    AvScan(def steps) {
        this.steps = steps
    }

    List command(Map a, ToolRunner t) {
        String dir = t.reportsDir(a)
        List args = [t.tool(a, 'avscan')]
        if (a.recursive != false) {
            args.add('--recursive')
        }
        args.addAll(['--format', 'text', '--json', dir + '/av.json', '--sarif', dir + '/av.sarif',
                     '--junit', dir + '/av.junit.xml', '--fail-on', t.failOn(a, STAGE)])
        List<String> dbs = ToolRunner.list(a.databases)
        if (dbs.isEmpty()) {
            dbs = ToolRunner.list(steps.env.MLSECOPS_CLAMAV_DB)
        }
        for (String d : dbs) {
            args.add('--database')
            args.add(d)
        }
        ToolRunner.opt(args, '--signatures', a.signatures)
        if (a.noSystemDb == true) {
            args.add('--no-system-db')
        }
        args.addAll(Shell.words(steps.env.MLSECOPS_AVSCAN_ARGS))
        args.addAll(ToolRunner.list(a.extraArgs))
        args.add(Shell.pathArg(a.path.toString()))
        return args
    }

    Map run(Map a) {
        ToolRunner t = new ToolRunner(steps)
        if (!a.path) {
            t.fail(STAGE, 'error at ' + STAGE + ': avScan needs path')
        }
        List args = command(a, t)
        t.ensureDir(t.reportsDir(a))
        int code = t.run('avscan ' + a.path, args)
        return t.conclude(STAGE, 'avscan', code, t.readReport(t.reportsDir(a) + '/av.json'), a)
    }
}
