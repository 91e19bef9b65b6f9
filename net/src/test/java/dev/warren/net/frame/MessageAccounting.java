package dev.warren.net.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.tasklets.OverflowPolicy;
import dev.warren.tasklets.testing.LogCapture;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The messaging tests' invariant: every message a {@link MessageClient} accepted ends counted exactly
 * once, as delivered, abandoned or evicted.
 *
 * <p>As an extension ({@code @ExtendWith(MessageAccounting.class)}) it checks every client closed during
 * each test, the ones a {@link ConnectionManager} starts and closes included: a client checks itself as
 * it closes and reports a mismatch at ERROR ("bug: ... accepted N messages but accounts for M"), and the
 * extension fails the test if one was reported. {@link #assertAccounted} checks one closed client from
 * its public counters.
 */
public final class MessageAccounting implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MessageAccounting.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("log", LogCapture.start());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try (LogCapture log = context.getStore(NS).remove("log", LogCapture.class)) {
            List<String> bugs = log.lines("ERROR", "bug:");
            assertEquals(List.of(), bugs, "a client's accounting did not add up");
        }
    }

    /** Checks a closed client's counters: accepted == delivered + abandoned (+ evicted under DROP_OLDEST). */
    static void assertAccounted(MessageClient client) {
        MessageClientImpl c = (MessageClientImpl) client;
        assertEquals(MessageClient.State.CLOSED, c.state(), c.name());
        MessageClientStats s = c.stats();
        long delivered = c.atLeastOnce() ? s.acknowledged() : s.written();
        long evicted = c.overflowPolicy() == OverflowPolicy.DROP_OLDEST ? s.dropped() : 0;
        assertEquals(
                s.accepted(),
                delivered + s.abandoned() + evicted,
                () -> c.name() + ": every accepted message counted once as delivered (" + delivered + "), abandoned ("
                        + s.abandoned() + ") or evicted (" + evicted + "): " + s);
    }
}
