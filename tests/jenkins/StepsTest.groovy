import jenkinstest.AbortException
import jenkinstest.CredentialNotFoundException
import jenkinstest.FakeSteps
import jenkinstest.TestSupport
import org.mlsecops.AvScan
import org.mlsecops.HashSbom
import org.mlsecops.MlflowRegister
import org.mlsecops.ModelScan
import org.mlsecops.Prepare

// Unit tests of the src/ stage classes with recorded steps: the exact command each
// runs, the exit-code mapping, the messages a failed build carries, what is recorded.
class StepsTest extends TestSupport {
    static final String MODEL = "/downloads/models/my model's \$x.pkl"

    void testAvScanCommandIsQuotedAndUsesReturnStatus() {
        steps.env.MLS_BIN = '/opt/mls/bin/'
        steps.shHandler = exits([avscan: 0], [avscan: { writeReport('av.json', 'clean', []) }])
        Map r = new AvScan(steps).run(path: MODEL)
        Map sh = steps.callsOf('sh').find { it.args.returnStatus }
        assert sh.args.script == "'/opt/mls/bin/avscan' '--recursive' '--format' 'text' '--json' 'reports/av.json' " +
                "'--sarif' 'reports/av.sarif' '--junit' 'reports/av.junit.xml' '--fail-on' 'medium' " +
                "'/downloads/models/my model'\\''s \$x.pkl'"
        assert sh.args.label.startsWith('avscan ')
        assert steps.shScripts()[0] == "mkdir -p 'reports'"
        assert r.outcome == 'ok' && r.exitCode == 0 && r.verdict == 'clean'
        assert steps.env.MLSECOPS_STAGE_AV_SCAN == 'clean'
        assert steps.env.MLSECOPS_STAGES == 'AV Scan'
        assert !steps.callsOf('error')
    }

    void testAvScanToolFromPathWithoutBin() {
        new AvScan(steps).run(path: '-m.pkl', failOn: 'HIGH', databases: ['/db1', '/db 2'], signatures: '/sig',
                noSystemDb: true, recursive: false, extraArgs: ['--max-filesize', '4G'])
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd == "'avscan' '--format' 'text' '--json' 'reports/av.json' '--sarif' 'reports/av.sarif' " +
                "'--junit' 'reports/av.junit.xml' '--fail-on' 'high' '--database' '/db1' '--database' '/db 2' " +
                "'--signatures' '/sig' '--no-system-db' '--max-filesize' '4G' './-m.pkl'"
    }

    void testAvScanOperatorEnvironment() {
        steps.env.MLSECOPS_CLAMAV_DB = '/var/lib/clamav-mirror'
        steps.env.MLSECOPS_AVSCAN_ARGS = '--max-files 10  --jobs 2'
        steps.env.MLSECOPS_FAIL_ON = 'low'
        new AvScan(steps).run(path: '/m')
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd.contains("'--fail-on' 'low' '--database' '/var/lib/clamav-mirror' '--max-files' '10' '--jobs' '2' '/m'")
    }

    void testAvScanBlockedNamesStageAndFinding() {
        steps.shHandler = exits([avscan: 1], [avscan: {
            writeReport('av.json', 'findings', [[id: 'AV-CLAMAV', rule: 'Win.Test.EICAR_HDB-1', severity: 'critical',
                                                 path: '/m/eicar.com', message: 'Win.Test.EICAR_HDB-1 FOUND']])
        }])
        String msg = failure { new AvScan(steps).run(path: '/m') }
        assert msg == 'blocked at AV Scan: AV-CLAMAV critical /m/eicar.com: Win.Test.EICAR_HDB-1 FOUND'
        assert steps.env.MLSECOPS_FAILURE == msg
        assert steps.env.MLSECOPS_STAGE_AV_SCAN == 'blocked (1 critical)'
        assert steps.callsOf('error')*.args == [msg]
    }

    void testExitTwoIsAnErrorNeverSuccess() {
        steps.shHandler = exits([avscan: 2], [avscan: {
            writeReport('av.json', 'unknown', [], [errors: [[path: '/m/x.zip', message: 'cannot open archive: truncated']]])
        }])
        String msg = failure { new AvScan(steps).run(path: '/m') }
        assert msg == 'error at AV Scan: avscan exited 2 (could not finish): /m/x.zip: cannot open archive: truncated'
        assert steps.env.MLSECOPS_STAGE_AV_SCAN == 'error (exit 2)'
    }

