package jenkinstest

/*
 * Command-line runner behind tests/jenkins/run-jenkinsfile: evaluates a
 * Jenkinsfile with the declarative harness in real-sh mode (every `sh` runs
 * /bin/sh -c in the workspace with the build environment), like one local
 * Jenkins build of the job.
 *
 *   RunJenkinsfile --workdir DIR [--param K=V]... [--jenkinsfile PATH]
 *                  [--build-url URL] [--verbose] [--quiet]
 *
 * Environment passed to the build (as E2eTest does): PATH, HOME, LANG, LC_ALL,
 * TMPDIR, MODELS_DIR, BUILD_URL, MLS_*, MLSECOPS_*, MLFLOW_* except
 * MLFLOW_TRACKING_USERNAME/PASSWORD, which become the username/password
 * credential 'mlflow-credentials' (bound by the Register stage only).
 *
 * Prints each stage's result as it ends, then the skipped stages, the error,
 * the build description (HTML tags removed) and the build result.  The whole
 * build log is written to DIR/build.log (and to stdout with --verbose).
 * Exit status: 0 SUCCESS, 1 FAILURE because a stage blocked the model
 * ("blocked at ..."), 2 any other failure, 4 usage error.
 */
class RunJenkinsfile {
    static final String USAGE = '''usage: run-jenkinsfile --workdir DIR [--param K=V]... [--jenkinsfile PATH]
                       [--build-url URL] [-v|--verbose] [-q|--quiet]
  --workdir DIR       the build's workspace (created; reports in DIR/reports, log in DIR/build.log)
  --param K=V         a job parameter (repeatable); unset ones take the Jenkinsfile's defaults
  --jenkinsfile PATH  default: jenkins/Jenkinsfile of this repository
  --build-url URL     BUILD_URL of the build (default $BUILD_URL; none if unset)
  -v, --verbose       print the build log as it runs
  -q, --quiet         print only the build result line
exit status: 0 SUCCESS, 1 FAILURE (model blocked), 2 other failure, 4 usage error'''

