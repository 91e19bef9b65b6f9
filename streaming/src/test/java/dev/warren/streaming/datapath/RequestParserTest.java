package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request language: what parses to what, and every refusal with its exact place. */
class RequestParserTest {

    private static Ast.StageRef stage(Ast.Seq seq, int i) {
        return (Ast.StageRef) seq.elements().get(i);
    }

    @Test
    void theSeedsExampleParses() {
        Ast.Seq seq = RequestParser.parse("(tcpsock,expression=5000) > (compress,export,name=mybuf)");
        assertEquals(2, seq.elements().size());
        Ast.StageRef src = stage(seq, 0);
        assertEquals("tcpsock", src.name());
        assertEquals(List.of(new Ast.Option("expression", "5000", 9)), src.options());
        Ast.StageRef c = stage(seq, 1);
        assertEquals("compress", c.name());
        assertEquals("export", c.options().get(0).key());
        assertNull(c.options().get(0).value(), "a flag has no value");
        assertEquals("mybuf", c.options().get(1).value());
        assertEquals(List.of(new Ast.Link(false, null, 26)), seq.links());
    }

    @Test
    void groupsNestToAnyDepthWithRangesAndRouting() {
        Ast.Seq seq = RequestParser.parse("(gen) > ( (a) | [3-4,9] (b) > ((c)|(d)) ) >[*] (e)");
        Ast.Group g = (Ast.Group) seq.elements().get(1);
        assertEquals(2, g.branches().size());
        assertTrue(!seq.links().get(0).route());
        assertTrue(RequestParser.parse("(gen) >> ((a) | (b))").links().get(0).route());
        assertEquals(
                Range.union(List.of(Range.between(3, 4), Range.of(9))),
                g.branches().get(1).range());
        Ast.Group inner = (Ast.Group) g.branches().get(1).seq().elements().get(1);
        assertEquals(2, inner.branches().size());
        assertEquals(Range.ALL, seq.links().get(1).range());
    }

    @Test
    void quotedValuesWithEscapesAndWhitespaceAnywhere() {
        Ast.Seq seq = RequestParser.parse(" ( grep , pattern = \"a,b) \\\"c\\\" \\\\ \\n\\t\\u0041\" , invert ) ");
        Ast.StageRef g = stage(seq, 0);
        assertEquals("a,b) \"c\" \\ \n\tA", g.options().get(0).value());
        assertEquals("invert", g.options().get(1).key());
    }

    @Test
    void bareValuesTakeRegexCharacters() {
        Ast.StageRef g = stage(RequestParser.parse("(grep,pattern=^a.*[0-9]+$|x>y)"), 0);
        assertEquals("^a.*[0-9]+$|x>y", g.options().get(0).value());
    }

    @Test
    void optionKeysMayStartWithADigit() {
        Ast.StageRef c = stage(RequestParser.parse("(classify,1=ERROR,2=WARN,default=3)"), 0);
        assertEquals(
                List.of("1", "2", "default"),
                c.options().stream().map(Ast.Option::key).toList());
    }

    @Test
    void multiLineRequests() {
        Ast.Seq seq = RequestParser.parse("(gen)\n  > (count)\n  > (stdout)");
        assertEquals(3, seq.elements().size());
    }

