package org.mlsecops

/*
 * The whole flow in one call (vars/mlsecopsPipeline): Prepare, AV Scan,
 * Model Scan, SBOM and Register as scripted stages, then Publisher, whatever
 * happened.  A blocked or failed stage stops the flow and fails the build.
 *
 * Arguments: modelFilePath, modelName, modelCard, alias, failOn (default: the
 * job parameters MODEL_FILE_PATH, MODEL_NAME, MODEL_CARD, MODEL_ALIAS,
 * FAIL_ON), modelsDir, reportsDir, bin, credentialsId, trackingUri,
 * node (default true: allocate an executor; false when already inside one),
 * label (agent label for node), and per-step Maps avScan, modelScan,
 * hashSbom, mlflowRegister merged into that step's arguments.
 */
class Flow implements Serializable {
    private static final long serialVersionUID = 1L

    def steps

    Flow(def steps) {
        this.steps = steps
    }

    Map run(Map args) {
        Map a = withParams(args)
        if (a.node == false) {
            return stages(a)
        }
        Map out = null
        steps.node(a.label ?: '') {
            out = stages(a)
        }
        return out
    }

    /* Job parameters fill the arguments not given. */
    Map withParams(Map args) {
        Map a = [:]
        a.putAll(args)
        def p = steps.params
        Map names = [modelFilePath: 'MODEL_FILE_PATH', modelName: 'MODEL_NAME', modelCard: 'MODEL_CARD',
                     alias: 'MODEL_ALIAS', failOn: 'FAIL_ON']
        for (Object k : names.keySet()) {
            if (a.get(k) == null && p != null) {
                Object v = p.get(names.get(k))
                if (v != null && v.toString().length() > 0) {
                    a.put(k, v.toString())
                }
            }
        }
        return a
    }

    Map stages(Map a) {
        Map results = [:]
        try {
            String path = null
            steps.stage('Prepare') {
                path = new Prepare(steps).run(a)
            }
            Map common = [path: path, failOn: a.failOn, reportsDir: a.reportsDir, bin: a.bin]
            steps.stage('AV Scan') {
                results.avScan = new AvScan(steps).run(merge(common, a.avScan))
            }
            steps.stage('Model Scan') {
                results.modelScan = new ModelScan(steps).run(merge(common, a.modelScan))
            }
            steps.stage('SBOM') {
                results.hashSbom = new HashSbom(steps).run(merge(common, [name: a.modelName,
                        modelCard: steps.env.MLSECOPS_MODEL_CARD ?: null], a.hashSbom))
            }
            steps.stage('Register') {
                results.mlflowRegister = new MlflowRegister(steps).run(merge(common, [name: a.modelName,
                        modelCard: steps.env.MLSECOPS_MODEL_CARD ?: null, alias: a.alias, trackingUri: a.trackingUri,
                        credentialsId: a.credentialsId], a.mlflowRegister))
            }
        } finally {
            new Publisher(steps).publish(a)
        }
        return results
    }

    private static Map merge(Map base, Object extra) {
        return merge(base, [:], extra)
    }

    private static Map merge(Map base, Map more, Object extra) {
        Map out = [:]
        out.putAll(base)
        for (Object k : more.keySet()) {
            if (more.get(k) != null) {
                out.put(k, more.get(k))
            }
        }
        if (extra instanceof Map) {
            out.putAll((Map) extra)
        }
        return out
    }
}
