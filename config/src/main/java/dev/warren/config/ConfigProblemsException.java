package dev.warren.config;

import java.io.Serial;
import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it (not only the first): each names the
 * path, the file and line it came from, and what is wrong. The message lists them one per line, ready for
 * a user: {@code app.conf:4: warren.http-servers.web.port: port must be 0..65535, was 70000}.
 */
public final class ConfigProblemsException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * One problem.
     *
     * @param path the HOCON path of the value, e.g. {@code warren.http-servers.web.port}
     * @param origin where it was written, {@code FILE:LINE} (or the description of a string source)
     * @param message what is wrong, naming the bad value
     */
    public record Problem(String path, String origin, String message) {
        @Override
        public String toString() {
            return origin + ": " + (path.isEmpty() ? "" : path + ": ") + message;
        }
    }

    private final transient List<Problem> problems;

    ConfigProblemsException(List<Problem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, in the order of the file. */
    public List<Problem> problems() {
        return problems;
    }

    private static String render(List<Problem> problems) {
        StringBuilder s = new StringBuilder();
        s.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems")
                .append(" in the configuration:");
        for (Problem p : problems) {
            s.append("\n  ").append(p);
        }
        return s.toString();
    }
}
