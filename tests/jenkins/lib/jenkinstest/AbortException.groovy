package jenkinstest

/* What Jenkins' `error` step throws (hudson.AbortException): fails the build with a message. */
class AbortException extends RuntimeException {
    AbortException(String message) {
        super(message)
    }
}
