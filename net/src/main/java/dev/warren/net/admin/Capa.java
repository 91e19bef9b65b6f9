package dev.warren.net.admin;

import dev.warren.net.NetObservability;
import dev.warren.net.TcpServer;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.Reports;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code capa} report (libmtev's {@code /capa.json}): what this process is and runs on. Registered
 * when the first admin server starts.
 */
final class Capa {
    private static final Properties BUILD = build();
    private static final String[][] MODULES = {
        {"warren-tasklets", "dev.warren.tasklets.Tasklets"},
        {"warren-net", "dev.warren.net.TcpServer"},
        {"warren-streaming", "dev.warren.streaming.StreamJob"},
        {"warren-demos", "dev.warren.demos.Main"},
    };

    private Capa() {}

    private static Properties build() {
        Properties p = new Properties();
        try (InputStream in = Capa.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build information: version and commit read "unknown"
        }
        return p;
    }

    static void register() {
        if (!Reports.names().contains("capa")) {
            Reports.register("capa", Capa::tree);
        }
    }

    static Map<String, Object> tree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", BUILD.getProperty("version", "unknown"));
        m.put("commit", BUILD.getProperty("commit", "unknown"));
        Map<String, Object> jdk = new LinkedHashMap<>();
        jdk.put("version", Runtime.version().toString());
        jdk.put("vendor", System.getProperty("java.vendor"));
        jdk.put("vm", System.getProperty("java.vm.name"));
        m.put("jdk", jdk);
        Map<String, Object> os = new LinkedHashMap<>();
        os.put("name", System.getProperty("os.name"));
        os.put("release", System.getProperty("os.version"));
        os.put("arch", System.getProperty("os.arch"));
        m.put("os", os);
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put(
                "carrier_parallelism",
                Integer.getInteger(
                        "jdk.virtualThreadScheduler.parallelism",
                        Runtime.getRuntime().availableProcessors()));
        m.put("poller_mode", System.getProperty("jdk.pollerMode", "default"));
        Map<String, Object> reactor = new LinkedHashMap<>();
        reactor.put("supported", TcpServer.reactorSupported());
        reactor.put("in_use", reactorInUse());
        m.put("reactor", reactor);
        m.put("library_metrics", MetricRegistry.libraryMetrics());
        List<String> modules = new ArrayList<>();
        for (String[] mod : MODULES) {
            try {
                Class.forName(mod[1], false, Capa.class.getClassLoader());
                modules.add(mod[0]);
            } catch (ClassNotFoundException e) {
                // not on the class path
            }
        }
        m.put("modules", modules);
        m.put("pid", ProcessHandle.current().pid());
        m.put("uptime_ms", ManagementFactory.getRuntimeMXBean().getUptime());
        m.put("now", Instant.now().toString());
        m.put("now_ms", System.currentTimeMillis());
        return m;
    }

    private static boolean reactorInUse() {
        Object listeners = NetObservability.sockets(0).get("listeners");
        if (listeners instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> x && Boolean.TRUE.equals(x.get("reactor"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
