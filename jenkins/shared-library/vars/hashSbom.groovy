import org.mlsecops.HashSbom

// hashSbom: stage 'SBOM', CycloneDX ML-BOM of a model (help: hashSbom.txt; logic in src/org/mlsecops/HashSbom.groovy)
def call(Map args = [:]) {
    return new HashSbom(this).run(args)
}
