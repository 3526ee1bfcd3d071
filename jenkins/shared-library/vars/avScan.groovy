import org.mlsecops.AvScan

// avScan: stage 'AV Scan', avscan over a model (help: avScan.txt; logic in src/org/mlsecops/AvScan.groovy)
def call(Map args = [:]) {
    return new AvScan(this).run(args)
}
