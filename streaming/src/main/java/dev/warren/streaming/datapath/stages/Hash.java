package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;

/**
 * {@code (hash,buckets=N[,field=K])}: classifies a block as {@code 1 + FNV-1a(bytes) mod N}, so that
 * {@code >>} routes it to one of N branches, equal blocks (or equal K-th whitespace-separated fields)
 * always to the same one. {@code field=0} (the default) hashes the whole block.
 */
public final class Hash implements StageType {
    @Override
    public String name() {
        return "hash";
    }

    @Override
    public String info() {
        return "classifies into 1..buckets=N by a hash of the block (field=K: of its K-th field), for >> routing";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("buckets", "field");
        if (!o.has("buckets")) {
            throw new IllegalArgumentException("stage 'hash' needs option buckets=N");
        }
        o.integer("buckets", 2, 1, 65535);
        o.integer("field", 0, 0, 1024);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        int buckets = (int) o.integer("buckets", 2, 1, 65535);
        int field = (int) o.integer("field", 0, 0, 1024);
        return (Block b) -> 1 + Integer.remainderUnsigned(hash(b.array(), b.offset(), b.length(), field), buckets);
    }

    /** FNV-1a over the block, or over its {@code field}-th whitespace-separated field (empty if missing). */
    static int hash(byte[] a, int off, int len, int field) {
        int from = off;
        int to = off + len;
        if (field > 0) {
            int k = 0;
            int i = off;
            from = to;
            while (i < off + len) {
                while (i < off + len && isSpace(a[i])) {
                    i++;
                }
                int start = i;
                while (i < off + len && !isSpace(a[i])) {
                    i++;
                }
                if (i > start && ++k == field) {
                    from = start;
                    to = i;
                    break;
                }
            }
            if (k < field) {
                to = from;
            }
        }
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h ^= a[i] & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