    void testMissingReportStillFailsWithExitCode() {
        steps.shHandler = exits([avscan: 127])
        String msg = failure { new AvScan(steps).run(path: '/m') }
        assert msg == 'error at AV Scan: avscan exited 127 (command not found)'
    }

    void testBlockedWithoutReportStillBlocks() {
        steps.shHandler = exits([avscan: 1])
        assert failure { new AvScan(steps).run(path: '/m') } == 'blocked at AV Scan: avscan exited 1 (findings at or above the threshold)'
    }

    void testModelScanCommandAndBlock() {
        steps.shHandler = exits(['modelscan-c': 1], ['modelscan-c': {
            writeReport('modelscan.json', 'findings', [
                    [id: 'MS-PICKLE-001', severity: 'critical', path: '/m/model.pkl', location: 'offset 2',
                     message: 'GLOBAL posix system'],
                    [id: 'MS-PICKLE-004', severity: 'low', path: '/m/model.pkl', message: 'unusual opcode']])
        }])
        String msg = failure { new ModelScan(steps).run(path: '/m/model.pkl', failOn: 'critical', policy: '/p.json', strict: true) }
        assert msg.startsWith('blocked at Model Scan: MS-PICKLE-001 critical /m/model.pkl (offset 2): GLOBAL posix system')
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd == "'modelscan-c' '--format' 'text' '--json' 'reports/modelscan.json' '--sarif' 'reports/modelscan.sarif' " +
                "'--junit' 'reports/modelscan.junit.xml' '--fail-on' 'critical' '--policy' '/p.json' '--strict' '/m/model.pkl'"
        assert steps.env.MLSECOPS_STAGE_MODEL_SCAN == 'blocked (1 critical, 1 low)'
    }

    void testModelScanNothingSupportedIsAnError() {
        steps.shHandler = exits(['modelscan-c': 3])
        assert failure { new ModelScan(steps).run(path: '/m/readme.txt') } ==
                'error at Model Scan: modelscan-c exited 3 (no file of a supported kind)'
    }

    void testUsageErrorIsAnError() {
        steps.shHandler = exits(['modelscan-c': 4])
        assert failure { new ModelScan(steps).run(path: '/m') } == 'error at Model Scan: modelscan-c exited 4 (usage error)'
    }

    void testFailBuildFalseReturnsTheOutcome() {
        steps.shHandler = exits(['modelscan-c': 1])
        Map r = new ModelScan(steps).run(path: '/m', failBuild: false)
        assert r.outcome == 'blocked' && r.message.startsWith('blocked at Model Scan')
        assert !steps.callsOf('error')
    }

    void testInvalidThresholdIsRejectedBeforeRunning() {
        assert failure { new ModelScan(steps).run(path: '/m', failOn: 'severe') } ==
                "error at Model Scan: invalid failOn 'severe' (expected critical|high|medium|low)"
        assert !steps.callsOf('sh')
    }

    void testPathIsRequired() {
        assert failure { new AvScan(steps).run([:]) } == 'error at AV Scan: avScan needs path'
    }

    void testHashSbomEmbedsExistingScanReports() {
        writeReport('av.json', 'clean', [])
        writeReport('modelscan.json', 'clean', [])
        Map r = new HashSbom(steps).run(path: '/m/model dir', name: 'resnet', modelCard: 'reports/model-card.md')
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd == "'hashsbom' 'sbom' '/m/model dir' '--name' 'resnet' '--model-card' 'reports/model-card.md' " +
                "'--scan-report' 'reports/av.json' '--scan-report' 'reports/modelscan.json' '-o' 'reports/sbom.cdx.json'"
        assert r.outcome == 'ok' && r.sbom == 'reports/sbom.cdx.json'
        assert steps.env.MLSECOPS_STAGE_SBOM == 'ok'
    }

    void testHashSbomWithoutReportsAndError() {
        steps.shHandler = exits([hashsbom: 2])
        assert failure { new HashSbom(steps).run(path: '/m', modelCard: '', scanReports: []) } ==
                'error at SBOM: hashsbom exited 2 (could not finish)'
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd == "'hashsbom' 'sbom' '/m' '-o' 'reports/sbom.cdx.json'"
    }

