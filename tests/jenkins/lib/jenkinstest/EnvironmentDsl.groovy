package jenkinstest

/* `NAME = value` assignments of the environment directive; `env` reads the current environment. */
class EnvironmentDsl {
    Harness h

    EnvironmentDsl(Harness h) {
        this.h = h
    }

    void setProperty(String name, Object value) {
        h.environment.put(name, value)
    }

    Object getProperty(String name) {
        if (name == 'env') {
            return h.steps.env
        }
        if (name == 'params') {
            return h.steps.params
        }
        throw new MissingPropertyException(name, EnvironmentDsl)
    }
}
