package io.sluice.storage.epoch;

import io.sluice.common.errors.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaderEpochFileCacheTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerEndOffsetsAndPersistAcrossReopen()
    {
        final Path file = dir.resolve("leader-epoch-checkpoint");
        final LeaderEpochFileCache cache = new LeaderEpochFileCache(file);
        cache.assign(1, 0);
        cache.assign(1, 5);
        cache.assign(3, 10);
        cache.assign(2, 12);
        cache.assign(5, 20);
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(3, 10), new EpochEntry(5, 20)), cache.entries());
        assertEquals(new EpochEntry(1, 10), cache.endOffsetFor(1, 30));
        assertEquals(new EpochEntry(3, 20), cache.endOffsetFor(4, 30), "unknown epoch: end of the one below");
        assertEquals(new EpochEntry(5, 30), cache.endOffsetFor(5, 30));
        assertEquals(new EpochEntry(-1, LeaderEpochFileCache.UNDEFINED_OFFSET), cache.endOffsetFor(0, 30));

        final LeaderEpochFileCache reopened = new LeaderEpochFileCache(file);
        assertEquals(cache.entries(), reopened.entries());
        reopened.truncateFromEnd(15);
        assertEquals(3, reopened.latestEpoch());
        reopened.truncateFromStart(12);
        assertEquals(List.of(new EpochEntry(3, 12)), new LeaderEpochFileCache(file).entries());
    }

    @Test
    void shouldRefuseAMalformedFileNamingIt() throws Exception
    {
        final Path file = dir.resolve("leader-epoch-checkpoint");
        Files.writeString(file, "0\n2\n1 0\n");
        final StorageException e = assertThrows(StorageException.class, () -> new LeaderEpochFileCache(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