    private Closure registered(String version) {
        return {
            new File(ws, 'reports/register.json').text =
                    '{"name":"resnet","version":"' + version + '","run_id":"abc","status":"READY",' +
                    '"url":"http://mlflow:5000/#/models/resnet/versions/' + version + '"}'
        }
    }

    void testRegisterCommandCredentialsAndResult() {
        writeReport('av.json', 'clean', [])
        writeReport('modelscan.json', 'clean', [])
        new File(ws, 'reports/sbom.cdx.json').text = '{}'
        steps.credentials['mlflow-credentials'] = ['alice', 's3cret']
        Map seenEnv = null
        steps.shHandler = { Map a, FakeSteps s ->
            if (a.script.startsWith("'mlflow-register'")) {
                seenEnv = new HashMap(s.env)
                registered('7').call()
            }
            return 0
        }
        Map r = new MlflowRegister(steps).run(path: '/m/model.pkl', name: 'resnet', alias: 'candidate',
                modelCard: 'reports/model-card.md', tags: [team: 'vision'])
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd == "'mlflow-register' 'register' '--model-file' '/m/model.pkl' '--model-name' 'resnet' " +
                "'--model-card' 'reports/model-card.md' '--av-report' 'reports/av.json' " +
                "'--scan-report' 'reports/modelscan.json' '--sbom' 'reports/sbom.cdx.json' '--alias' 'candidate' " +
                "'--fail-on' 'medium' '--build-url' 'http://jenkins.test/job/ModelPipelineJob/1/' " +
                "'--tag' 'team=vision' '--format' 'text' '--json' 'reports/gate.json' '--sarif' 'reports/gate.sarif' " +
                "'--junit' 'reports/gate.junit.xml' '-o' 'reports/register.json'"
        assert !cmd.contains('s3cret') && !cmd.contains('alice')
        assert seenEnv.MLFLOW_TRACKING_USERNAME == 'alice' && seenEnv.MLFLOW_TRACKING_PASSWORD == 's3cret'
        assert steps.env.MLFLOW_TRACKING_PASSWORD == null
        Map binding = steps.callsOf('withCredentials')[0].args[0]
        assert binding.credentialsId == 'mlflow-credentials'
        assert binding.usernameVariable == 'MLFLOW_TRACKING_USERNAME' && binding.passwordVariable == 'MLFLOW_TRACKING_PASSWORD'
        assert r.version == '7' && r.name == 'resnet' && r.outcome == 'ok'
        assert steps.env.MLSECOPS_MLFLOW_VERSION == '7'
        assert steps.env.MLSECOPS_MLFLOW_URL == 'http://mlflow:5000/#/models/resnet/versions/7'
        assert steps.env.MLSECOPS_MLFLOW_ALIAS == 'candidate'
    }

    void testRegisterWithoutCredentialRunsOnceUnauthenticated() {
        steps.env.MLFLOW_TRACKING_URI = 'http://mlflow-server:5000/'
        steps.shHandler = { Map a, FakeSteps s ->
            if (a.script.startsWith("'mlflow-register'")) {
                new File(ws, 'reports/register.json').text = '{"name":"my model","version":"1"}'
            }
            return 0
        }
        Map r = new MlflowRegister(steps).run(path: '/m', name: 'my model', trackingUri: 'http://x:5000')
        assert steps.callsOf('sh').findAll { it.args.returnStatus }.size() == 1
        assert steps.log.any { it.contains("no Jenkins credential 'mlflow-credentials'") }
        String cmd = steps.callsOf('sh').find { it.args.returnStatus }.args.script
        assert cmd.contains("'--tracking-uri' 'http://x:5000'")
        assert !cmd.contains('--av-report') && !cmd.contains('--sbom')
        assert r.version == '1'
        assert steps.env.MLSECOPS_MLFLOW_URL == 'http://mlflow-server:5000/#/models/my%20model/versions/1'
    }

    void testRegisterNoCredentialsWanted() {
        new MlflowRegister(steps).run(path: '/m', name: 'n', credentialsId: '')
        assert !steps.callsOf('withCredentials')
    }

