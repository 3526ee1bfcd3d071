import org.mlsecops.Publisher

// mlsecopsPublish: publishes JUnit, SARIF, artifacts and the build description (help: mlsecopsPublish.txt; logic in src/org/mlsecops/Publisher.groovy)
def call(Map args = [:]) {
    return new Publisher(this).publish(args)
}
