package dev.warren.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.warren.config.ConfigProblemsException.Problem;
import dev.warren.net.TcpServer;
import dev.warren.net.UdpReceiver;
import dev.warren.net.admin.AdminServer;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.http.HttpServer;
import dev.warren.streaming.StreamJob;
import dev.warren.tasklets.JobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Servers, job queues and stream jobs configured from a file. The file is HOCON, read with Typesafe
 * Config: includes, {@code ${VAR}}/{@code ${?VAR}} from the environment, durations ({@code 5s}) and sizes
 * ({@code 64KiB}). Warren reads its object {@code warren}; the rest of the file is the application's own
 * ({@link #config()}). The keys each section takes are in docs/CONFIG.md.
 *
 * <pre>{@code
 * // app.conf:  warren { http-servers.web { port = 8080, idle-timeout = 30s }, admin.port = 9090 }
 * WarrenConfig config = WarrenConfig.load(Path.of("app.conf"));
 * HttpServer web = config.httpServer("web").handler(router).start();
 * config.admin().ifPresent(AdminServer.Builder::start);
 * }</pre>
 *
 * <p><b>Validated at load, all at once.</b> Every section under {@code warren} is checked when the file is
 * loaded, by applying it to a builder that is then thrown away: an unknown section or key (with the
 * closest known key), a value of the wrong type, and a value the builder refuses are each reported with
 * their path and the file and line they came from, in one {@link ConfigProblemsException}. A
 * configuration that loads gives builders that accept it; nothing has been started by then.
 *
 * <p>Immutable and thread-safe. Each builder method returns a new builder; the caller adds what a file
 * cannot hold (handlers, parsers, sinks) and starts it.
 */
public final class WarrenConfig {
    private final Config root;
    private final Config warren;

    private WarrenConfig(Config root) {
        this.root = root;
        List<Problem> problems = new ArrayList<>();
        Config w = ConfigFactory.empty();
        if (root.hasPath("warren")) {
            ConfigValue v = root.getValue("warren");
            if (v.valueType() != ConfigValueType.OBJECT) {
                problems.add(problem("warren", v, "must be an object { ... }, was " + render(v)));
            } else {
                w = root.getConfig("warren");
                validate(w, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigProblemsException(problems);
        }
        this.warren = w;
    }

    /**
     * Reads, resolves and checks a configuration file.
     *
     * @throws ConfigProblemsException if it cannot be read or parsed, a substitution is not set, or any
     *     section is wrong (every problem listed)
     */
    public static WarrenConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new ConfigProblemsException(List.of(
                    new Problem("", file.toString(), Files.exists(file) ? "is not a regular file" : "no such file")));
        }
        return read(() -> ConfigFactory.parseFile(
                file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
    }

    /**
     * Parses and checks a configuration given as text; {@code description} names it in problems (as a
     * file name would).
     */
    public static WarrenConfig parse(String hocon, String description) {
        Objects.requireNonNull(hocon, "hocon");
        Objects.requireNonNull(description, "description");
        return read(() ->
                ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(description)));
    }

    /** Checks an already loaded and resolved configuration (such as {@code ConfigFactory.load()}). */
    public static WarrenConfig of(Config config) {
        return new WarrenConfig(Objects.requireNonNull(config, "config"));
    }

    /** No configuration: every section is absent. */
    public static WarrenConfig empty() {
        return new WarrenConfig(ConfigFactory.empty());
    }

    private interface Parse {
        Config parse();
    }

    private static WarrenConfig read(Parse parse) {
        Config parsed;
        try {
            parsed = parse.parse().resolve();
        } catch (ConfigException.UnresolvedSubstitution e) {
            throw new ConfigProblemsException(List.of(new Problem("", where(e.origin()), unresolved(e))));
        } catch (ConfigException e) {
            throw new ConfigProblemsException(List.of(new Problem("", where(e.origin()), withoutOrigin(e))));
        }
        return new WarrenConfig(parsed);
    }

    /** The whole configuration, the application's own sections included. */
    public Config config() {
        return root;
    }

    /** The names of the sections of {@code kind} ({@code "http-servers"}, {@code "job-queues"}, ...). */
    public Set<String> names(String kind) {
        Schema.Kind<?> k = Schema.named(kind);
        if (k == null) {
            throw new IllegalArgumentException("kind must be one of "
                    + Schema.topLevelNames().subList(0, Schema.NAMED.size()) + ", was '" + kind + "'");
        }
        return warren.hasPath(kind) ? new TreeSet<>(warren.getObject(kind).keySet()) : Set.of();
    }

    /** Whether section {@code warren.KIND.NAME} is present. */
    public boolean has(String kind, String name) {
        return names(kind).contains(name);
    }

    /** A TCP server builder named {@code name} with {@code warren.tcp-servers.NAME} applied. */
    public TcpServer.Builder tcpServer(String name) {
        return build(Schema.TCP, name);
    }

    /** An HTTP server builder named {@code name} with {@code warren.http-servers.NAME} applied. */
    public HttpServer.Builder httpServer(String name) {
        return build(Schema.HTTP, name);
    }

    /** A framed-message server builder named {@code name} with {@code warren.message-servers.NAME} applied. */
    public MessageServer.Builder messageServer(String name) {
        return build(Schema.MESSAGE, name);
    }

    /** A UDP receiver builder named {@code name} with {@code warren.udp-receivers.NAME} applied. */
    public UdpReceiver.Builder udpReceiver(String name) {
        return build(Schema.UDP, name);
    }

    /** A job queue builder named {@code name} with {@code warren.job-queues.NAME} applied. */
    public JobQueue.Builder jobQueue(String name) {
        return build(Schema.JOBQ, name);
    }

    /**
     * Applies {@code warren.stream-jobs.NAME} to {@code builder} (made by the caller, who knows its event
     * type) and returns it.
     */
    public <E, K, S, R> StreamJob.Builder<E, K, S, R> streamJob(String name, StreamJob.Builder<E, K, S, R> builder) {
        Objects.requireNonNull(builder, "builder");
        apply(Schema.STREAM, section(Schema.STREAM, name), "warren.stream-jobs." + name, builder, null);
        return builder;
    }

    /** The admin server builder of {@code warren.admin}, if the file has that section. */
    public Optional<AdminServer.Builder> admin() {
        if (!warren.hasPath("admin")) {
            return Optional.empty();
        }
        AdminServer.Builder b = AdminServer.builder();
        apply(Schema.ADMIN, warren.getConfig("admin"), "warren.admin", b, null);
        return Optional.of(b);
    }

    private <B> B build(Schema.Kind<B> kind, String name) {
        Config section = section(kind, name);
        B b = kind.create().apply(name);
        apply(kind, section, "warren." + kind.name() + "." + name, b, null);
        return b;
    }

    private Config section(Schema.Kind<?> kind, String name) {
        Objects.requireNonNull(name, "name");
        Set<String> names = names(kind.name());
        if (!names.contains(name)) {
            throw new IllegalArgumentException("no section warren." + kind.name() + "." + Schema.quote(name) + " in "
                    + describe() + (names.isEmpty() ? "" : " (there are " + String.join(", ", names) + ")"));
        }
        return warren.getObject(kind.name()).toConfig().getConfig(Schema.quote(name));
    }

    private String describe() {
        ConfigOrigin o = root.origin();
        String d = o.filename() != null ? o.filename() : o.description().replaceFirst(": \\d+(-\\d+)?$", "");
        return d.isEmpty() ? "the configuration" : d;
    }

    private static void validate(Config w, List<Problem> problems) {
        for (Map.Entry<String, ConfigValue> e : w.root().entrySet()) {
            String kindName = e.getKey();
            ConfigValue v = e.getValue();
            String path = "warren." + Schema.quote(kindName);
            if (kindName.equals(Schema.ADMIN.name())) {
                if (checkObject(path, v, problems)) {
                    Config admin = ((ConfigObject) v).toConfig();
                    if (!admin.hasPath("port")) {
                        problems.add(problem(path, v, "port is missing (the admin server needs one)"));
                    }
                    apply(Schema.ADMIN, admin, path, AdminServer.builder(), problems);
                }
                continue;
            }
            Schema.Kind<?> kind = Schema.named(kindName);
            if (kind == null) {
                String near = Schema.closest(Schema.topLevelNames(), kindName);
                problems.add(problem(
                        path,
                        v,
                        "unknown section"
                                + (near != null ? " (did you mean " + near + "?)" : "")
                                + "; warren holds " + String.join(", ", Schema.topLevelNames())));
                continue;
            }
            if (!checkObject(path, v, problems)) {
                continue;
            }
            for (Map.Entry<String, ConfigValue> s : ((ConfigObject) v).entrySet()) {
                String sectionPath = path + "." + Schema.quote(s.getKey());
                if (checkObject(sectionPath, s.getValue(), problems)) {
                    validateSection(kind, s.getKey(), ((ConfigObject) s.getValue()).toConfig(), sectionPath, problems);
                }
            }
        }
    }

    private static <B> void validateSection(
            Schema.Kind<B> kind, String name, Config section, String path, List<Problem> problems) {
        B scratch;
        try {
            scratch = kind.create().apply(name);
        } catch (IllegalArgumentException e) {
            problems.add(problem(path, section.root(), e.getMessage()));
            return;
        }
        apply(kind, section, path, scratch, problems);
    }

    private static boolean checkObject(String path, ConfigValue v, List<Problem> problems) {
        if (v.valueType() == ConfigValueType.OBJECT) {
            return true;
        }
        problems.add(problem(path, v, "must be an object { ... }, was " + render(v)));
        return false;
    }

    /**
     * Applies every key of {@code section} to {@code builder}. With {@code problems}, each problem is
     * added there; without (a configuration already validated), the first one is thrown.
     */
    private static <B> void apply(Schema.Kind<B> kind, Config section, String path, B builder, List<Problem> problems) {
        List<Problem> found = problems != null ? problems : new ArrayList<>();
        int before = found.size();
        Schema.Given given = new Schema.Given();
        for (Map.Entry<String, ConfigValue> e : section.root().entrySet()) {
            String k = e.getKey();
            String keyPath = path + "." + Schema.quote(k);
            Schema.Key<B> key = kind.key(k);
            if (key == null) {
                List<String> names = kind.keys().stream().map(Schema.Key::name).toList();
                String near = Schema.closest(names, k);
                found.add(problem(
                        keyPath,
                        e.getValue(),
                        "unknown key"
                                + (near != null
                                        ? " (did you mean " + near + "?)"
                                        : "; " + kind.name() + " take " + String.join(", ", names))));
                continue;
            }
            Object value;
            try {
                value = Schema.read(section, key);
            } catch (ConfigException.WrongType | ConfigException.BadValue | ConfigException.Null e2) {
                found.add(problem(keyPath, e.getValue(), expected(key) + ", was " + render(e.getValue())));
                continue;
            } catch (IllegalArgumentException e2) {
                found.add(problem(keyPath, e.getValue(), e2.getMessage()));
                continue;
            }
            given.values.put(k, value);
            try {
                key.apply().apply(builder, value);
            } catch (IllegalArgumentException | NullPointerException e2) {
                found.add(problem(keyPath, e.getValue(), e2.getMessage()));
            }
        }
        if (found.size() == before) {
            try {
                kind.finish().finish(builder, given);
            } catch (IllegalArgumentException e) {
                found.add(problem(path, section.root(), e.getMessage()));
            }
        }
        if (problems == null && !found.isEmpty()) {
            throw new ConfigProblemsException(found);
        }
    }

    private static String expected(Schema.Key<?> key) {
        return switch (key.type()) {
            case INT -> "must be an integer";
            case BOOLEAN -> "must be true or false";
            case DURATION -> "must be a duration like 500ms, 5s or 2m";
            case BYTES -> "must be a size like 8192, 64KiB or 1MiB";
            case STRING -> "must be a string";
            case CHOICE -> "must be one of " + String.join(", ", key.choices());
        };
    }

    private static Problem problem(String path, ConfigValue v, String message) {
        return new Problem(path, where(v.origin()), message);
    }

    private static String where(ConfigOrigin o) {
        if (o == null) {
            return "the configuration";
        }
        String file = o.filename() != null ? o.filename() : o.description();
        // a description already carries its line ("app.conf: 4"); a file name does not
        if (o.filename() == null) {
            int colon = file.lastIndexOf(": ");
            return colon > 0 ? file.substring(0, colon) + ":" + file.substring(colon + 2) : file;
        }
        return o.lineNumber() > 0 ? file + ":" + o.lineNumber() : file;
    }

    private static String render(ConfigValue v) {
        return v.render(ConfigRenderOptions.concise());
    }

    private static String unresolved(ConfigException.UnresolvedSubstitution e) {
        String m = withoutOrigin(e);
        return m + " (set it in the file or the environment, or write ${?NAME} to make it optional)";
    }

    /** Typesafe Config's message without the origin it starts with, which the problem shows on its own. */
    private static String withoutOrigin(ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null) {
            String d = e.origin().description();
            if (m.startsWith(d + ": ")) {
                return m.substring(d.length() + 2);
            }
        }
        return m;
    }
}
