package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.StorageException;
import io.sluice.common.record.CompressionType;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.test.TinyFileSystem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.sluice.storage.test.TestUtils.batch;
import static io.sluice.storage.test.TestUtils.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A data directory that is missing, not a directory, locked, read-only or full fails with its path named. */
class DataDirectoryTest
{
    @TempDir
    Path tmp;

    private static LogManager open(final Path dir, final Map<String, ?> logConfig)
    {
        return new LogManager(LogManagerConfig.forDirs(dir), LogConfig.defaults().with(logConfig));
    }

    private static void assertNamesPath(final StorageException e, final Path path, final String words)
    {
        assertTrue(e.getMessage().contains(path.toString()), "message should name " + path + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(words), "message should say '" + words + "': " + e.getMessage());
    }

    @Test
    void shouldCreateAMissingDirectory()
    {
        final Path dir = tmp.resolve("a/b/data");
        open(dir, Map.of()).shutdown();
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void shouldRefuseAFileOrAnUncreatableDirectory() throws Exception
    {
        final Path file = Files.createFile(tmp.resolve("plain-file"));
        assertNamesPath(assertThrows(StorageException.class, () -> open(file, Map.of())), file,
            "is not a directory");
        final Path under = file.resolve("data");
        assertNamesPath(assertThrows(StorageException.class, () -> open(under, Map.of())), under,
            "cannot be created");
    }

    @Test
    void shouldRefuseADirectoryAlreadyInUse()
    {
        final LogManager first = open(tmp, Map.of());
        try
        {
            assertNamesPath(assertThrows(StorageException.class, () -> open(tmp, Map.of())), tmp, "in use");
        }
        finally
        {
            first.shutdown();
        }
        open(tmp, Map.of()).shutdown();
    }

    @Test
    void shouldRefuseAReadOnlyDirectory() throws Exception
    {
        Assumptions.assumeTrue(TinyFileSystem.canMount(), "mounting a read-only file system needs root");
        try (TinyFileSystem fs = TinyFileSystem.mount(tmp, 1 << 20, true))
        {
            assertNamesPath(assertThrows(StorageException.class, () -> open(fs.path(), Map.of())), fs.path(),
                "not writable");
            final Path missing = fs.path().resolve("data");
            assertNamesPath(assertThrows(StorageException.class, () -> open(missing, Map.of())), missing,
                "cannot be created");
        }
    }

    @Test
    void shouldFailAppendsOnAFullDirectoryWithoutLosingWhatWasWritten() throws Exception
    {
        Assumptions.assumeTrue(TinyFileSystem.canMount(), "mounting a tiny file system needs root");
        try (TinyFileSystem fs = TinyFileSystem.mount(tmp, 1 << 20, false))
        {
            final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 128 * 1024,
                LogConfig.SEGMENT_INDEX_BYTES, 4096);
            final LogManager manager = open(fs.path(), config);
            final TopicPartition tp = new TopicPartition("full", 0);
            final Log log = manager.getOrCreateLog(tp, LogConfig.defaults().with(config));
            final LogAppendInfo info = new LogAppendInfo();
            long acknowledged = 0;
            StorageException failure = null;
            for (int i = 0; i < 100_000 && failure == null; i++)
            {
                try
                {
                    log.appendAsLeader(batch(CompressionType.NONE, i, 20, System.currentTimeMillis()), 0, info);
                    acknowledged = info.lastOffset + 1;
                }
                catch (final StorageException e)
                {
                    failure = e;
                }
            }
            assertTrue(failure != null, "a 1 MiB file system must fill up");
            assertTrue(failure.getMessage().contains(fs.path().toString()), failure.getMessage());
            assertTrue(failure.getMessage().contains("space") || failure.getMessage().contains("full"),
                failure.getMessage());
            final StorageException again = assertThrows(StorageException.class,
                () -> log.appendAsLeader(batch(CompressionType.NONE, 0, 1, 0), 0, info));
            assertTrue(again.getMessage().contains("offline"), again.getMessage());
            assertEquals(acknowledged, log.logEndOffset());
            assertEquals(acknowledged, readAll(log, 0).size(), "every acknowledged record is still readable");
            assertEquals(1, manager.offlineDirectories().size());
            manager.shutdown();
        }
    }

    @Test
    void shouldKeepAppendingPastAWriteWindowWhileTheFileSystemHasRoomForTheRecords() throws Exception
    {
        Assumptions.assumeTrue(TinyFileSystem.canMount(), "mounting a tiny file system needs root");
        try (TinyFileSystem fs = TinyFileSystem.mount(tmp, 80L << 20, false))
        {
            final Map<String, Object> config = Map.of(LogConfig.SEGMENT_BYTES, 64 << 20);
            final LogManager manager = open(fs.path(), config);
            final Log log = manager.getOrCreateLog(new TopicPartition("roomy", 0), LogConfig.defaults().with(config));
            final LogAppendInfo info = new LogAppendInfo();
            log.appendAsLeader(batch(CompressionType.NONE, 0, 50, System.currentTimeMillis()), 0, info);
            // Something else takes half the file system: the rest of the 64 MiB segment no longer fits, but the
            // next 20 MiB of records, past the end of the first write window, do.
            Files.write(fs.path().resolve("ballast"), new byte[40 << 20]);
            while (log.sizeInBytes() < LogSegment.WRITE_WINDOW + (4 << 20))
            {
                log.appendAsLeader(batch(CompressionType.NONE, (int)log.logEndOffset(), 50,
                    System.currentTimeMillis()), 0, info);
            }
            assertEquals(1, log.segmentCount());
            assertEquals(log.logEndOffset(), readAll(log, 0).size());
            manager.shutdown();
        }
    }
}
