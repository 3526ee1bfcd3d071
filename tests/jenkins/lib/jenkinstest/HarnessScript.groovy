package jenkinstest

/*
 * Base class of every script the harness compiles (the Jenkinsfile and the
 * library's vars/*.groovy): calls that are not Groovy methods go to the
 * harness, which knows the declarative keywords, the library's global
 * variables and the (fake or real) steps, as Jenkins' CpsScript does.
 */
abstract class HarnessScript extends Script {
    def methodMissing(String name, Object args) {
        Harness h = (Harness) binding.getVariable('__harness')
        return h.dispatch(name, (Object[]) args)
    }

    def propertyMissing(String name) {
        Harness h = (Harness) binding.getVariable('__harness')
        return h.property(name)
    }
}
