package dev.warren.tests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * An external program a test needs (promtool, prometheus, chromium, wrk). Found on the PATH; when it is
 * missing the test is skipped with a message saying what to install, except under CI (CI=true), where
 * {@code .ci/run} installs it, so a missing one there is a failure rather than a silent skip.
 */
final class ExternalTool {
    private ExternalTool() {}

    static Path require(String name, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator, -1)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        String message = name + " is not installed (apt-get install " + debianPackage + "; .ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }
}
