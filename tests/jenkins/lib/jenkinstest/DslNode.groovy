package jenkinstest

/*
 * Records a Groovy builder-style DSL (job-dsl here): every call becomes a node with its
 * arguments; a trailing closure is evaluated with a child node as its delegate.
 */
class DslNode {
    String name
    List args = []
    List<DslNode> children = []

    def methodMissing(String n, Object a) {
        Object[] arr = (Object[]) a
        DslNode child = new DslNode(name: n)
        children.add(child)
        for (Object o : arr) {
            if (o instanceof Closure) {
                Closure c = (Closure) o
                c.resolveStrategy = Closure.DELEGATE_FIRST
                c.delegate = child
                c.call()
            } else {
                child.args.add(o)
            }
        }
        return child
    }

    DslNode find(String path) {
        DslNode n = this
        for (String part : path.split('/')) {
            n = n.children.find { it.name == part }
            if (n == null) {
                return null
            }
        }
        return n
    }
}
