package jenkinstest

/* Thrown by a test that cannot run here (reported as skipped, not passed). */
class SkipTest extends RuntimeException {
    SkipTest(String reason) {
        super(reason)
    }
}
