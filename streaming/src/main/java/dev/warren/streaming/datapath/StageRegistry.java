package dev.warren.streaming.datapath;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stage classes of the process: the two the runtime owns ({@code boundary}, {@code export}) and
 * every {@link StageType} that {@link ServiceLoader} finds, each initialised once. Loaded on first use;
 * {@link #unload()} cleans every class up, and the next use loads them again.
 */
final class StageRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(StageRegistry.class);
    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final ReentrantLock LOCK = new ReentrantLock();

    /** Registered classes by name (sorted); null until loaded. */
    private static volatile Map<String, StageType> types;

    private static volatile Map<String, String> unavailable = Map.of();

    private StageRegistry() {}

    static Map<String, StageType> types() {
        Map<String, StageType> t = types;
        if (t != null) {
            return t;
        }
        LOCK.lock();
        try {
            if (types == null) {
                load();
            }
            return types;
        } finally {
            LOCK.unlock();
        }
    }

    static Map<String, String> unavailable() {
        types();
        return unavailable;
    }

    private static void load() {
        Map<String, StageType> ok = new TreeMap<>();
        Map<String, String> bad = new TreeMap<>();
        register(new BoundaryType(), ok, bad);
        register(new ExportType(), ok, bad);
        Iterator<StageType> it = ServiceLoader.load(StageType.class).iterator();
        for (; ; ) {
            StageType t;
            try {
                if (!it.hasNext()) {
                    break;
                }
                t = it.next();
            } catch (ServiceConfigurationError e) {
                String msg = String.valueOf(e.getMessage());
                bad.put(
                        providerOf(msg),
                        "cannot be loaded: " + msg + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                LOG.warn("datapath stage class not loaded: {}", msg, e);
                continue;
            }
            register(t, ok, bad);
        }
        types = java.util.Collections.unmodifiableMap(ok);
        unavailable = java.util.Collections.unmodifiableMap(bad);
    }

    private static String providerOf(String msg) {
        int p = msg.indexOf("Provider ");
        if (p >= 0) {
            int end = msg.indexOf(' ', p + 9);
            return msg.substring(p + 9, end < 0 ? msg.length() : end);
        }
        return msg;
    }

    private static void register(StageType t, Map<String, StageType> ok, Map<String, String> bad) {
        String name;
        try {
            name = t.name();
        } catch (RuntimeException e) {
            bad.put(t.getClass().getName(), "name() failed: " + e);
            return;
        }
        if (name == null || !NAME.matcher(name).matches()) {
            bad.put(
                    t.getClass().getName(),
                    "its name '" + name + "' is not a stage name (a letter, then letters," + " digits, '_', '-', '.')");
            return;
        }
        StageType earlier = ok.get(name);
        if (earlier != null) {
            bad.put(
                    name + " (" + t.getClass().getName() + ")",
                    "the name is taken by " + earlier.getClass().getName());
            return;
        }
        try {
            t.init();
        } catch (Exception | LinkageError e) {
            bad.put(name, "init failed: " + e);
            LOG.info("datapath stage '{}' not registered: its init failed: {}", name, e.toString());
            return;
        }
        ok.put(name, t);
    }

    /** Calls every class's cleanup; the next use loads the classes again. */
    static void unload() {
        LOCK.lock();
        try {
            Map<String, StageType> t = types;
            types = null;
            unavailable = Map.of();
            if (t == null) {
                return;
            }
            for (StageType s : t.values()) {
                try {
                    s.cleanup();
                } catch (Exception | LinkageError e) {
                    LOG.warn("datapath stage '{}': cleanup failed: {}", s.name(), e.toString(), e);
                }
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Name to info line of every registered class. */
    static Map<String, String> infos() {
        Map<String, String> m = new LinkedHashMap<>();
        for (StageType t : types().values()) {
            m.put(t.name(), t.info());
        }
        return m;
    }
}
