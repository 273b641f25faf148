package io.sluice.broker.e2e;

import io.sluice.broker.test.BrokerProcess;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.Deserializer;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.serialization.StringSerializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.RecordDeserializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A record the application's deserializer refuses, or a batch damaged on disk: poll returns every record before it,
 * then stops at it with an exception naming its partition and offset, until the application seeks past it. Nothing
 * is skipped unseen.
 */
class UndecodableRecordTest
{
    @TempDir
    static Path tmp;

    private static BrokerProcess broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = new BrokerProcess(tmp.resolve("data")).start();
    }

    @AfterAll
    static void stopBroker() throws Exception
    {
        if (broker != null)
        {
            assertEquals(0, broker.stop(), "a clean SIGTERM exit");
        }
    }

    /** Refuses the value "poison", as a JSON deserializer refuses text that is not JSON. */
    private static final Deserializer<String> STRICT = (topic, data) ->
    {
        final String value = data == null ? null : new String(data, StandardCharsets.UTF_8);
        if ("poison".equals(value))
        {
            throw new IllegalArgumentException("not a valid value: " + value);
        }
        return value;
    };

    @Test
    void pollStopsAtTheRecordItCannotDeserializeAndGoesOnOnceTheApplicationSeeksPastIt() throws Exception
    {
        final String topic = "poisoned";
        final TopicPartition tp = new TopicPartition(topic, 0);
        final Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrap());
        try (Admin admin = Admin.create(props))
        {
            admin.createTopic(new NewTopic(topic, 1, (short)1));
        }
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "acks", "1"), new StringSerializer(), new StringSerializer()))
        {
            // One batch per record: the records before the bad one arrive in the same fetch, in batches of their own.
            for (int i = 0; i < 10; i++)
            {
                producer.send(new ProducerRecord<>(topic, i == 5 ? "poison" : "ok-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "auto.offset.reset", "earliest"), STRICT, STRICT))
        {
            consumer.assign(List.of(tp));
            final List<String> values = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            final RecordDeserializationException refused = pollUntilFailure(consumer,
                RecordDeserializationException.class, values, deadline);
            assertEquals(List.of("ok-0", "ok-1", "ok-2", "ok-3", "ok-4"), values);
            assertTrue(refused != null, "poll never reported the record it could not deserialize");
            assertEquals(tp, refused.topicPartition());
            assertEquals(5, refused.offset());
            assertEquals(5, consumer.position(tp));
            assertThrows(RecordDeserializationException.class, () -> consumer.poll(Duration.ofMillis(500)),
                "the same record again, until the application moves past it");
            assertEquals(5, consumer.position(tp));

            consumer.seek(tp, refused.offset() + 1);
            assertEquals(List.of("ok-6", "ok-7", "ok-8", "ok-9"), pollValues(consumer, 4, deadline));
            assertEquals(10, consumer.position(tp));
        }
    }

    @Test
    void pollStopsAtABatchDamagedOnDiskNamingWhereAndGoesOnOnceTheApplicationSeeksPastIt() throws Exception
    {
        final String topic = "bitrot";
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap())))
        {
            admin.createTopic(new NewTopic(topic, 1, (short)1));
        }
        try (Producer<String, String> producer = new Producer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "acks", "1"), new StringSerializer(), new StringSerializer()))
        {
            for (int i = 0; i < 9; i++)
            {
                producer.send(new ProducerRecord<>(topic, "value-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        // After a clean stop nothing rescans the log at start: one flipped bit in the fifth batch's record bytes
        // (one record per batch) reaches the consumer, whose CRC check must catch it.
        assertEquals(0, broker.stop());
        final Path segment = broker.dataDir().resolve(topic + "-0").resolve("00000000000000000000.log");
        try (FileChannel file = FileChannel.open(segment,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            long position = 0;
            for (int batch = 0; batch < 4; batch++)
            {
                // Base offset (8 bytes), then the length of the rest.
                position += 12 + readInt(file, position + 8);
            }
            final long target = position + 12 + readInt(file, position + 8) - 3;
            final ByteBuffer one = ByteBuffer.allocate(1);
            file.read(one, target);
            one.put(0, (byte)(one.get(0) ^ 0x10)).rewind();
            file.write(one, target);
        }
        broker.start();
        try (Consumer<String, String> consumer = new Consumer<>(Map.of("bootstrap.servers", broker.bootstrap(),
            "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer()))
        {
            consumer.assign(List.of(tp));
            final List<String> values = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            final CorruptRecordException damaged = pollUntilFailure(consumer, CorruptRecordException.class, values,
                deadline);
            assertEquals(List.of("value-0", "value-1", "value-2", "value-3"), values);
            assertTrue(damaged != null, "poll never reported the damaged batch");
            assertEquals(tp, damaged.topicPartition());
            assertEquals(4, damaged.offset());
            assertTrue(damaged.getMessage().contains(tp + " is damaged at offset 4"), damaged.getMessage());
            assertEquals(4, consumer.position(tp));
            assertThrows(CorruptRecordException.class, () -> consumer.poll(Duration.ofMillis(500)),
                "the same batch again, until the application moves past it");

            consumer.seek(tp, damaged.offset() + 1);
            assertEquals(List.of("value-5", "value-6", "value-7", "value-8"), pollValues(consumer, 4, deadline));
        }
    }

    /** Polls, adding each value to {@code values}, until poll throws {@code type}; null if it never did. */
    private static <E extends RuntimeException> E pollUntilFailure(final Consumer<String, String> consumer,
        final Class<E> type, final List<String> values, final long deadline)
    {
        while (System.nanoTime() < deadline)
        {
            try
            {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            catch (final RuntimeException e)
            {
                if (type.isInstance(e))
                {
                    return type.cast(e);
                }
                throw e;
            }
        }
        return null;
    }

    private static List<String> pollValues(final Consumer<String, String> consumer, final int count,
        final long deadline)
    {
        final List<String> values = new ArrayList<>();
        while (values.size() < count && System.nanoTime() < deadline)
        {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    private static int readInt(final FileChannel file, final long position) throws Exception
    {
        final ByteBuffer four = ByteBuffer.allocate(4);
        while (four.hasRemaining())
        {
            file.read(four, position + four.position());
        }
        return four.getInt(0);
    }
}
