package jenkinstest

import groovy.json.JsonSlurper

/*
 * A recording stand-in for the Jenkins pipeline steps the library uses.  Every
 * call is appended to `calls` as [step: name, args: ...].  Files live in a real
 * workspace directory (so fileExists/readJSON/writeFile behave like Jenkins'),
 * and `sh` either asks `shHandler` (a Closure(Map shArgs, FakeSteps) returning
 * the exit status or stdout) or, with realSh, runs the script with /bin/sh -c
 * in the current directory with `env` as its environment (what Jenkins does).
 */
class FakeSteps {
    List<Map> calls = []
    List<String> log = []
    FakeEnv env = new FakeEnv()
    Map<String, Object> params = [:]
    FakeBuild currentBuild = new FakeBuild()
    File workspace
    List<String> dirStack = []
    Closure shHandler = null
    boolean realSh = false
    boolean echoToConsole = false
    Map<String, List<String>> credentials = [:]

    FakeSteps(File workspace) {
        this.workspace = workspace
        env.WORKSPACE = workspace.absolutePath
        env.BUILD_URL = currentBuild.absoluteUrl
        env.BUILD_NUMBER = '1'
        env.JOB_NAME = 'ModelPipelineJob'
    }

    private void record(String step, Object args) {
        calls.add([step: step, args: args, cwd: cwd().absolutePath])
    }

    private void say(String line) {
        log.add(line)
        if (echoToConsole) {
            println('    | ' + line)
        }
    }

    File cwd() {
        File d = workspace
        for (String s : dirStack) {
            d = resolveFrom(d, s)
        }
        return d
    }

    private static File resolveFrom(File base, String p) {
        File f = new File(p)
        return f.isAbsolute() ? f : new File(base, p)
    }

    File file(String p) {
        return resolveFrom(cwd(), p)
    }

    // ---- queries for tests ----

    List<Map> callsOf(String step) {
        return calls.findAll { it.step == step }
    }

    List<String> shScripts() {
        return callsOf('sh').collect { it.args instanceof Map ? it.args.script : it.args }
    }

    // ---- steps ----

