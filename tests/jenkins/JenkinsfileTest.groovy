import org.mlsecops.Shell
import jenkinstest.FakeSteps
import jenkinstest.RunResult
import jenkinstest.TestSupport

// jenkins/Jenkinsfile evaluated by the declarative harness: its structure (parameters,
// environment, stage order, post) and runs with recorded steps (tool exit codes and
// reports scripted per test): a clean model, a block at each stage, errors.
class JenkinsfileTest extends TestSupport {
    File jenkinsfile = new File(repo, 'jenkins/Jenkinsfile')
    File models

    void setUp() {
        super.setUp()
        models = new File(ws, 'models')
        models.mkdirs()
        steps.env.MODELS_DIR = models.path
    }

    void testUsesTheSharedLibrary() {
        assert jenkinsfile.text.contains("@Library('mlsecops') _")
    }

    void testParameters() {
        harness.load(jenkinsfile)
        assert harness.parameters*.args.name == ['MODEL_FILE_PATH', 'MODEL_NAME', 'MODEL_CARD', 'MODEL_ALIAS', 'FAIL_ON']
        assert harness.parameter('MODEL_FILE_PATH').type == 'string'
        assert harness.parameter('MODEL_NAME').type == 'string'
        assert harness.parameter('MODEL_CARD').type in ['string', 'text']
        assert harness.parameter('MODEL_ALIAS').args.defaultValue == ''
        Map failOn = harness.parameter('FAIL_ON')
        assert failOn.type == 'choice'
        assert failOn.args.choices[0] == 'medium'
        assert failOn.args.choices.sort() == ['critical', 'high', 'low', 'medium']
    }

    void testEnvironmentComesFromTheController() {
        steps.env.MLFLOW_TRACKING_URI = 'https://mlflow.example:8443'
        harness.load(jenkinsfile)
        assert harness.environment.MLFLOW_TRACKING_URI.toString() == 'https://mlflow.example:8443'
        assert harness.environment.MODELS_DIR.toString() == models.path
    }

    void testEnvironmentDefaults() {
        steps.env.remove('MODELS_DIR')
        harness.load(jenkinsfile)
        assert harness.environment.MLFLOW_TRACKING_URI.toString() == 'http://mlflow-server:5000'
        assert harness.environment.MODELS_DIR.toString() == '/downloads/models'
    }

    void testStageOrderAgentAndPost() {
        harness.load(jenkinsfile)
        assert harness.stageNames() == ['Prepare', 'AV Scan', 'Model Scan', 'SBOM', 'Register']
        assert harness.agent == 'any'
        assert harness.post.keySet() == ['always'] as Set
        assert harness.options*.type.contains('timeout')
    }

    /* Fake tools: exit codes per tool; each writes the reports the real one would. */
    private void tools(Map<String, Integer> codes, Map<String, List<Map>> findings = [:]) {
        steps.shHandler = { Map a, FakeSteps s ->
            String cmd = a.script
            String tool = cmd.substring(1, cmd.indexOf("'", 1)).tokenize('/').last()
            int code = codes.containsKey(tool) ? codes[tool] : 0
            String verdict = code == 0 ? 'clean' : (code == 1 ? 'findings' : 'unknown')
            if (tool == 'avscan') {
                writeReport('av.json', verdict, findings.avscan ?: [])
                new File(ws, 'reports/av.sarif').text = '{}'
                new File(ws, 'reports/av.junit.xml').text = '<testsuites/>'
            } else if (tool == 'modelscan-c') {
                writeReport('modelscan.json', verdict, findings['modelscan-c'] ?: [])
            } else if (tool == 'hashsbom') {
                new File(ws, 'reports/sbom.cdx.json').text = '{"bomFormat":"CycloneDX"}'
            } else if (tool == 'mlflow-register' && code == 0) {
                new File(ws, 'reports/register.json').text =
                        '{"name":"resnet","version":"4","url":"http://mlflow-server:5000/#/models/resnet/versions/4"}'
            }
            return code
        }
    }

    private RunResult run(Map params = [:]) {
        new File(models, 'resnet 50.safetensors').text = 'x'
        harness.load(jenkinsfile)
        return harness.run([MODEL_FILE_PATH: 'resnet 50.safetensors', MODEL_NAME: 'resnet',
                            MODEL_CARD: 'Baseline ResNet50 fine-tuned for CIFAR10'] + params)
    }

    private List<String> toolCommands() {
        return steps.callsOf('sh').findAll { it.args.returnStatus }*.args.script
    }

