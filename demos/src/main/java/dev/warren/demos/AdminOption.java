package dev.warren.demos;

import dev.warren.net.admin.AdminServer;
import dev.warren.net.http.Router;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every demo takes for the admin server: {@code --admin PORT} starts one (dashboard at
 * {@code http://127.0.0.1:PORT/}), {@code --admin-bind ADDRESS} binds another address than 127.0.0.1, and
 * the environment variable {@code WARREN_ADMIN_TOKEN} (not an option, so it stays out of {@code ps})
 * requires that bearer token. A demo with endpoints of its own (./datapath's streams) passes them as a
 * {@link Router}, served beside the built-in ones.
 */
final class AdminOption {
    static final String USAGE = """
              --admin PORT          serve the admin endpoints and the live dashboard on 127.0.0.1:PORT
              --admin-bind ADDRESS  bind the admin server to ADDRESS instead (warned about unless loopback);
                                    WARREN_ADMIN_TOKEN=... in the environment requires that bearer token""";

    /** What is left of the arguments, and the admin server if one was asked for. */
    record Parsed(List<String> restList, AdminServer admin) {
        String[] rest() {
            return restList.toArray(new String[0]);
        }
    }

    private AdminOption() {}

    /**
     * Takes the admin options out of {@code args} and starts the server, serving {@code routes} (if not
     * null) beside the built-in endpoints; null (after a message on {@code err}) if an option is bad or
     * the port cannot be bound.
     */
    static Parsed extract(String demo, String[] args, PrintStream err, Router routes) {
        List<String> rest = new ArrayList<>();
        Integer port = null;
        String bind = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--admin") || a.equals("--admin-bind")) {
                String v = i + 1 < args.length ? args[++i] : null;
                if (v == null) {
                    err.println(demo + ": " + a + " needs a value");
                    return null;
                }
                if (a.equals("--admin-bind")) {
                    bind = v;
                    continue;
                }
                try {
                    port = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    err.println(demo + ": --admin PORT must be a number 0..65535, was '" + v + "'");
                    return null;
                }
            } else {
                rest.add(a);
            }
        }
        java.util.Optional<AdminServer.Builder> configured =
                ConfigOption.current().admin();
        if (port == null && configured.isEmpty()) {
            if (bind != null) {
                err.println(demo + ": --admin-bind needs --admin PORT");
                return null;
            }
            return new Parsed(List.copyOf(rest), null);
        }
        // warren.admin in --config, with the command line's port and address over it
        AdminServer.Builder b = configured.orElseGet(AdminServer::builder);
        if (port != null) {
            b.port(port);
        }
        try {
            if (routes != null) {
                b.routes(routes);
            }
            if (bind != null) {
                b.bindAddress(bind);
            }
            String token = System.getenv("WARREN_ADMIN_TOKEN");
            boolean fileToken = ConfigOption.current().config().hasPath("warren.admin.token");
            if (token != null && !token.isEmpty()) {
                b.token(token);
            }
            AdminServer admin = b.start();
            boolean envToken = token != null && !token.isEmpty();
            String hint = envToken ? "$WARREN_ADMIN_TOKEN" : "TOKEN (warren.admin.token of --config)";
            boolean guarded = envToken || fileToken;
            err.println(demo + ": admin server and dashboard on " + url(admin) + "/"
                    + (guarded ? " (token required: open " + url(admin) + "/?token=" + hint + ")" : ""));
            err.flush();
            return new Parsed(List.copyOf(rest), admin);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println(demo + ": cannot start the admin server: " + e.getMessage());
            return null;
        }
    }

    /** {@code http://HOST:PORT}, without a final slash. */
    static String url(AdminServer admin) {
        String host = admin.localAddress().getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + admin.port();
    }
}
