package dev.warren.streaming.sink;

import dev.warren.streaming.window.WindowResult;
import dev.warren.tasklets.Channel;

/** Sends results to a channel; closes it at the end. */
final class ChannelSink<K, R, S> implements WindowSink<K, R, S> {
    private final Channel<WindowResult<K, R>> channel;

    ChannelSink(Channel<WindowResult<K, R>> channel) {
        this.channel = channel;
    }

    @Override
    public void emit(WindowResult<K, R> result, S state) throws InterruptedException {
        channel.send(result);
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "ChannelSink[" + channel.name() + "]";
    }
}
