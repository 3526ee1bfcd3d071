package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

// Stand-in for Jenkins' @Library annotation: the harness loads the library itself.
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
}
