package jenkinstest

import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

/*
 * A small evaluator for declarative Pipeline, enough for jenkins/Jenkinsfile:
 * load() evaluates the script and collects its structure (agent, options,
 * parameters, environment, stages with their steps, post conditions); run()
 * then executes it the way Jenkins does: parameter defaults plus the given
 * values, the environment directive, the stages in order (after a failure
 * the rest are skipped), then the post conditions.  Library steps come from
 * jenkins/shared-library/vars, compiled with the same base script, with
 * src/ on the classpath; Jenkins steps are a FakeSteps.
 */
class Harness {
    File repo
    FakeSteps steps
    GroovyShell shell
    Binding binding = new Binding()
    Map<String, Script> vars = [:]

    // structure collected by load()
    Object agent
    List<Map> options = []
    List<Map> parameters = []
    Closure environmentBody
    Map<String, Object> environment = [:]
    List<Map> stages = []
    Map<String, Closure> post = [:]
    List<String> libraries = []

    Harness(File repo, FakeSteps steps) {
        this.repo = repo
        this.steps = steps
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.scriptBaseClass = HarnessScript.name
        ImportCustomizer ic = new ImportCustomizer()
        ic.addImports('org.jenkinsci.plugins.workflow.libs.Library', 'com.cloudbees.groovy.cps.NonCPS')
        cc.addCompilationCustomizers(ic)
        shell = new GroovyShell(this.class.classLoader, binding, cc)
        shell.classLoader.addClasspath(new File(repo, 'jenkins/shared-library/src').absolutePath)
        binding.setVariable('__harness', this)
        binding.setVariable('env', steps.env)
        binding.setVariable('params', steps.params)
        binding.setVariable('currentBuild', steps.currentBuild)
        loadVars()
    }

    private void loadVars() {
        File dir = new File(repo, 'jenkins/shared-library/vars')
        for (File f : dir.listFiles().sort { it.name }) {
            if (f.name.endsWith('.groovy')) {
                String name = f.name - '.groovy'
                vars.put(name, shell.parse(f.getText('UTF-8'), name))
            }
        }
    }

    /* Method calls from scripts: library globals, declarative keywords, then steps. */
    def dispatch(String name, Object[] args) {
        if (vars.containsKey(name)) {
            return vars.get(name).invokeMethod('call', args)
        }
        if (name == 'pipeline') {
            return pipeline((Closure) args[0])
        }
        if (name == 'script') {
            return ((Closure) args[0]).call()
        }
        if (name == 'library') {
            libraries.add(String.valueOf(args[0]))
            return null
        }
        if (steps.metaClass.respondsTo(steps, name, args)) {
            return steps.invokeMethod(name, args)
        }
        throw new MissingMethodException(name, Harness, args)
    }

    def property(String name) {
        if (vars.containsKey(name)) {
            return vars.get(name)
        }
        if (name == 'steps') {
            return steps
        }
        throw new MissingPropertyException(name, Harness)
    }

    /* Evaluates the Jenkinsfile, collecting its structure. */
    Harness load(File jenkinsfile) {
        Script s = shell.parse(jenkinsfile.getText('UTF-8'), 'Jenkinsfile')
        s.run()
        return this
    }

    def pipeline(Closure body) {
        call(body, new PipelineDsl(this))
        return null
    }

    static def call(Closure body, Object delegate) {
        body.resolveStrategy = Closure.DELEGATE_FIRST
        body.delegate = delegate
        return body.call()
    }

    Map parameter(String name) {
        return parameters.find { it.args.name == name }
    }

    List<String> stageNames() {
        return stages.collect { it.name }
    }

    /*
     * Runs the loaded pipeline.  paramValues override the parameter defaults;
     * returns the build result, the stage statuses and the failure message.
     */
    RunResult run(Map paramValues) {
        RunResult r = new RunResult(steps: steps)
        steps.params.clear()
        for (Map p : parameters) {
            steps.params.put(p.args.name, defaultValue(p))
        }
        steps.params.putAll(paramValues ?: [:])
        Throwable failure = null
        try {
            if (environmentBody != null) {
                environment.clear()
                call(environmentBody, new EnvironmentDsl(this))
                for (Map.Entry e : environment.entrySet()) {
                    steps.env.put(e.key, e.value == null ? null : e.value.toString())
                }
            }
        } catch (Throwable t) {
            failure = t
        }
        for (Map st : stages) {
            if (failure != null) {
                r.stages.put(st.name, 'SKIPPED')
                continue
            }
            try {
                steps.stage(st.name) {
                    if (st.steps != null) {
                        st.steps.call()
                    }
                }
                r.stages.put(st.name, 'SUCCESS')
            } catch (Throwable t) {
                failure = t
                r.failedStage = st.name
                r.stages.put(st.name, 'FAILED')
            }
        }
        String result = failure == null ? (steps.currentBuild.result ?: 'SUCCESS') : 'FAILURE'
        steps.currentBuild.currentResult = result
        for (String cond : ['always', 'changed', 'fixed', 'regression', 'aborted', 'failure', 'success',
                            'unstable', 'unsuccessful', 'cleanup']) {
            Closure c = post.get(cond)
            if (c == null || !applies(cond, result)) {
                continue
            }
            try {
                c.call()
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t
                }
                result = 'FAILURE'
            }
        }
        if (failure instanceof AssertionError) {
            throw failure
        }
        r.result = result
        r.error = failure == null ? null : failure.message
        steps.currentBuild.result = result
        return r
    }

    private static boolean applies(String cond, String result) {
        switch (cond) {
            case 'always': case 'cleanup': return true
            case 'success': return result == 'SUCCESS'
            case 'failure': return result == 'FAILURE'
            case 'unstable': return result == 'UNSTABLE'
            case 'unsuccessful': return result != 'SUCCESS'
            case 'aborted': return result == 'ABORTED'
            default: return false
        }
    }

    private static Object defaultValue(Map p) {
        Map a = p.args
        switch (p.type) {
            case 'choice':
                Object c = a.choices
                return (c instanceof List) ? c[0] : c.toString().split('\n')[0]
            case 'booleanParam':
                return a.defaultValue ?: false
            default:
                return a.defaultValue ?: ''
        }
    }
}
