package dev.warren.net;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a UDP socket's kernel drop counter from Linux's {@code /proc/net/udp} and {@code /proc/net/udp6}.
 *
 * <p>Each row there is one socket: {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when
 * retrnsmt uid timeout inode ref pointer drops}, addresses as {@code HEXADDR:HEXPORT}. Rows are matched
 * by the local port; when several sockets share the port (another process, SO_REUSEPORT, IPv4 and
 * IPv6), only rows whose inode is one of this process's open sockets ({@code /proc/self/fd}) count.
 */
final class ProcNetUdp {
    private static final Path UDP4 = Path.of("/proc/net/udp");
    private static final Path UDP6 = Path.of("/proc/net/udp6");

    private ProcNetUdp() {}

    /** One parsed row. */
    record Row(int localPort, long inode, long drops) {}

    /** The kernel drop count of our socket bound to {@code port}, or -1 if it cannot be told. */
    static long kernelDrops(int port) {
        if (!Files.isReadable(UDP4) && !Files.isReadable(UDP6)) {
            return -1;
        }
        List<Row> rows = new ArrayList<>();
        for (Path p : List.of(UDP4, UDP6)) {
            try {
                rows.addAll(parse(Files.readString(p)));
            } catch (IOException | RuntimeException e) {
                // not there (no IPv6) or unreadable: the other file may still have the row
            }
        }
        return drops(rows, port, () -> ownSocketInodes());
    }

    /** The drops of the row(s) for {@code port}; with several, only ours by inode; -1 if none matches. */
    static long drops(List<Row> rows, int port, java.util.function.Supplier<Set<Long>> ownInodes) {
        List<Row> candidates = rows.stream().filter(r -> r.localPort() == port).toList();
        if (candidates.isEmpty()) {
            return -1;
        }
        if (candidates.size() == 1) {
            return candidates.get(0).drops();
        }
        Set<Long> own = ownInodes.get();
        List<Row> ours =
                candidates.stream().filter(r -> own.contains(r.inode())).toList();
        if (ours.isEmpty()) {
            return -1;
        }
        return ours.stream().mapToLong(Row::drops).sum();
    }

    /** Parses the text of {@code /proc/net/udp} or {@code /proc/net/udp6}; rows it cannot read are skipped. */
    static List<Row> parse(String text) {
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        if (lines.length == 0) {
            return rows;
        }
        String[] header = lines[0].trim().split("\\s+", -1);
        if (header.length == 0 || !header[header.length - 1].equals("drops")) {
            return rows; // a kernel without the column
        }
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+", -1);
            if (f.length < 13) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                long inode = Long.parseLong(f[9]);
                long drops = Long.parseLong(f[f.length - 1]);
                rows.add(new Row(port, inode, drops));
            } catch (NumberFormatException e) {
                // a malformed row: skip it
            }
        }
        return rows;
    }

    /** The inodes of this process's sockets, from the {@code socket:[INODE]} links in /proc/self/fd. */
    private static Set<Long> ownSocketInodes() {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        } catch (IOException e) {
            // no /proc/self/fd: no inodes, no match
        }
        return inodes;
    }
}
