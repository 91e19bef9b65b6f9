package dev.warren.net.http;

import static dev.warren.net.http.ParserHarness.bytes;
import static dev.warren.net.http.ParserHarness.parseAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {
    static final HttpLimits LIMITS = HttpLimits.defaults()
            .withMaxRequestLineLength(200)
            .withMaxHeaderCount(10)
            .withMaxHeaderBytes(400)
            .withMaxBodyBytes(100);

    static final String PIPELINE = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "\r\n" // a stray empty line between requests is tolerated
            + "PUT /c HTTP/1.1\r\nhost: h\r\ntransfer-encoding: Chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\n"
            + "A\r\n0123456789\r\n"
            + "0\r\nX-Sum: 13\r\nX-Other:  two words \r\n\r\n"
            + "GET / HTTP/1.0\r\n\r\n";

    @Test
    void pipelinedRequestsParseInOrder() throws IOException {
        List<String> r = parseAll(bytes(PIPELINE), LIMITS);
        assertEquals(
                List.of(
                        "GET /a?x=1 HTTP/1.1 headers={Host: h, Accept: */*} keepAlive=true body=",
                        "POST /b HTTP/1.1 headers={Host: h, Content-Length: 5} keepAlive=true body=hello",
                        "PUT /c HTTP/1.1 headers={host: h, transfer-encoding: Chunked} keepAlive=true"
                                + " body=abc0123456789 trailers={X-Sum: 13, X-Other: two words}",
                        "GET / HTTP/1.0 headers={} keepAlive=false body="),
                r);
    }

    /** The parser gives the same result however the stream is cut: at every single offset, and byte by byte. */
    @Test
    void everySplitPointGivesTheSameResult() throws IOException {
        byte[] raw = bytes(PIPELINE);
        List<String> whole = parseAll(raw, LIMITS);
        for (int cut = 1; cut < raw.length; cut++) {
            for (int readSize : new int[] {1, 3, 8192}) {
                List<String> r = ParserHarness.parseAll(new ParserHarness.CutInputStream(raw, cut), LIMITS, readSize);
                assertEquals(whole, r, "cut at " + cut + ", reads of " + readSize);
            }
        }
        int[] everyByte = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, ParserHarness.parseAll(new ParserHarness.CutInputStream(raw, everyByte), LIMITS, 2));
    }

    /** Every error case, also cut at every offset: the status never depends on how the bytes arrived. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // malformed request line
                "GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1 \\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET /\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET abc HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET /a\\u007fb HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.x\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\nHost: a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n | 400",
                "\\r\\n\\r\\n\\r\\n\\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                // malformed headers
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nBad Name: x\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nNoColon\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\n: empty\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\u0000b\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\rb\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n | 400",
                // obs-fold
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: one\\r\\n two\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\n\\tHost: a\\r\\n\\r\\n | 400",
                // Host
                "GET / HTTP/1.1\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400",
                // framing
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 4\\r\\n\\r\\nabcd | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -3\\r\\n\\r\\nabc | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x3\\r\\n\\r\\nabc | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\nabc | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length:\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: ,\\r\\n\\r\\n | 400",
                "POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\n\\r\\nabc | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5,\\r\\n\\r\\nabcde | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: ,5\\r\\n\\r\\nabcde | 400",
                // chunks
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5 \\r\\nabcde\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\t\\r\\nabcde\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcX\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3 x\\r\\nabc\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-3\\r\\nabc\\r\\n0\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\nBad Trailer\\r\\n\\r\\n | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nab | 400",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\nabc\\r\\n0\\r\\n\\r\\n | 400",
                // truncated head
                "GET / HTTP/1.1\\r\\nHost: a\\r\\n | 400",
                "GET / HTT | 400",
                // sizes
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 101\\r\\n\\r\\n | 413",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999999\\r\\n\\r\\n | 413",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n70\\r\\n | 413",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nffffffffffffffffff\\r\\n | 413",
                // expectations
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nExpect: magic\\r\\n\\r\\n | 417",
                // not implemented
                "BREW / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 501",
                "get / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 501",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501",
                "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n | 501",
                // versions
                "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505",
                "GET / HTTP/0.9\\r\\nHost: a\\r\\n\\r\\n | 505",
            })
    void rejects(String escaped, int status) throws IOException {
        byte[] raw = bytes(unescape(escaped.strip()));
        List<String> whole = parseAll(raw, LIMITS);
        assertEquals("ERROR " + status, whole.get(whole.size() - 1), "parsed as " + whole);
        for (int cut = 1; cut < raw.length; cut++) {
            assertEquals(whole, ParserHarness.parseAll(new ParserHarness.CutInputStream(raw, cut), LIMITS, 1));
        }
    }

    @Test
    void overLongRequestLineIs414() throws IOException {
        String uri = "/" + "a".repeat(300);
        assertEquals(List.of("ERROR 414"), parseAll(bytes("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n"), LIMITS));
    }

    @Test
    void tooManyOrTooLargeHeadersAre431() throws IOException {
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 10; i++) {
            many.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(List.of("ERROR 431"), parseAll(bytes(many + "\r\n"), LIMITS));
        String big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "v".repeat(400) + "\r\n\r\n";
        assertEquals(List.of("ERROR 431"), parseAll(bytes(big), LIMITS));
        StringBuilder total = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 5; i++) {
            total.append("X-").append(i).append(": ").append("v".repeat(80)).append("\r\n");
        }
        assertEquals(List.of("ERROR 431"), parseAll(bytes(total + "\r\n"), LIMITS));
        // trailers count against the same limits
        StringBuilder trailers =
                new StringBuilder("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        for (int i = 0; i < 11; i++) {
            trailers.append("T-").append(i).append(": v\r\n");
        }
        assertEquals(List.of("ERROR 431"), parseAll(bytes(trailers + "\r\n"), LIMITS));
    }

    @Test
    void acceptedEdgeCases() throws IOException {
        // identical Content-Length values, repeated or listed, are one length (RFC 9110 8.6)
        assertEquals(
                List.of(
                        "POST / HTTP/1.1 headers={Host: a, Content-Length: 2, Content-Length: 2, 2} keepAlive=true body=hi"),
                parseAll(
                        bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi"),
                        LIMITS));
        // HTTP/1.1 Connection: close, HTTP/1.0 keep-alive, later 1.x treated as 1.1, absolute-form target, OPTIONS *
        assertEquals(
                List.of(
                        "GET / HTTP/1.1 headers={Host: a, Connection: close} keepAlive=false body=",
                        "GET / HTTP/1.0 headers={Connection: Keep-Alive} keepAlive=true body=",
                        "GET http://a/x HTTP/1.1 headers={Host: a} keepAlive=true body=",
                        "OPTIONS * HTTP/1.1 headers={Host: a} keepAlive=true body=",
                        "POST / HTTP/1.1 headers={Host: a, Expect: 100-Continue, Content-Length: 1} keepAlive=true expect100 body=x",
                        "GET / HTTP/1.1 headers={Host: , X-Empty: } keepAlive=true body="),
                parseAll(
                        bytes("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                + "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
                                + "GET http://a/x HTTP/1.2\r\nHost: a\r\n\r\n"
                                + "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"
                                + "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx"
                                + "GET / HTTP/1.1\r\nHost:\r\nX-Empty:   \r\n\r\n"),
                        LIMITS));
        // a clean end of stream between requests is not an error
        assertEquals(List.of(), parseAll(new byte[0], LIMITS));
        // a chunk size may have any number of leading zeros (RFC 9112 7.1: 1*HEXDIG), and white space
        // before a chunk extension
        assertEquals(
                List.of(
                        "POST / HTTP/1.1 headers={Host: a, Transfer-Encoding: chunked} keepAlive=true body=abcdefgh",
                        "POST / HTTP/1.1 headers={Host: a, Content-Length: 0005} keepAlive=true body=hello"),
                parseAll(bytes(LEADING_ZEROS), LIMITS));
    }

    private static final String LEADING_ZEROS = String.join(
            "\r\n",
            "POST / HTTP/1.1",
            "Host: a",
            "Transfer-Encoding: chunked",
            "",
            "000000000000000000000000000005",
            "abcde",
            "3 ;ext=1",
            "fgh",
            "0",
            "",
            "POST / HTTP/1.1",
            "Host: a",
            "Content-Length: 0005",
            "",
            "hello");

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Content-Length: 5,\\r\\n\\r\\nabcde | 400 | Content-Length '5,' has an empty element in its list",
                "Content-Length: 5x\\r\\n\\r\\nabcde | 400 | Content-Length '5x' is not a decimal number ('x' in it)",
                "Content-Length:\\r\\n\\r\\n | 400 | empty Content-Length",
                "Content-Length: 9999999999999999999\\r\\n\\r\\n | 413 | Content-Length 9999999999999999999 above 18 digits",
                "Transfer-Encoding: chunked\\r\\n\\r\\n5 \\r\\nabcde | 400 | chunk size line '5 ' ends in white space",
                "Transfer-Encoding: chunked\\r\\n\\r\\n5x\\r\\nabcde | 400 | chunk size line '5x': 'x' after the size",
                "Transfer-Encoding: chunked\\r\\n\\r\\nxyz\\r\\n | 400 | chunk size line 'xyz' does not start with a hex digit",
                "Transfer-Encoding: chunked\\r\\n\\r\\n1000000000000000\\r\\n | 413 | chunk size '1000000000000000' above 15 hex digits",
            })
    void framingErrorsSayWhatIsWrong(String escaped, int status, String message) throws IOException {
        HttpLimits big = LIMITS.withMaxBodyBytes(Long.MAX_VALUE);
        byte[] raw = bytes("POST / HTTP/1.1\r\nHost: a\r\n" + unescape(escaped.strip()));
        RequestParser p = new RequestParser(big);
        ParserHarness.CutInputStream in = new ParserHarness.CutInputStream(raw);
        HttpParseException e = assertThrows(HttpParseException.class, () -> {
            RequestHead h = p.parseHead(in);
            BodyInputStream body = h.chunked()
                    ? BodyInputStream.chunked(in, big, p.reader())
                    : BodyInputStream.fixed(in, h.contentLength());
            body.readAllBytes();
        });
        assertEquals(status, e.status());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void parseExceptionCarriesStatusAndMessage() {
        HttpParseException e = assertThrows(
                HttpParseException.class,
                () -> new RequestParser(LIMITS)
                        .parseHead(new ParserHarness.CutInputStream(bytes("GET / HTTP/3.0\r\n\r\n"))));
        assertEquals(505, e.status());
        assertTrue(e.getMessage().contains("3.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HttpParseException(200, "x"));
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r")
                .replace("\\n", "\n")
                .replace("\\t", "\t")
                .replace("\\u0000", "\u0000")
                .replace("\\u007f", "\u007f");
    }
}
