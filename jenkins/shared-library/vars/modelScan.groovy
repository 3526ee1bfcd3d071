import org.mlsecops.ModelScan

// modelScan: stage 'Model Scan', modelscan-c over a model (help: modelScan.txt; logic in src/org/mlsecops/ModelScan.groovy)
def call(Map args = [:]) {
    return new ModelScan(this).run(args)
}
