package jenkinstest

/* The `currentBuild` global. */
class FakeBuild {
    String description
    String result
    String currentResult = 'SUCCESS'
    int number = 1
    String absoluteUrl = 'http://jenkins.test/job/ModelPipelineJob/1/'
}
