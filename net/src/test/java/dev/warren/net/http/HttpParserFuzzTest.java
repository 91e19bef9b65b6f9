package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the request parser and the chunked body decoder. In
 * {@code make run_tests} each target runs once per seed in
 * {@code src/test/resources/dev/warren/net/http/HttpParserFuzzTestInputs/<method>/} (the corpus, and
 * every finding, as regression inputs); {@code make fuzz} fuzzes each for a set time.
 *
 * <p>Oracles, beyond "nothing but an {@link HttpParseException} escapes": how the bytes are cut into
 * reads and how large the body reads are never changes what is parsed (differential against reading
 * the same bytes whole) nor which error ends it, and a body decoder stops exactly at the end of its
 * body, leaving the next message's bytes in the stream.
 */
@Tag("fuzz")
class HttpParserFuzzTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults()
            .withMaxRequestLineLength(300)
            .withMaxHeaderCount(20)
            .withMaxHeaderBytes(1000)
            .withMaxBodyBytes(2000);

    /** Whole requests (pipelined, with bodies): cut anywhere, read in any sizes, same result. */
    @FuzzTest(maxDuration = "60s")
    void requestParser(FuzzedDataProvider data) throws IOException {
        int readSize = data.consumeInt(1, 64);
        int[] cuts = new int[data.consumeInt(0, 8)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 4096);
        }
        java.util.Arrays.sort(cuts);
        byte[] raw = data.consumeRemainingAsBytes();
        List<String> whole = ParserHarness.parseAll(new ParserHarness.CutInputStream(raw), LIMITS, 8192);
        List<String> cut = ParserHarness.parseAll(new ParserHarness.CutInputStream(raw, cuts), LIMITS, readSize);
        assertEquals(whole, cut, "the parse depends on how the bytes were cut");
    }

    /**
     * A chunked body followed by other bytes: decoded the same in 1-byte and large reads, never more
     * than the limit, and the decoder leaves exactly the bytes after the body's end in the stream.
     */
    @FuzzTest(maxDuration = "60s")
    void chunkedDecoder(FuzzedDataProvider data) throws IOException {
        int readSize = data.consumeInt(1, 300);
        byte[] raw = data.consumeRemainingAsBytes();
        Decoded small = decode(raw, 1);
        Decoded large = decode(raw, readSize);
        if (small.error == null && large.error == null) {
            assertEquals(small, large, "the decoding depends on the read size");
        } else {
            // a framing error ends the read that finds it, so the bytes that read had taken are not
            // returned: how much of the body came before the error depends on the read size (the
            // first fuzzing run found exactly that), the error itself must not
            assertEquals(small.error, large.error, "the error depends on the read size");
            boolean prefix = small.body.startsWith(large.body) || large.body.startsWith(small.body);
            assertTrue(prefix, "bodies before the error differ: '" + small.body + "' and '" + large.body + "'");
        }
        if (small.body.length() > LIMITS.maxBodyBytes()) {
            throw new AssertionError("body of " + small.body.length() + " bytes above the limit");
        }
    }

    private record Decoded(String body, String trailers, String error, int left) {}

    private static Decoded decode(byte[] raw, int readSize) throws IOException {
        InputStream in = new ByteArrayInputStream(raw);
        BodyInputStream body = BodyInputStream.chunked(in, LIMITS, new HeadReader());
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[readSize];
        String error = null;
        try {
            for (int n; (n = body.read(buf, 0, buf.length)) >= 0; ) {
                if (n == 0) {
                    throw new AssertionError("read of " + buf.length + " bytes returned 0");
                }
                sb.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            if (!body.finished() || body.read() != -1) {
                throw new AssertionError("end of body reported, but not finished");
            }
        } catch (HttpParseException e) {
            error = e.status() + "";
        }
        List<String> trailers = new ArrayList<>();
        body.trailers().forEach((k, v) -> trailers.add(k + "=" + v));
        return new Decoded(sb.toString(), trailers.toString(), error, error == null ? in.available() : -1);
    }
}
