package io.sluice.client.consumer;

import io.sluice.client.serialization.Deserializer;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.RecordDeserializationException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fetched batches are decoded where they arrive (FetchedRecords) and handed out by poll (PartitionRecords): the
 * records poll returns, and where it stops, must be what decoding them on poll's own thread gave.
 */
class PartitionRecordsTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 3);
    private static final StringDeserializer STRINGS = new StringDeserializer();

    /** Three batches of four records each, offsets 100-111, lz4 in the middle one; values "v100".."v111". */
    private static ByteBuffer threeBatches()
    {
        final ByteBuffer all = ByteBuffer.allocate(4096);
        final RecordBatchBuilder builder = new RecordBatchBuilder(256);
        final CompressionType[] codecs = {CompressionType.NONE, CompressionType.LZ4, CompressionType.NONE};
        for (int b = 0; b < 3; b++)
        {
            builder.reset(codecs[b]).baseOffset(100 + 4 * b).baseTimestamp(1_000 + b);
            for (int r = 0; r < 4; r++)
            {
                final int offset = 100 + 4 * b + r;
                builder.append(1_000 + b, ("k" + offset).getBytes(StandardCharsets.UTF_8),
                    ("v" + offset).getBytes(StandardCharsets.UTF_8),
                    r == 0 ? new Header[] {new Header("h", new byte[] {(byte)offset})} : Header.NONE);
            }
            all.put(builder.build());
        }
        return all.flip();
    }

    private static List<String> drain(final PartitionRecords<String, String> records)
    {
        final List<String> values = new ArrayList<>();
        ConsumerRecord<String, String> record;
        while ((record = records.next()) != null)
        {
            values.add(record.value());
        }
        return values;
    }

    private static PartitionRecords<String, String> taken(final ByteBuffer batches, final long fetchOffset,
        final long position, final Deserializer<String> values)
    {
        return new PartitionRecords<>(TP, FetchedRecords.decode(batches, fetchOffset, new RecordBatchReader()),
            position, STRINGS, values);
    }

    @Test
    void handsOutEveryRecordWithItsFieldsAndEndsAfterTheLastBatch()
    {
        final PartitionRecords<String, String> records = taken(threeBatches(), 100, 100, STRINGS);
        assertEquals(12, records.remaining());
        final ConsumerRecord<String, String> first = records.next();
        assertEquals("orders", first.topic());
        assertEquals(3, first.partition());
        assertEquals(100, first.offset());
        assertEquals(1_000, first.timestamp());
        assertEquals("k100", first.key());
        assertEquals("v100", first.value());
        assertEquals(1, first.headers().size());
        assertEquals("h", first.headers().get(0).key());
        assertEquals(11, records.remaining());
        final List<String> rest = drain(records);
        assertEquals(11, rest.size());
        assertEquals("v111", rest.get(10));
        assertTrue(records.isEmpty());
        assertEquals(112, records.nextOffset());
    }

    @Test
    void skipsRecordsBelowTheFetchOffsetAndBelowAPositionThatMovedOnSinceTheFetch()
    {
        // The broker returns whole batches, so a fetch from 102 starts at 100; poll has since consumed up to 105.
        final PartitionRecords<String, String> records = taken(threeBatches(), 102, 106, STRINGS);
        assertEquals(6, records.remaining());
        assertEquals(List.of("v106", "v107", "v108", "v109", "v110", "v111"), drain(records));
        assertEquals(112, records.nextOffset());

        final PartitionRecords<String, String> past = taken(threeBatches(), 100, 112, STRINGS);
        assertTrue(past.isEmpty());
        assertNull(past.next());
    }

    @Test
    void returnsTheRecordsBeforeADamagedBatchThenThrowsNamingWhereTheDamageStarts()
    {
        final ByteBuffer batches = threeBatches();
        final int secondBatch = RecordBatch.sizeInBytes(batches, 0);
        // A flipped bit in the second batch's records: its CRC no longer matches.
        batches.put(secondBatch + 70, (byte)(batches.get(secondBatch + 70) ^ 0x10));

        final PartitionRecords<String, String> records = taken(batches, 100, 100, STRINGS);
        assertEquals(List.of("v100", "v101", "v102"), take(records, 3));
        assertFalse(records.isEmpty(), "the failure is still to be thrown");
        assertEquals("v103", records.next().value());
        final CorruptRecordException damaged = assertThrows(CorruptRecordException.class, records::next);
        assertEquals(TP, damaged.topicPartition());
        assertEquals(104, damaged.offset());
        assertSame(damaged, assertThrows(CorruptRecordException.class, records::next), "again at every call");

        // A consumer already past the damage's start (it read 104 from an earlier answer) is told its position.
        final CorruptRecordException later = assertThrows(CorruptRecordException.class,
            () -> taken(batches, 100, 105, STRINGS).next());
        assertEquals(105, later.offset());
    }

    @Test
    void deserializesOnTheThreadThatTakesTheRecordAndStopsAtTheOneItRefuses()
    {
        final List<Thread> callers = new ArrayList<>();
        final Deserializer<String> strict = (topic, data) ->
        {
            callers.add(Thread.currentThread());
            final String value = new String(data, StandardCharsets.UTF_8);
            if (value.equals("v107"))
            {
                throw new IllegalArgumentException("not a valid value: " + value);
            }
            return value;
        };
        final ByteBuffer batches = threeBatches();
        // Decoded on another thread, as the client's I/O thread does: no deserializer may run there.
        final FetchedRecords[] fetched = new FetchedRecords[1];
        final Thread io = new Thread(() -> fetched[0] = FetchedRecords.decode(batches, 100, new RecordBatchReader()));
        io.start();
        assertTrue(joined(io), "decoding finished");
        assertTrue(callers.isEmpty(), "a deserializer ran while the batches were decoded");

        final PartitionRecords<String, String> records = new PartitionRecords<>(TP, fetched[0], 104, STRINGS,
            strict);
        assertEquals(List.of("v104", "v105", "v106"), take(records, 3));
        final RecordDeserializationException refused = assertThrows(RecordDeserializationException.class,
            records::next);
        assertEquals(107, refused.offset());
        assertEquals(TP, refused.topicPartition());
        assertSame(refused, assertThrows(RecordDeserializationException.class, records::next));
        assertFalse(records.isEmpty());
        assertTrue(callers.stream().allMatch(t -> t == Thread.currentThread()), callers.toString());
    }

    private static boolean joined(final Thread thread)
    {
        try
        {
            thread.join(30_000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return !thread.isAlive();
    }

    private static List<String> take(final PartitionRecords<String, String> records, final int count)
    {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            values.add(records.next().value());
        }
        return values;
    }
}
