package dev.warren.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Checks of what users give the Kafka classes, with messages that name the bad value. */
final class Kafka {
    private Kafka() {}

    static String requireBootstrap(String bootstrap) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        for (String hp : bootstrap.split(",", -1)) {
            int colon = hp.lastIndexOf(':');
            boolean ok = colon > 0 && colon < hp.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(hp.substring(colon + 1).strip());
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new IllegalArgumentException(
                        "bootstrap must be HOST:PORT[,HOST:PORT...], was '" + bootstrap + "'");
            }
        }
        return bootstrap;
    }

    static String requireName(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!name.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException(what + " must be 1 to 249 of [a-zA-Z0-9._-], was '" + name + "'");
        }
        return name;
    }

    /**
     * The number of partitions of {@code topic}, asked of the cluster (blocking, up to 15 s).
     *
     * @throws IllegalArgumentException if the topic does not exist
     * @throws IllegalStateException if the cluster did not answer
     */
    static int partitions(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            Map<String, TopicDescription> d = admin.describeTopics(java.util.List.of(topic))
                    .allTopicNames()
                    .get(15, TimeUnit.SECONDS);
            return d.get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + bootstrap, e);
            }
            throw new IllegalStateException(
                    "cannot describe topic '" + topic + "' on " + bootstrap + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no Kafka broker answered at " + bootstrap + " within 15 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while asking " + bootstrap + " about topic '" + topic + "'", e);
        }
    }
}