    void testCleanModelIsRegistered() {
        tools([:])
        RunResult r = run([MODEL_ALIAS: 'candidate'])
        assert r.result == 'SUCCESS': r.toString()
        assert r.stages == ['Prepare': 'SUCCESS', 'AV Scan': 'SUCCESS', 'Model Scan': 'SUCCESS', 'SBOM': 'SUCCESS',
                            'Register': 'SUCCESS']
        String model = Shell.quote(models.path + '/resnet 50.safetensors')
        List<String> cmds = toolCommands()
        assert cmds.size() == 4
        assert cmds[0].startsWith("'avscan' ") && cmds[0].endsWith(' ' + model)
        assert cmds[1].startsWith("'modelscan-c' ") && cmds[1].endsWith(' ' + model)
        assert cmds[2].startsWith("'hashsbom' 'sbom' " + model)
        assert cmds[2].contains("'--model-card' 'reports/model-card.md'")
        assert cmds[3].startsWith("'mlflow-register' 'register' '--model-file' " + model + " '--model-name' 'resnet'")
        assert cmds[3].contains("'--alias' 'candidate'") && cmds[3].contains("'--fail-on' 'medium'")
        assert steps.callsOf('withCredentials')[0].args[0].credentialsId == 'mlflow-credentials'
        assert steps.callsOf('junit').size() == 1 && steps.callsOf('recordIssues').size() == 1
        assert steps.callsOf('archiveArtifacts')[0].args.artifacts == 'reports/**'
        assert steps.currentBuild.description ==
                '<b>REGISTERED</b> <a href="http://mlflow-server:5000/#/models/resnet/versions/4">resnet version 4</a>' +
                ' (alias candidate)<br>AV Scan: clean &middot; Model Scan: clean &middot; SBOM: ok &middot; Register: ok'
        assert steps.env.MLFLOW_TRACKING_URI == 'http://mlflow-server:5000'
    }

    void testBlockedAtModelScanRegistersNothing() {
        tools(['modelscan-c': 1], ['modelscan-c': [[id: 'MS-PICKLE-001', severity: 'critical', path: 'model.pkl',
                                                   location: 'offset 2', message: 'GLOBAL posix.system']]])
        RunResult r = run()
        assert r.result == 'FAILURE'
        assert r.failedStage == 'Model Scan'
        assert r.error == 'blocked at Model Scan: MS-PICKLE-001 critical model.pkl (offset 2): GLOBAL posix.system'
        assert r.stages['SBOM'] == 'SKIPPED' && r.stages['Register'] == 'SKIPPED'
        assert !toolCommands().any { it.contains('mlflow-register') }
        assert steps.callsOf('archiveArtifacts').size() == 1
        assert steps.currentBuild.description.startsWith('<b>BLOCKED</b> at Model Scan: MS-PICKLE-001 critical')
        assert steps.currentBuild.description.endsWith('AV Scan: clean &middot; Model Scan: blocked (1 critical)')
    }

    void testBlockedAtAvScan() {
        tools([avscan: 1], [avscan: [[id: 'AV-CLAMAV', severity: 'critical', path: 'm', message: 'Eicar-Signature FOUND']]])
        RunResult r = run([FAIL_ON: 'critical'])
        assert r.failedStage == 'AV Scan' && r.result == 'FAILURE'
        assert r.error == 'blocked at AV Scan: AV-CLAMAV critical m: Eicar-Signature FOUND'
        assert toolCommands().size() == 1 && toolCommands()[0].contains("'--fail-on' 'critical'")
    }

    void testGateRefusalAtRegister() {
        tools(['mlflow-register': 1])
        RunResult r = run()
        assert r.failedStage == 'Register' && r.result == 'FAILURE'
        assert r.error.startsWith('blocked at Register: ')
    }

    void testToolErrorsFailTheBuild() {
        for (int code : [2, 3, 4, 127]) {
            tearDown()
            setUp()
            tools(['modelscan-c': code])
            RunResult r = run()
            assert r.result == 'FAILURE' && r.failedStage == 'Model Scan'
            assert r.error.startsWith('error at Model Scan: modelscan-c exited ' + code + ' (')
            assert steps.currentBuild.description.startsWith('<b>ERROR</b> at Model Scan')
        }
    }

    void testMissingModelFailsInPrepare() {
        tools([:])
        harness.load(jenkinsfile)
        RunResult r = harness.run([MODEL_FILE_PATH: 'nope.pkl', MODEL_NAME: 'x'])
        assert r.failedStage == 'Prepare'
        assert r.error == "error at Prepare: model '" + models.path + "/nope.pkl' not found"
        assert toolCommands().isEmpty()
        assert steps.currentBuild.description == '<b>ERROR</b> at Prepare: model &#39;' + models.path + '/nope.pkl&#39; not found'
    }

    void testHostileParametersStayOneArgument() {
        tools([:])
        String evil = "x'; touch pwned; echo '\$(id)`id` \"q\""
        new File(models, evil).text = 'x'
        harness.load(jenkinsfile)
        RunResult r = harness.run([MODEL_FILE_PATH: evil, MODEL_NAME: evil, MODEL_ALIAS: '--allow-findings'])
        assert r.result == 'SUCCESS': r.toString()
        // what /bin/sh makes of the Register command line: the same words, one per argument
        String cmd = toolCommands()[3]
        Process p = ['/bin/sh', '-c', "printf '%s\\0' " + cmd.substring(cmd.indexOf(' ') + 1)].execute(null, ws)
        List<String> words = p.inputStream.getText('UTF-8').split('\u0000') as List
        assert p.waitFor() == 0
        assert words[0..4] == ['register', '--model-file', models.path + '/' + evil, '--model-name', evil]
        assert words[words.indexOf('--alias') + 1] == '--allow-findings'
        assert words.count('--allow-findings') == 1
        assert !new File(ws, 'pwned').exists()
    }
}
