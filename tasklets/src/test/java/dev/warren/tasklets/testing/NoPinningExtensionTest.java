package dev.warren.tasklets.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.warren.tasklets.observe.PinEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

class NoPinningExtensionTest {

    private static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(fixture))
                .execute();
    }

    private static List<Throwable> failures(EngineExecutionResults results) {
        return results.allEvents().stream()
                .filter(e -> e.getType() == EventType.FINISHED)
                .map(e -> e.getRequiredPayload(TestExecutionResult.class))
                .filter(r -> r.getStatus() != TestExecutionResult.Status.SUCCESSFUL)
                .map(TestExecutionResult::getThrowable)
                .flatMap(Optional::stream)
                .toList();
    }

    @Test
    void aTestThatPinsFailsWithThePinnedStack() {
        EngineExecutionResults results = run(PinsInTestFixture.class);
        List<Throwable> failures = failures(results);
        // The event is reported by afterEach if JFR already delivered it, else by afterAll: never both.
        assertEquals(1, failures.size(), () -> "one failure expected, got " + failures);
        String message = failures.get(0).getMessage();
        assertTrue(failures.get(0) instanceof AssertionError, message);
        assertTrue(message.contains("pinned its carrier in our code"), message);
        assertTrue(message.contains("test 'PinsInTestFixture > pinsInAClassInitializer()'"), message);
        assertTrue(message.contains("'fixture-pinner'"), message);
        assertTrue(message.contains("dev.warren.tasklets.testing.SleepsInClinit"), message);
        assertTrue(message.contains("<clinit>"), message);
        List<Event> finished = results.allEvents().stream()
                .filter(e -> e.getType() == EventType.FINISHED)
                .toList();
        assertEquals(3, finished.size(), "engine, class and test finished: " + finished);
    }

    @Test
    void aTestThatBlocksPolitelyPasses() {
        EngineExecutionResults results = run(DoesNotPinFixture.class);
        assertEquals(List.of(), failures(results));
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    @Test
    void waitsInsideTheJvmAreNotBlamedOnUsButBlockingUnderOurMonitorIs() {
        // the JVM resolving a class for a JCTools call made from our receive: seen by CI on JDK 25
        assertTrue(NoPinningExtension.blockedInsideTheJvm(pin(
                "Freeze or preempt failed (2); Contended monitor enter",
                "org.jctools.queues.atomic.AtomicReferenceArrayQueue.isEmpty(line 78)",
                "dev.warren.tasklets.ArrayChannel.handOnReceive(line 427)")));
        assertTrue(NoPinningExtension.blockedInsideTheJvm(
                pin("Contended monitor enter", "dev.warren.tasklets.ArrayChannel.receive(line 298)")));
        assertTrue(NoPinningExtension.blockedInsideTheJvm(pin(
                "Waited for initialization of sun.nio.ch.Poller",
                "java.lang.Class.forName0(Native)",
                "dev.warren.net.TcpClient.connect(line 40)")));
        // the JDK's own monitors, contended under load, that JDK 25 could not preempt
        assertTrue(NoPinningExtension.blockedInsideTheJvm(pin(
                "Freeze or preempt failed (2); Contended monitor enter",
                "sun.nio.ch.NioSocketImpl.getOutputStream(line 813)",
                "java.net.Socket.getOutputStream(line 1049)",
                "dev.warren.net.ConnectionImpl.<init>(line 64)")));
        assertTrue(NoPinningExtension.blockedInsideTheJvm(pin(
                "Freeze or preempt failed (2); Contended monitor enter",
                "java.lang.Thread.blockedOn(line 373)",
                "sun.nio.ch.DatagramChannelImpl.receive(line 581)",
                "dev.warren.net.UdpReceiverImpl.receiveLoop(line 76)")));
        // a real park under a monitor of ours: the JDK's blocking call is on top
        assertFalse(NoPinningExtension.blockedInsideTheJvm(pin(
                "Monitor held",
                "java.util.concurrent.locks.LockSupport.park(line 371)",
                "dev.warren.tasklets.testing.PinCarrier.run(line 20)")));
        assertFalse(NoPinningExtension.blockedInsideTheJvm(pin(
                "Waited for initialization of dev.warren.tasklets.testing.SleepsInClinit",
                "java.lang.Thread.sleep(line 509)",
                "dev.warren.tasklets.testing.SleepsInClinit.<clinit>(line 9)")));
    }

    private static PinEvent pin(String reason, String... frames) {
        return new PinEvent(
                "pinned",
                Instant.EPOCH,
                Duration.ofMillis(5),
                "t",
                1,
                reason,
                List.of(frames),
                true,
                Arrays.stream(frames)
                        .filter(f -> f.startsWith("dev.warren."))
                        .findFirst()
                        .orElse(null));
    }
}
