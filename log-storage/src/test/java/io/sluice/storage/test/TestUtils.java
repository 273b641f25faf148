package io.sluice.storage.test;

import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.Record;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogReadInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared helpers for storage and broker tests: building batches, reading logs back, waiting for conditions. */
public final class TestUtils
{
    private TestUtils()
    {
    }

    /** A batch of {@code count} records {@code key-i = value-i} (i from {@code first}), timestamps {@code ts + i}. */
    public static ByteBuffer batch(final CompressionType compression, final int first, final int count,
        final long timestamp)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(1024).reset(compression);
        for (int i = first; i < first + count; i++)
        {
            builder.append(timestamp + i, utf8("key-" + i), utf8("value-" + i), Header.NONE);
        }
        return copy(builder.build());
    }

    /** A batch of keyed records with given values (null for a tombstone), all with timestamp {@code ts}. */
    public static ByteBuffer keyed(final long timestamp, final String... keyValues)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(1024).reset(CompressionType.NONE);
        for (int i = 0; i < keyValues.length; i += 2)
        {
            builder.append(timestamp, utf8(keyValues[i]), keyValues[i + 1] == null ? null : utf8(keyValues[i + 1]),
                Header.NONE);
        }
        return copy(builder.build());
    }

    public static ByteBuffer copy(final ByteBuffer source)
    {
        final ByteBuffer copy = ByteBuffer.allocate(source.remaining());
        copy.put(source.duplicate()).flip();
        return copy;
    }

    public static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String string(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Every record from {@code from} to the log end, read in small steps to cross segment boundaries. */
    public static List<Record> readAll(final Log log, final long from)
    {
        final List<Record> records = new ArrayList<>();
        final RecordBatchReader reader = new RecordBatchReader();
        long offset = from;
        while (offset < log.logEndOffset())
        {
            final LogReadInfo info = log.read(offset, 4096, Long.MAX_VALUE, true);
            if (info.records.sizeInBytes() == 0)
            {
                break;
            }
            try
            {
                for (final Record record : reader.decodeAll(info.records.readFully()))
                {
                    if (record.offset() >= offset)
                    {
                        records.add(record);
                    }
                }
            }
            catch (final IOException e)
            {
                throw new AssertionError(e);
            }
            offset = info.nextOffset;
        }
        return records;
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; fails with {@code message} then. */
    public static void waitUntil(final BooleanSupplier condition, final Duration timeout,
        final Supplier<String> message)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("Condition not met within " + timeout + ": " + message.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }
}
