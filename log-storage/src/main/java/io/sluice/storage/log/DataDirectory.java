package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.StorageException;
import io.sluice.storage.checkpoint.CheckpointFile;
import io.sluice.storage.checkpoint.OffsetCheckpointFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One data directory: checked and locked at start, with its checkpoints (recovery points, log start offsets) and
 * its clean-shutdown marker. Every failure names the path and says what is wrong with it.
 */
final class DataDirectory implements AutoCloseable
{
    static final String LOCK_FILE = ".lock";
    static final String CLEAN_SHUTDOWN_FILE = ".sluice_cleanshutdown";
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean hadCleanShutdown;
    final OffsetCheckpointFile recoveryPoints;
    final OffsetCheckpointFile logStartOffsets;
    final OffsetCheckpointFile cleanerOffsets;
    private volatile StorageException failure;

    private DataDirectory(final Path path, final FileChannel lockChannel, final FileLock lock,
        final boolean hadCleanShutdown)
    {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.hadCleanShutdown = hadCleanShutdown;
        this.recoveryPoints = new OffsetCheckpointFile(path.resolve(RECOVERY_POINT_CHECKPOINT));
        this.logStartOffsets = new OffsetCheckpointFile(path.resolve(LOG_START_OFFSET_CHECKPOINT));
        this.cleanerOffsets = new OffsetCheckpointFile(path.resolve(CLEANER_OFFSET_CHECKPOINT));
    }

    /** Creates the directory if missing, checks it is a writable directory, and locks it against a second broker. */
    static DataDirectory open(final Path path)
    {
        if (Files.exists(path) && !Files.isDirectory(path))
        {
            throw new StorageException("Data directory " + path + " exists but is not a directory");
        }
        try
        {
            Files.createDirectories(path);
        }
        catch (final IOException e)
        {
            throw new StorageException("Data directory " + path + " does not exist and cannot be created: "
                + describe(e), e);
        }
        final Path lockFile = path.resolve(LOCK_FILE);
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        catch (final IOException e)
        {
            throw new StorageException("Data directory " + path + " is not writable: " + describe(e), e);
        }
        FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException e)
        {
            lock = null;
        }
        catch (final IOException e)
        {
            closeQuietly(channel);
            throw new StorageException("Could not lock data directory " + path + ": " + e, e);
        }
        if (lock == null)
        {
            closeQuietly(channel);
            throw new StorageException("Data directory " + path
                + " is in use by another broker or log manager (it holds the lock on " + lockFile + ")");
        }
        final Path marker = path.resolve(CLEAN_SHUTDOWN_FILE);
        final boolean clean = Files.exists(marker);
        final DataDirectory dir = new DataDirectory(path, channel, lock, clean);
        try
        {
            // A probe write: a read-only or full directory fails here, before any partition is touched.
            final Path probe = path.resolve(".write-probe.tmp");
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
        }
        catch (final IOException e)
        {
            dir.close();
            throw new StorageException("Data directory " + path + " is not writable: " + describe(e), e);
        }
        return dir;
    }

    private static String describe(final IOException e)
    {
        if (e instanceof AccessDeniedException)
        {
            return "permission denied";
        }
        if (e instanceof FileSystemException && ((FileSystemException)e).getReason() != null)
        {
            return ((FileSystemException)e).getReason();
        }
        return e.toString();
    }

    Path path()
    {
        return path;
    }

    boolean hadCleanShutdown()
    {
        return hadCleanShutdown;
    }

    /** Removes the marker once logs are loaded, so a crash from now on is seen as unclean. */
    void clearCleanShutdownMarker()
    {
        try
        {
            Files.deleteIfExists(path.resolve(CLEAN_SHUTDOWN_FILE));
            CheckpointFile.fsyncDirectory(path);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not remove the clean-shutdown marker in " + path + ": " + e, e);
        }
    }

    void writeCleanShutdownMarker()
    {
        try
        {
            Files.write(path.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
            CheckpointFile.fsyncDirectory(path);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not write the clean-shutdown marker in " + path + ": " + e, e);
        }
    }

    void writeRecoveryPoints(final Map<TopicPartition, Long> offsets)
    {
        recoveryPoints.write(offsets);
    }

    void writeLogStartOffsets(final Map<TopicPartition, Long> offsets)
    {
        logStartOffsets.write(offsets);
    }

    void markFailed(final StorageException e)
    {
        if (failure == null)
        {
            failure = e;
        }
    }

    StorageException failure()
    {
        return failure;
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException e)
        {
            // The channel close below releases the lock anyway.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closing a lock file cannot lose data.
        }
    }
}
