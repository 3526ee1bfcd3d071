package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/*
 * Reads the fields the pipeline needs from a parsed mlsecops report
 * ("mlsecops-report/1" envelope, see shared/DESIGN.md) or a registration
 * result.  Input is a Map as returned by readJSON (net.sf.json, whose nulls
 * are JSONNull objects) or by JsonSlurper; nothing here calls a step.
 */
class Report implements Serializable {
    private static final long serialVersionUID = 1L

    static final List<String> SEVERITIES = ['critical', 'high', 'medium', 'low', 'info']

    /* A JSON value as a trimmed string, or null for a missing value or JSON null. */
    @NonCPS
    static String str(Object v) {
        if (v == null) {
            return null
        }
        String s = v.toString()
        if (s == 'null' && !(v instanceof String)) {
            return null
        }
        return s
    }

    @NonCPS
    static Object field(Object map, String key) {
        if (!(map instanceof Map)) {
            return null
        }
        return ((Map) map).get(key)
    }

    /* Rank of a severity name: 0 for critical .. 4 for info, 5 if unknown. */
    @NonCPS
    static int rank(String severity) {
        int i = SEVERITIES.indexOf(severity == null ? '' : severity.toLowerCase())
        return i < 0 ? SEVERITIES.size() : i
    }

    /* The findings list, most severe first (stable within one severity). */
    @NonCPS
    static List<Map> findings(Object report) {
        Object f = field(report, 'findings')
        List<Map> out = []
        if (f instanceof List) {
            for (Object o : (List) f) {
                if (o instanceof Map) {
                    out.add((Map) o)
                }
            }
        }
        List<Map> sorted = []
        for (int r = 0; r <= SEVERITIES.size(); r++) {
            for (Map m : out) {
                if (rank(str(m.get('severity'))) == r) {
                    sorted.add(m)
                }
            }
        }
        return sorted
    }

    /* One line for a finding: "ID severity path (location): message". */
    @NonCPS
    static String describe(Map f) {
        StringBuilder sb = new StringBuilder()
        String id = str(f.get('id')) ?: str(f.get('rule')) ?: 'finding'
        sb.append(id)
        String sev = str(f.get('severity'))
        if (sev) {
            sb.append(' ').append(sev)
        }
        String path = str(f.get('path'))
        if (path) {
            sb.append(' ').append(path)
        }
        Object loc = f.get('location')
        String locText = (loc instanceof Map) ? locationText((Map) loc) : str(loc)
        if (locText) {
            sb.append(' (').append(locText).append(')')
        }
        String msg = str(f.get('message'))
        if (msg) {
            sb.append(': ').append(msg)
        }
        return oneLine(sb.toString())
    }

    @NonCPS
    private static String locationText(Map loc) {
        List<String> parts = []
        for (Object k : loc.keySet()) {
            String v = str(loc.get(k))
            if (v) {
                parts.add(k.toString() + ' ' + v)
            }
        }
        return parts.join(', ')
    }

    /*
     * Up to max findings as text, most severe first, "; "-separated, with "(+N more)".
     * Informational findings are left out when there are others.
     */
    @NonCPS
    static String findingsText(Object report, int max) {
        List<Map> all = []
        List<Map> every = findings(report)
        for (Map f : every) {
            if (rank(str(f.get('severity'))) < SEVERITIES.indexOf('info')) {
                all.add(f)
            }
        }
        if (all.isEmpty()) {
            all = every
        }
        List<String> parts = []
        for (int i = 0; i < all.size() && i < max; i++) {
            parts.add(describe(all[i]))
        }
        String text = parts.join('; ')
        if (all.size() > max) {
            text += ' (+' + (all.size() - max) + ' more)'
        }
        return text
    }

    /* The errors[] messages and incomplete files, for reports that could not finish. */
    @NonCPS
    static String problemsText(Object report, int max) {
        List<String> parts = []
        Object errs = field(report, 'errors')
        if (errs instanceof List) {
            for (Object e : (List) errs) {
                String p = str(field(e, 'path'))
                String m = str(field(e, 'message'))
                if (m) {
                    parts.add(oneLine(p ? p + ': ' + m : m))
                }
            }
        }
        Object files = field(report, 'files')
        if (files instanceof List) {
            for (Object f : (List) files) {
                String st = str(field(f, 'status'))
                if (st && st != 'complete' && st != 'clean' && st != 'skipped') {
                    String reason = str(field(f, 'reason'))
                    parts.add(oneLine(str(field(f, 'path')) + ' ' + st + (reason ? ': ' + reason : '')))
                }
            }
        }
        String text = parts.take(max).join('; ')
        if (parts.size() > max) {
            text += ' (+' + (parts.size() - max) + ' more)'
        }
        return text
    }

    /* verdict (clean | findings | unknown) or null. */
    @NonCPS
    static String verdict(Object report) {
        return str(field(report, 'verdict'))
    }

    /* status (complete | incomplete | error) or null. */
    @NonCPS
    static String status(Object report) {
        return str(field(report, 'status'))
    }

    /* "2 critical, 1 high" from summary.findings (info left out), or '' when there are none. */
    @NonCPS
    static String countsText(Object report) {
        Object counts = field(field(report, 'summary'), 'findings')
        List<String> parts = []
        for (String sev : SEVERITIES) {
            if (sev == 'info') {
                continue
            }
            String n = str(field(counts, sev))
            if (n && n != '0') {
                parts.add(n + ' ' + sev)
            }
        }
        return parts.join(', ')
    }

    /* Collapses control characters so that untrusted text stays on one log line. */
    @NonCPS
    static String oneLine(String s) {
        if (s == null) {
            return null
        }
        String t = s.replaceAll('[\\r\\n\\t\\u0000-\\u001f\\u007f]+', ' ').trim()
        return t.length() > 400 ? t.substring(0, 400) + '...' : t
    }

    /* Escapes text for the HTML build description (model content is untrusted). */
    @NonCPS
    static String html(Object v) {
        String s = (v == null) ? '' : v.toString()
        return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
                .replace('"', '&quot;').replace("'", '&#39;')
    }
}
