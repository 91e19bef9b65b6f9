package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the router's path matching, differentially: routes whose patterns
 * the fuzzer builds from literal, parameter and wildcard segments, and a request target; the router's
 * answer (which route, which parameters, or 404/405 with its Allow header) must be the one a plain
 * regular-expression matcher written from the javadoc gives. Bad patterns must be refused with an
 * {@link IllegalArgumentException}, nothing else. Regression inputs in
 * {@code src/test/resources/dev/warren/net/http/RouterFuzzTestInputs/pathMatching/}.
 */
@Tag("fuzz")
class RouterFuzzTest {
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD"};
    private static final String[] LITERALS = {"", "a", "b", "users", "x y", "%41", "a.b", "*x", "{", "}"};

    /** One route as the reference sees it. */
    private record Ref(int id, String method, Pattern regex, List<String> names, boolean wildcard) {}

    @FuzzTest(maxDuration = "60s")
    void pathMatching(FuzzedDataProvider data) throws Exception {
        Router.Builder b = Router.builder();
        List<Ref> refs = new ArrayList<>();
        java.util.Set<String> defined = new java.util.HashSet<>();
        int routes = data.consumeInt(1, 5);
        for (int id = 0; id < routes; id++) {
            String method = data.pickValue(METHODS);
            StringBuilder pattern = new StringBuilder();
            StringBuilder regex = new StringBuilder("^");
            List<String> names = new ArrayList<>();
            int segments = data.consumeInt(0, 4);
            boolean wildcard = false;
            for (int s = 0; s < segments; s++) {
                int kind = data.consumeInt(0, 3);
                pattern.append('/');
                if (kind == 0) {
                    String name = "p" + s;
                    pattern.append('{').append(name).append('}');
                    regex.append("/([^/]+)");
                    names.add(name);
                } else if (kind == 1 && s == segments - 1) {
                    pattern.append('*');
                    wildcard = true;
                } else {
                    // a '/' inside a literal would make it two segments; the other characters are the fuzzer's
                    String lit = kind == 3 ? data.consumeString(4).replace('/', '_') : data.pickValue(LITERALS);
                    pattern.append(lit);
                    if (lit.startsWith("{") && lit.endsWith("}") && lit.length() > 2) {
                        // shaped like a parameter, so it is one (the first fuzzing run found the
                        // reference treating "{p1}" as a literal)
                        regex.append("/([^/]+)");
                        names.add(lit.substring(1, lit.length() - 1));
                    } else if (lit.equals("*") && s == segments - 1) {
                        wildcard = true;
                    } else {
                        regex.append('/').append(Pattern.quote(lit));
                    }
                }
            }
            if (pattern.isEmpty()) {
                pattern.append('/');
                regex.append('/');
            }
            if (wildcard) {
                regex.append("(?:/(.*))?");
            }
            regex.append('$');
            final int routeId = id;
            try {
                b.route(method, pattern.toString(), req -> {
                    Map<String, String> params = new TreeMap<>(req.pathParams());
                    return Response.ok("route " + routeId + " " + params);
                });
            } catch (IllegalArgumentException refused) {
                boolean shadowed = refused.getMessage().contains("can never match");
                if (isValid(pattern.toString()) && !defined.contains(method + " " + pattern) && !shadowed) {
                    throw new AssertionError("valid pattern refused: " + pattern, refused);
                }
                if (shadowed && !shadowedByEarlier(refs, method, Pattern.compile(regex.toString()), pattern)) {
                    throw new AssertionError("refused as shadowed, though no earlier route covers it: " + pattern);
                }
                continue; // refused with the documented exception; not in the router
            }
            if (!isValid(pattern.toString()) || !defined.add(method + " " + pattern)) {
                throw new AssertionError("invalid or repeated pattern accepted: " + method + " " + pattern);
            }
            refs.add(new Ref(id, method, Pattern.compile(regex.toString()), names, wildcard));
        }
        Router router = b.build();

        String method = data.pickValue(METHODS);
        String target = "/" + data.consumeRemainingAsAsciiString();
        RequestHead head;
        try {
            head = new RequestParser(HttpLimits.defaults())
                    .parseHead(new ByteArrayInputStream((method + " " + target + " HTTP/1.1\r\nHost: h\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1)));
        } catch (HttpParseException notARequest) {
            return; // the parser guards the router: only parsed targets reach it
        }
        Request req = new Request(head, InputStream.nullInputStream(), null, null);
        Response actual = router.handle(req);
        String expected = reference(refs, method, req.path());
        String got = actual.status() == 200
                ? new String(actual.bodyBytes(), StandardCharsets.UTF_8)
                : actual.status() + " " + actual.header("Allow");
        assertEquals(expected, got, "path '" + req.path() + "', routes " + refs);
    }

    /** The pattern rules of Router's javadoc, restated: what the builder must accept. */
    private static boolean isValid(String pattern) {
        String[] parts = pattern.substring(1).split("/", -1);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("*") && i == parts.length - 1) {
                continue;
            }
            if (p.startsWith("{") && p.endsWith("}") && p.length() > 2) {
                String name = p.substring(1, p.length() - 1);
                if (name.contains("{") || name.contains("}") || name.equals("*") || !names.add(name)) {
                    return false;
                }
            } else if (p.contains("{") || p.contains("}") || p.equals("*")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an earlier route of {@code method} matches every path the new one does: checked on sample
     * paths built from the new pattern (each parameter and the wildcard filled with a value no literal
     * of {@link #LITERALS} equals), which the earlier route must then match too.
     */
    private static boolean shadowedByEarlier(List<Ref> refs, String method, Pattern newRegex, CharSequence pattern) {
        String sample = pattern.toString().replaceAll("\\{[^/]*\\}", "zq9").replaceAll("/\\*$", "/zq9/zq8");
        if (!newRegex.matcher(sample).matches()) {
            return true; // a pattern this sampling cannot exercise: trust the router
        }
        for (Ref r : refs) {
            if (r.method.equals(method) && r.regex.matcher(sample).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * First matching route for the method wins; HEAD falls back to GET; else 405 with Allow, else 404.
     * The chosen route's parameters are decoded strictly: a bad escape there answers 400.
     */
    private static String reference(List<Ref> refs, String method, String path) {
        Ref getFallback = null;
        Matcher getMatch = null;
        LinkedHashMap<String, Boolean> allowed = new LinkedHashMap<>();
        for (Ref r : refs) {
            Matcher m = r.regex.matcher(path);
            if (!m.matches()) {
                continue;
            }
            if (r.method.equals(method)) {
                return chosen(r, m);
            }
            if (method.equals("HEAD") && r.method.equals("GET") && getFallback == null) {
                getFallback = r;
                getMatch = m;
            }
            allowed.put(r.method, true);
        }
        if (getFallback != null) {
            return chosen(getFallback, getMatch);
        }
        if (allowed.isEmpty()) {
            return "404 null";
        }
        if (allowed.containsKey("GET")) {
            allowed.put("HEAD", true);
        }
        return "405 " + String.join(", ", allowed.keySet());
    }

    private static String chosen(Ref r, Matcher m) {
        Map<String, String> params = new TreeMap<>();
        try {
            for (int i = 0; i < r.names.size(); i++) {
                params.put(r.names.get(i), Request.decodeStrict(m.group(i + 1)));
            }
            if (r.wildcard) {
                String rest = m.group(r.names.size() + 1);
                params.put("*", rest == null ? "" : Request.decodeStrict(rest));
            }
        } catch (IllegalArgumentException badEscape) {
            return "400 null";
        }
        return "route " + r.id + " " + params;
    }
}