    /** The issue's own example: a stage left open where the next edge begins. */
    @Test
    void theIssuesExampleNamesColumn23() {
        RequestException e =
                assertThrows(RequestException.class, () -> RequestParser.parse("(gen) > (grep,pattern=x > (count)"));
        assertEquals("expected ',' or ')', found '>'", e.reason());
        assertEquals(1, e.line());
        assertEquals(25, e.column());
        assertEquals("""
                expected ',' or ')', found '>' at column 25
                  (gen) > (grep,pattern=x > (count)
                                          ^""", e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiterString = " ~ ",
            quoteCharacter = '`',
            value = {
                "`` ~ 1 ~ empty request: expected a stage such as '(gen)'",
                "`   ` ~ 4 ~ empty request: expected a stage such as '(gen)'",
                "gen ~ 1 ~ expected '(' (a stage or a group), found 'g'",
                "(gen ~ 5 ~ expected ',' or ')' but the request ended (stage 'gen' at column 1 is not closed)",
                "(gen) > ~ 8 ~ expected '(' (a stage or a group) but the request ended",
                "(gen) > count ~ 9 ~ expected '(' (a stage or a group), found 'c'",
                "(gen) (count) ~ 7 ~ expected '>' or the end of the request, found '('",
                "(gen)) ~ 6 ~ unexpected ')' with no '(' to close",
                "(gen) | (count) ~ 7 ~ '|' outside a group: put the branches in parentheses, ((a) | (b))",
                "(1gen) ~ 2 ~ expected a stage name (letters, digits, '_', '-', '.'), found '1'",
                "() ~ 2 ~ expected a stage name (letters, digits, '_', '-', '.'), found ')'",
                "(gen,) ~ 6 ~ expected an option name, found ')'",
                "(gen,size=) ~ 11 ~ expected a value after '=', found ')' (quote values with such characters: \"...\")",
                "(grep,pattern=\"abc) ~ 15 ~ unterminated string: no closing '\"'",
                "(grep,pattern=\"a\\qb\") ~ 17 ~ unknown escape '\\q' (known: \\\" \\\\ \\n \\t \\r \\uXXXX)",
                "(grep,pattern=\"\\u12\") ~ 16 ~ '\\u' needs four hex digits",
                "(gen) >[ (count) ~ 10 ~ expected a classification (0-65535) or '*', found '('",
                "(gen) >[70000] (count) ~ 9 ~ classification 70000 is above 65535",
                "(gen) >[5-3] (count) ~ 9 ~ empty range 5-3: the first bound must not exceed the second",
                "(gen) >[1;2] (count) ~ 10 ~ expected ',' or ']' in a range, found ';'",
                "(gen) >[1 ~ 10 ~ expected ',' or ']' but the request ended (the range at column 8 is not closed)",
                "(gen) >> (count) ~ 10 ~ '>>' routes classification n to branch n: it must be followed by a group of branches, ((a) | (b))",
                "(gen) >> ([2] (a) | (b)) ~ 11 ~ a branch after '>>' takes its classification from its position; remove the range or use '>' with ranges",
                "(gen) > ((a) (b)) ~ 14 ~ expected '|' or ')', found '('",
                "(gen) > ((a) | (b) ~ 19 ~ expected '|' or ')' but the request ended (the group at column 9 is not closed)",
            })
    void refusalsNameTheirColumn(String request, int column, String reason) {
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse(request));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void aMultiLineRefusalNamesLineAndColumnAndShowsThatLine() {
        RequestException e = assertThrows(
                RequestException.class, () -> RequestParser.parse("(gen)\n  > (grep,pattern=x\n  > (count)"));
        assertEquals(3, e.line());
        assertEquals(3, e.column());
        assertEquals("""
                expected ',' or ')', found '>' at line 3, column 3
                    > (count)
                    ^""", e.getMessage());
    }

    @Test
    void theCaretKeepsTabsSoThatItLinesUp() {
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse("\t(gen) >\t]"));
        assertEquals(
                "\t(gen) >\t]\n  \t       \t^",
                e.getMessage().substring(e.getMessage().indexOf('\n') + 3));
    }

    @Test
    void nestingIsBounded() {
        String deep =
                "(gen) > " + "(".repeat(RequestParser.MAX_DEPTH + 1) + "(a)" + ")".repeat(RequestParser.MAX_DEPTH + 1);
        RequestException e = assertThrows(RequestException.class, () -> RequestParser.parse(deep));
        assertEquals("groups nested deeper than " + RequestParser.MAX_DEPTH, e.reason());
        String ok = "(gen) > " + "(".repeat(RequestParser.MAX_DEPTH) + "(a)" + ")".repeat(RequestParser.MAX_DEPTH);
        assertEquals(2, RequestParser.parse(ok).elements().size());
    }

    @Test
    void rangesPrintAsWritten() {
        assertEquals("1-65535", Range.DEFAULT.toString());
        assertEquals("*", Range.ALL.toString());
        assertEquals(
                "1-3,7",
                Range.union(List.of(Range.of(7), Range.between(1, 2), Range.of(3)))
                        .toString());
        assertTrue(Range.union(List.of(Range.of(2), Range.of(9))).contains(9));
        assertTrue(!Range.union(List.of(Range.of(2), Range.of(9))).contains(5));
        assertThrows(IllegalArgumentException.class, () -> Range.between(4, 2));
        assertThrows(IllegalArgumentException.class, () -> Range.of(70_000));
    }
}
