package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzzing the request language: any text, and valid requests mutated byte by byte, end in a parse or a
 * {@link RequestException} naming a place inside the request, never in anything else; the whole check
 * of {@link Datapaths#check} (stages, options) too. And a printed random request parses back to itself.
 */
class RequestParserProperties {
    private static final String[] SEEDS = {
        "(tcpsock,expression=5000) > (compress,export,name=mybuf)",
        "(gen,count=10,size=100) > (boundary,capacity=16,policy=drop_oldest) > (grep,pattern=\"^1[0-9]*\") > (count)",
        "(gen) > (classify,1=ERROR,2=\"W\\\"ARN\",default=3) >> ( (count) | (head,n=2) > (stdout) | (file,path=x) )",
        "(udpsock,port=9) >[1-3,7] ( [2] (lines) > (grep,pattern=a,invert) | [*] (hash,buckets=4) )",
        "(wakeup,interval=1s)\n  > (sample,p=0.5,seed=3)\n  > (ratelimit,rate=10,burst=2,bytes)",
    };

    private static final String ALPHABET = "()[]|>,=\"\\*-_. \t\nabcgenpxz0123456789";

    private static void parseOrRefuse(String request) {
        try {
            RequestParser.parse(request);
        } catch (RequestException e) {
            checkRefusal(request, e);
        }
    }

    private static void checkRefusal(String request, RequestException e) {
        assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
        String[] lines = request.split("\n", -1);
        assertTrue(e.line() <= lines.length, "line " + e.line() + " of " + lines.length);
        assertTrue(e.column() <= lines[e.line() - 1].length() + 1, "column " + e.column() + " beyond the line");
        assertTrue(
                e.getMessage().contains("column " + e.column())
                        && e.getMessage().contains("^"),
                e.getMessage());
    }

    @Property(tries = 3000)
    void anyTextParsesOrIsRefusedWithAPlace(@ForAll @StringLength(max = 80) String request) {
        parseOrRefuse(request);
    }

    @Property(tries = 3000)
    void textOfTheLanguagesOwnCharacters(@ForAll("languageText") String request) {
        parseOrRefuse(request);
    }

    @Property(tries = 3000)
    void mutatedValidRequests(@ForAll("mutated") String request) {
        parseOrRefuse(request);
    }

    @Property(tries = 1500)
    void theWholeCheckRefusesOnlyWithARequestException(@ForAll("mutated") String request) {
        try {
            Datapaths.check(request);
        } catch (RequestException e) {
            checkRefusal(request, e);
        }
    }

    @Provide
    Arbitrary<String> languageText() {
        return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(60);
    }

    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<List<int[]>> edits = Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 10_000),
                        Arbitraries.of(ALPHABET.chars().boxed().toList()))
                .as((op, at, c) -> new int[] {op, at, c})
                .list()
                .ofMinSize(1)
                .ofMaxSize(6);
        return Combinators.combine(Arbitraries.of(SEEDS), edits).as(RequestParserProperties::apply);
    }

    private static String apply(String seed, List<int[]> edits) {
        StringBuilder b = new StringBuilder(seed);
        for (int[] e : edits) {
            if (b.isEmpty()) {
                break;
            }
            int at = e[1] % b.length();
            switch (e[0]) {
                case 0 -> b.setCharAt(at, (char) e[2]);
                case 1 -> b.insert(at, (char) e[2]);
                case 2 -> b.deleteCharAt(at);
                default -> b.setLength(at);
            }
        }
        return b.toString();
    }

    // ---- round trip: a random request printed (with random spacing and quoting) parses back to itself

    @Property(tries = 1000)
    void aPrintedRequestParsesBackToTheSameTree(@ForAll("requests") String[] printedAndCanonical) {
        Ast.Seq parsed = RequestParser.parse(printedAndCanonical[0]);
        assertEquals(printedAndCanonical[1], canonical(parsed));
    }

    @Provide
    Arbitrary<String[]> requests() {
        return Arbitraries.randomValue(r -> {
            StringBuilder printed = new StringBuilder();
            StringBuilder canon = new StringBuilder();
            sequence(r, 0, printed, canon);
            return new String[] {printed.toString(), canon.toString()};
        });
    }

    private static void sequence(java.util.Random r, int depth, StringBuilder p, StringBuilder c) {
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                int kind = r.nextInt(3);
                boolean group = depth < 3 && r.nextInt(3) == 0;
                space(r, p);
                if (kind == 2 && group) {
                    p.append(">>");
                    c.append(">>");
                    space(r, p);
                    group(r, depth, p, c, true);
                    continue;
                }
                p.append('>');
                c.append('>');
                if (kind == 1) {
                    range(r, p, c);
                }
                space(r, p);
                if (group) {
                    group(r, depth, p, c, false);
                    continue;
                }
            } else if (depth < 3 && r.nextInt(5) == 0) {
                group(r, depth, p, c, true);
                continue;
            }
            stage(r, p, c);
        }
    }

    private static void group(java.util.Random r, int depth, StringBuilder p, StringBuilder c, boolean noRanges) {
        p.append('(');
        c.append('(');
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                space(r, p);
                p.append('|');
                c.append('|');
            }
            space(r, p);
            if (!noRanges && r.nextBoolean()) {
                range(r, p, c);
                space(r, p);
            }
            sequence(r, depth + 1, p, c);
        }
        space(r, p);
        p.append(')');
        c.append(')');
    }

    private static void range(java.util.Random r, StringBuilder p, StringBuilder c) {
        List<Range> parts = new ArrayList<>();
        p.append('[');
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                p.append(',');
            }
            int lo = r.nextInt(20);
            if (r.nextBoolean()) {
                int hi = lo + r.nextInt(20);
                p.append(lo).append('-').append(hi);
                parts.add(Range.between(lo, hi));
            } else {
                p.append(lo);
                parts.add(Range.of(lo));
            }
        }
        p.append(']');
        c.append('[').append(Range.union(parts)).append(']');
    }

    private static void stage(java.util.Random r, StringBuilder p, StringBuilder c) {
        String name = List.of("gen", "grep", "count", "a.b-c_d", "x1").get(r.nextInt(5));
        p.append('(');
        space(r, p);
        p.append(name);
        c.append('(').append(name);
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            space(r, p);
            p.append(',');
            space(r, p);
            String key = List.of("k", "size", "1", "_x").get(r.nextInt(4)) + i;
            p.append(key);
            c.append(',').append(key);
            if (r.nextBoolean()) {
                String value = List.of("v", "a b,c)", "q\"uote\\", "\n\t", "é").get(r.nextInt(5));
                space(r, p);
                p.append('=');
                space(r, p);
                p.append('"')
                        .append(value.replace("\\", "\\\\")
                                .replace("\"", "\\\"")
                                .replace("\n", "\\n")
                                .replace("\t", "\\t"))
                        .append('"');
                c.append('=').append(value);
            }
        }
        space(r, p);
        p.append(')');
        c.append(')');
    }

    private static void space(java.util.Random r, StringBuilder p) {
        if (r.nextInt(3) == 0) {
            p.append(List.of(" ", "  ", "\n  ", "\t").get(r.nextInt(4)));
        }
    }

    /** The tree without positions or spacing, in the generator's canonical form. */
    private static String canonical(Ast.Seq seq) {
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < seq.elements().size(); i++) {
            if (i > 0) {
                Ast.Link l = seq.links().get(i - 1);
                c.append(l.route() ? ">>" : ">");
                if (l.range() != null) {
                    c.append('[').append(l.range()).append(']');
                }
            }
            Ast.Element e = seq.elements().get(i);
            if (e instanceof Ast.StageRef s) {
                c.append('(').append(s.name());
                for (Ast.Option o : s.options()) {
                    c.append(',').append(o.key());
                    if (o.value() != null) {
                        c.append('=').append(o.value());
                    }
                }
                c.append(')');
            } else {
                Ast.Group g = (Ast.Group) e;
                c.append('(');
                for (int b = 0; b < g.branches().size(); b++) {
                    if (b > 0) {
                        c.append('|');
                    }
                    Ast.Branch br = g.branches().get(b);
                    if (br.range() != null) {
                        c.append('[').append(br.range()).append(']');
                    }
                    c.append(canonical(br.seq()));
                }
                c.append(')');
            }
        }
        return c.toString();
    }
}
