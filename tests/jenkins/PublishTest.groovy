import jenkinstest.AbortException
import jenkinstest.FakeSteps
import jenkinstest.TestSupport

// The vars/ steps as a pipeline calls them (through the harness, as Jenkins' global
// variables): publishing, the build description, and mlsecopsPipeline's whole flow.
class PublishTest extends TestSupport {
    def step(String step, Map args = [:]) {
        return harness.dispatch(step, [args] as Object[])
    }

    void testVarsAreThinAndDocumented() {
        File vars = new File(repo, 'jenkins/shared-library/vars')
        List<String> names = vars.listFiles().findAll { it.name.endsWith('.groovy') }*.name.collect { it - '.groovy' }.sort()
        assert names.containsAll(['avScan', 'hashSbom', 'mlflowRegister', 'mlsecopsPipeline', 'modelScan'])
        for (String n : names) {
            File help = new File(vars, n + '.txt')
            assert help.exists() && help.text.contains(n)
            List<String> code = new File(vars, n + '.groovy').readLines().findAll { it.trim() && !it.trim().startsWith('//') }
            assert code.size() <= 5: n + ' should only delegate to src/'
            assert code.any { it.contains('(this)') }
        }
    }

    void testPublishesReportsAndDescription() {
        steps.env.MLSECOPS_STAGES = 'AV Scan,Model Scan,SBOM,Register,Prepare'
        steps.env.MLSECOPS_STAGE_AV_SCAN = 'clean'
        steps.env.MLSECOPS_STAGE_MODEL_SCAN = 'clean'
        steps.env.MLSECOPS_STAGE_SBOM = 'ok'
        steps.env.MLSECOPS_STAGE_REGISTER = 'ok'
        steps.env.MLSECOPS_MLFLOW_NAME = 'res<net>'
        steps.env.MLSECOPS_MLFLOW_VERSION = '3'
        steps.env.MLSECOPS_MLFLOW_URL = 'http://mlflow:5000/#/models/res%3Cnet%3E/versions/3'
        steps.env.MLSECOPS_MLFLOW_ALIAS = 'champion'
        String d = step('mlsecopsPublish')
        assert steps.callsOf('junit')[0].args == [testResults: 'reports/*.junit.xml', allowEmptyResults: true,
                                                  skipMarkingBuildUnstable: true]
        Map ri = steps.callsOf('recordIssues')[0].args
        assert ri.enabledForFailure == true
        assert ri.tools == [[tool: 'sarif', pattern: 'reports/*.sarif', id: 'mlsecops', name: 'MLSecOps']]
        assert steps.callsOf('archiveArtifacts')[0].args ==
                [artifacts: 'reports/**', allowEmptyArchive: true, fingerprint: true]
        assert d == '<b>REGISTERED</b> <a href="http://mlflow:5000/#/models/res%3Cnet%3E/versions/3">res&lt;net&gt; version 3</a>' +
                ' (alias champion)<br>AV Scan: clean &middot; Model Scan: clean &middot; SBOM: ok &middot; Register: ok'
        assert steps.currentBuild.description == d
    }

    void testBlockedDescriptionEscapesFindingText() {
        steps.env.MLSECOPS_STAGES = 'AV Scan,Model Scan'
        steps.env.MLSECOPS_STAGE_AV_SCAN = 'clean'
        steps.env.MLSECOPS_STAGE_MODEL_SCAN = 'blocked (1 critical)'
        steps.env.MLSECOPS_FAILURE = 'blocked at Model Scan: MS-PICKLE-001 critical m.pkl: <script>alert(1)</script>'
        String d = step('mlsecopsPublish')
        assert d == '<b>BLOCKED</b> at Model Scan: MS-PICKLE-001 critical m.pkl: &lt;script&gt;alert(1)&lt;/script&gt;' +
                '<br>AV Scan: clean &middot; Model Scan: blocked (1 critical)'
        assert step('mlsecopsPublish', [descriptionFormat: 'text']) ==
                'BLOCKED at Model Scan: MS-PICKLE-001 critical m.pkl: <script>alert(1)</script>\n' +
                'AV Scan: clean | Model Scan: blocked (1 critical)'
    }

