import org.mlsecops.Flow

// mlsecopsPipeline: the whole flow (Prepare, AV Scan, Model Scan, SBOM, Register, publish) in one call (help: mlsecopsPipeline.txt; logic in src/org/mlsecops/Flow.groovy)
def call(Map args = [:]) {
    return new Flow(this).run(args)
}
