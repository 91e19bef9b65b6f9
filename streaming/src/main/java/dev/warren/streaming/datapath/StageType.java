package dev.warren.streaming.datapath;

import java.util.Set;

/**
 * A class of stages, Streamline's {@code struct function}: found by name in requests, registered through
 * {@link java.util.ServiceLoader} (a jar whose {@code META-INF/services/dev.warren.streaming.datapath.StageType}
 * lists it adds its stages with no other change).
 *
 * <pre>{@code
 * public final class HttpBlock implements StageType {
 *     public String name() { return "httpblock"; }
 *     public String info() { return "drops every block containing \"http\""; }
 *     public Stage newStage(StageOptions options, Role role) {
 *         return block -> Bytes.indexOf(block, HTTP) >= 0 ? 0 : 1;
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle</b> (Streamline's, in Java terms):
 * <ol>
 *   <li>{@link #init()} once per process when the registry first loads the class; a class whose
 *       {@code init} throws is not registered, and {@link Datapaths#unavailableStages()} says why.</li>
 *   <li>{@link #tryex} for <em>every</em> stage of a request before any is opened: a stateless check of
 *       the options (and of the role), so that a bad request fails with no side effects.</li>
 *   <li>{@link #newStage} makes the instance (no side effects), then {@link Stage#open} (newex) gives it
 *       its state; {@link Stage#process} per block; {@link Stage#close} (delex), also for an instance
 *       whose {@code open} failed, in the reverse order of opening.</li>
 *   <li>{@link #cleanup()} once, when {@link Datapaths#shutdown()} unloads the registry.</li>
 * </ol>
 *
 * <p><b>Threading.</b> {@code init}, {@code cleanup}, {@code tryex} and {@code newStage} may be called
 * from any thread, the last two concurrently for different requests: keep them free of shared state.
 */
public interface StageType {

    /** The name requests use, {@code compress}: letters, digits, {@code _ - .}, starting with a letter. */
    String name();

    /** A one-line explanation, shown by {@code ./datapath --stages} and in reports. */
    String info();

    /** The roles the stage can take; a request that puts it elsewhere is refused. Default: {@link Role#STAGE}. */
    default Set<Role> roles() {
        return Set.of(Role.STAGE);
    }

    /** Class-level set-up, once per process; throw to keep the class out of the registry (say why). */
    default void init() throws Exception {}

    /** Class-level teardown, undoing {@link #init()}. */
    default void cleanup() throws Exception {}

    /**
     * Checks {@code options} for a stage in {@code role} without touching anything outside: parse every
     * value, refuse unknown options ({@link StageOptions#allowOnly}).
     *
     * @throws IllegalArgumentException naming the bad option and value
     */
    default void tryex(StageOptions options, Role role) {}

    /**
     * A new instance for {@code options} (already checked by {@link #tryex}) in {@code role}: a
     * {@link SourceStage} for {@link Role#SOURCE}. It must not affect anything outside itself before
     * {@link Stage#open}.
     */
    Stage newStage(StageOptions options, Role role);
}
