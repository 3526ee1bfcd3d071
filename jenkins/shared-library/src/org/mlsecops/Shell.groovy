package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/*
 * Builds command lines for the `sh` step.  Every argument becomes one
 * single-quoted POSIX shell word, so model paths and names may contain spaces,
 * quotes, `$`, backticks or newlines without being interpreted by the shell.
 */
class Shell implements Serializable {
    private static final long serialVersionUID = 1L

    /* Quotes one argument: 'it'\''s' style; null becomes ''. */
    @NonCPS
    static String quote(Object arg) {
        String s = (arg == null) ? '' : arg.toString()
        return "'" + s.replace("'", "'\\''") + "'"
    }

    /* Quotes and joins a list of arguments into one command line. */
    @NonCPS
    static String join(List args) {
        StringBuilder sb = new StringBuilder()
        for (Object a : args) {
            if (sb.length() > 0) {
                sb.append(' ')
            }
            sb.append(quote(a))
        }
        return sb.toString()
    }

    /*
     * A positional path argument: a relative path starting with '-' gets a
     * './' prefix so that no tool can take it for an option.
     */
    @NonCPS
    static String pathArg(String path) {
        if (path != null && path.startsWith('-')) {
            return './' + path
        }
        return path
    }

    /* Splits a whitespace-separated option string (from an environment variable); no quoting rules. */
    @NonCPS
    static List<String> words(Object text) {
        List<String> out = []
        if (text == null) {
            return out
        }
        for (String w : text.toString().trim().split('\\s+')) {
            if (w.length() > 0) {
                out.add(w)
            }
        }
        return out
    }
}
