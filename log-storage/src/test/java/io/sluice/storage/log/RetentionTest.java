package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Record;
import io.sluice.storage.test.MockTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionTest
{
    private static final TopicPartition TP = new TopicPartition("metrics", 1);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime(1_700_000_000_000L);

    private LogManager manager(final Map<String, Object> topicConfig)
    {
        return new LogManager(new LogManagerConfig(Map.of(LogManagerConfig.LOG_DIRS, dir.toString(),
            LogManagerConfig.CLEANER_ENABLE, "false")), LogConfig.defaults().with(topicConfig), topic -> null, time);
    }

    /** Appends records {@code from} to {@code from + count - 1}, one per batch, stamped with the mock clock. */
    private void appendSingles(final Log log, final int from, final int count)
    {
        final LogAppendInfo info = new LogAppendInfo();
        for (int i = from; i < from + count; i++)
        {
            log.appendAsLeader(batch(CompressionType.NONE, i, 1, time.milliseconds()), 0, info);
        }
    }

    @Test
    void shouldDeleteSegmentsOlderThanRetentionMsAndAnswerOutOfRangeForTheirOffsets()
    {
        final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 1024, LogConfig.RETENTION_MS, 60_000L,
            LogConfig.FILE_DELETE_DELAY_MS, 0L);
        final LogManager manager = manager(config);
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(config));
            appendSingles(log, 0, 50);
            time.sleep(50_000);
            appendSingles(log, 50, 50);
            final int segments = log.segmentCount();
            assertEquals(0, manager.cleanupLogs(), "nothing is old enough yet");
            time.sleep(20_000);
            final int deleted = manager.cleanupLogs();
            assertTrue(deleted > 0 && deleted < segments, "deleted " + deleted + " of " + segments);
            final long start = log.logStartOffset();
            assertTrue(start > 0 && start <= 50, "log start moved to " + start);
            final OffsetOutOfRangeException e = assertThrows(OffsetOutOfRangeException.class,
                () -> log.read(0, 1000, Long.MAX_VALUE, true));
            assertTrue(e.getMessage().contains("out of range") && e.getMessage().contains(TP.toString()),
                e.getMessage());
            final List<Record> left = readAll(log, start);
            assertEquals(100 - start, left.size());

            time.sleep(60_000);
            manager.cleanupLogs();
            assertEquals(100, log.logStartOffset(), "everything expired, the active segment included");
            assertEquals(100, log.logEndOffset());
            final LogAppendInfo info = new LogAppendInfo();
            log.appendAsLeader(batch(CompressionType.NONE, 0, 1, time.milliseconds()), 0, info);
            assertEquals(100, info.firstOffset, "offsets continue after the log emptied");
        }
        finally
        {
            manager.shutdown();
        }
        final LogManager reopened = manager(config);
        try
        {
            final Log log = reopened.getLog(TP).orElseThrow();
            assertEquals(100, log.logStartOffset(), "log start offset survives a restart");
            assertEquals(101, log.logEndOffset());
        }
        finally
        {
            reopened.shutdown();
        }
    }

    @Test
    void shouldKeepThePartitionUnderRetentionBytes()
    {
        final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 1024, LogConfig.RETENTION_BYTES, 3000L,
            LogConfig.FILE_DELETE_DELAY_MS, 0L);
        final LogManager manager = manager(config);
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(config));
            appendSingles(log, 0, 300);
            final long before = log.sizeInBytes();
            manager.cleanupLogs();
            assertTrue(before > 3000);
            // As in Kafka, a segment goes only if the rest still holds retention.bytes: the partition ends at most
            // one segment above the limit.
            assertTrue(log.sizeInBytes() >= 3000 && log.sizeInBytes() < 3000 + 1024, "size " + log.sizeInBytes());
            assertEquals(300 - log.logStartOffset(), readAll(log, log.logStartOffset()).size());
        }
        finally
        {
            manager.shutdown();
        }
    }

    @Test
    void shouldAdvanceTheLogStartOffsetAndDropSegmentsBelowIt()
    {
        final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 1024, LogConfig.FILE_DELETE_DELAY_MS, 0L);
        final LogManager manager = manager(config);
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(config));
            appendSingles(log, 0, 100);
            log.advanceLogStartOffset(60);
            assertThrows(OffsetOutOfRangeException.class, () -> log.read(59, 100, Long.MAX_VALUE, true));
            manager.cleanupLogs();
            assertTrue(log.segments().get(0).baseOffset() <= 60);
            assertTrue(log.segments().get(1).baseOffset() > 60);
            assertEquals(40, readAll(log, 60).size());
        }
        finally
        {
            manager.shutdown();
        }
    }
}
