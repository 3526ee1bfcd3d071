package jenkinstest

/*
 * The `env` global: like Jenkins' EnvActionImpl, values are strings, a missing
 * variable reads as null, and it answers getProperty/setProperty (which the
 * library uses for computed names).
 */
class FakeEnv extends LinkedHashMap<String, Object> {
    Object getProperty(String name) {
        return get(name)
    }

    void setProperty(String name, Object value) {
        if (value == null) {
            remove(name)
        } else {
            put(name, value.toString())
        }
    }
}
