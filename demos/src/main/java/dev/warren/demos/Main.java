package dev.warren.demos;

import java.util.Arrays;

/**
 * Entry point of the demo launchers in the repository root: {@code ./NAME args...} runs
 * {@code Main NAME args...}. Each demo is a class with a {@code run(String[])} method that returns the
 * process exit code.
 */
public final class Main {
    private Main() {}

    /** Dispatches to the demo named by {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Main DEMO [ARGS...]   (demos: tasklets_demo, http_server, http_client)");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "tasklets_demo" -> TaskletsDemo.run(rest);
            case "http_server" -> HttpServerDemo.run(rest);
            case "http_client" -> HttpClientDemo.run(rest);
            default -> {
                System.err.println("unknown demo '" + args[0] + "' (demos: tasklets_demo, http_server, http_client)");
                yield 2;
            }
        };
        System.exit(code);
    }
}
