package io.sluice.broker.cluster;

import io.sluice.broker.group.OffsetsTopic;
import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.TestCluster;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.consumer.OffsetAndMetadata;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A consumer group's coordinator dies: its offsets live on in the replicated offsets topic, so nothing is lost. */
class CoordinatorFailoverTest
{
    private static final String TOPIC = "work";
    private static final String GROUP = "workers";
    private static final int RECORDS = 300;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void committedOffsetsSurviveTheCoordinatorsDeath() throws Exception
    {
        try (TestCluster cluster = TestCluster.start(tmp, 3, "broker.heartbeat.interval.ms=300",
            "broker.session.timeout.ms=2000"))
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrap())))
            {
                admin.createTopic(new NewTopic(TOPIC, 3, (short)3));
            }
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", cluster.bootstrap(),
                "acks", "all"), new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, i % 3, null, null, "r" + i, List.of()));
                }
                producer.flush();
            }
            final Set<TopicPartition> partitions = Set.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1),
                new TopicPartition(TOPIC, 2));
            final Set<String> before = new HashSet<>();
            final Map<TopicPartition, OffsetAndMetadata> committed;
            try (Consumer<String, String> consumer = consumer(cluster.bootstrap()))
            {
                consumer.subscribe(List.of(TOPIC));
                poll(consumer, before, RECORDS / 2, new HashMap<>());
                consumer.commitSync();
                committed = consumer.committed(partitions);
            }
            final int offsetsPartition = OffsetsTopic.partitionFor(GROUP, 50);
            final int coordinator = cluster.partition(0, OffsetsTopic.NAME, offsetsPartition).leader();
            final BrokerProcess dead = cluster.broker(coordinator);
            dead.kill();

            final Set<String> after = new HashSet<>();
            final Map<TopicPartition, Long> firstOffsets = new HashMap<>();
            try (Consumer<String, String> consumer = consumer(cluster.bootstrap()))
            {
                assertEquals(committed, consumer.committed(partitions), "the new coordinator has every commit");
                consumer.subscribe(List.of(TOPIC));
                poll(consumer, after, RECORDS - before.size(), firstOffsets);
                consumer.commitSync();
            }
            for (final TopicPartition tp : partitions)
            {
                if (committed.get(tp) != null && firstOffsets.containsKey(tp))
                {
                    assertEquals(committed.get(tp).offset(), firstOffsets.get(tp), "resumed " + tp + " where "
                        + "the group left off");
                }
            }
            final Set<String> all = new HashSet<>(before);
            all.addAll(after);
            assertEquals(RECORDS, all.size(), "every record consumed");
            assertEquals(RECORDS, before.size() + after.size(), "none consumed twice");
            assertTrue(!dead.isAlive());
        }
    }

    private static Consumer<String, String> consumer(final String bootstrap)
    {
        return new Consumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", GROUP, "auto.offset.reset",
            "earliest", "enable.auto.commit", "false", "max.poll.records", "20", "request.timeout.ms", "5000"),
            new StringDeserializer(), new StringDeserializer());
    }

    private static void poll(final Consumer<String, String> consumer, final Set<String> into, final int count,
        final Map<TopicPartition, Long> firstOffsets)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final List<String> seen = new ArrayList<>();
        while (seen.size() < count && System.nanoTime() < deadline)
        {
            for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
            {
                seen.add(record.value());
                firstOffsets.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
            }
        }
        assertTrue(seen.size() >= count, "consumed " + seen.size() + " of " + count);
        into.addAll(seen);
    }
}
