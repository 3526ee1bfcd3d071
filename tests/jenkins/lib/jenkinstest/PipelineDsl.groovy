package jenkinstest

class PipelineDsl {
    Harness h

    PipelineDsl(Harness h) {
        this.h = h
    }

    def getAny() {
        return 'any'
    }

    def getNone() {
        return 'none'
    }

    void agent(Object a) {
        h.agent = (a instanceof Closure) ? 'closure' : a
    }

    void options(Closure body) {
        Harness.call(body, new RecordingDsl(h.options))
    }

    void parameters(Closure body) {
        Harness.call(body, new RecordingDsl(h.parameters))
    }

    void triggers(Closure body) {
        Harness.call(body, new RecordingDsl([]))
    }

    void environment(Closure body) {
        h.environmentBody = body
        h.environment.clear()
        Harness.call(body, new EnvironmentDsl(h))
    }

    void stages(Closure body) {
        Harness.call(body, new StagesDsl(h))
    }

    void post(Closure body) {
        Harness.call(body, new PostDsl(h.post))
    }
}
