package jenkinstest

/* Records every call as [type: name, args: first argument] (options, parameters, triggers). */
class RecordingDsl {
    List<Map> into

    RecordingDsl(List<Map> into) {
        this.into = into
    }

    def methodMissing(String name, Object args) {
        Object[] a = (Object[]) args
        Map m = [type: name, args: a.length == 1 ? a[0] : (a as List)]
        into.add(m)
        return m
    }
}
