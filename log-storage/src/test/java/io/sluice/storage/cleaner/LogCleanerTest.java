package io.sluice.storage.cleaner;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.Record;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogAppendInfo;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.test.MockTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.sluice.storage.test.TestUtils.keyed;
import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCleanerTest
{
    private static final TopicPartition TP = new TopicPartition("__consumer_offsets", 7);
    private static final Map<String, Object> COMPACT = Map.of(LogConfig.CLEANUP_POLICY, "compact",
        LogConfig.SEGMENT_BYTES, 1024, LogConfig.DELETE_RETENTION_MS, 60_000L, LogConfig.FILE_DELETE_DELAY_MS, 0L);

    @TempDir
    Path dir;

    private final MockTime time = new MockTime(1_700_000_000_000L);

    private LogManager manager()
    {
        return new LogManager(new LogManagerConfig(Map.of(LogManagerConfig.LOG_DIRS, dir.toString(),
            LogManagerConfig.CLEANER_ENABLE, "false")), LogConfig.defaults().with(COMPACT), topic -> null, time);
    }

    @Test
    void shouldKeepTheNewestRecordPerKeyAtItsOriginalOffset()
    {
        final LogManager manager = manager();
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(COMPACT));
            final LogAppendInfo info = new LogAppendInfo();
            final Map<String, Long> newestOffset = new HashMap<>();
            final Map<String, String> newestValue = new LinkedHashMap<>();
            for (int round = 0; round < 20; round++)
            {
                for (int k = 0; k < 10; k++)
                {
                    final String key = "k" + k;
                    final String value = k == 3 && round == 19 ? null : "v" + round;
                    log.appendAsLeader(keyed(time.milliseconds(), key, value), 0, info);
                    newestOffset.put(key, info.firstOffset);
                    newestValue.put(key, value);
                }
            }
            final long end = log.logEndOffset();
            final int segmentsBefore = log.segmentCount();
            assertTrue(segmentsBefore > 3);
            final long activeBase = log.segments().get(segmentsBefore - 1).baseOffset();

            final LogCleaner cleaner = new LogCleaner(manager, time, 1000);
            assertEquals(activeBase, cleaner.clean(log));
            assertEquals(end, log.logEndOffset());

            final List<Record> records = readAll(log, 0);
            final Map<String, Integer> seen = new HashMap<>();
            long previous = -1;
            for (final Record record : records)
            {
                assertTrue(record.offset() > previous, "offsets stay in order");
                previous = record.offset();
                final String key = string(record.key());
                if (record.offset() < activeBase)
                {
                    seen.merge(key, 1, Integer::sum);
                    assertEquals(1, seen.get(key), "one record per key in the cleaned part");
                    if (newestOffset.get(key) < activeBase)
                    {
                        assertEquals((long)newestOffset.get(key), record.offset());
                    }
                }
            }
            for (final Map.Entry<String, Long> e : newestOffset.entrySet())
            {
                final Record record = records.stream().filter(r -> r.offset() == e.getValue()).findFirst()
                    .orElseThrow(() -> new AssertionError("newest record of " + e.getKey() + " was lost"));
                assertEquals(newestValue.get(e.getKey()), string(record.value()));
            }
            // The tombstone of k3 is younger than delete.retention.ms: it stays for consumers to see.
            assertTrue(records.stream().anyMatch(r -> "k3".equals(string(r.key())) && r.value() == null));
            assertTrue(log.sizeInBytes() < 10 * 1024);
        }
        finally
        {
            manager.shutdown();
        }
    }

    @Test
    void shouldDropTombstonesAfterDeleteRetentionAndSurviveARestart()
    {
        LogManager manager = manager();
        final long tombstoneOffset;
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(COMPACT));
            final LogAppendInfo info = new LogAppendInfo();
            log.appendAsLeader(keyed(time.milliseconds(), "a", "1", "b", "1"), 0, info);
            log.appendAsLeader(keyed(time.milliseconds(), "a", null), 0, info);
            tombstoneOffset = info.firstOffset;
            for (int i = 0; i < 60; i++)
            {
                log.appendAsLeader(keyed(time.milliseconds(), "filler-" + (i % 5), "x" + i), 0, info);
            }
            final LogCleaner cleaner = new LogCleaner(manager, time, 1000);
            cleaner.clean(log);
            assertTrue(readAll(log, 0).stream().anyMatch(r -> r.offset() == tombstoneOffset));
            assertFalse(readAll(log, 0).stream().anyMatch(r -> "a".equals(string(r.key())) && r.value() != null));

            time.sleep(61_000);
            for (int i = 0; i < 60; i++)
            {
                log.appendAsLeader(keyed(time.milliseconds(), "filler-" + (i % 5), "y" + i), 0, info);
            }
            cleaner.clean(log);
            final List<Record> records = readAll(log, log.logStartOffset());
            assertFalse(records.stream().anyMatch(r -> "a".equals(string(r.key()))), "the tombstone expired");
            assertTrue(records.stream().anyMatch(r -> "b".equals(string(r.key()))), "b was never superseded");
        }
        finally
        {
            manager.shutdown();
        }
        try (Stream<Path> files = Files.list(dir.resolve(TP.toString())))
        {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".swap") || p.toString().endsWith(".cleaned")));
        }
        catch (final java.io.IOException e)
        {
            throw new AssertionError(e);
        }
        manager = manager();
        try
        {
            final Log log = manager.getLog(TP).orElseThrow();
            final List<Record> records = readAll(log, log.logStartOffset());
            assertTrue(records.stream().anyMatch(r -> "b".equals(string(r.key())) && "1".equals(string(r.value()))));
            assertNull(records.stream().filter(r -> "a".equals(string(r.key()))).findFirst().orElse(null));
        }
        finally
        {
            manager.shutdown();
        }
    }

    @Test
    void shouldCompleteAnInterruptedSwapOnRestart() throws Exception
    {
        LogManager manager = manager();
        final long base;
        try
        {
            final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(COMPACT));
            final LogAppendInfo info = new LogAppendInfo();
            for (int i = 0; i < 80; i++)
            {
                log.appendAsLeader(keyed(time.milliseconds(), "k" + (i % 4), "v" + i), 0, info);
            }
            base = log.segments().get(0).baseOffset();
        }
        finally
        {
            manager.shutdown();
        }
        // A crash after the cleaned copy became a .swap file but before it replaced the segment: here the "cleaned"
        // copy holds just the first batch of the original segment.
        final Path partition = dir.resolve(TP.toString());
        final Path original = partition.resolve(io.sluice.storage.util.LogFileNames.filenamePrefix(base) + ".log");
        final byte[] bytes = Files.readAllBytes(original);
        final int firstBatch = 12 + java.nio.ByteBuffer.wrap(bytes).getInt(8);
        Files.write(partition.resolve(original.getFileName() + ".swap"), java.util.Arrays.copyOf(bytes, firstBatch));
        manager = manager();
        try
        {
            final Log log = manager.getLog(TP).orElseThrow();
            assertEquals(firstBatch, log.segments().get(0).size(), "the swap completed");
            assertEquals(80, log.logEndOffset());
        }
        finally
        {
            manager.shutdown();
        }
    }
}
