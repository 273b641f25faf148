package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.storage.test.MockTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.keyed;
import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.string;
import static io.sluice.storage.test.TestUtils.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** flush.messages, flush.ms, the recovery-point checkpoint and the background cleaner, driven by the manager. */
class FlushTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFlushEveryFlushMessagesRecords()
    {
        final Log log = Log.open(dir, new TopicPartition("f", 0),
            LogConfig.defaults().with(Map.of(LogConfig.FLUSH_MESSAGES, 10L)), true, 0, 0,
            new MockTime(0), null, null);
        try
        {
            final LogAppendInfo info = new LogAppendInfo();
            log.appendAsLeader(batch(CompressionType.NONE, 0, 9, 0), 0, info);
            assertEquals(0, log.recoveryPoint(), "9 records: not yet");
            log.appendAsLeader(batch(CompressionType.NONE, 9, 1, 0), 0, info);
            assertEquals(10, log.recoveryPoint(), "the tenth record forces a flush");
            log.appendAsLeader(batch(CompressionType.NONE, 10, 3, 0), 0, info);
            assertEquals(10, log.recoveryPoint());
        }
        finally
        {
            log.close();
        }
    }

    @Test
    void shouldFlushByFlushMsAndCheckpointRecoveryPointsInTheBackground()
    {
        final MockTime time = new MockTime(1_700_000_000_000L);
        final LogConfig config = LogConfig.defaults().with(Map.of(LogConfig.FLUSH_MS, 1_000L));
        final LogManager manager = new LogManager(new LogManagerConfig(Map.of(
            LogManagerConfig.LOG_DIRS, dir.toString(),
            LogManagerConfig.FLUSH_SCHEDULER_INTERVAL_MS, 10L,
            LogManagerConfig.FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, 10L)), config, topic -> null, time);
        manager.startup();
        try
        {
            final TopicPartition tp = new TopicPartition("f", 1);
            final Log log = manager.getOrCreateLog(tp, config);
            log.appendAsLeader(batch(CompressionType.NONE, 0, 5, time.milliseconds()), 0, new LogAppendInfo());
            assertEquals(0, log.recoveryPoint());
            time.sleep(1_000);
            waitUntil(() -> log.recoveryPoint() == 5, Duration.ofSeconds(10), () -> "flush.ms did not flush");
            waitUntil(() -> Long.valueOf(5).equals(new io.sluice.storage.checkpoint.OffsetCheckpointFile(
                dir.resolve(DataDirectory.RECOVERY_POINT_CHECKPOINT)).read().get(tp)), Duration.ofSeconds(10),
                () -> "recovery point not checkpointed");
        }
        finally
        {
            manager.shutdown();
        }
    }

    @Test
    void shouldCompactInTheBackground()
    {
        final LogConfig config = LogConfig.defaults().with(Map.of(LogConfig.CLEANUP_POLICY, "compact",
            LogConfig.SEGMENT_BYTES, 1024, LogConfig.FILE_DELETE_DELAY_MS, 0L));
        final LogManager manager = new LogManager(new LogManagerConfig(Map.of(
            LogManagerConfig.LOG_DIRS, dir.toString(), LogManagerConfig.CLEANER_BACKOFF_MS, 10L)), config);
        manager.startup();
        try
        {
            final Log log = manager.getOrCreateLog(new TopicPartition("compacted", 0), config);
            final LogAppendInfo info = new LogAppendInfo();
            for (int i = 0; i < 200; i++)
            {
                log.appendAsLeader(keyed(System.currentTimeMillis(), "k" + (i % 3), "v" + i), 0, info);
            }
            final long activeBase = log.segments().get(log.segmentCount() - 1).baseOffset();
            waitUntil(() -> readAll(log, 0).stream().filter(r -> r.offset() < activeBase).count() <= 3,
                Duration.ofSeconds(20), () -> "the cleaner did not compact");
            assertTrue(readAll(log, 0).stream().anyMatch(r -> "v199".equals(string(r.value()))));
        }
        finally
        {
            manager.shutdown();
        }
    }
}
