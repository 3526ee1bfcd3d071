package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/*
 * Resolves the MODEL_FILE_PATH parameter the way the seed job does: relative
 * to the models directory (/downloads/models by default); an absolute path is
 * taken as it is.
 */
class ModelPath implements Serializable {
    private static final long serialVersionUID = 1L
    static final String DEFAULT_MODELS_DIR = '/downloads/models'

    /* The absolute model path, or null for an empty parameter. */
    @NonCPS
    static String resolve(String modelsDir, String param) {
        String p = (param == null) ? '' : param.trim()
        if (p.length() == 0) {
            return null
        }
        if (p.startsWith('/')) {
            return p
        }
        while (p.startsWith('./')) {
            p = p.substring(2)
        }
        String base = (modelsDir == null || modelsDir.trim().length() == 0) ? DEFAULT_MODELS_DIR : modelsDir.trim()
        base = base.replaceAll('/+$', '')
        return (base.length() == 0 ? '' : base) + '/' + p
    }
}
