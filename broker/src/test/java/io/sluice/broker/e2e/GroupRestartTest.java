package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Committed offsets outlive the broker: after kill -9 and after a clean restart a new member resumes there. */
class GroupRestartTest
{
    @TempDir
    Path tmp;

    @Test
    void committedOffsetsSurviveKillNineAndCleanRestarts() throws Exception
    {
        try (BrokerProcess broker = new BrokerProcess(tmp.resolve("data")).start())
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("kept", 2, (short)1));
            }
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < 200; i++)
                {
                    producer.send(new ProducerRecord<>("kept", i % 2, null, null, Integer.toString(i), List.of()));
                }
                producer.flush();
            }
            final TopicPartition p0 = new TopicPartition("kept", 0);
            final TopicPartition p1 = new TopicPartition("kept", 1);
            readAndCommit(broker, 30, 70);
            assertEquals(Map.of(p0, 30L, p1, 70L), resumePoints(broker));

            broker.kill();
            broker.start();
            assertEquals(Map.of(p0, 30L, p1, 70L), resumePoints(broker), "after kill -9");
            readAndCommit(broker, 55, 99);

            assertEquals(0, broker.stop());
            broker.start();
            assertEquals(Map.of(p0, 55L, p1, 99L), resumePoints(broker), "after a clean restart");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                assertTrue(admin.listGroups().stream().anyMatch(g -> g.groupId().equals("keepers")));
            }
        }
    }

    private static Map<String, Object> props(final BrokerProcess broker)
    {
        return Map.of("bootstrap.servers", broker.bootstrap(), "group.id", "keepers", "auto.offset.reset",
            "earliest", "enable.auto.commit", "false");
    }

    /** Joins the group and commits the given offsets as its member. */
    private static void readAndCommit(final BrokerProcess broker, final long offset0, final long offset1)
    {
        try (Consumer<String, String> consumer = new Consumer<>(props(broker), new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(List.of("kept"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.assignment().size() < 2 && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(50));
            }
            consumer.commitSync(Map.of(new TopicPartition("kept", 0), new OffsetAndMetadata(offset0),
                new TopicPartition("kept", 1), new OffsetAndMetadata(offset1)));
        }
    }

    /** A new member's first offset per partition. */
    private static Map<TopicPartition, Long> resumePoints(final BrokerProcess broker)
    {
        final Map<TopicPartition, Long> first = new HashMap<>();
        try (Consumer<String, String> consumer = new Consumer<>(props(broker), new StringDeserializer(),
            new StringDeserializer()))
        {
            consumer.subscribe(List.of("kept"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (first.size() < 2 && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50)))
                {
                    first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
                }
            }
        }
        return first;
    }
}
