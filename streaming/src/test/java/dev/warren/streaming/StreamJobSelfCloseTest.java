package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.sink.WindowSink;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A job closed or awaited from its own callbacks would wait for them forever: it refuses, saying so. */
class StreamJobSelfCloseTest {

    @Test
    void callbacksAndSinksCannotCloseOrAwaitTheirJobButMayShutItDown() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            AtomicReference<StreamJob<KeyValue>> self = new AtomicReference<>();
            AtomicReference<Throwable> fromHandle = new AtomicReference<>();
            AtomicReference<Throwable> fromAwait = new AtomicReference<>();
            AtomicReference<Throwable> fromSinkClose = new AtomicReference<>();
            WindowSink<String, Long, Void> sink = new WindowSink<>() {
                @Override
                public void emit(WindowResult<String, Long> result, Void state) {}

                @Override
                public void close() {
                    // runs on the job's own tasklet, during the graceful stop
                    fromSinkClose.set(assertThrows(IllegalStateException.class, self.get()::close));
                }
            };
            StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("self-closing-job")
                    .parse(KeyValue::parse)
                    .keyBy(KeyValue::key)
                    .shards(1)
                    .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                    .handle((e, s) -> {
                        StreamJob<KeyValue> j = self.get();
                        fromHandle.set(assertThrows(IllegalStateException.class, j::close));
                        fromAwait.set(assertThrows(
                                IllegalStateException.class, () -> j.awaitTermination(Duration.ofSeconds(1))));
                        j.shutdown(); // the way to stop a job from inside: it does not wait
                    })
                    .sink(sink)
                    .start();
            self.set(job);
            job.emit("k 1");
            assertTrue(job.awaitTermination(Duration.ofSeconds(30)), "the shutdown from the callback ended the job");
            job.close(); // harmless afterwards
            String m = fromHandle.get().getMessage();
            assertTrue(m.contains("stream job 'self-closing-job' cannot be closed from its own tasklet"), m);
            assertTrue(m.contains("shutdown()"), m);
            assertTrue(
                    fromAwait.get().getMessage().contains("cannot be awaited"),
                    fromAwait.get().getMessage());
            assertTrue(
                    fromSinkClose.get().getMessage().contains("stream-job:self-closing-job"),
                    fromSinkClose.get().getMessage());
        });
    }
}
