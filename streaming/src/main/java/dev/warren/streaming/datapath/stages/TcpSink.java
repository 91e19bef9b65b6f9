package dev.warren.streaming.datapath.stages;

import dev.warren.net.frame.DeliveryMode;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageClient;
import dev.warren.net.frame.MessageClientStats;
import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code (tcp,port=7000[,host=127.0.0.1][,framing=buffstreams|fixed32][,max=4096][,delivery=at_most_once|at_least_once][,queue=8192])}:
 * sends every block as one framed message to a {@link dev.warren.net.frame.MessageServer} (or any
 * BuffStreams/fixed-32 peer) through a {@link MessageClient} that redials on failure. A full queue makes
 * the chain wait (backpressure). At the end of the input it waits (at most 10 s) until everything was
 * written (and, at least once, acknowledged); at close the client drains for up to 5 s.
 */
public final class TcpSink implements StageType {
    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String info() {
        return "sends each block as a framed message to host:port (framing=buffstreams|fixed32, delivery=...)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("host", "port", "framing", "max", "delivery", "queue");
        NetOptions.port(o);
        NetOptions.framing(o, "buffstreams");
        delivery(o);
        o.integer("queue", 8192, 1, 1 << 24);
        String host = o.get("host", "127.0.0.1");
        if (host.isBlank()) {
            throw new IllegalArgumentException("option 'host' must not be blank");
        }
    }

    private static DeliveryMode delivery(StageOptions o) {
        return o.choice("delivery", "at_most_once", "at_most_once", "at_least_once")
                        .equals("at_least_once")
                ? DeliveryMode.AT_LEAST_ONCE
                : DeliveryMode.AT_MOST_ONCE;
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Sender(
                o.get("host", "127.0.0.1"), NetOptions.port(o), NetOptions.framing(o, "buffstreams"), delivery(o), (int)
                        o.integer("queue", 8192, 1, 1 << 24));
    }

    static final class Sender implements Stage {
        private final String host;
        private final int port;
        private final FrameFormat format;
        private final DeliveryMode delivery;
        private final int queue;
        private volatile MessageClient client;

        Sender(String host, int port, FrameFormat format, DeliveryMode delivery, int queue) {
            this.host = host;
            this.port = port;
            this.format = format;
            this.delivery = delivery;
            this.queue = queue;
        }

        @Override
        public void open(StageContext ctx) {
            client = MessageClient.builder(host, port)
                    .name("datapath " + ctx.datapathId() + " tcp " + host + ":" + port)
                    .format(format)
                    .delivery(delivery)
                    .queueCapacity(queue)
                    .start();
        }

        @Override
        public int process(Block b) throws InterruptedException {
            return client.send(b.toByteArray()) ? 1 : 0;
        }

        @Override
        public void endOfInput() throws InterruptedException {
            client.awaitIdle(Duration.ofSeconds(10));
        }

        @Override
        public void close() {
            MessageClient c = client;
            if (c != null) {
                c.close();
            }
        }

        @Override
        public Map<String, Object> state() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peer", host + ":" + port);
            MessageClient c = client;
            if (c != null) {
                MessageClientStats s = c.stats();
                m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
                m.put("accepted", s.accepted());
                m.put("written", s.written());
                m.put("dropped", s.dropped());
            }
            return m;
        }
    }
}
