package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FileDescriptorsTest {

    @Test
    void theDefaultConnectionLimitLeavesDescriptorsToTheRestOfTheProcess() {
        assertEquals(17_846, FileDescriptors.defaultMax(20_000, 100)); // 90 % of the 19,900 free, less 64
        assertEquals(17_936, FileDescriptors.defaultMax(20_000, -1)); // open count unknown
        assertEquals(16, FileDescriptors.defaultMax(128, 100)); // never below 16
        assertEquals(Integer.MAX_VALUE, FileDescriptors.defaultMax(-1, 10)); // unknown
        assertEquals(Integer.MAX_VALUE, FileDescriptors.defaultMax(Long.MAX_VALUE, 10)); // unlimited
    }

    @Test
    void serversTakeItByDefault() {
        long limit = FileDescriptors.LIMIT;
        int max = TcpServer.defaultMaxConnections();
        if (limit > 0 && limit < Integer.MAX_VALUE) {
            assertTrue(max + FileDescriptors.OPEN < limit, max + " connections would not leave room under " + limit);
        }
        assertEquals(max, TcpServer.builder().listener().maxConnections());
    }
}
