package dev.warren.demos;

/**
 * How the long-running demos end on Ctrl-C (SIGINT) or SIGTERM: a JVM shutdown hook stops the demo
 * gracefully (it drains what is in flight and prints its totals) and then ends the process with status
 * 0, since a clean stop on request is a success; left to itself the JVM would exit with 130 or 143
 * after its hooks. {@link Runtime#halt} is what sets the status from a hook; a demo that ends on its
 * own removes its hook first ({@link #remove}), so its own exit status stands.
 */
final class GracefulStop {
    private GracefulStop() {}

    /** Installs the hook: {@code stop} runs on SIGINT/SIGTERM, then the process exits 0. */
    static Thread install(String demo, Runnable stop) {
        Thread hook = new Thread(
                () -> {
                    try {
                        stop.run();
                    } finally {
                        System.out.flush();
                        System.err.flush();
                        Runtime.getRuntime().halt(0);
                    }
                },
                demo + " shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Removes the hook of a demo that is ending on its own; harmless while the JVM is already shutting down. */
    static void remove(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running (or about to): it ends the process
        }
    }
}
