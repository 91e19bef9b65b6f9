package dev.warren.kafka;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A real single-node Apache Kafka (KRaft: broker and controller in one) in its own JVM, on two free
 * loopback ports, for the tests and for {@code make kafka}. The broker runs from the class path that
 * the {@code kafka-broker} module resolved ({@code kafka-broker/target/broker.classpath}), with
 * {@link BrokerMain} (this module's test classes) as its main class.
 *
 * <p>{@link #shared()} is the one broker of a test JVM, started on first use and stopped when the JVM
 * exits (and halted by {@link BrokerMain} if the JVM is killed). Tests that need their own topics
 * create them with unique names.
 *
 * <p><b>Threading.</b> Methods may be called from any thread; {@link #start}, {@link #restart} and
 * {@link #stop} block until the broker answers or has exited. Not meant for concurrent restarts.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(90);
    /** How many times a first start is tried, on new ports each time, when the broker exits while starting. */
    private static final int START_ATTEMPTS = 4;

    private static final java.util.concurrent.locks.ReentrantLock SHARED_LOCK =
            new java.util.concurrent.locks.ReentrantLock();
    private static KafkaBroker shared;

    private final Path dir;
    private int port;
    private int controllerPort;
    private final boolean exitWithParent;
    private Process process;
    private Duration lastStartup = Duration.ZERO;

    private KafkaBroker(Path dir, int port, int controllerPort, boolean exitWithParent) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.exitWithParent = exitWithParent;
    }

    /** The test JVM's broker: started on first call, stopped (and its directory deleted) at JVM exit. */
    public static KafkaBroker shared() {
        SHARED_LOCK.lock();
        try {
            if (shared == null) {
                KafkaBroker b = start(Files.createTempDirectory("warren-kafka-"), true);
                Runtime.getRuntime().addShutdownHook(new Thread(b::close, "kafka-broker-stop"));
                System.out.printf(
                        "Kafka broker %s up in %d ms%n",
                        b.bootstrap(), b.lastStartup().toMillis());
                shared = b;
            }
            return shared;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            SHARED_LOCK.unlock();
        }
    }

    /** Formats {@code dir} (a new directory) and starts a broker there; returns once it answers. */
    public static KafkaBroker start(Path dir, boolean exitWithParent) throws IOException {
        KafkaBroker b = new KafkaBroker(dir, freePort(-1), -1, exitWithParent);
        for (int attempt = 1; ; attempt++) {
            b.controllerPort = freePort(b.port);
            b.writeConfig();
            try {
                b.launch();
                return b;
            } catch (ExitedWhileStarting e) {
                // most often another process took a port between our probe and the broker's bind: new
                // ports, again; the failure is printed so a broker that cannot start at all is seen
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
                System.err.printf(
                        "Kafka broker start %d of %d failed, trying new ports: %s%n",
                        attempt, START_ATTEMPTS, e.getMessage());
                b.port = freePort(-1);
                deleteTree(dir.resolve("data")); // formatted afresh for the new ports
            }
        }
    }

    /** The bootstrap address, {@code 127.0.0.1:PORT}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** How long the last start took, from launching the JVM until the broker answered a client. */
    public Duration lastStartup() {
        return lastStartup;
    }

    /** The broker's process id, or -1 if it is not running. */
    public long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /**
     * Creates {@code name} with {@code partitions} partitions (replication 1) and waits until the broker
     * describes it with a leader for every partition (the controller answers the creation before the
     * broker's metadata has it: a describe right after could still say it does not exist).
     */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(() -> admin
                                    .describeTopics(List.of(name))
                                    .allTopicNames()
                                    .get(5, TimeUnit.SECONDS)
                                    .get(name)
                                    .partitions()
                                    .stream()
                                    .filter(p ->
                                            p.leader() != null && !p.leader().isEmpty())
                                    .count()
                            == partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("creating topic " + name + " failed", e);
        }
    }

    /** An admin client of this broker; the caller closes it. */
    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /**
     * Waits (up to {@code atMost}) until {@code group} has committed every partition of {@code topic} up to
     * its last record (the offset of that record, so the last record itself, an end marker in the tests,
     * need not be processed).
     */
    public void awaitCommittedUpToLast(String group, String topic, int partitions, Duration atMost) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get();
                var ends = admin.listOffsets(latest).all().get();
                for (TopicPartition tp : latest.keySet()) {
                    OffsetAndMetadata c = committed.get(tp);
                    if (c == null || c.offset() < ends.get(tp).offset() - 1) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    /** Stops the broker (SIGTERM, a clean shutdown) and starts it again on the same ports and data. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    /** Stops the broker with SIGTERM and waits for its JVM to exit (SIGKILL after 30 s). */
    public void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops the broker and deletes its directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a test run for
        }
    }

    private void writeConfig() throws IOException {
        Path logs = dir.resolve("data");
        String cfg = String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logs,
                // one node: every internal topic with one replica, and few partitions so it is up sooner
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // a group forms at once, and a killed member can be noticed within seconds
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                // a restarted node registers again only once its previous session has expired (9 s by default)
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=2000",
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "");
        Files.writeString(dir.resolve("server.properties"), cfg, StandardCharsets.UTF_8);
    }

    private void launch() throws IOException {
        String cp = brokerClasspath() + java.io.File.pathSeparator + ownClasses();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                BrokerMain.class.getName(),
                dir.resolve("server.properties").toString(),
                dir.resolve("data").toString()));
        if (exitWithParent) {
            cmd.add("--exit-with-parent");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
        if (!exitWithParent) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        long t0 = System.nanoTime();
        process = pb.start();
        awaitUp();
        lastStartup = Duration.ofNanos(System.nanoTime() - t0);
    }

    private void awaitUp() throws IOException {
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                if (!process.isAlive()) {
                    String tail = logTail(40);
                    String message = "the Kafka broker exited with status " + process.exitValue()
                            + " while starting; the end of its log (" + dir.resolve("broker.log") + "):\n" + tail;
                    throw new ExitedWhileStarting(message);
                }
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(2, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // not listening yet: ask again until the limit
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("the Kafka broker did not answer within " + STARTUP_LIMIT
                            + "; the end of its log (" + dir.resolve("broker.log") + "):\n" + logTail(40));
                }
                Thread.sleep(100); // polling a process we do not control: nothing to wait on instead
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while the Kafka broker started", e);
        }
    }

    private static String brokerClasspath() throws IOException {
        String file = Optional.ofNullable(System.getProperty("warren.kafka.broker.classpath"))
                .orElse("kafka-broker/target/broker.classpath");
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IOException("no broker class path at " + p.toAbsolutePath()
                    + ": build the kafka-broker module first (make, or mvn -pl kafka-broker install)");
        }
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

    /** Where {@link BrokerMain} was loaded from (this module's test classes). */
    private static String ownClasses() {
        try {
            return Path.of(BrokerMain.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The last {@code lines} lines of the broker's log, for a failure's message. */
    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("broker.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(its log could not be read: " + e + ")";
        }
    }

    /** The broker's JVM exited before it answered (a port taken before it could bind it, most often). */
    private static final class ExitedWhileStarting extends IOException {
        private static final long serialVersionUID = 1L;

        ExitedWhileStarting(String message) {
            super(message);
        }
    }

    /**
     * A loopback port free now, other than {@code not}, chosen below the kernel's ephemeral range: a port
     * from that range (what binding port 0 gives) can be taken by any process's outgoing connection
     * between this probe and the broker's bind, which once failed a CI run with "Address already in use".
     */
    private static int freePort(int not) throws IOException {
        int low = ephemeralLow();
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 200 && low > 10_000; i++) {
            int candidate = r.nextInt(10_000, low);
            if (candidate == not) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), candidate), 1);
                return candidate;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), or 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .strip();
            int end = 0;
            while (end < range.length() && !Character.isWhitespace(range.charAt(end))) {
                end++;
            }
            return Integer.parseInt(range.substring(0, end));
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    /**
     * {@code make kafka}: {@code start DIR} starts a broker in the background with its data in {@code DIR}
     * (which must not exist), prints its bootstrap address and writes it and the pid to {@code DIR};
     * {@code stop DIR} stops it and deletes {@code DIR}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("start") || args[0].equals("stop"))) {
            System.err.println("usage: KafkaBroker start|stop DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("start")) {
            if (Files.exists(dir.resolve("broker.pid"))) {
                long pid = Long.parseLong(
                        Files.readString(dir.resolve("broker.pid")).strip());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    System.out.println(Files.readString(dir.resolve("bootstrap"))
                                    .strip() + "   (already running, pid " + pid + ")");
                    return;
                }
            }
            Files.createDirectories(dir);
            KafkaBroker b = start(dir, false);
            Files.writeString(dir.resolve("broker.pid"), Long.toString(b.pid()));
            Files.writeString(dir.resolve("bootstrap"), b.bootstrap());
            System.out.println(b.bootstrap());
            System.err.printf(
                    "Kafka %s is up in %d ms (pid %d, data and log in %s); make kafka-stop stops it%n",
                    "4.4.0", b.lastStartup().toMillis(), b.pid(), dir);
            return;
        }
        Path pidFile = dir.resolve("broker.pid");
        if (!Files.exists(pidFile)) {
            System.err.println("no broker started from " + dir + " (no " + pidFile + ")");
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        boolean ours = h.flatMap(x -> x.info().commandLine())
                .map(c -> c.contains(BrokerMain.class.getName()))
                .orElse(false);
        if (h.isPresent() && h.get().isAlive() && ours) {
            h.get().destroy();
            try {
                h.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                h.get().destroyForcibly();
            }
        }
        new KafkaBroker(dir, 0, 0, false).close();
        System.out.println("Kafka broker " + pid + " stopped");
    }
}
