import jenkinstest.TestSupport

// Rules that keep the library runnable under Jenkins' CPS interpreter, checked on the
// source (plain Groovy cannot show CPS problems by running the code):
//  - every src/ class is Serializable (its objects live in the program state between steps);
//  - no closure-taking collection method (each/collect/find/sort ...) in src/ : CPS runs
//    some of them wrongly or not at all, so src/ uses plain loops;
//  - a @NonCPS method never calls a pipeline step (steps are CPS-only);
//  - constructors only store their argument (no steps, no closures);
//  - vars/ steps only delegate to src/.
class LibraryLintTest extends TestSupport {
    List<File> sources() {
        List<File> out = []
        new File(repo, 'jenkins/shared-library/src').eachFileRecurse { if (it.name.endsWith('.groovy')) out.add(it) }
        assert out.size() >= 10
        return out.sort { it.name }
    }

    void testClassesAreSerializable() {
        for (File f : sources()) {
            f.readLines().findAll { it =~ /^class \w+/ }.each { String decl ->
                assert decl.contains('implements Serializable'): f.name + ': ' + decl
            }
        }
    }

    void testNoClosureCollectionMethods() {
        def bad = ~/\.(each|eachWithIndex|collect|collectEntries|find|findAll|findResult|any|every|sort|toSorted|inject|groupBy|sum|max|min|unique|count)\s*(\(\s*)?\{/
        for (File f : sources()) {
            f.readLines().eachWithIndex { String line, int i ->
                assert !(line =~ bad): f.name + ':' + (i + 1) + ': ' + line.trim()
            }
        }
    }

    void testNonCpsMethodsCallNoSteps() {
        for (File f : sources()) {
            List<String> lines = f.readLines()
            for (int i = 0; i < lines.size(); i++) {
                if (lines[i].trim() != '@NonCPS') {
                    continue
                }
                int depth = 0
                boolean opened = false
                for (int j = i + 1; j < lines.size(); j++) {
                    String l = lines[j]
                    assert !l.contains('steps.'): f.name + ':' + (j + 1) + ': step call in a @NonCPS method'
                    depth += l.count('{') - l.count('}')
                    opened = opened || l.contains('{')
                    if (opened && depth <= 0) {
                        break
                    }
                }
            }
        }
    }

    void testConstructorsOnlyStoreTheSteps() {
        for (File f : sources()) {
            String text = f.text
            def m = text =~ /(?s)\n    (\w+)\(def steps\) \{\n(.*?)\n    \}/
            while (m.find()) {
                assert m.group(2).trim() == 'this.steps = steps': f.name
            }
        }
    }

    void testGroovy24() {
        assert GroovySystem.version.startsWith('2.4.'): 'tests must run on Groovy 2.4, the version Jenkins uses'
    }
}
