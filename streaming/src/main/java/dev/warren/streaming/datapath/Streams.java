package dev.warren.streaming.datapath;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exported streams of the process by name: Streamline's {@code open_stream}. A stream exists while
 * the datapath exporting it runs ({@code (compress,export,name=mybuf)}); a name belongs to one datapath
 * at a time.
 *
 * <p><b>Threading.</b> Every method may be called from any thread and never blocks.
 */
public final class Streams {
    private static final Map<String, ExportRing> RINGS = new ConcurrentHashMap<>();

    private Streams() {}

    /**
     * A reader of stream {@code name} starting at the oldest block still in its ring.
     *
     * @throws NoSuchElementException if no running datapath exports that name
     */
    public static StreamReader open(String name) {
        return new RingReader(ring(name), true);
    }

    /** A reader of stream {@code name} that sees only blocks written from now on. */
    public static StreamReader openLatest(String name) {
        return new RingReader(ring(name), false);
    }

    /** The names of the exported streams, sorted. */
    public static List<String> names() {
        return RINGS.keySet().stream().sorted().toList();
    }

    /** Whether a running datapath exports {@code name}. */
    public static boolean exists(String name) {
        return RINGS.containsKey(Objects.requireNonNull(name, "name"));
    }

    private static ExportRing ring(String name) {
        Objects.requireNonNull(name, "name");
        ExportRing r = RINGS.get(name);
        if (r == null) {
            throw new NoSuchElementException("no exported stream named '" + name + "'"
                    + (RINGS.isEmpty() ? " (none is exported)" : " (exported: " + String.join(", ", names()) + ")"));
        }
        return r;
    }

    /** Claims {@code ring}'s name; the owner of the name otherwise. */
    static ExportRing claim(ExportRing ring) {
        return RINGS.putIfAbsent(ring.name, ring);
    }

    static void release(ExportRing ring) {
        RINGS.remove(ring.name, ring);
    }

    static List<ExportRing> all() {
        return List.copyOf(RINGS.values());
    }
}
