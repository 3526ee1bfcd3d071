// Runs every tests/jenkins/*Test.groovy in one JVM (Groovy 2.4, as Jenkins uses):
// each public no-argument method whose name starts with "test" is one test, with
// setUp()/tearDown() around it.  Prints one line per test and, last, "N passed, N failed".
// Usage: groovy -cp tests/jenkins/lib:jenkins/shared-library/src tests/jenkins/RunTests.groovy DIR [NAME-FILTER]
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Modifier

File dir = new File(args[0])
String filter = args.length > 1 ? args[1] : null
int passed = 0
int failed = 0
int skipped = 0
List<String> failures = []
GroovyClassLoader gcl = new GroovyClassLoader(this.class.classLoader)
List<File> files = dir.listFiles().findAll { it.name.endsWith('Test.groovy') }.sort { it.name }
for (File f : files) {
    Class c
    try {
        c = gcl.parseClass(f)
    } catch (Throwable t) {
        println("FAIL ${f.name}: does not compile: ${t.message}")
        failed++
        failures.add(f.name)
        continue
    }
    def methods = c.declaredMethods.findAll {
        it.name.startsWith('test') && it.parameterTypes.length == 0 && Modifier.isPublic(it.modifiers)
    }.sort { it.name }
    for (def m : methods) {
        String name = c.simpleName + '.' + m.name
        if (filter && !name.contains(filter)) {
            continue
        }
        def obj = c.newInstance()
        long t0 = System.currentTimeMillis()
        try {
            if (obj.respondsTo('setUp')) {
                obj.setUp()
            }
            try {
                m.invoke(obj)
            } finally {
                if (obj.respondsTo('tearDown')) {
                    obj.tearDown()
                }
            }
            passed++
            println("ok   ${name} (${System.currentTimeMillis() - t0} ms)")
        } catch (Throwable t) {
            Throwable cause = (t instanceof InvocationTargetException) ? t.cause : t
            if (cause.class.name == 'jenkinstest.SkipTest') {
                skipped++
                println("skip ${name}: ${cause.message}")
                continue
            }
            failed++
            failures.add(name)
            println("FAIL ${name}")
            println(cause.toString().readLines().take(60).collect { '    ' + it }.join('\n'))
            def frames = cause.stackTrace.findAll { it.fileName && !it.className.startsWith('org.codehaus') &&
                    !it.className.startsWith('java.') && !it.className.startsWith('sun.') &&
                    !it.className.startsWith('groovy.') && !it.className.startsWith('jdk.') }
            frames.take(8).each { println("      at ${it}") }
        }
    }
}
if (skipped > 0) {
    println("(${skipped} skipped)")
}
if (failures) {
    println('failed: ' + failures.join(', '))
}
println("${passed} passed, ${failed} failed")
System.exit(failed == 0 && passed > 0 ? 0 : 1)
