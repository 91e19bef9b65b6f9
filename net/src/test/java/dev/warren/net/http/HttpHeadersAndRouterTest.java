package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpHeaders} built by hand and the {@link Router} called directly, without a server: the parts
 * mutation testing found reached by no test of their own (header construction and its checks, names,
 * equality; PUT and DELETE routes, paths that fall short of or run past a pattern).
 */
class HttpHeadersAndRouterTest {

    @Test
    void headersBuiltByHand() {
        HttpHeaders h = HttpHeaders.of("Accept", "a", "X-Two", "1", "accept", "b");
        assertEquals(3, h.size());
        assertEquals("a", h.get("ACCEPT"));
        assertEquals(List.of("a", "b"), h.all("Accept"));
        assertTrue(h.contains("x-two"));
        assertFalse(h.contains("Missing"));
        assertNull(h.get("Missing"));
        assertEquals(Set.of("Accept", "X-Two"), h.names(), "one name per field, in any case");
        assertEquals(List.of("Accept", "X-Two"), new ArrayList<>(h.names()), "in order of appearance");
        assertEquals(HttpHeaders.of("Accept", "a", "X-Two", "1", "accept", "b"), h);
        assertEquals(
                h.hashCode(),
                HttpHeaders.of("Accept", "a", "X-Two", "1", "accept", "b").hashCode());
        assertNotEquals(HttpHeaders.of("Accept", "a"), h);
        assertNotEquals(h, "not headers");
        assertEquals(0, HttpHeaders.empty().size());
        assertEquals("{Accept: a, X-Two: 1, accept: b}", h.toString());
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("Odd"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("", "v"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("Bad Name", "v"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("N", "line\nbreak"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("N", "del\u007F"));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of("N", "wide\u0100"));
        assertEquals(
                "tab\tspace \u00FF", HttpHeaders.of("N", "tab\tspace \u00FF").get("n"), "edges allowed");
        assertThrows(NullPointerException.class, () -> HttpHeaders.of("N", null));
    }

    private static Request request(String method, String target) throws IOException {
        RequestHead head = new RequestParser(HttpLimits.defaults())
                .parseHead(new ByteArrayInputStream((method + " " + target + " HTTP/1.1\r\nHost: h\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)));
        return new Request(head, InputStream.nullInputStream(), null, null);
    }

    private static String answer(Router r, String method, String target) throws Exception {
        Response resp = r.handle(request(method, target));
        return resp.status() + " " + new String(resp.bodyBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void routesByMethodAndPattern() throws Exception {
        Router r = Router.builder()
                .get("/", req -> Response.ok("root"))
                .put("/items/{id}", req -> Response.ok("put " + req.pathParam("id")))
                .delete("/items/{id}", req -> Response.ok("delete " + req.pathParam("id")))
                .get("/files/*", req -> Response.ok("file '" + req.pathParam("*") + "'"))
                .get("/a/b", req -> Response.ok("a/b"))
                .build();
        assertEquals("200 root", answer(r, "GET", "/"));
        assertEquals("200 put 7", answer(r, "PUT", "/items/7"));
        assertEquals("200 delete x y", answer(r, "DELETE", "/items/x%20y"));
        assertEquals("405 method GET not allowed on /items/7", answer(r, "GET", "/items/7"));
        assertEquals("PUT, DELETE", r.handle(request("GET", "/items/7")).header("Allow"));
        assertEquals("404 not found: /items", answer(r, "PUT", "/items"), "a parameter needs a segment");
        assertEquals("404 not found: /items/", answer(r, "PUT", "/items/"), "... a non-empty one");
        assertEquals("404 not found: /items/7/more", answer(r, "PUT", "/items/7/more"), "the path runs past");
        assertEquals("200 file ''", answer(r, "GET", "/files"));
        assertEquals("200 file 'x/y'", answer(r, "GET", "/files/x/y"));
        assertEquals("404 not found: /a", answer(r, "GET", "/a"), "the path falls short");
        assertEquals("404 not found: /a/bc", answer(r, "GET", "/a/bc"), "a literal matches whole");
        assertEquals("404 not found: /ab", answer(r, "GET", "/ab"));
        assertThrows(IllegalArgumentException.class, () -> Router.builder().get("/{}", req -> Response.ok("")));
        assertThrows(IllegalArgumentException.class, () -> Router.builder().get("/x/{a}/{a}", req -> Response.ok("")));
        assertThrows(IllegalArgumentException.class, () -> Router.builder().get("/*/x", req -> Response.ok("")));
    }
}
