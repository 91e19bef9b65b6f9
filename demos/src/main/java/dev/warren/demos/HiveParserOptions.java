package dev.warren.demos;

import dev.warren.streaming.window.WindowSpec;
import dev.warren.streaming.window.Windows;
import java.time.Duration;

/**
 * The command line of {@code ./hiveparser}, parsed and checked ({@link #parse}): every error is an
 * {@link IllegalArgumentException} naming the option and the bad value. {@code shards} is 0 when not given
 * (then {@code warren.stream-jobs.hiveparser.shards} of {@code --config}, else one per core).
 */
record HiveParserOptions(
        int port,
        int tcpPort,
        int shards,
        Duration window,
        Duration slide,
        boolean tumbling,
        Duration sessionGap,
        boolean eventTime,
        String jsonl,
        long rate,
        int keys,
        Duration duration) {
    static final String USAGE = """
            usage: hiveparser [--port 9999] [--tcp PORT] [--shards N] [--window 5s]
                              [--slide 1s | --tumbling | --session-gap 2s] [--event-time]
                              [--jsonl FILE|-] [--generate RATE --keys K [--duration 10s]]
              --port P          UDP port for KEY [VALUE [TIMESTAMP_MS]] lines, one or several per datagram
                                (default 9999; 0 picks a free one)
              --tcp P           also accept framed TCP messages (BuffStreams framing, <= 4096 bytes each)
              --shards N        key shards (default: the number of processors)
              --window D        window size (default 5s); durations: 250ms, 5s, 2m, 1h
              --slide D         sliding windows advancing by D (the default, 1s)
              --tumbling        tumbling windows of the window size
              --session-gap D   session windows closed after D without events for a key
              --event-time      use each line's TIMESTAMP_MS (1 s out-of-orderness); late lines are counted, and
                                lines stamped more than a minute ahead of the clock are counted as future
              --jsonl FILE|-    write every window emission as a JSON line to FILE (- : stdout)
              --generate RATE   send RATE lines/s over UDP to ourselves, over --keys K keys
              --duration D      with --generate: stop after D, flush, print totals and exit
            Stop with Ctrl-C (or SIGTERM): the final windows are flushed, then the totals printed.""" + "\n"
            + HiveParserKafka.USAGE + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    WindowSpec windowSpec() {
        if (sessionGap != null) {
            return Windows.session(sessionGap);
        }
        if (tumbling) {
            return Windows.tumbling(window);
        }
        return Windows.sliding(window, slide);
    }

    static HiveParserOptions parse(String[] args) {
        int port = 9999;
        int tcp = -1;
        int shards = 0; // not given: warren.stream-jobs.hiveparser.shards of --config, else one per core
        Duration window = Duration.ofSeconds(5);
        Duration slide = null;
        boolean tumbling = false;
        Duration gap = null;
        boolean eventTime = false;
        String jsonl = null;
        long rate = 0;
        int keys = 0;
        Duration duration = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = (int) Args.number(a, Args.value(args, i++), 0, 65535);
                case "--tcp" -> tcp = (int) Args.number(a, Args.value(args, i++), 0, 65535);
                case "--shards" -> shards = (int) Args.number(a, Args.value(args, i++), 1, 1024);
                case "--window" -> window = Args.duration(a, Args.value(args, i++));
                case "--slide" -> slide = Args.duration(a, Args.value(args, i++));
                case "--tumbling" -> tumbling = true;
                case "--session-gap" -> gap = Args.duration(a, Args.value(args, i++));
                case "--event-time" -> eventTime = true;
                case "--jsonl" -> jsonl = Args.value(args, i++);
                case "--generate" -> rate = Args.number(a, Args.value(args, i++), 1, 10_000_000);
                case "--keys" -> keys = (int) Args.number(a, Args.value(args, i++), 1, 10_000_000);
                case "--duration" -> duration = Args.duration(a, Args.value(args, i++));
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        int kinds = (slide != null ? 1 : 0) + (tumbling ? 1 : 0) + (gap != null ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalArgumentException("choose one of --slide, --tumbling, --session-gap");
        }
        if (slide == null && !tumbling && gap == null) {
            slide = Duration.ofSeconds(1).compareTo(window) < 0 ? Duration.ofSeconds(1) : window;
        }
        if (slide != null && (slide.compareTo(window) > 0 || window.toMillis() % slide.toMillis() != 0)) {
            throw new IllegalArgumentException(
                    "--slide " + slide.toMillis() + "ms must divide --window " + window.toMillis() + "ms");
        }
        if (rate > 0 && keys == 0) {
            throw new IllegalArgumentException("--generate needs --keys K");
        }
        if (rate == 0 && (keys > 0 || duration != null)) {
            throw new IllegalArgumentException("--keys and --duration go with --generate RATE");
        }
        if (jsonl != null && jsonl.isBlank()) {
            throw new IllegalArgumentException("--jsonl needs a file name or -");
        }
        return new HiveParserOptions(
                port, tcp, shards, window, slide, tumbling, gap, eventTime, jsonl, rate, keys, duration);
    }
}
