package dev.warren.demos;

import dev.warren.net.admin.Console;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The option every demo takes for the line console: {@code --console PORT} starts one on
 * {@code 127.0.0.1:PORT} (loopback only), to be used with {@code nc 127.0.0.1 PORT}.
 */
final class ConsoleOption {
    static final String USAGE = """
              --console PORT        a line console on 127.0.0.1:PORT (nc 127.0.0.1 PORT; 'help' lists its commands)""";

    /** What is left of the arguments, and the console if one was asked for. */
    record Parsed(List<String> restList, Console console) {
        String[] rest() {
            return restList.toArray(new String[0]);
        }
    }

    private ConsoleOption() {}

    /**
     * Takes {@code --console PORT} out of {@code args} and starts the console; null (after a message on
     * {@code err}) if the option is bad or the port cannot be bound.
     */
    static Parsed extract(String demo, String[] args, PrintStream err) {
        List<String> rest = new ArrayList<>();
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.equals("--console")) {
                rest.add(a);
                continue;
            }
            String v = i + 1 < args.length ? args[++i] : null;
            if (v == null) {
                err.println(demo + ": --console needs a value");
                return null;
            }
            try {
                port = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                err.println(demo + ": --console PORT must be a number 0..65535, was '" + v + "'");
                return null;
            }
        }
        if (port == null) {
            return new Parsed(List.copyOf(rest), null);
        }
        try {
            Console console = Console.start(port);
            err.println(demo + ": console on 127.0.0.1:" + console.port() + " (nc 127.0.0.1 " + console.port() + ")");
            err.flush();
            return new Parsed(List.copyOf(rest), console);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println(demo + ": cannot start the console: " + e.getMessage());
            return null;
        }
    }
}
