package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Serves the files under a directory: {@code router.get("/static/*", StaticFiles.of(Path.of("www")))}.
 *
 * <p>The path served is the route's {@code *} parameter (percent-decoded by the router), or the whole
 * request path on a route without one. What it does, as browsers and caches expect:
 *
 * <ul>
 *   <li>{@code Content-Type} from the file's extension (HTML, CSS, JavaScript, JSON, images, fonts, text,
 *       WebAssembly; {@code application/octet-stream} otherwise); a directory serves its {@code
 *       index.html}.
 *   <li>{@code ETag} (size and modification time) with {@code If-None-Match}, and {@code Last-Modified}
 *       with {@code If-Modified-Since}: 304 without a body when the client's copy is current.
 *   <li>{@code Range: bytes=...} (one range: first-last, first-, or -suffix): 206 with {@code
 *       Content-Range}; a range past the end: 416 with {@code Content-Range: bytes *}{@code /SIZE}; a
 *       syntax it does not serve (several ranges) gets the whole file, as RFC 9110 allows.
 *       {@code If-Range} is honoured.
 *   <li>HEAD answers the headers of GET. Files are sent from disk 64 KiB at a time with
 *       {@code Content-Length}, never read into memory whole.
 * </ul>
 *
 * <p><b>It never leaves its root.</b> A path with a NUL byte or a backslash is a 400; a path whose
 * segments climb out ({@code ..}, also when it arrived encoded as {@code %2e%2e}), a hidden file (a
 * segment starting with {@code .}), a file that is not a regular file or a directory, and a symbolic link
 * that resolves outside the root (checked on the real path) are all 404, the same answer as a file that
 * does not exist, so a client learns nothing about what lies outside.
 *
 * <p>Thread-safe; one handler serves any number of connections. Each request opens its file; nothing is
 * cached in memory (the operating system's page cache is the cache).
 */
public final class StaticFiles implements HttpHandler {
    private static final int CHUNK = 64 * 1024;
    /** IMF-fixdate (RFC 9110 5.6.7): two-digit day, always GMT. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("xml", "application/xml"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mp3", "audio/mpeg"));

    private final Path root;

    private StaticFiles(Path root) {
        this.root = root;
    }

    /**
     * A handler serving the files under {@code root}.
     *
     * @throws IllegalArgumentException if {@code root} is not a directory
     * @throws UncheckedIOException if its real path cannot be resolved
     */
    public static StaticFiles of(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("root must be a directory, was '" + root + "'");
        }
        try {
            return new StaticFiles(root.toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the root '" + root + "'", e);
        }
    }

    /** The content type served for a file name, by its extension. */
    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    @Override
    public Response handle(Request req) throws IOException {
        String wanted = req.pathParam("*");
        if (wanted == null) {
            try {
                wanted = Request.decodeStrict(req.path());
            } catch (IllegalArgumentException e) {
                return Response.text(400, "bad request: the path " + e.getMessage() + "\n");
            }
        }
        if (wanted.indexOf('\0') >= 0 || wanted.indexOf('\\') >= 0) {
            return Response.text(400, "bad request: the path has a NUL byte or a backslash\n");
        }
        Path file = resolve(wanted);
        if (file == null) {
            return notFound(req);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (attrs.isDirectory()) {
                file = file.resolve("index.html");
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            }
        } catch (NoSuchFileException e) {
            return notFound(req);
        }
        if (!attrs.isRegularFile() || !file.toRealPath().startsWith(root)) {
            return notFound(req); // a device, a pipe, or a link (or a link's target) outside the root
        }
        long size = attrs.size();
        Instant modified = attrs.lastModifiedTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.getEpochSecond()) + "\"";
        String lastModified = HTTP_DATE.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC));
        String type = contentType(file.getFileName().toString());
        if (notModified(req, etag, modified)) {
            return Response.status(304).header("ETag", etag).header("Last-Modified", lastModified);
        }
        long first = 0;
        long last = size - 1;
        int status = 200;
        String range = req.header("Range");
        if (range != null && ifRangeHolds(req.header("If-Range"), etag, modified)) {
            long[] r = parseRange(range, size);
            if (r != null && r[0] < 0) {
                return Response.text(416, "range not satisfiable: " + range + " (the file has " + size + " bytes)\n")
                        .header("Content-Range", "bytes */" + size);
            }
            if (r != null) {
                first = r[0];
                last = r[1];
                status = 206;
            }
        }
        long length = last - first + 1;
        Response resp = Response.status(status)
                .header("ETag", etag)
                .header("Last-Modified", lastModified)
                .header("Accept-Ranges", "bytes");
        if (status == 206) {
            resp.header("Content-Range", "bytes " + first + "-" + last + "/" + size);
        }
        // for HEAD the server sends the headers (Content-Length included) and never calls the writer
        Path f = file;
        long from = first;
        return resp.stream(type, length, out -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                    InputStream in = Channels.newInputStream(ch.position(from))) {
                byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, length))];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException(f + " became shorter while it was sent (" + left + " bytes short)");
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        });
    }

    private static Response notFound(Request req) {
        return Response.text(404, "not found: " + req.path() + "\n");
    }

    /**
     * The file for a decoded relative path, or null if it would leave the root or names a hidden file.
     * Works on segments, before the file system sees the path.
     */
    private Path resolve(String wanted) {
        Path p = root;
        for (String segment : wanted.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.startsWith(".")) {
                return null; // "..", and hidden files such as .git or .env
            }
            p = p.resolve(segment);
        }
        return p.normalize().startsWith(root) ? p : null;
    }

    private static boolean notModified(Request req, String etag, Instant modified) {
        String inm = req.header("If-None-Match");
        if (inm != null) {
            for (String tag : inm.split(",", -1)) {
                String t = tag.strip();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false; // If-None-Match present: If-Modified-Since is ignored (RFC 9110 13.1.3)
        }
        String ims = req.header("If-Modified-Since");
        if (ims == null) {
            return false;
        }
        Instant since = parseDate(ims);
        return since != null && !modified.isAfter(since);
    }

    private static boolean ifRangeHolds(String ifRange, String etag, Instant modified) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag); // a strong comparison: a weak tag never validates a range
        }
        Instant d = parseDate(v);
        return d != null && d.equals(modified);
    }

    private static Instant parseDate(String v) {
        try {
            // RFC 1123's parser reads IMF-fixdate and the one-digit days some clients send
            return ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * {@code [first, last]} of one byte range, {@code [-1, -1]} for a range past the end, null for
     * a header that is not one range we serve (the whole file is sent then).
     */
    static long[] parseRange(String header, long size) {
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return null; // several ranges: the whole file (a multipart answer is not worth it)
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(b);
                if (suffix <= 0) {
                    return suffix == 0 ? new long[] {-1, -1} : null;
                }
                return size == 0 ? new long[] {-1, -1} : new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
            if (first < 0 || last < first) {
                return null;
            }
            if (first >= size) {
                return new long[] {-1, -1};
            }
            return new long[] {first, Math.min(last, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "StaticFiles[" + root + "]";
    }
}
