package org.mlsecops

/*
 * Stage "Prepare": checks the job parameters, resolves the model path, empties
 * the reports directory (a workspace is reused between builds, so stale reports
 * must never be published again) and writes the model card to a file.
 * Sets env.MLSECOPS_MODEL (model path), MLSECOPS_MODEL_NAME and
 * MLSECOPS_MODEL_CARD (model card file or '') for the later stages, and
 * returns the model path.
 *
 * Arguments: modelFilePath (required), modelName (required unless
 * requireName: false), modelCard (text, or a file under modelsDir / absolute),
 * modelsDir (default $MODELS_DIR or /downloads/models), reportsDir.
 */
class Prepare implements Serializable {
    private static final long serialVersionUID = 1L
    static final String STAGE = 'Prepare'

    def steps

    Prepare(def steps) {
        this.steps = steps
    }

    String run(Map a) {
        ToolRunner t = new ToolRunner(steps)
        String dir = t.reportsDir(a)
        steps.env.setProperty('MLSECOPS_FAILURE', '')
        steps.env.setProperty('MLSECOPS_STAGES', '')
        String modelsDir = a.modelsDir ? a.modelsDir.toString() : (steps.env.MODELS_DIR ?: ModelPath.DEFAULT_MODELS_DIR)
        String path = ModelPath.resolve(modelsDir, a.modelFilePath == null ? null : a.modelFilePath.toString())
        if (path == null) {
            t.fail(STAGE, 'error at ' + STAGE + ': MODEL_FILE_PATH is empty (a file or directory under ' + modelsDir +
                    ', or an absolute path)')
        }
        String name = a.modelName == null ? '' : a.modelName.toString().trim()
        if (!name && a.requireName != false) {
            t.fail(STAGE, 'error at ' + STAGE + ': MODEL_NAME is empty')
        }
        if (!steps.fileExists(path)) {
            t.fail(STAGE, 'error at ' + STAGE + ": model '" + path + "' not found")
        }
        steps.dir(dir) {
            steps.deleteDir()
        }
        t.ensureDir(dir)
        String card = modelCardFile(a.modelCard, modelsDir, dir)
        steps.env.setProperty('MLSECOPS_MODEL', path)
        steps.env.setProperty('MLSECOPS_MODEL_NAME', name)
        steps.env.setProperty('MLSECOPS_MODEL_CARD', card)
        steps.echo('Prepare: model ' + path + (name ? ', name ' + name : '') + (card ? ', model card ' + card : ''))
        return path
    }

    /* The model card as a file: an existing file named by a one-line value, else the text written to <dir>/model-card.md. */
    private String modelCardFile(Object value, String modelsDir, String dir) {
        String text = value == null ? '' : value.toString()
        if (text.trim().length() == 0) {
            return ''
        }
        if (!text.contains('\n')) {
            String candidate = ModelPath.resolve(modelsDir, text)
            if (candidate != null && (candidate.endsWith('.md') || candidate.endsWith('.txt') ||
                    candidate.endsWith('.json') || candidate.endsWith('.yaml') || candidate.endsWith('.yml')) &&
                    steps.fileExists(candidate)) {
                return candidate
            }
        }
        String file = dir + '/model-card.md'
        steps.writeFile(file: file, text: text.endsWith('\n') ? text : text + '\n')
        return file
    }
}
