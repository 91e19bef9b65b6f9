package dev.warren.streaming.datapath;

import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.Uninterruptibly;
import dev.warren.tasklets.observe.LogLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running datapath: the graph, the push engine ({@link #forward}), the end-of-input propagation and the
 * control tasklet that opens, runs and closes it. See {@link Datapath} for the contract and
 * docs/DATAPATHS.md for the design.
 */
final class DatapathImpl implements Datapath {
    static final Logger LOG = LoggerFactory.getLogger(DatapathImpl.class);
    /** How long close() lets sources stop on their own before it interrupts them. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private static final AtomicLong IDS = new AtomicLong();
    static final Map<Long, DatapathImpl> LIVE = new ConcurrentHashMap<>();

    final long id;
    final String request;
    final Node[] nodes;
    final List<Region> regions;
    private final List<ExportRing> rings = new ArrayList<>();
    private final AtomicInteger endedNodes = new AtomicInteger();
    private final CountDownLatch opened = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final LogLimiter errorLog = new LogLimiter(Duration.ofSeconds(10));
    private final List<Tasklet<Void>> runners = new ArrayList<>();
    private final List<Tasklet<Void>> boundaries = new ArrayList<>();
    private final List<DriverOutput> outputs = new ArrayList<>();

    private volatile State state = State.RUNNING;
    private volatile TaskletScope scope;
    private volatile Thread controlThread;
    private volatile boolean opening = true;
    private volatile RuntimeException failure;
    private volatile Tasklet<Void> control;

    private DatapathImpl(String request, GraphBuilder.Graph g) {
        this.id = IDS.incrementAndGet();
        this.request = request;
        this.nodes = g.nodes().toArray(new Node[0]);
        this.regions = g.regions();
    }

    /** Streamline's request insert: see {@link Datapaths#insert}. */
    static DatapathImpl insert(String request) {
        GraphBuilder.Graph g = GraphBuilder.build(request, StageRegistry.types());
        DatapathImpl dp = new DatapathImpl(request, g);
        dp.claimStreams();
        dp.control = Tasklets.start("datapath " + dp.id, dp::control);
        // Opening is bounded by the stages' open(): finish waiting, keep the interrupt.
        Uninterruptibly.await(dp.opened::await);
        RuntimeException f = dp.failure;
        if (f != null) {
            awaitUninterruptibly(dp.closed);
            throw f;
        }
        LIVE.put(dp.id, dp);
        DatapathsReport.changed();
        return dp;
    }

    /** Claims every exported name before anything opens, so that a taken name fails the request cleanly. */
    private void claimStreams() {
        for (Node n : nodes) {
            if (n.exportName == null) {
                continue;
            }
            ExportRing ring = new ExportRing(n.exportName, id, n.ringBytes);
            ExportRing owner = Streams.claim(ring);
            if (owner != null) {
                for (ExportRing r : rings) {
                    Streams.release(r);
                }
                throw new RequestException(
                        request,
                        n.ref.namePos(),
                        "stream '" + n.exportName + "' is already exported"
                                + (owner.datapathId == id ? " by this request" : " by datapath " + owner.datapathId));
            }
            rings.add(ring);
            n.export = ring;
        }
    }

    // ---------------------------------------------------------------- the control tasklet

    private void control() {
        controlThread = Thread.currentThread();
        try (TaskletScope sc = TaskletScope.supervise("datapath " + id).open()) {
            scope = sc;
            if (!openAll()) {
                return;
            }
            awaitUninterruptibly(stop);
            state = State.CLOSING;
            stopAll();
            closeStages(nodes.length - 1);
            for (ExportRing r : rings) {
                r.finish();
                Streams.release(r);
            }
        } finally {
            state = State.CLOSED;
            LIVE.remove(id);
            DatapathsReport.changed();
            closed.countDown();
        }
    }

    /** Opens every stage in request order; on a failure closes what was opened, in reverse, the failed one too. */
    private boolean openAll() {
        for (Node n : nodes) {
            n.ctx = new StageContextImpl(this, n);
            try {
                n.stage = n.type.newStage(n.options, n.role);
                if (n.stage == null) {
                    throw new IllegalStateException(n.type.getClass().getName() + ".newStage returned null");
                }
                if (n.role == Role.SOURCE && !(n.stage instanceof SourceStage)) {
                    throw new IllegalStateException(n.type.getClass().getName() + ".newStage must return a SourceStage"
                            + " for a source, returned " + n.stage.getClass().getName());
                }
                n.stage.open(n.ctx);
            } catch (Exception | LinkageError e) {
                LOG.info("datapath {}: stage '{}' (#{}) failed to open: {}", id, n.label, n.index, e.toString());
                int last = n.stage == null ? n.index - 1 : n.index;
                closeStages(last);
                for (ExportRing r : rings) {
                    r.finish();
                    Streams.release(r);
                }
                failure = new DatapathException(
                        "datapath not started: stage '" + n.label + "' (#" + n.index + ", column " + column(n.ref.pos())
                                + ") failed to open: " + e.getMessage(),
                        n.index,
                        e);
                state = State.CLOSED;
                opening = false;
                opened.countDown();
                return false;
            }
        }
        for (Node n : nodes) {
            if (n.role == Role.SOURCE) {
                n.outRegion.drivers++;
            }
            if (n.link != null) {
                n.outRegion.drivers++;
            }
            n.outRegion.drivers += n.ctx.outputs.size();
            n.openOutputs = n.ctx.outputs.size();
            outputs.addAll(n.ctx.outputs);
        }
        for (Region r : regions) {
            r.locked = r.drivers > 1;
        }
        opening = false;
        for (Node n : nodes) {
            if (n.link != null) {
                BoundaryLink link = n.link;
                link.start(id);
                boundaries.add(scope.fork("datapath " + id + " boundary #" + n.index, () -> link.run(this)));
            }
        }
        for (Node n : nodes) {
            if (n.role == Role.SOURCE) {
                DriverOutput out = new DriverOutput(this, n, true);
                outputs.add(out);
                SourceStage src = (SourceStage) n.stage;
                runners.add(scope.fork("datapath " + id + " source " + n.label, () -> runSource(n, src, out)));
            }
        }
        opened.countDown();
        return true;
    }

    private void runSource(Node n, SourceStage src, DriverOutput out) {
        try {
            src.run(out);
        } catch (InterruptedException stopped) {
            // close() interrupted the source: its input ends here
        } catch (Exception | LinkageError | AssertionError e) {
            if (state == State.RUNNING) {
                n.countError();
                LOG.error("datapath {}: source '{}' (#{}) failed; its input ends here", id, n.label, n.index, e);
            }
        } finally {
            out.stopped = true;
            // The end goes through the graph even when the source was interrupted: stages flush what they hold.
            boolean interrupted = Thread.interrupted();
            try {
                endOutputs(n, n.outRegion, Fairness.budget());
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void stopAll() {
        for (Node n : nodes) {
            if (n.role == Role.SOURCE) {
                try {
                    ((SourceStage) n.stage).stop();
                } catch (RuntimeException e) {
                    LOG.warn("datapath {}: stop of source '{}' failed: {}", id, n.label, e.toString(), e);
                }
            }
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Tasklet<Void> t : runners) {
            joinOrCancel(t, deadline);
        }
        // Every source has ended; the boundaries end after the blocks they hold.
        long drain = System.nanoTime() + STOP_GRACE.toNanos();
        for (Tasklet<Void> t : boundaries) {
            joinOrCancel(t, drain);
        }
        for (DriverOutput o : outputs) {
            o.stopped = true;
        }
    }

    private void joinOrCancel(Tasklet<Void> t, long deadline) {
        boolean interrupted = false;
        try {
            for (; ; ) {
                try {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        t.join(Duration.ofNanos(left));
                        return;
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    break;
                } catch (RuntimeException e) {
                    return; // it failed or was cancelled: it has ended
                }
            }
            LOG.warn("datapath {}: {} did not end within {} s; interrupting it", id, t.name(), STOP_GRACE.toSeconds());
            t.cancel();
            for (; ; ) {
                try {
                    t.join();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (RuntimeException e) {
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the stages {@code last..0} that have an instance, logging failures. */
    private void closeStages(int last) {
        for (int i = last; i >= 0; i--) {
            Node n = nodes[i];
            if (n.stage == null) {
                continue;
            }
            try {
                n.stage.close();
            } catch (Exception | LinkageError e) {
                LOG.warn("datapath {}: close of stage '{}' (#{}) failed: {}", id, n.label, n.index, e.toString(), e);
            }
        }
    }

    boolean opening(Thread t) {
        return opening && t == controlThread;
    }

    TaskletScope scope() {
        TaskletScope s = scope;
        if (s == null) {
            throw new IllegalStateException("datapath " + id + " has no scope yet");
        }
        return s;
    }

    // ---------------------------------------------------------------- the push engine

    /** Calls {@code n} with {@code b}, then passes the block on as classified. */
    private void deliver(Node n, Block b) throws InterruptedException {
        n.countIn(b.length);
        int c;
        b.owner = n;
        n.calling = true;
        try {
            if ((n.in & 63) == 0) {
                long t0 = System.nanoTime();
                c = n.stage.process(b) & Range.MAX;
                n.addTime((System.nanoTime() - t0) * 64);
            } else {
                c = n.stage.process(b) & Range.MAX;
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            stageError(n, e, "process");
            c = 0;
        } finally {
            n.calling = false;
        }
        n.countOut(c);
        forward(n, b, c);
    }

    /**
     * Passes {@code b}, classified {@code c} by {@code n}, to the edges that accept it, depth-first. At a
     * fork every branch gets the block as it left {@code n} (see {@link Block} for edits).
     */
    void forward(Node n, Block b, int c) throws InterruptedException {
        ExportRing ring = n.export;
        if (ring != null && c != 0) {
            ring.write(b.array, b.offset, b.length);
        }
        Edge[] es = n.out;
        if (es.length == 1) {
            Edge e = es[0];
            if (e.accepts(c)) {
                enter(e.to, b, c);
            } else if (c != 0) {
                n.countUnrouted();
            }
            return;
        }
        int last = es.length - 1;
        while (last >= 0 && !es[last].accepts(c)) {
            last--;
        }
        if (last < 0) {
            if (c != 0 && es.length > 0) {
                n.countUnrouted();
            }
            return;
        }
        byte[] a = b.array;
        int off = b.offset;
        int len = b.length;
        boolean shared = b.shared;
        for (int i = 0; i <= last; i++) {
            Edge e = es[i];
            if (!e.accepts(c)) {
                continue;
            }
            b.shared = shared || i != last;
            enter(e.to, b, c);
            b.array = a;
            b.offset = off;
            b.length = len;
            b.shared = shared;
        }
    }

    private void enter(Node to, Block b, int c) throws InterruptedException {
        BoundaryLink link = to.link;
        if (link != null) {
            link.offer(b, c);
        } else {
            deliver(to, b);
        }
    }

    private void stageError(Node n, Throwable e, String where) {
        n.countError();
        long held = errorLog.admit();
        if (held >= 0) {
            LOG.warn(
                    "datapath {}: stage '{}' (#{}) {} failed, block dropped: {}{}",
                    id,
                    n.label,
                    n.index,
                    where,
                    e.toString(),
                    errorLog.suffix(held),
                    e);
        }
    }

    // ---------------------------------------------------------------- end of input

    /** A driver (source or boundary) has ended: the end goes to the nodes after {@code n}. */
    void endOutputs(Node n, Region r, Fairness.Budget budget) throws InterruptedException {
        if (r.locked) {
            r.lock.lock();
            try {
                r.budget = budget;
                endNode(n);
            } finally {
                r.lock.unlock();
            }
        } else {
            r.budget = budget;
            endNode(n);
        }
    }

    private void endNode(Node n) throws InterruptedException {
        if (n.export != null) {
            n.export.finish();
        }
        n.ended = true;
        if (endedNodes.incrementAndGet() == nodes.length) {
            done.countDown();
        }
        for (Edge e : n.out) {
            endInput(e.to);
        }
    }

    private void endInput(Node to) throws InterruptedException {
        if (--to.endsPending > 0) {
            return;
        }
        if (to.link != null) {
            to.link.end();
            return;
        }
        to.calling = true;
        try {
            to.stage.endOfInput();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            stageError(to, e, "endOfInput");
        } finally {
            to.calling = false;
        }
        to.inputsEnded = true;
        if (to.openOutputs == 0) {
            endNode(to);
        }
    }

    /** A stage's async output was closed: the stage ends once its inputs have too. */
    void asyncOutputClosed(Node n) throws InterruptedException {
        Region r = n.outRegion;
        r.lock.lockInterruptibly();
        try {
            if (--n.openOutputs == 0 && n.inputsEnded) {
                endNode(n);
            }
        } finally {
            r.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the handle

    @Override
    public long id() {
        return id;
    }

    @Override
    public String request() {
        return request;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public List<StageStats> stats() {
        List<StageStats> s = new ArrayList<>(nodes.length);
        for (Node n : nodes) {
            s.add(n.stats());
        }
        return s;
    }

    @Override
    public List<String> exports() {
        List<String> e = new ArrayList<>();
        for (ExportRing r : rings) {
            e.add(r.name);
        }
        return e;
    }

    @Override
    public String dot() {
        return Dot.render(this);
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("request", request);
        m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        m.put("done", isDone());
        List<Object> stages = new ArrayList<>();
        for (Node n : nodes) {
            Map<String, Object> t = n.stats().toTree();
            if (n.link != null) {
                t.put("queued", n.link.queued());
                t.put("capacity", n.link.capacity);
                t.put("policy", n.link.policy);
            }
            stages.add(t);
        }
        m.put("stages", stages);
        List<Object> streams = new ArrayList<>();
        for (ExportRing r : rings) {
            streams.add(r.report());
        }
        m.put("streams", streams);
        return m;
    }

    @Override
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isDone() {
        return done.getCount() == 0;
    }

    @Override
    public void close() {
        Tasklet<Void> c = control;
        if (c != null && Tasklets.current().map(t -> t.id() == c.id()).orElse(false)) {
            throw new IllegalStateException("datapath " + id + " cannot be closed from its own control tasklet");
        }
        stop.countDown();
        awaitUninterruptibly(closed);
    }

    int column(int pos) {
        return pos - (request.lastIndexOf('\n', pos - 1) + 1) + 1;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        Uninterruptibly.await(latch::await);
    }

    @Override
    public String toString() {
        return "Datapath[" + id + " " + state + ": " + request + "]";
    }
}