    static final List<String> PASS_EXACT = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'MODELS_DIR', 'BUILD_URL',
                                            'NO_COLOR']
    static final List<String> SECRET = ['MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD']

    /* The build log: kept in memory (FakeSteps.log), written to a file, echoed with --verbose. */
    static class ConsoleLog extends ArrayList<String> {
        PrintWriter file
        boolean echo

        boolean add(String line) {
            if (file != null) {
                file.println(line)
                file.flush()
            }
            if (echo) {
                println('  | ' + line)
                System.out.flush()
            }
            return super.add(line)
        }
    }

    /*
     * Wraps each stage's steps so that its result is printed as it ends.  (Not a FakeSteps
     * subclass: FakeSteps' closures call its private methods, which Groovy does not resolve
     * on a subclass instance.)
     */
    static void reportStages(Harness harness, boolean quiet) {
        for (Map st : harness.stages) {
            Closure body = st.steps
            String name = st.name
            st.steps = { ->
                long t0 = System.currentTimeMillis()
                try {
                    if (body != null) {
                        body.call()
                    }
                    stageLine(name, 'SUCCESS', t0, quiet)
                } catch (Throwable t) {
                    stageLine(name, 'FAILED', t0, quiet)
                    throw t
                }
            }
        }
    }

    private static void stageLine(String name, String status, long t0, boolean quiet) {
        if (!quiet) {
            println(String.format('stage %-12s %-8s (%.1f s)', name, status, (System.currentTimeMillis() - t0) / 1000.0d))
            System.out.flush()
        }
    }

    static void main(String[] argv) {
        System.exit(run(argv as List<String>))
    }

    private static int usage(String msg) {
        if (msg) {
            System.err.println('run-jenkinsfile: ' + msg)
        }
        System.err.println(USAGE)
        return 4
    }

    /* HTML of the build description as plain text: <br> to newlines, tags removed, entities decoded; links' targets on a last line. */
    static String plain(String html) {
        if (html == null) {
            return ''
        }
        List<String> links = []
        java.util.regex.Matcher m = html =~ /(?i)<a\s[^>]*href="([^"]*)"/
        while (m.find()) {
            links.add(m.group(1))
        }
        String s = html.replaceAll('(?i)<br\\s*/?>', '\n').replaceAll('<[^>]*>', '')
        if (links) {
            s += '\nlink: ' + links.join(' ')
        }
        s = s.replace('&middot;', '·').replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"')
             .replace('&#39;', "'").replace('&#x27;', "'").replace('&nbsp;', ' ')
        return s.replace('&amp;', '&')
    }

    static int run(List<String> args) {
        String workdir = null
        String jenkinsfile = null
        String buildUrl = System.getenv('BUILD_URL')
        boolean verbose = false
        boolean quiet = false
        Map<String, String> params = [:]
        for (int i = 0; i < args.size(); i++) {
            String a = args[i]
            String val = null
            int eq = a.indexOf('=')
            if (a.startsWith('--') && eq > 0) {
                val = a.substring(eq + 1)
                a = a.substring(0, eq)
            }
            if (a in ['--workdir', '--param', '--jenkinsfile', '--build-url'] && val == null) {
                if (i + 1 >= args.size()) {
                    return usage('option ' + a + ' needs an argument')
                }
                val = args[++i]
            }
            switch (a) {
                case '--workdir': workdir = val; break
                case '--jenkinsfile': jenkinsfile = val; break
                case '--build-url': buildUrl = val; break
                case '--param':
                    int e = val.indexOf('=')
                    if (e <= 0) {
                        return usage("--param needs K=V, got '" + val + "'")
                    }
                    params.put(val.substring(0, e), val.substring(e + 1))
                    break
                case '-v': case '--verbose': verbose = true; break
                case '-q': case '--quiet': quiet = true; break
                case '-h': case '--help': println(USAGE); return 0
                default: return usage("unknown option '" + args[i] + "'")
            }
        }
        if (!workdir) {
            return usage('--workdir is required')
        }
        File repo = new File(System.getProperty('mls.repo', '.')).canonicalFile
        File jf = jenkinsfile ? new File(jenkinsfile) : new File(repo, 'jenkins/Jenkinsfile')
        if (!jf.isFile()) {
            System.err.println("run-jenkinsfile: cannot open '" + jf.path + "': no such file")
            return 2
        }
        File ws = new File(workdir).absoluteFile
        if (!ws.isDirectory() && !ws.mkdirs()) {
            System.err.println("run-jenkinsfile: cannot create '" + ws.path + "'")
            return 2
        }
        ws = ws.canonicalFile

        FakeSteps steps = new FakeSteps(ws)
        steps.realSh = true
        PrintWriter logFile = new PrintWriter(new OutputStreamWriter(new FileOutputStream(new File(ws, 'build.log')), 'UTF-8'))
        steps.log = new ConsoleLog(file: logFile, echo: verbose)
        steps.currentBuild.absoluteUrl = buildUrl ?: null
        System.getenv().each { String k, String v ->
            if (k in PASS_EXACT || k.startsWith('MLS_') || k.startsWith('MLSECOPS_') ||
                    (k.startsWith('MLFLOW_') && !(k in SECRET))) {
                steps.env.put(k, v)
            }
        }
        if (buildUrl) {
            steps.env.BUILD_URL = buildUrl
        } else {
            steps.env.remove('BUILD_URL')
        }
        if (System.getenv('MLFLOW_TRACKING_USERNAME')) {
            steps.credentials['mlflow-credentials'] = [System.getenv('MLFLOW_TRACKING_USERNAME'),
                                                       System.getenv('MLFLOW_TRACKING_PASSWORD') ?: '']
        }

        Harness harness
        try {
            harness = new Harness(repo, steps)
            harness.load(jf)
            reportStages(harness, quiet)
        } catch (Throwable t) {
            System.err.println("run-jenkinsfile: cannot evaluate '" + jf.path + "': " + t)
            logFile.close()
            return 2
        }
        List<String> known = harness.parameters.collect { it.args.name.toString() }
        List<String> unknown = params.keySet().findAll { !(it in known) } as List<String>
        if (unknown) {
            logFile.close()
            return usage('unknown parameter ' + unknown.join(', ') + ' (the Jenkinsfile has: ' + known.join(', ') + ')')
        }
        if (!quiet) {
            println('run-jenkinsfile: ' + jf.path + ' in ' + ws.path + ' (log: ' + ws.path + '/build.log)')
        }
        RunResult r
        try {
            r = harness.run(params)
        } catch (Throwable t) {
            System.err.println('run-jenkinsfile: the harness failed: ' + t)
            logFile.close()
            return 2
        }
        logFile.close()
        String result = r.result ?: 'FAILURE'
        boolean blocked = result == 'FAILURE' && r.error != null && r.error.startsWith('blocked at ')
        if (!quiet) {
            r.stages.each { String name, String status ->
                if (status == 'SKIPPED') {
                    println(String.format('stage %-12s %s', name, status))
                }
            }
            if (r.error) {
                println('error: ' + r.error)
            }
            String desc = plain(steps.currentBuild.description)
            if (desc) {
                println('description:')
                desc.readLines().each { println('  ' + it) }
            }
        }
        println('result: ' + result)
        if (result == 'SUCCESS') {
            return 0
        }
        return blocked ? 1 : 2
    }
}
