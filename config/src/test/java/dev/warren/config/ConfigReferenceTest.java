package dev.warren.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.TcpServer;
import dev.warren.net.UdpReceiver;
import dev.warren.net.admin.AdminServer;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.http.HttpServer;
import dev.warren.streaming.StreamJob;
import dev.warren.tasklets.JobQueue;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docs/CONFIG.md and the builders cannot drift from the schema. */
class ConfigReferenceTest {
    private static final Path DOC = Path.of("..", "docs", "CONFIG.md");

    /**
     * Builder options a file cannot set, each for a reason: code (handlers, parsers, sinks, functions), the
     * name (the section's name is the builder's), or a record a section spells as its own keys
     * ({@code listener}: the listener keys; {@code limits}: the HTTP limits; {@code format}: the framing).
     */
    private static final Set<String> NOT_IN_FILES = Set.of(
            "handler",
            "name",
            "protocol",
            "format",
            "limits",
            "listener",
            "routes",
            "source",
            "parse",
            "keyBy",
            "window",
            "eventTime",
            "timeSource",
            "stateInit",
            "handle",
            "stateFree",
            "sink",
            "onParseError",
            "onFuture",
            "onLate",
            "watermark",
            "emitIf",
            "bindAddress(java.net.InetAddress)");

    @Test
    void theReferenceIsRenderedFromTheSchema() throws IOException {
        String expected = Schema.markdown();
        if (Boolean.getBoolean("warren.config.write")) {
            Files.writeString(DOC, expected);
        }
        String actual = Files.exists(DOC) ? Files.readString(DOC) : "";
        assertEquals(expected, actual, "docs/CONFIG.md is out of date: run `make config-docs`");
    }

    @Test
    void everyOptionOfTheBuildersHasAKey() {
        Map<Class<?>, Schema.Kind<?>> kinds = Map.of(
                TcpServer.Builder.class, Schema.TCP,
                HttpServer.Builder.class, Schema.HTTP,
                MessageServer.Builder.class, Schema.MESSAGE,
                UdpReceiver.Builder.class, Schema.UDP,
                JobQueue.Builder.class, Schema.JOBQ,
                StreamJob.Builder.class, Schema.STREAM,
                AdminServer.Builder.class, Schema.ADMIN);
        List<String> missing = new ArrayList<>();
        kinds.forEach((type, kind) -> {
            Set<String> keys = new TreeSet<>();
            kind.keys().forEach(k -> keys.add(k.name()));
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())
                        || m.getParameterCount() != 1
                        || m.getReturnType() != type
                        || NOT_IN_FILES.contains(m.getName())
                        || NOT_IN_FILES.contains(m.getName() + "(" + m.getParameterTypes()[0].getName() + ")")) {
                    continue;
                }
                String kebab =
                        m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
                if (kebab.equals("close-warning-after") || keys.contains(kebab)) {
                    continue;
                }
                missing.add(type.getName() + "." + m.getName() + " (key " + kebab + " in " + kind.name() + ")");
            }
        });
        assertTrue(missing.isEmpty(), "builder options with no configuration key: " + missing);
    }
}
