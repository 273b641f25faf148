package io.sluice.broker.cluster;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.GroupMember;
import io.sluice.broker.test.TestCluster;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.internals.PartitionInfo;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three voters and a fourth broker outside controller.quorum.voters, which follows the metadata as a listener. */
class NonVoterBrokerTest
{
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void aBrokerThatIsNotAVoterHostsAndLeadsPartitionsAndLearnsChangesAfterARestart() throws Exception
    {
        try (TestCluster cluster = TestCluster.start(tmp, 4, 3, "broker.heartbeat.interval.ms=300",
            "broker.session.timeout.ms=2000"))
        {
            final BrokerProcess observer = cluster.broker(3);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", observer.bootstrap())))
            {
                // Four replicas need four registered brokers: the fourth registered through the quorum.
                admin.createTopic(new NewTopic("four", 4, (short)4));
            }
            final Set<Integer> leaders = new HashSet<>();
            for (int p = 0; p < 4; p++)
            {
                leaders.add(cluster.partition(3, "four", p).leader());
            }
            assertEquals(Set.of(0, 1, 2, 3), leaders, "the non-voter leads a partition too");
            produce(cluster.bootstrap(), "four", 4, 100);
            assertEquals(400, consume(observer.bootstrap(), "four", 4, 400).size());

            observer.kill();
            observer.start();
            // Created while it restarts or after: it learns of it from the log, as every voter does.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.broker(0).bootstrap())))
            {
                admin.createTopic(new NewTopic("later", 2, (short)4));
            }
            GroupMember.await(() -> isrFull(cluster, "four", 4) && isrFull(cluster, "later", 2), 60_000,
                "the restarted non-voter back in every ISR");
            produce(observer.bootstrap(), "later", 2, 50);
            assertEquals(100, consume(observer.bootstrap(), "later", 2, 100).size());
            assertTrue(observer.log().contains("follows the metadata quorum as a listener"), observer.log());
        }
    }

    private static boolean isrFull(final TestCluster cluster, final String topic, final int partitions)
    {
        for (int p = 0; p < partitions; p++)
        {
            final PartitionInfo info = cluster.partition(3, topic, p);
            if (info.isr().size() < 4)
            {
                return false;
            }
        }
        return true;
    }

    private static void produce(final String bootstrap, final String topic, final int partitions, final int each)
        throws Exception
    {
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", bootstrap, "acks",
            "all"), new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < each * partitions; i++)
            {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, null, topic + "-" + i, List.of()));
            }
            producer.flush();
        }
    }

    private static List<String> consume(final String bootstrap, final String topic, final int partitions,
        final int expected)
    {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            tps.add(new TopicPartition(topic, p));
        }
        final List<String> values = new ArrayList<>();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", bootstrap,
            "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
        {
            consumer.assign(tps);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100)))
                {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
