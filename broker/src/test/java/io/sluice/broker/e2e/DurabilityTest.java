package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.broker.test.RawClient;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.producer.RecordMetadata;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.InitProducerIdRequest;
import io.sluice.common.protocol.message.InitProducerIdResponse;
import io.sluice.common.protocol.message.ProduceRequest;
import io.sluice.common.protocol.message.ProduceResponse;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What survives: retried batches, kill -9, clean restarts. Real broker processes on one data directory. */
class DurabilityTest
{
    @TempDir
    Path tmp;

    private static ByteBuffer idempotentBatch(final long producerId, final short epoch, final int sequence,
        final String... values)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(256).reset(CompressionType.NONE, producerId,
            epoch, sequence);
        for (final String value : values)
        {
            builder.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8), Header.NONE);
        }
        final ByteBuffer built = builder.build();
        final ByteBuffer copy = ByteBuffer.allocate(built.remaining());
        copy.put(built).flip();
        return copy;
    }

    private static ProduceResponse.PartitionResult produce(final RawClient client, final String topic,
        final ByteBuffer batch) throws Exception
    {
        final ProduceResponse response = ProduceResponse.read(client.call(ApiKeys.PRODUCE, new ProduceRequest(null,
            (short)-1, 5000, List.of(new ProduceRequest.TopicData(topic,
            List.of(new ProduceRequest.PartitionData(0, batch.duplicate())))))));
        return response.topics().get(0).partitions().get(0);
    }

    private static List<String> readAll(final String bootstrap, final String topic, final int partitions,
        final long expected)
    {
        final List<String> values = new ArrayList<>();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", bootstrap,
            "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            long end = 0;
            for (final long e : consumer.endOffsets(tps).values())
            {
                end += e;
            }
            final long target = Math.max(expected, end);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < target && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(r.partition() + ":" + r.offset() + ":" + r.value());
                }
            }
        }
        return values;
    }

    @Test
    void aRetriedBatchIsWrittenOnceAlsoAfterRestarts() throws Exception
    {
        final BrokerProcess broker = new BrokerProcess(tmp.resolve("data")).start();
        try
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("idem", 1, (short)1));
            }
            final long producerId;
            try (RawClient client = new RawClient(broker.port()))
            {
                final InitProducerIdResponse init = InitProducerIdResponse.read(client.call(ApiKeys.INIT_PRODUCER_ID,
                    new InitProducerIdRequest(null, 0, -1L, (short)-1)));
                assertEquals(Errors.NONE.code(), init.errorCode());
                producerId = init.producerId();
                final ByteBuffer first = idempotentBatch(producerId, (short)0, 0, "a", "b", "c");
                final ProduceResponse.PartitionResult written = produce(client, "idem", first);
                assertEquals(Errors.NONE.code(), written.errorCode());
                assertEquals(0, written.baseOffset());
                // The response was "lost": the producer sends the very same batch again.
                final ProduceResponse.PartitionResult retried = produce(client, "idem", first);
                assertEquals(Errors.NONE.code(), retried.errorCode());
                assertEquals(0, retried.baseOffset(), "the retry is answered with the original offset");
                final ProduceResponse.PartitionResult gap = produce(client, "idem",
                    idempotentBatch(producerId, (short)0, 7, "skipped"));
                assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), gap.errorCode());
                assertEquals(Errors.NONE.code(), produce(client, "idem",
                    idempotentBatch(producerId, (short)0, 3, "d")).errorCode());
            }
            assertEquals(List.of("0:0:a", "0:1:b", "0:2:c", "0:3:d"), readAll(broker.bootstrap(), "idem", 1, 4));

            // Clean restart, then kill -9 and restart: the producer state comes back both ways.
            assertEquals(0, broker.stop());
            broker.start();
            try (RawClient client = new RawClient(broker.port()))
            {
                assertEquals(3, produce(client, "idem", idempotentBatch(producerId, (short)0, 3, "d")).baseOffset());
                assertEquals(Errors.NONE.code(), produce(client, "idem",
                    idempotentBatch(producerId, (short)0, 4, "e")).errorCode());
            }
            broker.kill();
            broker.start();
            try (RawClient client = new RawClient(broker.port()))
            {
                final ProduceResponse.PartitionResult again = produce(client, "idem",
                    idempotentBatch(producerId, (short)0, 4, "e"));
                assertEquals(Errors.NONE.code(), again.errorCode());
                assertEquals(4, again.baseOffset(), "de-duplicated after kill -9 too");
                // A batch from an older epoch of the same producer (a zombie) is fenced.
                assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), produce(client, "idem",
                    idempotentBatch(producerId, (short)-2, 5, "old")).errorCode());
            }
            assertEquals(List.of("0:0:a", "0:1:b", "0:2:c", "0:3:d", "0:4:e"),
                readAll(broker.bootstrap(), "idem", 1, 5));
            // Only the start after kill -9 recovered; the one after SIGTERM found the clean-shutdown marker.
            final String log = broker.log();
            assertEquals(1, log.split("was not shut down cleanly", -1).length - 1, log);
            assertTrue(log.contains("shut down cleanly in"), log);
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void losingTheMetadataNeverDeletesData() throws Exception
    {
        final BrokerProcess broker = new BrokerProcess(tmp.resolve("data")).start();
        try
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("precious", 3, (short)1));
            }
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers",
                broker.bootstrap()), new StringSerializer(), new StringSerializer()))
            {
                for (int i = 0; i < 30; i++)
                {
                    producer.send(new ProducerRecord<>("precious", i % 3, null, null, "r" + i, List.of()));
                }
                producer.flush();
            }
            assertEquals(0, broker.stop());
            // The single broker's metadata quorum state is gone: the logs on disk must bring the topic back.
            deleteRecursively(tmp.resolve("data").resolve(".cluster-metadata"));
            broker.start();
            assertEquals(30, readAll(broker.bootstrap(), "precious", 3, 30).size());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                assertEquals(3, admin.describeTopics(List.of("precious")).get("precious").partitions().size());
            }
            assertTrue(broker.log().contains("Adopted topic precious"), broker.log());
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void recordsWaitingForAGoneBrokerFailOnceTheDeliveryTimeoutPasses() throws Exception
    {
        final BrokerProcess broker = new BrokerProcess(tmp.resolve("data")).start();
        try
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("orphaned", 3, (short)1));
            }
            // 200-byte batches hold one 100-byte record: each partition queues several batches behind the first.
            try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
                "batch.size", "200", "linger.ms", "0", "delivery.timeout.ms", "3000", "request.timeout.ms", "1000"),
                new StringSerializer(), new StringSerializer()))
            {
                for (int p = 0; p < 3; p++)
                {
                    producer.send(new ProducerRecord<>("orphaned", p, null, null, "before", List.of())).get();
                }
                broker.kill();
                final String value = "x".repeat(100);
                final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
                final long start = System.nanoTime();
                for (int i = 0; i < 30; i++)
                {
                    futures.add(producer.send(new ProducerRecord<>("orphaned", i % 3, null, null, value, List.of())));
                }
                for (final CompletableFuture<RecordMetadata> future : futures)
                {
                    final ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> future.get(20, TimeUnit.SECONDS));
                    assertInstanceOf(TimeoutException.class, failure.getCause());
                    assertTrue(failure.getCause().getMessage().contains("delivery.timeout.ms (3000 ms)"),
                        failure.getCause().getMessage());
                }
                final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(waitedMs >= 2_900, "failed before the delivery timeout: " + waitedMs + " ms");
            }
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillNineOnceAndInOrder() throws Exception
    {
        final BrokerProcess broker = new BrokerProcess(tmp.resolve("data"), "log.segment.bytes=1048576").start();
        final int partitions = 3;
        final Map<Integer, List<Long>> acked = new ConcurrentHashMap<>();
        final AtomicLong ackCount = new AtomicLong();
        try
        {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
            {
                admin.createTopic(new NewTopic("crashy", partitions, (short)1));
            }
            final Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", broker.bootstrap());
            props.put("acks", "1");
            props.put("linger.ms", "1");
            props.put("delivery.timeout.ms", "35000");
            props.put("request.timeout.ms", "5000");
            final AtomicBoolean stop = new AtomicBoolean();
            final Producer<String, String> producer = new Producer<>(props, new StringSerializer(),
                new StringSerializer());
            final Thread writer = new Thread(() ->
            {
                long sequence = 0;
                while (!stop.get())
                {
                    final long seq = sequence++;
                    final int partition = (int)(seq % partitions);
                    producer.send(new ProducerRecord<>("crashy", partition, null, null, Long.toString(seq), List.of()))
                        .whenComplete((RecordMetadata m, Throwable e) ->
                        {
                            if (e == null)
                            {
                                acked.computeIfAbsent(partition, p -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(seq);
                                ackCount.incrementAndGet();
                            }
                        });
                    if (seq % 1000 == 0)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                }
            }, "writer");
            writer.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ackCount.get() < 50_000 && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            assertTrue(ackCount.get() >= 50_000, "the producer made no progress");
            broker.kill();
            stop.set(true);
            writer.join(10_000);
            producer.close(Duration.ofSeconds(1));
            final long ackedBefore = ackCount.get();

            broker.start();
            final List<String> stored = readAll(broker.bootstrap(), "crashy", partitions, ackedBefore);
            final Map<Integer, List<Long>> byPartition = new HashMap<>();
            for (final String s : stored)
            {
                final String[] f = s.split(":");
                byPartition.computeIfAbsent(Integer.parseInt(f[0]), p -> new ArrayList<>()).add(Long.parseLong(f[2]));
            }
            for (int p = 0; p < partitions; p++)
            {
                final List<Long> values = byPartition.getOrDefault(p, List.of());
                for (int i = 1; i < values.size(); i++)
                {
                    assertTrue(values.get(i) > values.get(i - 1), "partition " + p + " out of order or duplicated at "
                        + i + ": " + values.get(i - 1) + " then " + values.get(i));
                }
                final java.util.Set<Long> present = new java.util.HashSet<>(values);
                for (final Long seq : acked.getOrDefault(p, List.of()))
                {
                    assertTrue(present.contains(seq), "acknowledged record " + seq + " lost from partition " + p);
                }
            }
            assertFalse(broker.log().contains("Exception in thread"), broker.log());
        }
        finally
        {
            broker.close();
        }
    }

    private static void deleteRecursively(final Path dir) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
