package jenkinstest

import groovy.json.JsonOutput

/*
 * Base class of the Groovy tests: a scratch workspace per test, a FakeSteps on
 * it, the library's vars loaded through a Harness, and report writers that
 * produce the JSON envelope the tools write (shared/DESIGN.md).
 */
class TestSupport {
    static File repo = new File(System.getProperty('mls.repo', '.')).canonicalFile
    File ws
    FakeSteps steps
    Harness harness

    void setUp() {
        ws = File.createTempDir('mls-jenkins-', '')
        steps = new FakeSteps(ws)
        harness = new Harness(repo, steps)
    }

    void tearDown() {
        if (ws != null && System.getenv('MLS_KEEP_SCRATCH') == null) {
            ws.deleteDir()
        }
    }

    /* The object a vars/ step runs with: what the library receives as `steps`. */
    Script script() {
        return harness.vars.get('avScan')
    }

    /* Writes a report envelope with the given findings to reports/<name>. */
    void writeReport(String name, String verdict, List<Map> findings, Map extra = [:]) {
        Map counts = [critical: 0, high: 0, medium: 0, low: 0, info: 0]
        for (Map f : findings) {
            counts[f.severity] = counts[f.severity] + 1
        }
        Map r = [schema: 'mlsecops-report/1', tool: [name: 'x', version: '0'], target: 'm',
                 status: verdict == 'unknown' ? 'incomplete' : 'complete', verdict: verdict,
                 summary: [files: [scanned: 1, skipped: 0, failed: 0], findings: counts],
                 files: [], findings: findings, errors: []] + extra
        File f = new File(ws, 'reports/' + name)
        f.parentFile.mkdirs()
        f.text = JsonOutput.toJson(r)
    }

    /* sh handler: exit codes by tool name (first word of the command), writing the given files first. */
    Closure exits(Map<String, Integer> codes, Map<String, Closure> sideEffects = [:]) {
        return { Map a, FakeSteps s ->
            String cmd = a.script.toString()
            for (String tool : codes.keySet()) {
                if (cmd.startsWith("'" + tool + "'") || cmd.contains("/" + tool + "'")) {
                    if (sideEffects.containsKey(tool)) {
                        sideEffects.get(tool).call(a)
                    }
                    return codes.get(tool)
                }
            }
            return 0
        }
    }

    /* Runs body, which must throw; returns the exception's message. */
    static String failure(Closure body) {
        try {
            body.call()
        } catch (AbortException e) {
            return e.message
        }
        throw new AssertionError('expected the build to fail')
    }
}
