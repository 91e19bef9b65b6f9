package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the request parser: random bytes and mutated valid requests end in requests or an
 * {@link HttpParseException}, never in anything else; and how the bytes are cut never matters.
 */
class RequestParserProperties {
    private static final HttpLimits LIMITS = HttpLimits.defaults()
            .withMaxRequestLineLength(300)
            .withMaxHeaderCount(20)
            .withMaxHeaderBytes(1000)
            .withMaxBodyBytes(500);

    private static final String[] SEEDS = {
        RequestParserTest.PIPELINE,
        "GET /x?a=b&c=%20d HTTP/1.1\r\nHost: example.com:80\r\nConnection: keep-alive\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world",
        "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    };

    /** Parses to the end; fails the property if anything but an HttpParseException escapes. */
    private static List<String> run(byte[] raw, int[] cuts, int readSize) {
        try {
            return ParserHarness.parseAll(new ParserHarness.CutInputStream(raw, cuts), LIMITS, readSize);
        } catch (IOException e) {
            throw new AssertionError("in-memory input cannot fail with an I/O error", e);
        }
        // Any RuntimeException propagates and fails the property, with jqwik's shrunk input.
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS).map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<List<int[]>> edits = Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 10_000),
                        Arbitraries.of(0, 13, 10, 32, 9, 58, 59, 44, 48, 57, 97, 102, 0x7F, 0xFF, 72, 47))
                .as((op, at, b) -> new int[] {op, at, b})
                .list()
                .ofMinSize(1)
                .ofMaxSize(8);
        return Combinators.combine(seed, edits).as(RequestParserProperties::apply);
    }

    private static byte[] apply(byte[] seed, List<int[]> edits) {
        List<Byte> b = new ArrayList<>();
        for (byte x : seed) {
            b.add(x);
        }
        for (int[] e : edits) {
            if (b.isEmpty()) {
                break;
            }
            int at = e[1] % b.size();
            switch (e[0]) {
                case 0 -> b.set(at, (byte) e[2]); // replace
                case 1 -> b.add(at, (byte) e[2]); // insert
                case 2 -> b.remove(at); // delete
                default -> b.subList(at, b.size()).clear(); // truncate
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    @Property(tries = 2000)
    void mutatedRequestsOnlyEverFailWithAParseError(
            @ForAll("mutated") byte[] raw, @ForAll @IntRange(min = 1, max = 64) int cutEvery) {
        List<String> whole = run(raw, new int[0], 8192);
        int[] cuts = new int[raw.length / cutEvery];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * cutEvery;
        }
        assertEquals(whole, run(raw, cuts, 1 + cutEvery % 7), "cut every " + cutEvery + " bytes");
    }

    @Property(tries = 2000)
    void randomBytesOnlyEverFailWithAParseError(@ForAll @Size(max = 600) byte[] raw) {
        run(raw, new int[0], 8192);
    }

    @Property(tries = 1000)
    void randomPrintableRequestsOnlyEverFailWithAParseError(
            @ForAll("printable") String head, @ForAll @Size(max = 50) byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] raw = new byte[h.length + body.length];
        System.arraycopy(h, 0, raw, 0, h.length);
        System.arraycopy(body, 0, raw, h.length, body.length);
        run(raw, new int[0], 8192);
    }

    @Provide
    Arbitrary<String> printable() {
        Arbitrary<String> token = Arbitraries.strings()
                .withChars("GETPOSTHEADchunked0123456789abcdef /:;,\r\n\t-HTTP1.")
                .ofMaxLength(40);
        return token.list().ofMaxSize(10).map(parts -> String.join("\r\n", parts) + "\r\n\r\n");
    }
}
