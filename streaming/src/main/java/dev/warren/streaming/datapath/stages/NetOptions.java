package dev.warren.streaming.datapath.stages;

import dev.warren.net.frame.FrameFormat;
import dev.warren.streaming.datapath.StageOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Options shared by the network stages. */
final class NetOptions {
    private NetOptions() {}

    /** {@code port=N}, or Streamline's {@code expression=N}; one of them is required. */
    static int port(StageOptions o) {
        if (o.has("port") && o.has("expression")) {
            throw new IllegalArgumentException("give port=N or expression=N (Streamline's name for it), not both");
        }
        String key = o.has("expression") ? "expression" : "port";
        if (!o.has(key)) {
            throw new IllegalArgumentException(
                    "stage '" + o.stage() + "' needs option port=N (0..65535; 0 picks a free one)");
        }
        return (int) o.integer(key, 0, 0, 65535);
    }

    /** {@code bind=ADDRESS} as a numeric literal (a name is not resolved here: tryex touches nothing), or null. */
    static InetAddress bind(StageOptions o) {
        String b = o.get("bind", null);
        if (b == null) {
            return null;
        }
        if (!b.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException(
                    "option 'bind' must be a numeric address (127.0.0.1, ::1), was '" + b + "'");
        }
        try {
            return InetAddress.getByName(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("option 'bind' is not an address: '" + b + "'");
        }
    }

    /**
     * {@code framing=raw|buffstreams|fixed32} with {@code max=4096}, the default of MessageServer and
     * MessageClient (a BuffStreams header's width depends on the maximum, so both ends must agree); null
     * for raw.
     */
    static FrameFormat framing(StageOptions o, String fallback) {
        String f = fallback.equals("raw")
                ? o.choice("framing", fallback, "raw", "buffstreams", "fixed32")
                : o.choice("framing", fallback, "buffstreams", "fixed32");
        int max = (int) o.size("max", 4096, 1, 64 << 20);
        return switch (f) {
            case "buffstreams" -> FrameFormat.buffStreams(max);
            case "fixed32" -> FrameFormat.fixed32(max);
            default -> null;
        };
    }
}
