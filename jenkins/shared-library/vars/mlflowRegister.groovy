import org.mlsecops.MlflowRegister

// mlflowRegister: stage 'Register', gate and register a model in MLflow (help: mlflowRegister.txt; logic in src/org/mlsecops/MlflowRegister.groovy)
def call(Map args = [:]) {
    return new MlflowRegister(this).run(args)
}
