package dev.warren.net.internal;

/**
 * "Did you mean" for error messages that name a bad word (a stage, a configuration key): the edit
 * distance between two words, shared by the datapath request parser and the configuration files so that
 * both suggest the same way.
 *
 * <p><b>Not API.</b> Public only because Java has no friend packages; it may change without notice.
 * Stateless, any thread.
 */
public final class Suggestions {
    private Suggestions() {}

    /** The Levenshtein distance: insertions, deletions and substitutions that turn {@code a} into {@code b}. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
