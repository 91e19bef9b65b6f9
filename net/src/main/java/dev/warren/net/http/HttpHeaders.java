package dev.warren.net.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Header fields in the order received, looked up by name without regard to case. Immutable once
 * handed to user code; a field sent several times is kept several times ({@link #all(String)}).
 */
public final class HttpHeaders {
    private static final HttpHeaders EMPTY = new HttpHeaders(List.of());

    private final List<String> nv; // name, value, name, value...

    HttpHeaders(List<String> namesAndValues) {
        this.nv = namesAndValues;
    }

    /** No fields. */
    public static HttpHeaders empty() {
        return EMPTY;
    }

    /**
     * Fields from alternating names and values: {@code of("Host", "a", "Accept", "*}{@code /*")}.
     *
     * @throws IllegalArgumentException if the count is odd or a name or value is not legal in HTTP
     */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "names and values must alternate; got an odd count " + namesAndValues.length);
        }
        List<String> l = new ArrayList<>(namesAndValues.length);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            l.add(checkName(namesAndValues[i]));
            l.add(checkValue(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new HttpHeaders(Collections.unmodifiableList(l));
    }

    /** The first value of {@code name} (any case), or null if absent. */
    public String get(String name) {
        List<String> a = nv;
        for (int i = 0, n = a.size(); i < n; i += 2) {
            if (a.get(i).equalsIgnoreCase(name)) {
                return a.get(i + 1);
            }
        }
        return null;
    }

    /** Every value of {@code name} (any case), in order; empty if absent. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0, n = nv.size(); i < n; i += 2) {
            if (nv.get(i).equalsIgnoreCase(name)) {
                out.add(nv.get(i + 1));
            }
        }
        return out;
    }

    /** True if {@code name} (any case) is present. */
    public boolean contains(String name) {
        return get(name) != null;
    }

    /** How many times {@code name} (any case) occurs. */
    int count(String name) {
        int c = 0;
        for (int i = 0, n = nv.size(); i < n; i += 2) {
            if (nv.get(i).equalsIgnoreCase(name)) {
                c++;
            }
        }
        return c;
    }

    /**
     * True if the comma-separated values of {@code name} contain {@code token} (both without regard to
     * case), as for {@code Connection: keep-alive, Upgrade}.
     */
    public boolean hasToken(String name, String token) {
        for (int i = 0, n = nv.size(); i < n; i += 2) {
            if (nv.get(i).equalsIgnoreCase(name)) {
                for (String part : nv.get(i + 1).split(",", -1)) {
                    if (part.strip().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The distinct names, in the spelling first seen. */
    public Set<String> names() {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 0; i < nv.size(); i += 2) {
            boolean seen = false;
            for (String n : s) {
                if (n.equalsIgnoreCase(nv.get(i))) {
                    seen = true;
                    break;
                }
            }
            if (!seen) {
                s.add(nv.get(i));
            }
        }
        return s;
    }

    /** The number of fields (a repeated name counts each time). */
    public int size() {
        return nv.size() / 2;
    }

    /** Calls {@code action} with each field's name and value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < nv.size(); i += 2) {
            action.accept(nv.get(i), nv.get(i + 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders h && h.nv.equals(nv);
    }

    @Override
    public int hashCode() {
        return nv.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        forEach((n, v) ->
                sb.append(sb.length() > 1 ? ", " : "").append(n).append(": ").append(v));
        return sb.append('}').toString();
    }

    // ---- checks shared by responses and the client

    static String checkName(String name) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 128 || !HeadReader.isTchar(c)) {
                throw new IllegalArgumentException("header name '" + name + "' has an illegal character at " + i);
            }
        }
        return name;
    }

    static String checkValue(String name, String value) {
        Objects.requireNonNull(value, () -> "value of header " + name);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 255 || (c < 0x20 && c != '\t') || c == 0x7F) {
                throw new IllegalArgumentException("value of header '" + name + "' has an illegal character (code "
                        + (int) c + ") at " + i + ": '" + value + "'");
            }
        }
        return value;
    }
}
