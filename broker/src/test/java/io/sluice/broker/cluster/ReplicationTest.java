package io.sluice.broker.cluster;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.GroupMember;
import io.sluice.broker.test.TestCluster;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.admin.OffsetSpec;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three broker processes sharing a Ratis metadata quorum, replicating a topic with replication factor 3. */
class ReplicationTest
{
    @TempDir
    Path tmp;

    /** Three brokers that are also the three voters; the tests close them. */
    private List<BrokerProcess> startCluster(final String... overrides) throws IOException
    {
        return TestCluster.start(tmp, 3, overrides).brokers();
    }

    private static String metrics(final BrokerProcess broker) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + broker.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everyReplicaHoldsWhatAcksAllAcknowledged() throws Exception
    {
        final List<BrokerProcess> brokers = startCluster();
        try
        {
            final String bootstrap = brokers.get(0).bootstrap();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
            {
                admin.createTopic(new NewTopic("replicated", 3, (short)3));
                final TopicDescription description = TestCluster.describeOnceCreated(admin, "replicated");
                final Set<Integer> leaders = new HashSet<>();
                for (final PartitionInfo p : description.partitions())
                {
                    assertEquals(3, p.replicas().size());
                    leaders.add(p.leader());
                }
                assertEquals(Set.of(0, 1, 2), leaders, "leaders spread over the three brokers");
            }
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all"), new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < 300; i++)
                {
                    producer.send(new ProducerRecord<>("replicated", i % 3, null, null, "r" + i, List.of())).get();
                }
            }
            // Acknowledged with acks=all: every broker's replica of every partition already holds the records.
            for (final BrokerProcess broker : brokers)
            {
                final String metrics = metrics(broker);
                for (int p = 0; p < 3; p++)
                {
                    final String line = "sluice_log_end_offset{partition=\"" + p + "\",topic=\"replicated\"} 100.0";
                    assertTrue(metrics.contains(line), "broker " + broker.port() + " lacks " + line);
                }
            }
            final List<String> values = new ArrayList<>();
            try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", bootstrap,
                "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
            {
                consumer.assign(List.of(new TopicPartition("replicated", 0), new TopicPartition("replicated", 1),
                    new TopicPartition("replicated", 2)));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 300 && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
                    {
                        values.add(record.value());
                    }
                }
            }
            assertEquals(300, new HashSet<>(values).size());
        }
        finally
        {
            for (final BrokerProcess broker : brokers)
            {
                broker.close();
            }
        }
    }

    @Test
    void whenALeaderDiesAnInSyncFollowerTakesOverWithEveryAcknowledgedRecord() throws Exception
    {
        final List<BrokerProcess> brokers = startCluster("broker.heartbeat.interval.ms=300",
            "broker.session.timeout.ms=2000");
        try
        {
            final String bootstrap = brokers.get(0).bootstrap();
            int leader;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
            {
                admin.createTopic(new NewTopic("failover", 1, (short)3));
                leader = TestCluster.describeOnceCreated(admin, "failover").partitions().get(0).leader();
            }
            final List<String> acknowledged = new ArrayList<>();
            final TopicPartition tp = new TopicPartition("failover", 0);
            final String survivorBootstrap = brokers.get((leader + 1) % 3).bootstrap();
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers",
                survivorBootstrap, "acks", "all", "delivery.timeout.ms", "60000"),
                new StringSerializer(), new StringSerializer());
                Consumer<String, String> offsets = new Consumer<>(Map.of("bootstrap.servers", survivorBootstrap),
                    new StringDeserializer(), new StringDeserializer());
                Admin admin = Admin.create(Map.of("bootstrap.servers", survivorBootstrap)))
            {
                for (int i = 0; i < 100; i++)
                {
                    producer.send(new ProducerRecord<>("failover", 0, null, null, "before-" + i, List.of())).get();
                    acknowledged.add("before-" + i);
                }
                // A leader that was also the active controller is fenced only after a new Raft leader is elected
                // (election timeout at most 2 s) and has given live brokers time to reach it.
                assertEquals(Map.of(tp, 100L), offsets.endOffsets(List.of(tp)));
                assertEquals(100L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).get(tp).offset());
                final boolean alsoController = metrics(brokers.get(leader)).contains("sluice_controller_active 1.0");
                final long boundMs = 2000 + 2000 + (alsoController ? 2000 : 0);
                brokers.get(leader).kill();
                final long killed = System.nanoTime();
                producer.send(new ProducerRecord<>("failover", 0, null, null, "after-0", List.of())).get();
                final long recoveredMs = (System.nanoTime() - killed) / 1_000_000;
                acknowledged.add("after-0");
                assertTrue(recoveredMs < boundMs, "producers succeeded again " + recoveredMs + " ms after the "
                    + "leader died (also the controller: " + alsoController + "); broker.session.timeout.ms is 2000");
                for (int i = 1; i < 50; i++)
                {
                    producer.send(new ProducerRecord<>("failover", 0, null, null, "after-" + i, List.of())).get();
                    acknowledged.add("after-" + i);
                }
                // Both learned the dead leader before it died: their lookups must follow the new leader, not fail.
                assertEquals(Map.of(tp, 150L), offsets.endOffsets(List.of(tp)));
                assertEquals(150L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).get(tp).offset());
            }
            final BrokerProcess survivor = brokers.get((leader + 1) % 3);
            final List<String> values = new ArrayList<>();
            try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers",
                survivor.bootstrap(), "auto.offset.reset", "earliest"), new StringDeserializer(),
                new StringDeserializer()))
            {
                consumer.assign(List.of(new TopicPartition("failover", 0)));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < acknowledged.size() && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
                    {
                        values.add(record.value());
                    }
                }
            }
            assertEquals(acknowledged, values, "every acknowledged record once, in order");
            // The dead broker comes back, is unfenced and catches up as a follower.
            brokers.get(leader).start();
            final BrokerProcess back = brokers.get(leader);
            GroupMember.await(() ->
            {
                try
                {
                    return metrics(back).contains("sluice_log_end_offset{partition=\"0\",topic=\"failover\"} 150.0");
                }
                catch (final Exception e)
                {
                    return false;
                }
            }, 30_000, "the returning broker to catch up");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", survivor.bootstrap())))
            {
                GroupMember.await(() -> admin.describeTopics(List.of("failover")).get("failover").partitions().get(0)
                    .isr().size() == 3, 30_000, "the returning broker to rejoin the ISR");
            }
        }
        finally
        {
            for (final BrokerProcess broker : brokers)
            {
                broker.close();
            }
        }
    }

    @Test
    void aStoppingLeaderHandsItsPartitionsOverBeforeItExits() throws Exception
    {
        final List<BrokerProcess> brokers = startCluster();
        try
        {
            int leader;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers.get(0).bootstrap())))
            {
                admin.createTopic(new NewTopic("handover", 1, (short)3));
                leader = TestCluster.describeOnceCreated(admin, "handover").partitions().get(0).leader();
            }
            final BrokerProcess other = brokers.get((leader + 1) % 3);
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", other.bootstrap(),
                "acks", "all"), new StringSerializer(), new StringSerializer()))
            {
                producer.send(new ProducerRecord<>("handover", 0, null, null, "before", List.of())).get();
                assertEquals(0, brokers.get(leader).stop(), "clean exit after SIGTERM");
                final long stopped = System.nanoTime();
                producer.send(new ProducerRecord<>("handover", 0, null, null, "after", List.of())).get();
                final long ms = (System.nanoTime() - stopped) / 1_000_000;
                // Without the handover the partition would wait for the 9 s session timeout.
                assertTrue(ms < 3000, "the producer waited " + ms + " ms for a new leader");
            }
            assertTrue(brokers.get(leader).log().contains("leadership moved to other replicas"),
                brokers.get(leader).log());
        }
        finally
        {
            for (final BrokerProcess broker : brokers)
            {
                broker.close();
            }
        }
    }
}
