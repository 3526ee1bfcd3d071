import jenkinstest.DslNode
import jenkinstest.TestSupport

// docker/jenkins/casc.yaml's job-dsl script, evaluated with a recording DSL: it is valid
// Groovy, defines ModelPipelineJob from jenkins/Jenkinsfile with the same parameters
// (names, kinds, defaults) as the Jenkinsfile, and a remote trigger token.
class CascTest extends TestSupport {
    DslNode jobDsl() {
        List<String> lines = new File(repo, 'docker/jenkins/casc.yaml').readLines()
        int start = lines.findIndexOf { it.trim() == '- script: |' }
        assert start >= 0
        List<String> body = []
        for (String l : lines.drop(start + 1)) {
            if (l.trim() && !l.startsWith('      ')) {
                break
            }
            body.add(l.length() >= 6 ? l.substring(6) : '')
        }
        DslNode root = new DslNode(name: 'root')
        Script s = new GroovyShell().parse(body.join('\n'))
        s.metaClass.methodMissing = { String n, Object a -> root.methodMissing(n, a) }
        s.run()
        return root
    }

    void testJobDefinition() {
        DslNode root = jobDsl()
        DslNode job = root.find('pipelineJob')
        assert job.args == ['ModelPipelineJob']
        assert root.find('pipelineJob/definition/cpsScm/scriptPath').args == ['jenkins/Jenkinsfile']
        assert root.find('pipelineJob/definition/cpsScm/scm/git/remote/url').args[0].contains('MLSECOPS_GIT_URL')
        assert root.find('pipelineJob/authenticationToken').args == ['${JENKINS_JOB_TOKEN:-}']
    }

    void testParametersMatchTheJenkinsfile() {
        DslNode params = jobDsl().find('pipelineJob/parameters')
        harness.load(new File(repo, 'jenkins/Jenkinsfile'))
        Map kinds = [stringParam: 'string', textParam: 'text', choiceParam: 'choice']
        assert params.children*.args*.getAt(0) == harness.parameters*.args*.name
        params.children.eachWithIndex { DslNode p, int i ->
            Map jf = harness.parameters[i]
            assert kinds[p.name] == jf.type: p.args[0]
            if (jf.type == 'choice') {
                assert p.args[1] == jf.args.choices
            } else {
                assert p.args[1] == jf.args.defaultValue
            }
        }
    }
}