    void testErrorAndNotRunDescriptions() {
        assert step('mlsecopsPublish', [descriptionFormat: 'text']) == 'NOT RUN'
        steps.env.MLSECOPS_FAILURE = 'error at Prepare: MODEL_NAME is empty'
        assert step('mlsecopsPublish', [descriptionFormat: 'text']) == 'ERROR at Prepare: MODEL_NAME is empty'
    }

    void testOnePublisherFailingDoesNotStopTheOthers() {
        steps.metaClass.junit = { Map a -> throw new IllegalStateException('No such DSL method junit') }
        step('mlsecopsPublish')
        assert steps.callsOf('archiveArtifacts').size() == 1
        assert steps.callsOf('recordIssues').size() == 1
        assert steps.log.any { it.contains('mlsecops: junit failed: No such DSL method junit') }
        assert steps.currentBuild.description != null
    }

    void testAbortIsNotSwallowed() {
        steps.metaClass.junit = { Map a -> throw new InterruptedException('aborted by user') }
        try {
            step('mlsecopsPublish')
            assert false: 'the abort must propagate'
        } catch (InterruptedException expected) {
            assert steps.callsOf('archiveArtifacts').isEmpty()
        }
    }

    private void models() {
        new File(ws, 'models').mkdirs()
        new File(ws, 'models/m.safetensors').text = 'x'
        steps.env.MODELS_DIR = new File(ws, 'models').path
    }

    void testMlsecopsPipelineRunsAllStagesThenPublishes() {
        models()
        steps.params.putAll([MODEL_FILE_PATH: 'm.safetensors', MODEL_NAME: 'm', MODEL_CARD: 'card', MODEL_ALIAS: 'cand'])
        steps.shHandler = exits(['mlflow-register': 0], ['mlflow-register': {
            new File(ws, 'reports/register.json').text = '{"name":"m","version":"2"}'
        }])
        Map r = step('mlsecopsPipeline', [failOn: 'high'])
        assert steps.callsOf('node')*.args == ['']
        assert steps.callsOf('stage')*.args == ['Prepare', 'AV Scan', 'Model Scan', 'SBOM', 'Register']
        assert r.mlflowRegister.version == '2'
        List<String> tools = steps.callsOf('sh').findAll { it.args.returnStatus }.collect { it.args.script.split(' ')[0] }
        assert tools == ["'avscan'", "'modelscan-c'", "'hashsbom'", "'mlflow-register'"]
        String reg = steps.shScripts().find { it.startsWith("'mlflow-register'") }
        assert reg.contains("'--alias' 'cand'") && reg.contains("'--fail-on' 'high'") &&
                reg.contains("'--model-card' 'reports/model-card.md'")
        assert steps.currentBuild.description.startsWith('<b>REGISTERED</b>')
    }

    void testMlsecopsPipelineStopsAtBlockAndStillPublishes() {
        models()
        steps.shHandler = exits(['modelscan-c': 1])
        String msg = failure { step('mlsecopsPipeline', [modelFilePath: 'm.safetensors', modelName: 'm', node: false]) }
        assert msg == 'blocked at Model Scan: modelscan-c exited 1 (findings at or above the threshold)'
        assert steps.callsOf('node').isEmpty()
        assert steps.callsOf('stage')*.args == ['Prepare', 'AV Scan', 'Model Scan']
        assert !steps.shScripts().any { it.contains('hashsbom') || it.contains('mlflow-register') }
        assert steps.callsOf('archiveArtifacts').size() == 1
        assert steps.currentBuild.description.startsWith('<b>BLOCKED</b> at Model Scan')
    }
}
