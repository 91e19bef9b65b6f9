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
     * Makes sure the changelog topic {@code topic} exists with {@code partitions} partitions (one per input
     * partition), creating it compacted ({@code cleanup.policy=compact}) with the broker's default
     * replication if it does not.
     *
     * @throws IllegalArgumentException if it exists with another number of partitions, or not compacted
     * @throws IllegalStateException if the cluster did not answer
     */
    static void ensureChangelog(String bootstrap, String topic, int partitions) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            try {
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(
                                        topic, java.util.Optional.of(partitions), java.util.Optional.empty())
                                .configs(Map.of("cleanup.policy", "compact"))))
                        .all()
                        .get(15, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw new IllegalStateException(
                            "cannot create the changelog topic '" + topic + "' on " + bootstrap + ": " + e.getCause(),
                            e);
                }
            }
            TopicDescription d = admin.describeTopics(java.util.List.of(topic))
                    .allTopicNames()
                    .get(15, TimeUnit.SECONDS)
                    .get(topic);
            if (d.partitions().size() != partitions) {
                throw new IllegalArgumentException(
                        "changelog topic '" + topic + "' has " + d.partitions().size() + " partitions, the input topic "
                                + partitions + ": they must be equal");
            }
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var cfg = admin.describeConfigs(java.util.List.of(resource))
                    .all()
                    .get(15, TimeUnit.SECONDS)
                    .get(resource)
                    .get("cleanup.policy");
            if (cfg == null || !cfg.value().contains("compact")) {
                throw new IllegalArgumentException("changelog topic '" + topic + "' is not compacted (cleanup.policy="
                        + (cfg == null ? "?" : cfg.value()) + "): its oldest states would be deleted");
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot describe the changelog topic '" + topic + "' on " + bootstrap + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no Kafka broker answered at " + bootstrap + " within 15 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the changelog topic '" + topic + "'", e);
        }
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
