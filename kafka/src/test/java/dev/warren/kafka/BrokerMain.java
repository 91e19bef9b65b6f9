package dev.warren.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The main class of the broker's own JVM (started by {@link KafkaBroker}, never loaded in a test JVM):
 * formats the log directory on first start (Kafka's {@code kafka-storage format}, with a random cluster
 * id), then runs {@code kafka.Kafka}. Kafka is reached by reflection: its classes are on the broker's
 * class path only. With {@code --exit-with-parent} it halts when its standard input ends, that is when
 * the JVM that started it is gone, even by SIGKILL, so a killed test run leaves no broker behind.
 *
 * <p>Arguments: {@code PROPERTIES_FILE LOG_DIR [--exit-with-parent]}.
 */
public final class BrokerMain {
    private BrokerMain() {}

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: BrokerMain PROPERTIES_FILE LOG_DIR [--exit-with-parent]");
        }
        if (args.length > 2 && args[2].equals("--exit-with-parent")) {
            Thread watcher = new Thread(BrokerMain::haltAtEndOfInput, "exit-with-parent");
            watcher.setDaemon(true);
            watcher.start();
        }
        Path logDir = Path.of(args[1]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            Class<?> tool = Class.forName("kafka.tools.StorageTool");
            Method execute = tool.getMethod("execute", String[].class, PrintStream.class);
            String[] format = {"format", "-t", clusterId(), "-c", args[0]};
            int rc = (Integer) execute.invoke(null, format, new PrintStream(System.out, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("formatting " + logDir + " failed with status " + rc);
            }
        }
        Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {args[0]});
    }

    /** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, as {@code random-uuid} prints. */
    private static String clusterId() {
        UUID u = UUID.randomUUID();
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            b[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void haltAtEndOfInput() {
        InputStream in = System.in;
        byte[] buf = new byte[64];
        try {
            while (in.read(buf) >= 0) {
                // the parent never writes; reading only waits for the end
            }
        } catch (IOException e) {
            // a broken pipe is the parent's end too
        }
        Runtime.getRuntime().halt(0);
    }
}
