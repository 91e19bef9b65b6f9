package dev.warren.streaming.datapath;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The block a stage is asked to {@linkplain Stage#process process}: a view of {@link #length()} bytes
 * of {@link #array()} from {@link #offset()}. The runtime reuses block objects and the arrays behind
 * them: a block and its bytes are valid only during the call; copy what you keep ({@link #toByteArray()}).
 *
 * <p><b>Editing.</b> A stage may
 * <ul>
 *   <li>edit in place: write the bytes of the array returned by {@link #edit()} (at
 *       {@link #offset()}, after calling it);</li>
 *   <li>shrink: {@link #truncate(int)};</li>
 *   <li>replace: {@link #replace(byte[], int, int)} with bytes of its own (another size, as
 *       {@code compress} does), which it must leave untouched until its next call;</li>
 *   <li>or pass the block on unchanged.</li>
 * </ul>
 * <b>Who sees an edit.</b> Exactly the stages after the editing stage on the same path: its
 * descendants in the graph, through the edges that accept the block. Never a stage before it, never a
 * sibling branch, whatever their order in the request: at a fork every branch receives the block as it
 * left the forking stage (a replacement is undone for the next branch, and {@link #edit()} copies the
 * bytes into a buffer of the editing stage first while another branch has yet to see them). This is
 * Streamline's "breadth-first" ambiguity removed: {@code (in) > ((edit) | (view))} and
 * {@code (in) > ((view) | (edit))} both give {@code view} the original bytes. An exported stream or a
 * boundary copies the block as it leaves its stage.
 *
 * <p><b>Threading.</b> Used only by the stage being called, on the tasklet calling it.
 */
public final class Block {
    byte[] array;
    int offset;
    int length;
    /** Another branch has yet to see these bytes: {@link #edit()} must copy them first. */
    boolean shared;
    /** The node being called (edit copies into its scratch buffer). */
    Node owner;

    Block() {}

    /** A block of {@code length} bytes of {@code array} from {@code offset} (for tests of stages). */
    public static Block of(byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        Block b = new Block();
        b.set(array, offset, length);
        return b;
    }

    /** A block of the whole array (for tests of stages). */
    public static Block of(byte[] array) {
        return of(array, 0, array.length);
    }

    void set(byte[] a, int off, int len) {
        this.array = a;
        this.offset = off;
        this.length = len;
        this.shared = false;
    }

    /** The array holding the bytes (from {@link #offset()}); read-only unless obtained from {@link #edit()}. */
    public byte[] array() {
        return array;
    }

    /** Where the bytes start in {@link #array()}. */
    public int offset() {
        return offset;
    }

    /** How many bytes the block has. */
    public int length() {
        return length;
    }

    /** The byte at {@code index} ({@code 0 <= index < length()}). */
    public byte get(int index) {
        Objects.checkIndex(index, length);
        return array[offset + index];
    }

    /**
     * The array to edit the block's bytes in place, at {@link #offset()} for {@link #length()} bytes (both
     * read after this call: they change when the bytes had to be copied). See the class comment for who
     * sees the edit.
     */
    public byte[] edit() {
        if (shared) {
            Node n = owner;
            byte[] scratch = n == null ? new byte[length] : n.scratch(length);
            System.arraycopy(array, offset, scratch, 0, length);
            array = scratch;
            offset = 0;
            shared = false;
        }
        return array;
    }

    /**
     * Makes the block these bytes from now on (for the stages after this one; see the class comment).
     * The caller keeps ownership of {@code bytes} and must not change them until its next call.
     */
    public void replace(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        this.array = bytes;
        this.offset = offset;
        this.length = length;
        this.shared = false;
    }

    /** Keeps the first {@code length} bytes ({@code 0 <= length <= length()}). */
    public void truncate(int length) {
        if (length < 0 || length > this.length) {
            throw new IllegalArgumentException("truncate to 0.." + this.length + " bytes, was " + length);
        }
        this.length = length;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    /** The bytes decoded with {@code charset}. */
    public String toString(Charset charset) {
        return new String(array, offset, length, charset);
    }

    /** The bytes as UTF-8 text, abbreviated to 64 characters, for logs. */
    @Override
    public String toString() {
        String t = new String(array, offset, Math.min(length, 64), StandardCharsets.UTF_8);
        return "Block[" + length + " bytes: " + t + (length > 64 ? "..." : "") + "]";
    }
}