    def sh(Map a) {
        record('sh', a)
        say('+ ' + a.script)
        Object out
        if (realSh) {
            out = runReal(a)
        } else if (a.script.toString() ==~ /mkdir -p '[^']*'/) {
            file(a.script.toString().substring(10, a.script.toString().length() - 1)).mkdirs()
            out = 0
        } else if (shHandler != null) {
            out = shHandler.call(a, this)
        } else {
            out = a.returnStdout ? '' : 0
        }
        if (a.returnStatus || a.returnStdout) {
            return out
        }
        int code = (out instanceof Integer) ? (int) out : 0
        if (code != 0) {
            throw new AbortException('script returned exit code ' + code)
        }
        return null
    }

    def sh(String script) {
        return sh([script: script])
    }

    private Object runReal(Map a) {
        ProcessBuilder pb = new ProcessBuilder(['/bin/sh', '-c', a.script.toString()])
        File dir = cwd()
        dir.mkdirs()
        pb.directory(dir)
        Map<String, String> pe = pb.environment()
        pe.clear()
        for (Map.Entry e : env.entrySet()) {
            if (e.value != null) {
                pe.put(e.key.toString(), e.value.toString())
            }
        }
        if (!pe.containsKey('PATH')) {
            pe.put('PATH', System.getenv('PATH') ?: '/usr/local/bin:/usr/bin:/bin')
        }
        pb.redirectErrorStream(!a.returnStdout)
        Process p = pb.start()
        StringBuilder stdout = new StringBuilder()
        Thread errReader = null
        if (a.returnStdout) {
            errReader = Thread.start {
                p.errorStream.eachLine { say(it) }
            }
        }
        p.inputStream.eachLine('UTF-8') { String line ->
            if (a.returnStdout) {
                stdout.append(line).append('\n')
            } else {
                say(line)
            }
        }
        int code = p.waitFor()
        if (errReader != null) {
            errReader.join()
        }
        if (a.returnStdout) {
            if (code != 0 && !a.returnStatus) {
                throw new AbortException('script returned exit code ' + code)
            }
            return stdout.toString()
        }
        return code
    }

    void echo(Object message) {
        record('echo', message)
        say(String.valueOf(message))
    }

    void error(String message) {
        record('error', message)
        say('ERROR: ' + message)
        throw new AbortException(message)
    }

    boolean fileExists(String p) {
        record('fileExists', p)
        return file(p).exists()
    }

    boolean fileExists(Map a) {
        return fileExists(a.file.toString())
    }

    def readJSON(Map a) {
        record('readJSON', a)
        String text = a.containsKey('text') ? a.text : file(a.file.toString()).getText('UTF-8')
        return new JsonSlurper().parseText(text)
    }

    String readFile(String p) {
        record('readFile', p)
        return file(p).getText('UTF-8')
    }

    String readFile(Map a) {
        return readFile(a.file.toString())
    }

    void writeFile(Map a) {
        record('writeFile', a)
        File f = file(a.file.toString())
        f.parentFile.mkdirs()
        f.setText(a.text.toString(), 'UTF-8')
    }

    def dir(String p, Closure body) {
        record('dir', p)
        dirStack.add(p)
        try {
            file('.').mkdirs()
            return body.call()
        } finally {
            dirStack.remove(dirStack.size() - 1)
        }
    }

    void deleteDir() {
        record('deleteDir', cwd().absolutePath)
        cwd().deleteDir()
    }

    Map usernamePassword(Map a) {
        return [kind: 'usernamePassword'] + a
    }

    Map string(Map a) {
        return [kind: 'string'] + a
    }

    def withCredentials(List bindings, Closure body) {
        record('withCredentials', bindings)
        Map<String, Object> saved = [:]
        for (Map b : bindings) {
            List<String> cred = credentials.get(b.credentialsId)
            if (cred == null) {
                throw new CredentialNotFoundException("Could not find credentials entry with ID '" + b.credentialsId + "'")
            }
            if (b.kind == 'usernamePassword') {
                saved.put(b.usernameVariable, env.get(b.usernameVariable))
                saved.put(b.passwordVariable, env.get(b.passwordVariable))
                env.put(b.usernameVariable, cred[0])
                env.put(b.passwordVariable, cred[1])
            } else {
                saved.put(b.variable, env.get(b.variable))
                env.put(b.variable, cred[0])
            }
        }
        try {
            return body.call()
        } finally {
            restore(saved)
        }
    }

    def withEnv(List<String> vars, Closure body) {
        record('withEnv', vars)
        Map<String, Object> saved = [:]
        for (String kv : vars) {
            int eq = kv.indexOf('=')
            String k = kv.substring(0, eq)
            saved.put(k, env.get(k))
            env.put(k, kv.substring(eq + 1))
        }
        try {
            return body.call()
        } finally {
            restore(saved)
        }
    }

    private void restore(Map<String, Object> saved) {
        for (Map.Entry e : saved.entrySet()) {
            if (e.value == null) {
                env.remove(e.key)
            } else {
                env.put(e.key, e.value)
            }
        }
    }

    void junit(Map a) {
        record('junit', a)
    }

    Map sarif(Map a) {
        return [tool: 'sarif'] + a
    }

    void recordIssues(Map a) {
        record('recordIssues', a)
    }

    void archiveArtifacts(Map a) {
        record('archiveArtifacts', a)
    }

    def stage(String name, Closure body) {
        record('stage', name)
        say('[Pipeline] stage ' + name)
        Object saved = env.STAGE_NAME
        env.STAGE_NAME = name
        try {
            return body.call()
        } finally {
            if (saved == null) {
                env.remove('STAGE_NAME')
            } else {
                env.STAGE_NAME = saved
            }
        }
    }

    def node(String label, Closure body) {
        record('node', label)
        return body.call()
    }

    def node(Closure body) {
        return node('', body)
    }
}
