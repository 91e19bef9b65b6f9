package dev.warren.streaming.datapath;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Datapaths, ported from Streamline: pipelines of stages built from one line of the request language,
 * run on tasklets.
 *
 * <pre>{@code
 * try (Datapath dp = Datapaths.insert("(tcpsock,port=5000) > (compress,export,name=mybuf)");
 *         StreamReader r = Streams.open("mybuf")) {
 *     byte[] buf = new byte[65536];
 *     int n = r.read(buf, 0, buf.length);            // a compressed block, blocking until one arrives
 * }                                                  // close(): every stage closed, the readers see the end
 * }</pre>
 *
 * <p>The language ({@code docs/DATAPATHS.md} has the grammar): a stage is {@code (name,key=value,flag)};
 * {@code >} joins stages; {@code ((a) | (b))} runs branches side by side; {@code >[1-3]} forwards only
 * those classifications and {@code >>} routes classification n to the n-th branch; {@code export,name=N}
 * on a stage writes its output to the stream {@code N} ({@link Streams}); {@code (boundary)} puts a
 * bounded queue and a tasklet between two stages. Stage classes come from {@link java.util.ServiceLoader}
 * ({@link StageType}).
 *
 * <p><b>Threading.</b> Every method may be called from any thread. {@link #insert} blocks while the
 * stages open; {@link #shutdown()} while datapaths close; the others never block.
 */
public final class Datapaths {
    private Datapaths() {}

    /**
     * Builds and starts a datapath: parses the request, checks every stage's options (nothing is opened
     * if one is refused), opens the stages in request order and starts the sources.
     *
     * @throws RequestException if the request is invalid (with line, column and a caret)
     * @throws DatapathException if a stage failed to open (what was opened was closed again)
     */
    public static Datapath insert(String request) {
        return DatapathImpl.insert(request);
    }

    /**
     * Checks a request as {@link #insert} would, without opening anything: syntax, stages, roles, every
     * stage's options.
     *
     * @throws RequestException if it is invalid
     */
    public static void check(String request) {
        GraphBuilder.build(request, StageRegistry.types());
    }

    /** The running datapaths, by id. */
    public static List<Datapath> list() {
        return new ArrayList<>(new TreeMap<>(DatapathImpl.LIVE).values());
    }

    /** The running datapath with {@code id}. */
    public static Optional<Datapath> get(long id) {
        return Optional.ofNullable(DatapathImpl.LIVE.get(id));
    }

    /** The registered stage classes: name to info line, sorted by name. */
    public static Map<String, String> stages() {
        return StageRegistry.infos();
    }

    /**
     * Stage classes found but not registered, with the reason: their {@code init} failed, they could not be
     * loaded, or their name is taken or malformed.
     */
    public static Map<String, String> unavailableStages() {
        return StageRegistry.unavailable();
    }

    /**
     * Closes every running datapath, then calls every stage class's {@code cleanup}. The next call here
     * loads and initialises the classes again.
     */
    public static void shutdown() {
        for (Datapath d : list()) {
            d.close();
        }
        StageRegistry.unload();
    }
}
