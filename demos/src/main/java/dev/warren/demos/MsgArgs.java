package dev.warren.demos;

import dev.warren.net.frame.FrameFormat;
import java.util.Locale;

/** Argument parsing shared by {@code msg_server} and {@code msg_client}; errors name the bad value. */
final class MsgArgs {
    private MsgArgs() {}

    static int port(String raw, boolean zeroAllowed) {
        int p = number("PORT", raw);
        int min = zeroAllowed ? 0 : 1;
        if (p < min || p > 65535) {
            throw new IllegalArgumentException("PORT must be " + min + "..65535, was " + raw);
        }
        return p;
    }

    static int number(String what, String raw) {
        try {
            return Integer.parseInt(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, was '" + raw + "'");
        }
    }

    static int range(String what, String raw, int min, int max) {
        int v = number(what, raw);
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", was " + v);
        }
        return v;
    }

    static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    static String formatName(String raw) {
        String f = raw.toLowerCase(Locale.ROOT);
        if (!f.equals("buffstreams") && !f.equals("fixed32")) {
            throw new IllegalArgumentException("--format must be buffstreams or fixed32, was '" + raw + "'");
        }
        return f;
    }

    static FrameFormat format(String name, int maxSize) {
        return name.equals("fixed32") ? FrameFormat.fixed32(maxSize) : FrameFormat.buffStreams(maxSize);
    }

    static int maxSize(String raw) {
        return range("--max-size", raw, 1, 64 << 20);
    }
}
