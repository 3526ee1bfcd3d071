import org.mlsecops.Prepare

// mlsecopsPrepare: checks the job parameters, resolves the model path, resets the reports (help: mlsecopsPrepare.txt; logic in src/org/mlsecops/Prepare.groovy)
def call(Map args = [:]) {
    return new Prepare(this).run(args)
}
