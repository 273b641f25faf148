package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Record;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.test.MockTime;
import io.sluice.storage.util.LogFileNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Torn writes and corruption: whatever is done to the tail of a log or to its indexes, reopening it yields a valid
 * prefix of what was written and never a bad record.
 */
class RecoveryTest
{
    private static final TopicPartition TP = new TopicPartition("events", 0);
    private static final Map<String, Object> SMALL = Map.of(LogConfig.SEGMENT_BYTES, 4096,
        LogConfig.INDEX_INTERVAL_BYTES, 100);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime(1_700_000_000_000L);
    private Log log;

    @AfterEach
    void close()
    {
        if (log != null)
        {
            log.close();
        }
    }

    private Log open(final boolean clean, final long recoveryPoint)
    {
        log = Log.open(dir, TP, LogConfig.defaults().with(SMALL), clean, recoveryPoint, 0L, time, null, null);
        return log;
    }

    /** Writes 300 single-record batches over several segments and "crashes": no close, so no trimming. */
    private List<LogSegment> writeAndCrash()
    {
        open(true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int i = 0; i < 300; i++)
        {
            log.appendAsLeader(batch(i % 3 == 0 ? CompressionType.LZ4 : CompressionType.NONE, i, 1,
                time.milliseconds()), 0, info);
        }
        final List<LogSegment> segments = log.segments();
        // Simulate the process dying: drop the log without closing (the active segment stays preallocated).
        log = null;
        return segments;
    }

    private void assertPrefix(final int atLeast)
    {
        final List<Record> records = readAll(log, 0);
        assertTrue(records.size() >= atLeast, "expected at least " + atLeast + " records, got " + records.size());
        assertEquals(records.size(), log.logEndOffset());
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(i, records.get(i).offset());
            assertEquals("value-" + i, string(records.get(i).value()));
        }
    }

    @Test
    void shouldRecoverAPreallocatedActiveSegmentAfterACrash()
    {
        writeAndCrash();
        open(false, 0);
        assertPrefix(300);
    }

    @Test
    void shouldTruncateGarbageWrittenOverTheTail() throws Exception
    {
        final List<LogSegment> segments = writeAndCrash();
        final LogSegment last = segments.get(segments.size() - 1);
        final byte[] garbage = new byte[100];
        new Random(1).nextBytes(garbage);
        try (RandomAccessFile file = new RandomAccessFile(last.logFile().toFile(), "rw"))
        {
            file.seek(last.size() - 30);
            file.write(garbage);
        }
        open(false, 0);
        assertPrefix(250);
        assertTrue(log.logEndOffset() < 300, "the damaged last batch is gone");
    }

    @Test
    void shouldTruncateZerosWrittenOverTheTail() throws Exception
    {
        final List<LogSegment> segments = writeAndCrash();
        final LogSegment last = segments.get(segments.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(last.logFile().toFile(), "rw"))
        {
            file.seek(last.size() - 10);
            file.write(new byte[10]);
        }
        open(false, 0);
        assertPrefix(250);
        assertEquals(299, log.logEndOffset());
    }

    @Test
    void shouldDropAPartialLastBatch() throws Exception
    {
        final List<LogSegment> segments = writeAndCrash();
        final LogSegment last = segments.get(segments.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(last.logFile().toFile(), "rw"))
        {
            file.setLength(last.size() - 7);
        }
        open(false, 0);
        assertPrefix(250);
        assertEquals(299, log.logEndOffset());
    }

    @Test
    void shouldDeleteSegmentsAfterCorruptionInAnEarlierOne() throws Exception
    {
        final List<LogSegment> segments = writeAndCrash();
        assertTrue(segments.size() >= 4, "need several segments, got " + segments.size());
        final LogSegment second = segments.get(1);
        try (RandomAccessFile file = new RandomAccessFile(second.logFile().toFile(), "rw"))
        {
            file.seek(second.size() / 2);
            file.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        open(false, 0);
        assertPrefix((int)second.baseOffset());
        assertTrue(log.logEndOffset() < segments.get(2).baseOffset());
        assertEquals(2, log.segmentCount());
    }

    @Test
    void shouldRebuildDeletedAndCorruptIndexesAfterACleanShutdown() throws Exception
    {
        open(true, 0);
        final LogAppendInfo info = new LogAppendInfo();
        for (int i = 0; i < 300; i++)
        {
            log.appendAsLeader(batch(CompressionType.NONE, i, 1, 1_000 + i), 0, info);
        }
        final List<LogSegment> segments = log.segments();
        log.close();
        log = null;
        final LogSegment first = segments.get(0);
        final LogSegment active = segments.get(segments.size() - 1);
        Files.delete(LogFileNames.indexFile(dir, first.baseOffset()));
        Files.delete(LogFileNames.timeIndexFile(dir, segments.get(1).baseOffset()));
        final Path activeIndex = LogFileNames.indexFile(dir, active.baseOffset());
        final byte[] garbage = new byte[Math.max(16, (int)Files.size(activeIndex))];
        new Random(3).nextBytes(garbage);
        Files.write(activeIndex, garbage);
        final Path secondIndex = LogFileNames.indexFile(dir, segments.get(2).baseOffset());
        Files.write(secondIndex, new byte[] {1, 2, 3});
        open(true, 300);
        assertPrefix(300);
        for (int t = 0; t < 300; t += 7)
        {
            // Record i carries timestamp 1000 + 2i.
            assertEquals(t, log.offsetForTimestamp(1_000 + 2L * t).offset, "lookup by timestamp after the rebuild");
        }
        assertEquals(150, log.offsetForTimestamp(1_300).offset);
    }

    @Test
    void shouldOnlyRescanSegmentsPastTheRecoveryPoint() throws Exception
    {
        final List<LogSegment> segments = writeAndCrash();
        final LogSegment first = segments.get(0);
        // Damage below the recovery point goes unnoticed by recovery, which trusts flushed data as Kafka does;
        // the damage above it is found.
        final LogSegment last = segments.get(segments.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(last.logFile().toFile(), "rw"))
        {
            file.setLength(last.size() - 3);
        }
        open(false, last.baseOffset());
        assertEquals(first.baseOffset(), log.segments().get(0).baseOffset());
        assertEquals(299, log.logEndOffset());
        assertPrefix(299);
    }
}
