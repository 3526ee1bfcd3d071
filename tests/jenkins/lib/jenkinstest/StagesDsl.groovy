package jenkinstest

class StagesDsl {
    Harness h

    StagesDsl(Harness h) {
        this.h = h
    }

    void stage(String name, Closure body) {
        Map st = [name: name, steps: null]
        Harness.call(body, new StageDsl(st))
        h.stages.add(st)
    }
}
