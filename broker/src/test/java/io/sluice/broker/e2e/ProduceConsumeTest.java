package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.producer.RecordMetadata;
import io.sluice.client.serialization.ByteArrayDeserializer;
import io.sluice.client.serialization.ByteArraySerializer;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.record.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Producer, consumer and admin against a real broker process on 127.0.0.1. */
class ProduceConsumeTest
{
    @TempDir
    static Path tmp;

    private static BrokerProcess broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data"), "message.max.bytes=200000", "num.partitions=3").start();
    }

    @AfterAll
    static void stopBroker() throws Exception
    {
        if (broker != null)
        {
            assertEquals(0, broker.stop(), "a clean SIGTERM exit");
        }
    }

    private static Map<String, Object> clientProps(final Object... extra)
    {
        final Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrap());
        for (int i = 0; i < extra.length; i += 2)
        {
            props.put((String)extra[i], extra[i + 1]);
        }
        return props;
    }

    private static List<ConsumerRecord<String, String>> consumeAll(final String topic, final int partitions,
        final int expected)
    {
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (Consumer<String, String> consumer = new Consumer<>(clientProps("auto.offset.reset", "earliest"),
            new StringDeserializer(), new StringDeserializer()))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < expected && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    void shouldRoundTripEveryAcksModeWithKeysHeadersNullsAndLz4() throws Exception
    {
        for (final String acks : new String[] {"0", "1", "all"})
        {
            for (final String compression : new String[] {"none", "lz4"})
            {
                final String topic = "roundtrip-" + acks + "-" + compression;
                try (Admin admin = Admin.create(clientProps()))
                {
                    admin.createTopic(new NewTopic(topic, 4, (short)1));
                }
                final int n = 500;
                try (Producer<String, String> producer = new Producer<>(clientProps("acks", acks,
                    "compression.type", compression, "linger.ms", 2L), new StringSerializer(), new StringSerializer()))
                {
                    final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
                    for (int i = 0; i < n; i++)
                    {
                        final String key = i % 10 == 0 ? null : "key-" + (i % 37);
                        final String value = i % 17 == 0 ? null : "value-" + i;
                        final List<Header> headers = i % 5 == 0
                            ? List.of(new Header("h", ("v" + i).getBytes(StandardCharsets.UTF_8)),
                            new Header("empty", null))
                            : List.of();
                        futures.add(producer.send(new ProducerRecord<>(topic, null, null, key, value, headers)));
                    }
                    producer.flush();
                    for (final CompletableFuture<RecordMetadata> f : futures)
                    {
                        final RecordMetadata metadata = f.get(30, TimeUnit.SECONDS);
                        assertEquals(topic, metadata.topicPartition().topic());
                        if (!"0".equals(acks))
                        {
                            assertTrue(metadata.offset() >= 0);
                        }
                    }
                }
                final List<ConsumerRecord<String, String>> records = consumeAll(topic, 4, n);
                assertEquals(n, records.size(), "acks=" + acks + ", " + compression);
                final Map<String, ConsumerRecord<String, String>> byValue = new HashMap<>();
                int nulls = 0;
                for (final ConsumerRecord<String, String> r : records)
                {
                    if (r.value() == null)
                    {
                        nulls++;
                    }
                    else
                    {
                        byValue.put(r.value(), r);
                    }
                }
                assertEquals((n + 16) / 17, nulls);
                for (int i = 0; i < n; i++)
                {
                    if (i % 17 == 0)
                    {
                        continue;
                    }
                    final ConsumerRecord<String, String> r = byValue.get("value-" + i);
                    assertTrue(r != null, "value-" + i + " missing");
                    assertEquals(i % 10 == 0 ? null : "key-" + (i % 37), r.key());
                    assertEquals(i % 5 == 0 ? 2 : 0, r.headers().size());
                    if (i % 5 == 0)
                    {
                        assertArrayEquals(("v" + i).getBytes(StandardCharsets.UTF_8), r.headers().get(0).value());
                        assertNull(r.headers().get(1).value());
                    }
                }
                // Same key, same partition.
                final Map<String, Integer> keyPartition = new HashMap<>();
                for (final ConsumerRecord<String, String> r : records)
                {
                    if (r.key() != null)
                    {
                        final Integer previous = keyPartition.putIfAbsent(r.key(), r.partition());
                        assertTrue(previous == null || previous == r.partition(), "key " + r.key() + " split");
                    }
                }
            }
        }
    }

    @Test
    void shouldSpreadKeysOverManyPartitionsAndKeepOrderWithinEach() throws Exception
    {
        final String topic = "wide";
        final int partitions = 48;
        try (Admin admin = Admin.create(clientProps()))
        {
            admin.createTopic(new NewTopic(topic, partitions, (short)1));
        }
        final int n = 4800;
        try (Producer<String, String> producer = new Producer<>(clientProps(), new StringSerializer(),
            new StringSerializer()))
        {
            for (int i = 0; i < n; i++)
            {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % 480), Integer.toString(i)));
            }
            producer.flush();
        }
        final List<ConsumerRecord<String, String>> records = consumeAll(topic, partitions, n);
        assertEquals(n, records.size());
        final Map<Integer, Integer> lastPerPartition = new HashMap<>();
        final java.util.Set<Integer> used = new java.util.HashSet<>();
        for (final ConsumerRecord<String, String> r : records)
        {
            used.add(r.partition());
            final int value = Integer.parseInt(r.value());
            final Integer last = lastPerPartition.put(r.partition(), value);
            assertTrue(last == null || last < value, "order broken in partition " + r.partition());
        }
        assertTrue(used.size() > 40, "480 keys should reach most of 48 partitions, reached " + used.size());
    }

    /**
     * A consumer reading six partitions while a producer writes as fast as the consumer keeps up. Partitions of a
     * fetch answer are consumed at different times, so fetches cover changing subsets of the partitions; the
     * consumer must never stop asking for any of them (an earlier fetch-ahead repeated partial fetches forever).
     */
    @Test
    void aConsumerKeepsUpWithAFastProducerOnEveryPartition() throws Exception
    {
        final String topic = "chase";
        try (Admin admin = Admin.create(clientProps()))
        {
            admin.createTopic(new NewTopic(topic, 6, (short)1));
        }
        final int n = 200_000;
        final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
            new java.util.concurrent.atomic.AtomicReference<>();
        final Consumer<String, String> consumer = new Consumer<>(clientProps("auto.offset.reset", "earliest"),
            new StringDeserializer(), new StringDeserializer());
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 6; p++)
        {
            tps.add(new TopicPartition(topic, p));
        }
        consumer.assign(tps);
        final Thread reader = new Thread(() ->
        {
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (received.get() < n && System.nanoTime() < deadline)
                {
                    received.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                }
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
            finally
            {
                consumer.close();
            }
        }, "chaser");
        reader.start();
        try (Producer<String, String> producer = new Producer<>(clientProps("acks", "1", "linger.ms", 0L),
            new StringSerializer(), new StringSerializer()))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (int i = 0; i < n; i++)
            {
                while (i - received.get() > 10_000)
                {
                    if (failure.get() != null)
                    {
                        throw new AssertionError("the consumer failed at " + received.get(), failure.get());
                    }
                    assertTrue(System.nanoTime() < deadline, () -> "the consumer stalled at " + received.get()
                        + "; its thread: " + Arrays.toString(reader.getStackTrace()));
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                producer.send(new ProducerRecord<>(topic, Integer.toString(i)));
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(100));
        assertNull(failure.get());
        assertEquals(n, received.get());
    }

    /**
     * The broker copies a small partition's batches into the answer and sends a large one's from the file: one
     * answer holding both must carry every byte in place.
     */
    @Test
    void aSlowReaderGetsEveryRecordOnceInOrderAcrossSeeksWithAnswersBufferedAndFetchedAhead() throws Exception
    {
        final String topic = "slow-reader";
        final int perPartition = 3000;
        try (Admin admin = Admin.create(clientProps()))
        {
            admin.createTopic(new NewTopic(topic, 3, (short)1));
        }
        try (Producer<String, String> producer = new Producer<>(clientProps("batch.size", "1024"),
            new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < perPartition; i++)
            {
                for (int p = 0; p < 3; p++)
                {
                    producer.send(new ProducerRecord<>(topic, p, null, null, p + ":" + i, List.of()));
                }
            }
            producer.flush();
        }
        // Small answers read a few records per poll, so the seeks below land while answers wait in the buffer
        // and fetches run ahead for both partitions.
        try (Consumer<String, String> consumer = new Consumer<>(clientProps("max.poll.records", "7",
            "max.partition.fetch.bytes", "4096", "auto.offset.reset", "earliest"), new StringDeserializer(),
            new StringDeserializer()))
        {
            final TopicPartition p0 = new TopicPartition(topic, 0);
            final TopicPartition p1 = new TopicPartition(topic, 1);
            final TopicPartition p2 = new TopicPartition(topic, 2);
            consumer.assign(List.of(p0, p1, p2));
            final Map<Integer, List<Long>> seen = new HashMap<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean sought = false;
            while (System.nanoTime() < deadline && (seen.values().stream().mapToInt(List::size).sum()
                < (sought ? 3 * perPartition + 500 - 1000 + 1 : Integer.MAX_VALUE)))
            {
                for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                {
                    assertEquals(record.partition() + ":" + record.offset(), record.value());
                    seen.computeIfAbsent(record.partition(), k -> new ArrayList<>()).add(record.offset());
                }
                if (!sought && seen.getOrDefault(0, List.of()).size() >= 1000
                    && seen.getOrDefault(1, List.of()).size() >= 1000)
                {
                    // Back on one partition, forward on another, with answers buffered and fetched ahead for both.
                    final long p0At = consumer.position(p0);
                    final long p1At = consumer.position(p1);
                    consumer.seek(p0, p0At - 500);
                    consumer.seek(p1, p1At + 1000);
                    seen.get(1).add(-1L);
                    sought = true;
                }
            }
            assertTrue(sought, "read 1,000 records of partitions 0 and 1 in time: " + seen.keySet());
            assertInOrderFrom(seen.get(2), 0, perPartition);
            // Partition 0: an unbroken run up to where it was sought back, then 500 again and on to the end.
            final List<Long> zero = seen.get(0);
            final int backAt = indexOfFirstDrop(zero);
            assertTrue(backAt > 0, "partition 0 went back once");
            assertInOrderFrom(zero.subList(0, backAt), 0, (int)(zero.get(backAt - 1) + 1));
            assertInOrderFrom(zero.subList(backAt, zero.size()), zero.get(backAt - 1) + 1 - 500,
                (int)(perPartition - (zero.get(backAt - 1) + 1 - 500)));
            // Partition 1: an unbroken run, the seek marker, then from 1,000 past where it was.
            final List<Long> one = seen.get(1);
            final int marker = one.indexOf(-1L);
            assertInOrderFrom(one.subList(0, marker), 0, marker);
            assertInOrderFrom(one.subList(marker + 1, one.size()), marker + 1000,
                (int)(perPartition - (marker + 1000)));
        }
    }

    private static int indexOfFirstDrop(final List<Long> offsets)
    {
        for (int i = 1; i < offsets.size(); i++)
        {
            if (offsets.get(i) <= offsets.get(i - 1))
            {
                return i;
            }
        }
        return -1;
    }

    private static void assertInOrderFrom(final List<Long> offsets, final long first, final int count)
    {
        assertEquals(count, offsets.size(), "records from " + first);
        for (int i = 0; i < count; i++)
        {
            assertEquals(first + i, offsets.get(i), "record " + i + " of the run from " + first);
        }
    }

    @Test
    void oneFetchAnswerCarriesSmallAndLargePartitionsExactly() throws Exception
    {
        final String topic = "mixed";
        try (Admin admin = Admin.create(clientProps()))
        {
            admin.createTopic(new NewTopic(topic, 3, (short)1));
        }
        final Map<Integer, List<byte[]>> sent = new HashMap<>();
        try (Producer<byte[], byte[]> producer = new Producer<>(clientProps("acks", "1"), new ByteArraySerializer(),
            new ByteArraySerializer()))
        {
            final java.util.Random random = new java.util.Random(42);
            final List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            // Partition 0 a few hundred bytes, 1 about 60 KiB, 2 exactly none.
            for (int i = 0; i < 40; i++)
            {
                final int partition = i % 2;
                final byte[] value = new byte[partition == 0 ? 10 + i : 3_000 + i];
                random.nextBytes(value);
                sent.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
                acks.add(producer.send(new ProducerRecord<>(topic, partition, null, null, value, List.of())));
            }
            for (final CompletableFuture<RecordMetadata> ack : acks)
            {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
        try (Consumer<byte[], byte[]> consumer = new Consumer<>(clientProps("auto.offset.reset", "earliest"),
            new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                new TopicPartition(topic, 2)));
            final Map<Integer, List<byte[]>> got = new HashMap<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int count = 0;
            while (count < 40 && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    got.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                    count++;
                }
            }
            assertEquals(40, count);
            assertEquals(sent.keySet(), got.keySet());
            for (final Map.Entry<Integer, List<byte[]>> entry : sent.entrySet())
            {
                final List<byte[]> received = got.get(entry.getKey());
                assertEquals(entry.getValue().size(), received.size());
                for (int i = 0; i < received.size(); i++)
                {
                    assertArrayEquals(entry.getValue().get(i), received.get(i), "partition " + entry.getKey()
                        + ", record " + i);
                }
            }
        }
    }

    @Test
    void shouldAcceptRecordsUpToMessageMaxBytesAndRefuseLargerOnes() throws Exception
    {
        final String topic = "large";
        try (Producer<byte[], byte[]> producer = new Producer<>(clientProps("acks", "1"),
            new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final byte[] big = new byte[190_000];
            Arrays.fill(big, (byte)7);
            final RecordMetadata ok = producer.send(new ProducerRecord<>(topic, null, big)).get(30,
                TimeUnit.SECONDS);
            assertEquals(0, ok.offset());
            final byte[] tooBig = new byte[300_000];
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> producer.send(new ProducerRecord<>(topic, null, tooBig)).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, e.getCause(), e.getCause().toString());
        }
        try (Consumer<byte[], byte[]> consumer = new Consumer<>(clientProps("auto.offset.reset", "earliest"),
            new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                new TopicPartition(topic, 2)));
            final List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.isEmpty() && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size());
            assertEquals(190_000, got.get(0).value().length);
        }
    }
}
