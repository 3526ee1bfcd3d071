import org.mlsecops.ExitCodes
import org.mlsecops.ModelPath
import org.mlsecops.Report
import org.mlsecops.Shell

// Pure helpers: shell quoting (checked by running the quoted words through /bin/sh),
// exit-code mapping, model path resolution, report summaries.
class ShellTest {
    void testQuoteSimple() {
        assert Shell.quote('model.pkl') == "'model.pkl'"
        assert Shell.quote(null) == "''"
        assert Shell.quote("it's") == "'it'\\''s'"
    }

    void testQuotedWordsSurviveTheShell() {
        List<String> nasty = ['a b', "it's", 'x"y', '$HOME', '`id`', 'semi;colon', 'new\nline', '*', '', '-rf', '\\back']
        String cmd = "printf '%s\\0' " + Shell.join(nasty)
        Process p = ['/bin/sh', '-c', cmd].execute()
        String out = p.inputStream.getText('UTF-8')
        assert p.waitFor() == 0
        assert out.split('\u0000', -1).toList().dropRight(1) == nasty
    }

    void testPathArgNeverLooksLikeAnOption() {
        assert Shell.pathArg('-model.pkl') == './-model.pkl'
        assert Shell.pathArg('/abs/-x') == '/abs/-x'
        assert Shell.pathArg('m.pkl') == 'm.pkl'
    }

    void testWords() {
        assert Shell.words(null) == []
        assert Shell.words('  --a  b\t--c ') == ['--a', 'b', '--c']
    }

    void testExitCodeMapping() {
        assert ExitCodes.outcome(0) == 'ok'
        assert ExitCodes.outcome(1) == 'blocked'
        [2, 3, 4, 127, 137, -1, 255].each { assert ExitCodes.outcome(it) == 'error' }
        assert ExitCodes.meaning(3) == 'no file of a supported kind'
        assert ExitCodes.meaning(127) == 'command not found'
        assert ExitCodes.meaning(137) == 'killed by signal 9'
    }

    void testModelPath() {
        assert ModelPath.resolve('/downloads/models', 'simple-cifar10.h5') == '/downloads/models/simple-cifar10.h5'
        assert ModelPath.resolve('/downloads/models/', './a/b.pt') == '/downloads/models/a/b.pt'
        assert ModelPath.resolve(null, 'x') == '/downloads/models/x'
        assert ModelPath.resolve('/m', '/abs/model dir') == '/abs/model dir'
        assert ModelPath.resolve('/m', '  ') == null
        assert ModelPath.resolve('/m', null) == null
    }

    void testReportSummaries() {
        Map r = [verdict: 'findings', status: 'complete',
                 summary: [findings: [critical: 1, high: 0, medium: 2, low: 0, info: 0]],
                 findings: [[id: 'MS-X-002', severity: 'medium', path: 'a.pkl', message: 'm2'],
                            [id: 'MS-PICKLE-001', severity: 'critical', path: 'a.pkl',
                             location: [member: 'data.pkl', offset: 12], message: 'GLOBAL posix.system\nsecond line'],
                            [id: 'MS-X-003', severity: 'medium', path: 'b.pkl', message: 'm3']]]
        assert Report.findingsText(r, 5) ==
                'MS-PICKLE-001 critical a.pkl (member data.pkl, offset 12): GLOBAL posix.system second line; ' +
                'MS-X-002 medium a.pkl: m2; MS-X-003 medium b.pkl: m3'
        assert Report.findingsText(r, 1).endsWith('(+2 more)')
        assert Report.countsText(r) == '1 critical, 2 medium'
        assert Report.verdict(r) == 'findings'
        assert Report.findingsText(null, 5) == ''
        Map infoOnly = [findings: [[id: 'I-1', severity: 'info', message: 'note']]]
        assert Report.findingsText(infoOnly, 5) == 'I-1 info: note'
        Map mixed = [findings: [[id: 'I-1', severity: 'info', message: 'note'], [id: 'H-1', severity: 'high', message: 'bad']]]
        assert Report.findingsText(mixed, 5) == 'H-1 high: bad'
        assert Report.html('<a href="x">&\'') == '&lt;a href=&quot;x&quot;&gt;&amp;&#39;'
    }

    void testProblemsText() {
        Map r = [status: 'incomplete', errors: [[path: 'big.bin', message: 'limit reached: max-filesize']],
                 files: [[path: 'big.bin', status: 'incomplete', reason: 'limit'], [path: 'ok.bin', status: 'complete']]]
        assert Report.problemsText(r, 3) == 'big.bin: limit reached: max-filesize; big.bin incomplete: limit'
    }
}
