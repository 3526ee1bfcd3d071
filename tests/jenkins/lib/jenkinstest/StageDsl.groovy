package jenkinstest

class StageDsl {
    Map st

    StageDsl(Map st) {
        this.st = st
    }

    void steps(Closure body) {
        st.steps = body
    }

    void when(Closure body) {
        st.when = body
    }
}
