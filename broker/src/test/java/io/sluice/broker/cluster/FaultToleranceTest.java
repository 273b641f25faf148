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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idempotent producer with acks=all writes without pause while brokers are killed and restarted one at a time:
 * a partition leader, then the active controller, then a follower, over and over. Afterwards every acknowledged
 * record is there exactly once and in order, and no record appears twice. {@code -Dsluice.faults=N} (the
 * {@code chaos} profile) runs longer.
 */
class FaultToleranceTest
{
    private static final String TOPIC = "faults";
    private static final int PARTITIONS = 6;
    private static final int FAULTS = Integer.getInteger("sluice.faults", 10);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void noAcknowledgedRecordIsLostOrDuplicatedWhileBrokersAreKilled() throws Exception
    {
        try (TestCluster cluster = TestCluster.start(tmp, 3, "broker.heartbeat.interval.ms=300",
            "broker.session.timeout.ms=2000", "replica.lag.time.max.ms=5000",
            "leader.imbalance.check.interval.seconds=2"))
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrap())))
            {
                admin.createTopic(new NewTopic(TOPIC, PARTITIONS, (short)3));
            }
            final Map<Integer, Set<Long>> acknowledged = new ConcurrentHashMap<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong acks = new AtomicLong();
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Thread producerThread = new Thread(() -> produce(cluster.bootstrap(), acknowledged, acks, failure,
                producing), "fault-test-producer");
            producerThread.start();
            final Random random = new Random(42);
            final List<String> faults = new ArrayList<>();
            try
            {
                awaitAcks(acks, 2_000, failure);
                for (int fault = 0; fault < FAULTS; fault++)
                {
                    final int partition = random.nextInt(PARTITIONS);
                    final PartitionInfo info = cluster.partition(anyAlive(cluster), TOPIC, partition);
                    final int victim = switch (fault % 3)
                    {
                        case 0 -> info.leader();
                        case 1 -> activeController(cluster);
                        default -> info.replicas().stream().filter(r -> r != info.leader()).findFirst().orElseThrow();
                    };
                    faults.add((fault % 3 == 0 ? "leader " : fault % 3 == 1 ? "controller " : "follower ") + victim);
                    final BrokerProcess broker = cluster.broker(victim);
                    broker.kill();
                    // Writes go on without it: the producer gets acknowledgements again after the failover.
                    awaitAcks(acks, 500, failure);
                    broker.start();
                    GroupMember.await(() -> fullyReplicated(cluster), 60_000,
                        "every partition back to 3 in-sync replicas after fault " + fault + " " + faults);
                }
                awaitAcks(acks, 500, failure);
            }
            catch (final AssertionError e)
            {
                cluster.dumpThreads(tmp);
                throw e;
            }
            finally
            {
                producing.set(false);
                producerThread.join(TimeUnit.MINUTES.toMillis(3));
            }
            assertNull(failure.get(), () -> "a send failed: " + failure.get());
            final long stored = verify(cluster.bootstrap(), acknowledged);
            System.out.printf("%d faults (%s): %d records acknowledged, %d stored, none lost or duplicated%n",
                FAULTS, String.join(", ", faults), acks.get(), stored);
        }
    }

    /** Sends record i of partition p as "p:i" until told to stop; at most 2,000 sends in flight. */
    private static void produce(final String bootstrap, final Map<Integer, Set<Long>> acknowledged,
        final AtomicLong acks, final AtomicReference<Throwable> failure, final AtomicBoolean producing)
    {
        final Semaphore inFlight = new Semaphore(2_000);
        final long[] next = new long[PARTITIONS];
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
            "enable.idempotence", "true", "delivery.timeout.ms", "120000", "request.timeout.ms", "5000"),
            new StringSerializer(), new StringSerializer()))
        {
            int partition = 0;
            while (producing.get() && failure.get() == null)
            {
                inFlight.acquireUninterruptibly();
                final int p = partition;
                final long sequence = next[p]++;
                producer.send(new ProducerRecord<>(TOPIC, p, null, null, p + ":" + sequence, List.of()))
                    .whenComplete((metadata, e) ->
                    {
                        inFlight.release();
                        if (e != null)
                        {
                            failure.compareAndSet(null, e);
                            return;
                        }
                        acknowledged.computeIfAbsent(p, k -> ConcurrentHashMap.newKeySet()).add(sequence);
                        acks.incrementAndGet();
                    });
                partition = (partition + 1) % PARTITIONS;
            }
            producer.flush();
        }
    }

    private static void awaitAcks(final AtomicLong acks, final long more, final AtomicReference<Throwable> failure)
    {
        final long target = acks.get() + more;
        GroupMember.await(() -> acks.get() >= target || failure.get() != null, 60_000,
            "the producer to get " + more + " more acknowledgements");
        assertNull(failure.get(), () -> "a send failed: " + failure.get());
    }

    private static int anyAlive(final TestCluster cluster)
    {
        for (int id = 0; id < 3; id++)
        {
            if (cluster.broker(id).isAlive())
            {
                return id;
            }
        }
        throw new AssertionError("no broker is running");
    }

    private static int activeController(final TestCluster cluster)
    {
        final int[] found = {-1};
        GroupMember.await(() ->
        {
            for (int id = 0; id < 3; id++)
            {
                if (TestCluster.metrics(cluster.broker(id)).contains("sluice_controller_active 1.0"))
                {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        }, 30_000, "an active controller");
        return found[0];
    }

    private static boolean fullyReplicated(final TestCluster cluster)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final PartitionInfo info = cluster.partition(anyAlive(cluster), TOPIC, p);
            if (info.isr().size() < 3 || info.leader() < 0)
            {
                return false;
            }
        }
        return true;
    }

    /** Reads every partition to its end: acknowledged records all there, in order, nothing twice; returns the count. */
    private static long verify(final String bootstrap, final Map<Integer, Set<Long>> acknowledged)
    {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        final Map<Integer, List<Long>> stored = new HashMap<>();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", bootstrap,
            "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
        {
            consumer.assign(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    final String[] parts = record.value().split(":");
                    assertEquals(record.partition(), Integer.parseInt(parts[0]), record.value());
                    stored.computeIfAbsent(record.partition(), k -> new ArrayList<>()).add(Long.parseLong(parts[1]));
                }
            }
        }
        long total = 0;
        long storedTotal = 0;
        for (int p = 0; p < PARTITIONS; p++)
        {
            final List<Long> values = stored.getOrDefault(p, List.of());
            for (int i = 1; i < values.size(); i++)
            {
                assertTrue(values.get(i) > values.get(i - 1), "partition " + p + ": " + values.get(i)
                    + " after " + values.get(i - 1) + " (a duplicate or a reordering)");
            }
            final Set<Long> present = new java.util.HashSet<>(values);
            for (final long sequence : acknowledged.getOrDefault(p, Set.of()))
            {
                assertTrue(present.contains(sequence), "partition " + p + " lost acknowledged record " + sequence);
            }
            total += acknowledged.getOrDefault(p, Set.of()).size();
            storedTotal += values.size();
        }
        assertTrue(total > 0);
        return storedTotal;
    }
}
