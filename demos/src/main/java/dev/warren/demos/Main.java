package dev.warren.demos;

import dev.warren.net.http.Router;
import dev.warren.streaming.datapath.DatapathsHttp;
import java.util.Arrays;

/**
 * Entry point of the demo launchers in the repository root: {@code ./NAME args...} runs
 * {@code Main NAME args...}. Each demo is a class with a {@code run(String[])} method that returns the
 * process exit code.
 */
public final class Main {
    private Main() {}

    private static final String DEMOS =
            "tasklets_demo, http_server, http_client, msg_server, msg_client, hiveparser, datapath, supervise";

    /** The usage text of a demo; null for a name that is not one. */
    static String usage(String demo) {
        return switch (demo) {
            case "tasklets_demo" -> TaskletsDemo.USAGE;
            case "hiveparser" -> HiveParserOptions.USAGE;
            case "msg_server" -> MsgServerDemo.USAGE;
            case "msg_client" -> MsgClientDemo.USAGE;
            case "http_server" -> HttpServerDemo.USAGE;
            case "http_client" -> HttpClientDemo.USAGE;
            case "datapath" -> DatapathDemo.USAGE;
            default -> null;
        };
    }

    /** Dispatches to the demo named by {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Main DEMO [ARGS...]   (demos: " + DEMOS + ")");
            System.exit(2);
        }
        String[] all = Arrays.copyOfRange(args, 1, args.length);
        if (args[0].equals("supervise")) {
            // its arguments end with another program's, --admin included: the supervisor takes none of them
            System.exit(Supervise.run(all));
            return;
        }
        String usage = usage(args[0]);
        for (String a : all) {
            // the same everywhere: help and version on standard output, status 0
            if (usage != null && (a.equals("-h") || a.equals("--help"))) {
                System.out.println(usage);
                System.exit(0);
                return;
            }
            if (usage != null && a.equals("--version")) {
                System.out.println(args[0] + " " + Args.version());
                System.exit(0);
                return;
            }
        }
        all = usage == null ? all : ConfigOption.extract(args[0], all, System.err);
        if (all == null) {
            System.exit(2);
            return;
        }
        // --config FILE, --admin PORT and --console PORT work the same for every demo: taken out here,
        // before the demo parses the rest
        Router adminRoutes = args[0].equals("datapath") ? DatapathsHttp.router() : null;
        AdminOption.Parsed admin = AdminOption.extract(args[0], all, System.err, adminRoutes);
        if (admin == null) {
            System.exit(2);
            return;
        }
        // --console PORT likewise
        ConsoleOption.Parsed console = ConsoleOption.extract(args[0], admin.rest(), System.err);
        if (console == null) {
            System.exit(2);
            return;
        }
        String[] rest = console.rest();
        int code = switch (args[0]) {
            case "tasklets_demo" -> TaskletsDemo.run(rest);
            case "hiveparser" -> HiveParser.run(rest);
            case "msg_server" -> MsgServerDemo.run(rest);
            case "msg_client" -> MsgClientDemo.run(rest);
            case "http_server" -> HttpServerDemo.run(rest);
            case "http_client" -> HttpClientDemo.run(rest);
            case "datapath" -> DatapathDemo.run(rest, admin.admin());
            default -> {
                System.err.println("unknown demo '" + args[0] + "' (demos: " + DEMOS + ")");
                yield 2;
            }
        };
        System.exit(code);
    }
}
