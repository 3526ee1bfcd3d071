package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/*
 * The exit-code contract every mlsecops tool keeps (shared/DESIGN.md) and the
 * pipeline outcome each code maps to: 0 passes the stage, 1 blocks the model,
 * anything else (2 could not finish, 3 nothing to do, 4 usage, or a shell
 * status such as 127 or 137) is an error.  Nothing but 0 is ever a success.
 */
class ExitCodes implements Serializable {
    private static final long serialVersionUID = 1L

    static final int OK = 0
    static final int FINDINGS = 1
    static final int ERROR = 2
    static final int NOTHING_TO_DO = 3
    static final int USAGE = 4

    static final String PASSED = 'ok'
    static final String BLOCKED = 'blocked'
    static final String FAILED = 'error'

    /* 'ok', 'blocked' or 'error' for an exit code. */
    @NonCPS
    static String outcome(int code) {
        if (code == OK) {
            return PASSED
        }
        if (code == FINDINGS) {
            return BLOCKED
        }
        return FAILED
    }

    /* A short explanation of an exit code for build logs and messages. */
    @NonCPS
    static String meaning(int code) {
        switch (code) {
            case OK: return 'finished, nothing at or above the threshold'
            case FINDINGS: return 'findings at or above the threshold'
            case ERROR: return 'could not finish'
            case NOTHING_TO_DO: return 'no file of a supported kind'
            case USAGE: return 'usage error'
            case 126: return 'command not executable'
            case 127: return 'command not found'
            default:
                if (code > 128 && code < 160) {
                    return 'killed by signal ' + (code - 128)
                }
                return 'unexpected exit code'
        }
    }
}
