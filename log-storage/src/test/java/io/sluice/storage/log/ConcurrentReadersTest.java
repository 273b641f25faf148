package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer appends (rolling segments often) while several readers read continuously: every read must decode
 * cleanly (never a partial batch) and return exactly the records expected at those offsets, in order.
 */
class ConcurrentReadersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShowEveryReaderAConsistentPrefixWhileTheWriterAppendsAndRolls() throws Exception
    {
        final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 256 * 1024,
            LogConfig.INDEX_INTERVAL_BYTES, 1024);
        final Log log = Log.open(dir, new TopicPartition("race", 0), LogConfig.defaults().with(config), true, 0, 0,
            Time.SYSTEM, null, null);
        final long target = 400_000;
        final AtomicBoolean writerDone = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();

        final Thread writer = new Thread(() ->
        {
            final RecordBatchBuilder builder = new RecordBatchBuilder(16 * 1024);
            final LogAppendInfo info = new LogAppendInfo();
            try
            {
                while (log.logEndOffset() < target && failure.get() == null)
                {
                    final long next = log.logEndOffset();
                    builder.reset(next % 3 == 0 ? CompressionType.LZ4 : CompressionType.NONE);
                    final int count = 1 + ThreadLocalRandom.current().nextInt(100);
                    for (int i = 0; i < count; i++)
                    {
                        builder.append(System.currentTimeMillis(), null,
                            Long.toString(next + i).getBytes(StandardCharsets.UTF_8), Header.NONE);
                    }
                    final ByteBuffer batch = builder.build();
                    log.appendAsLeader(batch, 0, info);
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
            finally
            {
                writerDone.set(true);
            }
        }, "writer");

        final List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++)
        {
            final boolean tailing = r == 0;
            readers.add(new Thread(() ->
            {
                final RecordBatchReader reader = new RecordBatchReader();
                long offset = 0;
                try
                {
                    while (failure.get() == null && !(writerDone.get() && offset >= log.logEndOffset()))
                    {
                        final long from = tailing ? offset
                            : ThreadLocalRandom.current().nextLong(Math.max(1, log.logEndOffset()));
                        final LogReadInfo info = log.read(from, 64 * 1024, Long.MAX_VALUE, true);
                        final ByteBuffer bytes = info.records.readFully();
                        final long[] expected = {-1};
                        final long start = from;
                        int position = 0;
                        while (position < bytes.limit())
                        {
                            position += reader.forEach(bytes, position, bytes.limit() - position, record ->
                            {
                                if (record.offset() < start)
                                {
                                    return;
                                }
                                if (expected[0] >= 0 && record.offset() != expected[0])
                                {
                                    throw new AssertionError("gap: expected " + expected[0] + ", got "
                                        + record.offset());
                                }
                                final String value = new String(record.value(), StandardCharsets.UTF_8);
                                if (!value.equals(Long.toString(record.offset())))
                                {
                                    throw new AssertionError("offset " + record.offset() + " holds " + value);
                                }
                                expected[0] = record.offset() + 1;
                            });
                        }
                        if (bytes.limit() > 0 && expected[0] != info.nextOffset)
                        {
                            throw new AssertionError("read ended at " + expected[0] + " but nextOffset is "
                                + info.nextOffset);
                        }
                        offset = info.nextOffset;
                        reads.incrementAndGet();
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "reader-" + r));
        }
        readers.forEach(Thread::start);
        writer.start();
        writer.join(120_000);
        for (final Thread reader : readers)
        {
            reader.join(120_000);
        }
        try
        {
            if (failure.get() != null)
            {
                throw new AssertionError("a thread failed", failure.get());
            }
            assertTrue(log.logEndOffset() >= target);
            assertTrue(log.segmentCount() > 5, "the writer rolled segments while readers read");
            assertTrue(reads.get() > 100, "readers ran: " + reads.get());
            assertEquals(log.logEndOffset(), io.sluice.storage.test.TestUtils.readAll(log, 0).size());
        }
        finally
        {
            log.close();
        }
    }
}
