package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.ConfigException;
import io.sluice.common.record.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogManagerTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldSpreadPartitionsOverDirectoriesAndReopenThemAfterACleanShutdown()
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        LogManager manager = new LogManager(LogManagerConfig.forDirs(a, b), LogConfig.defaults());
        final LogAppendInfo info = new LogAppendInfo();
        for (int p = 0; p < 6; p++)
        {
            manager.getOrCreateLog(new TopicPartition("t", p), LogConfig.defaults())
                .appendAsLeader(batch(CompressionType.NONE, 0, p + 1, 0), 0, info);
        }
        manager.shutdown();
        assertTrue(Files.exists(a.resolve(DataDirectory.CLEAN_SHUTDOWN_FILE)));
        try (var listing = Files.list(a))
        {
            assertEquals(3, listing.filter(Files::isDirectory).count());
        }
        catch (final java.io.IOException e)
        {
            throw new AssertionError(e);
        }
        manager = new LogManager(LogManagerConfig.forDirs(a, b), LogConfig.defaults());
        try
        {
            assertFalse(Files.exists(a.resolve(DataDirectory.CLEAN_SHUTDOWN_FILE)),
                "the marker goes once loaded, so a crash from now on is seen");
            assertEquals(6, manager.allLogs().size());
            for (int p = 0; p < 6; p++)
            {
                final Log log = manager.getLog(new TopicPartition("t", p)).orElseThrow();
                assertEquals(p + 1, log.logEndOffset());
                assertEquals(p + 1, log.recoveryPoint(), "a clean shutdown flushes everything");
                assertEquals(p + 1, readAll(log, 0).size());
            }
        }
        finally
        {
            manager.shutdown();
        }
    }

    @Test
    void shouldDeleteALogInTheBackground()
    {
        final LogManager manager = new LogManager(LogManagerConfig.forDirs(tmp), LogConfig.defaults());
        try
        {
            final TopicPartition tp = new TopicPartition("doomed", 0);
            manager.getOrCreateLog(tp, LogConfig.defaults())
                .appendAsLeader(batch(CompressionType.NONE, 0, 3, 0), 0, new LogAppendInfo());
            manager.deleteLog(tp);
            assertTrue(manager.getLog(tp).isEmpty());
            waitUntil(() -> !Files.exists(tmp.resolve("doomed-0")) && countDirs() == 0, Duration.ofSeconds(10),
                () -> "partition directory still present");
            final Log recreated = manager.getOrCreateLog(tp, LogConfig.defaults());
            assertEquals(0, recreated.logEndOffset(), "a recreated partition starts empty");
        }
        finally
        {
            manager.shutdown();
        }
    }

    private long countDirs()
    {
        try (var listing = Files.list(tmp))
        {
            return listing.filter(Files::isDirectory).count();
        }
        catch (final java.io.IOException e)
        {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseUnknownKeysAndBadValuesNamingTheKey()
    {
        final ConfigException unknown = assertThrows(ConfigException.class,
            () -> LogConfig.defaults().with(Map.of("segment.byte", "1000")));
        assertTrue(unknown.getMessage().contains("segment.byte"), unknown.getMessage());
        final ConfigException bad = assertThrows(ConfigException.class,
            () -> LogConfig.defaults().with(Map.of(LogConfig.RETENTION_MS, "soon")));
        assertTrue(bad.getMessage().contains(LogConfig.RETENTION_MS), bad.getMessage());
        final ConfigException range = assertThrows(ConfigException.class,
            () -> LogConfig.defaults().with(Map.of(LogConfig.SEGMENT_BYTES, "10")));
        assertTrue(range.getMessage().contains(LogConfig.SEGMENT_BYTES), range.getMessage());
        final ConfigException policy = assertThrows(ConfigException.class,
            () -> LogConfig.defaults().with(Map.of(LogConfig.CLEANUP_POLICY, "compact,shred")));
        assertTrue(policy.getMessage().contains("shred"), policy.getMessage());
        assertTrue(LogConfig.defaults().with(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete")).compact);
    }
}