    void testFailureInsideCredentialsBodyIsNotRetried() {
        steps.credentials['mlflow-credentials'] = ['u', 'p']
        int runs = 0
        steps.shHandler = { Map a, FakeSteps s ->
            if (a.returnStatus) {
                runs++
                throw new CredentialNotFoundException("Could not find credentials entry with ID 'other'")
            }
            return 0
        }
        try {
            new MlflowRegister(steps).run(path: '/m', name: 'n')
            assert false
        } catch (CredentialNotFoundException expected) {
            assert runs == 1
        }
    }

    void testRegisterGateRefused() {
        steps.shHandler = exits(['mlflow-register': 1], ['mlflow-register': {
            writeReport('gate.json', 'findings', [
                    [id: 'MR-GATE-003', severity: 'info', path: 'sbom', message: 'no SBOM given; accepted'],
                    [id: 'MR-GATE-001', severity: 'high', path: 'reports/av.json',
                     message: "AV report 'reports/av.json' shows 1 finding(s) at or above medium"]])
        }])
        assert failure { new MlflowRegister(steps).run(path: '/m', name: 'n') } ==
                "blocked at Register: MR-GATE-001 high reports/av.json: AV report 'reports/av.json' shows 1 finding(s) at or above medium"
        assert steps.env.MLSECOPS_MLFLOW_VERSION == null
        assert steps.env.MLSECOPS_STAGE_REGISTER == 'blocked (1 high)'
    }

    void testRegisterServerDown() {
        steps.shHandler = exits(['mlflow-register': 2])
        assert failure { new MlflowRegister(steps).run(path: '/m', name: 'n') } ==
                'error at Register: mlflow-register exited 2 (could not finish)'
    }

    void testPrepareResolvesChecksAndResets() {
        File models = new File(ws, 'models')
        new File(models, 'sub').mkdirs()
        new File(models, 'sub/m.safetensors').text = 'x'
        new File(ws, 'reports').mkdirs()
        new File(ws, 'reports/stale.json').text = '{}'
        steps.env.MLSECOPS_FAILURE = 'blocked at AV Scan: from an earlier build'
        String p = new Prepare(steps).run(modelFilePath: 'sub/m.safetensors', modelName: 'm',
                modelCard: 'A card\nwith two lines', modelsDir: models.path)
        assert p == models.path + '/sub/m.safetensors'
        assert !new File(ws, 'reports/stale.json').exists()
        assert new File(ws, 'reports/model-card.md').text == 'A card\nwith two lines\n'
        assert steps.env.MLSECOPS_MODEL == p
        assert steps.env.MLSECOPS_MODEL_CARD == 'reports/model-card.md'
        assert steps.env.MLSECOPS_FAILURE == ''
    }

    void testPrepareUsesModelCardFile() {
        File models = new File(ws, 'models')
        models.mkdirs()
        new File(models, 'm.pt').text = 'x'
        new File(models, 'card.md').text = '# card'
        new Prepare(steps).run(modelFilePath: 'm.pt', modelName: 'm', modelCard: 'card.md', modelsDir: models.path)
        assert steps.env.MLSECOPS_MODEL_CARD == models.path + '/card.md'
        new Prepare(steps).run(modelFilePath: 'm.pt', modelName: 'm', modelCard: '', modelsDir: models.path)
        assert steps.env.MLSECOPS_MODEL_CARD == ''
    }

    void testPrepareRejectsBadParameters() {
        assert failure { new Prepare(steps).run(modelFilePath: ' ', modelName: 'm', modelsDir: '/nowhere') } ==
                'error at Prepare: MODEL_FILE_PATH is empty (a file or directory under /nowhere, or an absolute path)'
        assert failure { new Prepare(steps).run(modelFilePath: 'x', modelName: '', modelsDir: '/nowhere') } ==
                'error at Prepare: MODEL_NAME is empty'
        assert failure { new Prepare(steps).run(modelFilePath: 'x.pkl', modelName: 'm', modelsDir: '/nowhere') } ==
                "error at Prepare: model '/nowhere/x.pkl' not found"
        steps.env.MODELS_DIR = '/from-env'
        assert failure { new Prepare(steps).run(modelFilePath: 'y', modelName: 'm') } ==
                "error at Prepare: model '/from-env/y' not found"
    }
}
