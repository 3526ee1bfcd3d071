package org.mlsecops

/*
 * Stage "SBOM": hashsbom sbom writes a CycloneDX ML-BOM with the SHA-256 of
 * every model file to <reportsDir>/sbom.cdx.json, embedding the scan reports
 * of the earlier stages when they exist.
 *
 * Arguments: path (required), name, version, modelCard (file), eval (file),
 * requirements (file), scanReports (List; default: <reportsDir>/av.json and
 * modelscan.json if present), specVersion, reportsDir, bin, extraArgs,
 * failBuild (default true).
 */
class HashSbom implements Serializable {
    private static final long serialVersionUID = 1L
    static final String STAGE = 'SBOM'

    def steps

    HashSbom(def steps) {
        this.steps = steps
    }

    List command(Map a, ToolRunner t) {
        String dir = t.reportsDir(a)
        List args = [t.tool(a, 'hashsbom'), 'sbom', Shell.pathArg(a.path.toString())]
        ToolRunner.opt(args, '--name', a.name)
        ToolRunner.opt(args, '--version', a.version)
        ToolRunner.opt(args, '--model-card', a.modelCard)
        ToolRunner.opt(args, '--eval', a.eval)
        ToolRunner.opt(args, '--requirements', a.requirements)
        List<String> scans = ToolRunner.list(a.scanReports)
        if (a.scanReports == null) {
            for (String f : [dir + '/av.json', dir + '/modelscan.json']) {
                if (steps.fileExists(f)) {
                    scans.add(f)
                }
            }
        }
        for (String s : scans) {
            args.add('--scan-report')
            args.add(s)
        }
        ToolRunner.opt(args, '--spec-version', a.specVersion)
        args.addAll(ToolRunner.list(a.extraArgs))
        args.addAll(['-o', dir + '/sbom.cdx.json'])
        return args
    }

    Map run(Map a) {
        ToolRunner t = new ToolRunner(steps)
        if (!a.path) {
            t.fail(STAGE, 'error at ' + STAGE + ': hashSbom needs path')
        }
        List args = command(a, t)
        t.ensureDir(t.reportsDir(a))
        int code = t.run('hashsbom sbom ' + a.path, args)
        Map r = t.conclude(STAGE, 'hashsbom', code, null, a)
        r.sbom = t.reportsDir(a) + '/sbom.cdx.json'
        return r
    }
}
