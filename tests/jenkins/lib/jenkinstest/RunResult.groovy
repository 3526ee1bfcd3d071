package jenkinstest

/* The result of running a pipeline: build result, each stage's status, the error that failed it. */
class RunResult {
    String result
    Map<String, String> stages = [:]
    String error
    String failedStage
    FakeSteps steps

    String toString() {
        return 'result=' + result + ' stages=' + stages + ' error=' + error
    }
}
