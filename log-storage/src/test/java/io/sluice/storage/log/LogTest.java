package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.Record;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.storage.epoch.EpochEntry;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.TimestampAndOffset;
import io.sluice.storage.test.MockTime;
import io.sluice.storage.test.TestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 3);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime(1_700_000_000_000L);
    private Log log;

    private Log open(final Map<String, ?> overrides, final boolean clean, final long recoveryPoint)
    {
        log = Log.open(dir, TP, LogConfig.defaults().with(overrides), clean, recoveryPoint, 0L, time, null, null);
        return log;
    }

    @AfterEach
    void close()
    {
        if (log != null)
        {
            log.close();
        }
    }

    private static Map<String, Object> small()
    {
        return Map.of(LogConfig.SEGMENT_BYTES, 700, LogConfig.INDEX_INTERVAL_BYTES, 128);
    }

    @Test
    void shouldAssignOffsetsAndReadBackFromEveryOffsetAcrossSegments()
    {
        open(small(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        int written = 0;
        for (int b = 0; b < 60; b++)
        {
            final int count = 1 + b % 5;
            log.appendAsLeader(batch(b % 2 == 0 ? CompressionType.NONE : CompressionType.LZ4, written, count,
                time.milliseconds()), 7, info);
            assertEquals(written, info.firstOffset);
            assertEquals(written + count - 1, info.lastOffset);
            written += count;
        }
        assertEquals(written, log.logEndOffset());
        assertTrue(log.segmentCount() > 5, "expected several segments, got " + log.segmentCount());
        for (int from = 0; from < written; from++)
        {
            final List<Record> records = readAll(log, from);
            assertEquals(written - from, records.size(), "records from " + from);
            for (int i = 0; i < records.size(); i++)
            {
                assertEquals(from + i, records.get(i).offset());
                assertEquals("value-" + (from + i), string(records.get(i).value()));
            }
        }
    }

    @Test
    void shouldReadWholeBatchesWithinMaxBytesAndBelowTheHighWatermark() throws Exception
    {
        open(Map.of(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int b = 0; b < 10; b++)
        {
            // Current timestamps: records older than segment.ms would roll a segment per batch.
            log.appendAsLeader(batch(CompressionType.NONE, b * 10, 10, time.milliseconds()), 0, info);
        }
        assertEquals(1, log.segmentCount());
        // Batches 1 to 9 have keys and values of equal length, so equal sizes; batch 0 is smaller.
        final int batchSize = RecordBatch.sizeInBytes(batch(CompressionType.NONE, 10, 10, time.milliseconds()), 0);
        final int firstSize = RecordBatch.sizeInBytes(batch(CompressionType.NONE, 0, 10, time.milliseconds()), 0);
        LogReadInfo read = log.read(15, batchSize * 2 + 5, Long.MAX_VALUE, false);
        assertEquals(batchSize * 2, read.records.sizeInBytes());
        assertEquals(30, read.nextOffset);
        read = log.read(15, 1, Long.MAX_VALUE, true);
        assertEquals(batchSize, read.records.sizeInBytes(), "minOneBatch returns a whole batch");
        read = log.read(15, 1, Long.MAX_VALUE, false);
        assertEquals(0, read.records.sizeInBytes());
        read = log.read(0, Integer.MAX_VALUE, 40, false);
        assertEquals(40, read.nextOffset, "nothing at or above the high watermark");
        read = log.read(0, Integer.MAX_VALUE, 35, false);
        assertEquals(30, read.nextOffset, "a batch reaching past the high watermark is held back");
        final ByteBuffer bytes = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records.readFully();
        assertEquals(firstSize + batchSize * 9, bytes.remaining());
        assertEquals(0, log.read(100, 100, Long.MAX_VALUE, true).records.sizeInBytes(), "at the end: empty");
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(101, 100, Long.MAX_VALUE, true));
    }

    @Test
    void shouldReadBatchesLargerAndSmallerThanTheHeaderWindowInAnyMix()
    {
        open(Map.of(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        // Batches of 1 record: 12 KiB values (past the 8 KiB header window) and 10-byte ones, in runs of each.
        final int[] valueSizes = {12_288, 10, 10, 12_288, 12_288, 12_288, 10, 12_288, 10, 10, 10, 12_288};
        for (int i = 0; i < valueSizes.length; i++)
        {
            final RecordBatchBuilder builder = new RecordBatchBuilder(16_384).reset(CompressionType.NONE);
            final byte[] value = new byte[valueSizes[i]];
            Arrays.fill(value, (byte)('a' + i));
            builder.append(time.milliseconds(), null, value, Header.NONE);
            log.appendAsLeader(TestUtils.copy(builder.build()), 0, info);
        }
        for (int from = 0; from < valueSizes.length; from++)
        {
            final List<Record> records = readAll(log, from);
            assertEquals(valueSizes.length - from, records.size(), "records from " + from);
            for (final Record record : records)
            {
                final int i = (int)record.offset();
                assertEquals(valueSizes[i], record.value().length, "record " + i);
                assertEquals('a' + i, record.value()[valueSizes[i] - 1], "record " + i);
            }
        }
        // A byte limit falls between whole batches however large the ones before were.
        final LogReadInfo read = log.read(3, 3 * 12_288 + 1_000, Long.MAX_VALUE, false);
        assertEquals(7, read.nextOffset, "three large batches and the small one fit, the large one after does not");
    }

    @Test
    void shouldRejectCorruptOversizedAndEmptyAppendsWithoutChangingTheLog()
    {
        open(Map.of(LogConfig.MAX_MESSAGE_BYTES, 500), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        log.appendAsLeader(batch(CompressionType.NONE, 0, 3, 0), 0, info);
        final ByteBuffer corrupt = batch(CompressionType.NONE, 0, 3, 0);
        corrupt.put(corrupt.limit() - 1, (byte)(corrupt.get(corrupt.limit() - 1) ^ 1));
        assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(corrupt, 0, info));
        final ByteBuffer truncated = batch(CompressionType.NONE, 0, 3, 0);
        truncated.limit(truncated.limit() - 4);
        assertThrows(CorruptRecordException.class, () -> log.appendAsLeader(truncated, 0, info));
        assertThrows(RecordTooLargeException.class,
            () -> log.appendAsLeader(batch(CompressionType.NONE, 0, 40, 0), 0, info));
        assertThrows(RuntimeException.class, () -> log.appendAsLeader(ByteBuffer.allocate(0), 0, info));
        assertEquals(3, log.logEndOffset());
        assertEquals(3, readAll(log, 0).size());
    }

    @Test
    void shouldFindOffsetsByTimestamp()
    {
        open(small(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int b = 0; b < 50; b++)
        {
            // Timestamps 1000 + 10 * offset, so each record's timestamp is known.
            final ByteBuffer records = batch(CompressionType.NONE, 0, 1, 1000 + 10L * b);
            log.appendAsLeader(records, 0, info);
        }
        assertEquals(0, log.offsetForTimestamp(0).offset);
        assertEquals(17, log.offsetForTimestamp(1170).offset);
        final TimestampAndOffset between = log.offsetForTimestamp(1171);
        assertEquals(18, between.offset);
        assertEquals(1180, between.timestamp);
        assertNull(log.offsetForTimestamp(1491));
    }

    @Test
    void shouldRollOnSizeTimeAndRelativeOffsetOverflow()
    {
        open(Map.of(LogConfig.SEGMENT_MS, 60_000L), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        log.appendAsLeader(batch(CompressionType.NONE, 0, 1, time.milliseconds()), 0, info);
        log.appendAsLeader(batch(CompressionType.NONE, 0, 1, time.milliseconds()), 0, info);
        assertEquals(1, log.segmentCount());
        time.sleep(60_000);
        log.appendAsLeader(batch(CompressionType.NONE, 0, 1, time.milliseconds()), 0, info);
        assertEquals(2, log.segmentCount(), "segment.ms rolls");
        assertEquals(2, log.segments().get(1).baseOffset());

        final ByteBuffer far = batch(CompressionType.NONE, 0, 1, time.milliseconds());
        RecordBatch.setBaseOffset(far, 0, 3L + Integer.MAX_VALUE + 10);
        log.appendAsFollower(far, info);
        assertEquals(3, log.segmentCount(), "an offset too far for a 4-byte relative offset rolls");
        assertEquals(3L + Integer.MAX_VALUE + 11, log.logEndOffset());
    }

    @Test
    void shouldTruncateToAnOffsetAndFullyAndKeepAppending()
    {
        open(small(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int i = 0; i < 100; i++)
        {
            log.appendAsLeader(batch(CompressionType.NONE, i, 1, 0), i < 50 ? 1 : 2, info);
        }
        final int segmentsBefore = log.segmentCount();
        assertTrue(log.truncateTo(30));
        assertEquals(30, log.logEndOffset());
        assertTrue(log.segmentCount() < segmentsBefore);
        assertEquals(List.of(new EpochEntry(1, 0)), log.leaderEpochCache().entries());
        log.appendAsLeader(batch(CompressionType.NONE, 1000, 5, 0), 3, info);
        assertEquals(30, info.firstOffset);
        final List<Record> records = readAll(log, 0);
        assertEquals(35, records.size());
        assertEquals("value-29", string(records.get(29).value()));
        assertEquals("value-1000", string(records.get(30).value()));
        assertEquals(new EpochEntry(1, 30), log.endOffsetForEpoch(1));
        assertEquals(new EpochEntry(3, 35), log.endOffsetForEpoch(3));

        log.truncateFullyAndStartAt(500);
        assertEquals(500, log.logStartOffset());
        assertEquals(500, log.logEndOffset());
        log.appendAsLeader(batch(CompressionType.NONE, 0, 2, 0), 4, info);
        assertEquals(500, info.firstOffset);
        assertEquals(2, readAll(log, 500).size());
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(10, 100, Long.MAX_VALUE, true));
    }

    /** A replica that became leader (its epoch starts at the log end) and appended nothing before it lost it. */
    @Test
    void truncatingToTheEndRemovesNoRecordButDropsAnEpochStartingThere()
    {
        open(Map.of(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        log.appendAsLeader(batch(CompressionType.NONE, 0, 10, 0), 1, info);
        log.leaderEpochCache().assign(2, log.logEndOffset());

        assertFalse(log.truncateTo(10));

        assertEquals(10, log.logEndOffset());
        assertEquals(List.of(new EpochEntry(1, 0)), log.leaderEpochCache().entries());
    }

    @Test
    void shouldTruncateAtBatchBoundaryWhenTheTargetIsInsideABatch()
    {
        open(Map.of(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        log.appendAsLeader(batch(CompressionType.NONE, 0, 10, 0), 0, info);
        log.appendAsLeader(batch(CompressionType.NONE, 10, 10, 0), 0, info);
        log.truncateTo(15);
        assertEquals(10, log.logEndOffset());
    }

    @Test
    void shouldReopenAfterACleanCloseWithTheSameContent()
    {
        open(small(), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int i = 0; i < 200; i++)
        {
            log.appendAsLeader(batch(CompressionType.LZ4, i, 1, 1000 + i), 5, info);
        }
        final int segments = log.segmentCount();
        log.flush(log.logEndOffset());
        log.close();
        for (final LogSegment segment : log.segments())
        {
            assertTrue(Files.exists(segment.logFile()));
        }
        open(small(), true, 200);
        assertEquals(200, log.logEndOffset());
        assertEquals(segments, log.segmentCount());
        assertEquals(200, readAll(log, 0).size());
        assertEquals(62, log.offsetForTimestamp(1123).offset, "record i has timestamp 1000 + 2i");
        assertEquals(61, log.offsetForTimestamp(1122).offset);
        log.appendAsLeader(batch(CompressionType.NONE, 200, 1, 0), 5, info);
        assertEquals(200, info.firstOffset);
        assertEquals(201, readAll(log, 0).size());
    }

    @Test
    void shouldKeepTheActiveSegmentsFilesAStepPastTheirDataNotPreallocatedToTheFullSize() throws Exception
    {
        // A sparse file preallocated to segment.bytes makes the first write fault on each new stretch zero-fill a
        // whole read-ahead window (MappedFileGrowth); the files may only run a step ahead of their data.
        open(Map.of(LogConfig.SEGMENT_BYTES, 64 * 1024 * 1024, LogConfig.INDEX_INTERVAL_BYTES, 128), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        final int batches = 30_000;
        for (int i = 0; i < batches; i++)
        {
            log.appendAsLeader(batch(CompressionType.NONE, i, 1, 1000 + i), 5, info);
            if (i % 1000 == 0)
            {
                assertWithinAStep(log.segments().get(0));
            }
        }
        final LogSegment active = log.segments().get(0);
        assertEquals(1, log.segmentCount());
        assertTrue(active.size() > 2 * 1024 * 1024, "wrote " + active.size() + " bytes, more than one growth step");
        assertTrue(active.offsetIndex().entries() > 8192, "enough index entries to grow the index file");
        assertWithinAStep(active);
        assertEquals(batches, readAll(log, 0).size());
        assertEquals(3000, log.offsetForTimestamp(7000).offset, "record i has timestamp 1000 + 2i");

        // Reopened without a clean shutdown, the short files recover to every record.
        log = Log.open(dir, TP, LogConfig.defaults().with(Map.of(LogConfig.SEGMENT_BYTES, 64 * 1024 * 1024,
            LogConfig.INDEX_INTERVAL_BYTES, 128)), false, 0L, 0L, time, null, null);
        assertEquals(batches, log.logEndOffset());
        assertEquals(batches, readAll(log, 0).size());
        log.appendAsLeader(batch(CompressionType.NONE, batches, 1, 0), 5, info);
        assertEquals(batches, info.firstOffset);
    }

    @Test
    void shouldKeepEveryByteWhileTheWriteWindowMovesWithAFlushRunningAlongside() throws Exception
    {
        // One segment of several write windows, batches of odd sizes so that appends cross window ends at every
        // alignment, and another thread flushing all the while (the window moves under it).
        open(Map.of(LogConfig.SEGMENT_BYTES, 4 * LogSegment.WRITE_WINDOW), true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        final SplittableRandom random = new SplittableRandom(7);
        final List<Integer> valueSizes = new ArrayList<>();
        final AtomicBoolean appending = new AtomicBoolean(true);
        final AtomicReference<Throwable> flushFailure = new AtomicReference<>();
        final AtomicInteger flushes = new AtomicInteger();
        final Log appendingTo = log;
        final Thread flusher = new Thread(() ->
        {
            try
            {
                while (appending.get())
                {
                    appendingTo.flush(appendingTo.logEndOffset());
                    flushes.incrementAndGet();
                }
            }
            catch (final Throwable t)
            {
                flushFailure.set(t);
            }
        }, "flusher");
        flusher.start();
        long written = 0;
        try
        {
            while (written < 2.5 * LogSegment.WRITE_WINDOW)
            {
                final int size = 1 + random.nextInt(300_000);
                log.appendAsLeader(patternBatch(valueSizes.size(), size), 0, info);
                valueSizes.add(size);
                written += size;
            }
        }
        finally
        {
            appending.set(false);
            flusher.join();
        }
        assertNull(flushFailure.get(), () -> "flush failed: " + flushFailure.get());
        assertTrue(flushes.get() > 1, "the flusher ran alongside the appends");
        assertEquals(1, log.segmentCount());
        assertTrue(log.segments().get(0).size() > 2 * LogSegment.WRITE_WINDOW);
        assertPatterns(valueSizes);

        log.close();
        open(Map.of(LogConfig.SEGMENT_BYTES, 4 * LogSegment.WRITE_WINDOW), true, valueSizes.size());
        assertPatterns(valueSizes);
        // Reopened, the active segment maps a window from its end, not from its start.
        valueSizes.add(5_000);
        log.appendAsLeader(patternBatch(valueSizes.size() - 1, 5_000), 0, info);
        assertPatterns(valueSizes);
    }

    private ByteBuffer patternBatch(final long offset, final int valueSize)
    {
        final RecordBatchBuilder builder = new RecordBatchBuilder(valueSize + 100).reset(CompressionType.NONE);
        builder.append(time.milliseconds(), null, pattern(offset, valueSize), Header.NONE);
        return TestUtils.copy(builder.build());
    }

    /** A value that tells its record apart from any other at every byte. */
    private static byte[] pattern(final long offset, final int size)
    {
        final byte[] value = new byte[size];
        for (int i = 0; i < size; i++)
        {
            value[i] = (byte)(offset * 31 + i);
        }
        return value;
    }

    private void assertPatterns(final List<Integer> valueSizes)
    {
        final List<Record> records = readAll(log, 0);
        assertEquals(valueSizes.size(), records.size());
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(i, records.get(i).offset());
            assertTrue(Arrays.equals(pattern(i, valueSizes.get(i)), records.get(i).value()), "record " + i);
        }
    }

    private static void assertWithinAStep(final LogSegment segment) throws java.io.IOException
    {
        final long logLength = Files.size(segment.logFile());
        assertTrue(logLength >= segment.size() && logLength <= segment.size() + 256 * 1024 + 4096,
            "log file " + logLength + " bytes for " + segment.size() + " bytes of data");
        final long indexData = (long)segment.offsetIndex().entries() * 8;
        final long indexLength = Files.size(segment.offsetIndex().file());
        assertTrue(indexLength >= indexData && indexLength <= indexData + 64 * 1024 + 4096,
            "offset index file " + indexLength + " bytes for " + indexData + " bytes of entries");
        final long timeData = (long)segment.timeIndex().entries() * 12;
        final long timeLength = Files.size(segment.timeIndex().file());
        assertTrue(timeLength >= timeData && timeLength <= timeData + 64 * 1024 + 4096,
            "time index file " + timeLength + " bytes for " + timeData + " bytes of entries");
    }
}
