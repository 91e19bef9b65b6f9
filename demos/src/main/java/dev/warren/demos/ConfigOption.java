package dev.warren.demos;

import dev.warren.config.ConfigProblemsException;
import dev.warren.config.WarrenConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --config FILE}, which every demo takes: a HOCON file (docs/CONFIG.md) whose {@code warren}
 * sections configure what the demo builds — {@code http-servers.http_server}, {@code
 * message-servers.msg_server}, {@code stream-jobs.hiveparser} — and the admin server ({@code
 * warren.admin}). Command-line options win over the file. A file with problems is reported whole and the
 * demo exits 2 before it starts anything.
 */
final class ConfigOption {
    static final String USAGE = """
              --config FILE         configure what the demo builds from a HOCON file (docs/CONFIG.md):
                                    warren.http-servers.http_server, warren.message-servers.msg_server,
                                    warren.stream-jobs.hiveparser, warren.admin; options win over it""";

    /** The configuration of this run: empty unless {@code --config} was given. Set once, by {@link Main}. */
    private static volatile WarrenConfig current = WarrenConfig.empty();

    private ConfigOption() {}

    static WarrenConfig current() {
        return current;
    }

    /** Whether the file sets {@code warren.KIND.NAME.KEY}: a demo's own default gives way to it. */
    static boolean sets(String kind, String name, String key) {
        return current.config().hasPath("warren." + kind + "." + name + "." + key);
    }

    /** What is left of the arguments once {@code --config FILE} is taken out; null after a message on {@code err}. */
    static String[] extract(String demo, String[] args, PrintStream err) {
        List<String> rest = new ArrayList<>();
        String file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length) {
                    err.println(demo + ": --config needs a FILE");
                    return null;
                }
                if (file != null) {
                    err.println(demo + ": --config given twice ('" + file + "' and '" + args[i + 1] + "')");
                    return null;
                }
                file = args[++i];
            } else {
                rest.add(args[i]);
            }
        }
        if (file != null) {
            try {
                current = WarrenConfig.load(Path.of(file));
            } catch (ConfigProblemsException e) {
                err.println(demo + ": --config " + file + ": " + e.getMessage());
                return null;
            }
        }
        return rest.toArray(new String[0]);
    }
}
