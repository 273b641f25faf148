package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.StorageException;
import io.sluice.common.utils.Time;
import io.sluice.storage.cleaner.LogCleaner;
import io.sluice.storage.util.LogFileNames;
import io.sluice.storage.util.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * All partition logs of one broker across its data directories: opens them at start (recovering after a crash),
 * creates and deletes them, and runs the background work: retention, time-based flushes, checkpoints and the
 * cleaner. On {@link #shutdown()} it flushes and closes every log, writes the checkpoints and leaves a
 * clean-shutdown marker so the next start skips recovery.
 */
public final class LogManager implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final LogManagerConfig config;
    private final LogConfig defaultLogConfig;
    private final Function<String, LogConfig> topicConfigs;
    private final Time time;
    private final Scheduler scheduler;
    private final List<DataDirectory> dirs = new ArrayList<>();
    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    private final Map<TopicPartition, DataDirectory> logDirs = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private LogCleaner cleaner;
    private volatile boolean shutDown;

    /**
     * Opens every data directory and loads every log in them.
     *
     * @param topicConfigs the config of a topic's logs, by topic name, for the logs found on disk; the default
     *                     config where it returns null.
     */
    public LogManager(final LogManagerConfig config, final LogConfig defaultLogConfig,
        final Function<String, LogConfig> topicConfigs, final Time time)
    {
        this.config = config;
        this.defaultLogConfig = defaultLogConfig;
        this.topicConfigs = topicConfigs;
        this.time = time;
        this.scheduler = new Scheduler(2, "log-manager");
        try
        {
            for (final Path path : config.logDirs)
            {
                dirs.add(DataDirectory.open(path));
            }
            loadLogs();
        }
        catch (final RuntimeException e)
        {
            for (final Log log : logs.values())
            {
                log.close();
            }
            dirs.forEach(DataDirectory::close);
            scheduler.close();
            throw e;
        }
    }

    public LogManager(final LogManagerConfig config, final LogConfig defaultLogConfig)
    {
        this(config, defaultLogConfig, topic -> null, Time.SYSTEM);
    }

    private void loadLogs()
    {
        final long start = time.nanoseconds();
        for (final DataDirectory dir : dirs)
        {
            final boolean clean = dir.hadCleanShutdown();
            final Map<TopicPartition, Long> recoveryPoints = dir.recoveryPoints.read();
            final Map<TopicPartition, Long> logStarts = dir.logStartOffsets.read();
            final List<Path> partitionDirs = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.path(), Files::isDirectory))
            {
                for (final Path child : stream)
                {
                    if (child.getFileName().toString().endsWith(LogFileNames.DELETE_DIR_SUFFIX))
                    {
                        deleteRecursively(child);
                    }
                    else
                    {
                        partitionDirs.add(child);
                    }
                }
            }
            catch (final IOException e)
            {
                throw new StorageException("Could not list data directory " + dir.path() + ": " + e, e);
            }
            if (!clean && !partitionDirs.isEmpty())
            {
                LOG.warn("Data directory {} was not shut down cleanly; recovering {} partition(s) past their "
                    + "recovery points", dir.path(), partitionDirs.size());
            }
            final ExecutorService pool = Executors.newFixedThreadPool(config.recoveryThreadsPerDataDir, r ->
            {
                final Thread thread = new Thread(r, "log-loader-" + dir.path().getFileName());
                thread.setDaemon(true);
                return thread;
            });
            try
            {
                final List<Future<Log>> futures = new ArrayList<>(partitionDirs.size());
                for (final Path partitionDir : partitionDirs)
                {
                    final TopicPartition tp;
                    try
                    {
                        tp = TopicPartition.parse(partitionDir.getFileName().toString());
                    }
                    catch (final IllegalArgumentException e)
                    {
                        // Hidden directories hold the broker's own state (the metadata quorum), not stray files.
                        if (!partitionDir.getFileName().toString().startsWith("."))
                        {
                            LOG.warn("Ignoring {} in data directory {}: not a partition directory", partitionDir,
                                dir.path());
                        }
                        continue;
                    }
                    futures.add(pool.submit(() -> Log.open(partitionDir, tp, configFor(tp.topic()), clean,
                        recoveryPoints.getOrDefault(tp, 0L), logStarts.getOrDefault(tp, 0L), time, scheduler,
                        e -> onLogFailure(dir, e))));
                }
                for (final Future<Log> future : futures)
                {
                    final Log log = future.get();
                    if (logs.putIfAbsent(log.topicPartition(), log) != null)
                    {
                        throw new StorageException("Partition " + log.topicPartition()
                            + " exists in more than one data directory, including " + log.dir());
                    }
                    logDirs.put(log.topicPartition(), dir);
                }
            }
            catch (final ExecutionException e)
            {
                final Throwable cause = e.getCause();
                if (cause instanceof RuntimeException)
                {
                    throw (RuntimeException)cause;
                }
                throw new StorageException("Could not load logs in " + dir.path() + ": " + cause, cause);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new StorageException("Interrupted while loading logs in " + dir.path());
            }
            finally
            {
                pool.shutdownNow();
            }
            dir.clearCleanShutdownMarker();
        }
        LOG.info("Loaded {} partition log(s) from {} data director{} in {} ms", logs.size(), dirs.size(),
            dirs.size() == 1 ? "y" : "ies", (time.nanoseconds() - start) / 1_000_000);
    }

    private LogConfig configFor(final String topic)
    {
        final LogConfig topicConfig = topicConfigs.apply(topic);
        return topicConfig != null ? topicConfig : defaultLogConfig;
    }

    private void onLogFailure(final DataDirectory dir, final StorageException e)
    {
        if (dir.failure() == null)
        {
            LOG.error("Data directory {} failed: {}", dir.path(), e.getMessage());
        }
        dir.markFailed(e);
    }

    /** Starts retention, flushing, checkpointing and (if enabled) the cleaner. */
    public void startup()
    {
        scheduler.schedulePeriodic("log-retention", this::cleanupLogs, config.retentionCheckIntervalMs,
            config.retentionCheckIntervalMs);
        scheduler.schedulePeriodic("log-flusher", this::flushDirtyLogs, config.flushSchedulerIntervalMs,
            config.flushSchedulerIntervalMs);
        scheduler.schedulePeriodic("recovery-point-checkpoint", this::checkpointRecoveryPoints,
            config.flushOffsetCheckpointIntervalMs, config.flushOffsetCheckpointIntervalMs);
        scheduler.schedulePeriodic("log-start-offset-checkpoint", this::checkpointLogStartOffsets,
            config.flushStartOffsetCheckpointIntervalMs, config.flushStartOffsetCheckpointIntervalMs);
        if (config.cleanerEnable)
        {
            cleaner = new LogCleaner(this, time, config.cleanerBackoffMs);
            cleaner.start();
        }
    }

    public Optional<Log> getLog(final TopicPartition tp)
    {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<Log> allLogs()
    {
        return logs.values();
    }

    public List<Path> dataDirectories()
    {
        final List<Path> paths = new ArrayList<>();
        dirs.forEach(d -> paths.add(d.path()));
        return paths;
    }

    /** Returns the partition's log, creating it (in the data directory with the fewest logs) if needed. */
    public Log getOrCreateLog(final TopicPartition tp, final LogConfig logConfig)
    {
        final Log existing = logs.get(tp);
        if (existing != null)
        {
            return existing;
        }
        synchronized (createLock)
        {
            final Log again = logs.get(tp);
            if (again != null)
            {
                return again;
            }
            if (shutDown)
            {
                throw new StorageException("The log manager is shut down");
            }
            final DataDirectory dir = pickDirectory();
            final Path partitionDir = dir.path().resolve(tp.toString());
            try
            {
                Files.createDirectories(partitionDir);
            }
            catch (final IOException e)
            {
                throw new StorageException("Could not create partition directory " + partitionDir + ": " + e, e);
            }
            final Log log = Log.open(partitionDir, tp, logConfig, true, 0L, 0L, time, scheduler,
                e -> onLogFailure(dir, e));
            logs.put(tp, log);
            logDirs.put(tp, dir);
            LOG.info("Created log for partition {} in {}", tp, partitionDir);
            return log;
        }
    }

    private DataDirectory pickDirectory()
    {
        final Map<DataDirectory, Integer> counts = new HashMap<>();
        for (final DataDirectory dir : dirs)
        {
            if (dir.failure() == null)
            {
                counts.put(dir, 0);
            }
        }
        if (counts.isEmpty())
        {
            throw new StorageException("No data directory is online; " + dirs.get(0).path() + " failed: "
                + dirs.get(0).failure().getMessage());
        }
        logDirs.values().forEach(d -> counts.computeIfPresent(d, (k, v) -> v + 1));
        DataDirectory best = null;
        for (final DataDirectory dir : dirs)
        {
            if (counts.containsKey(dir) && (best == null || counts.get(dir) < counts.get(best)))
            {
                best = dir;
            }
        }
        return best;
    }

    /**
     * Removes a partition's log: it is closed at once and its directory renamed, then deleted in the background.
     */
    public void deleteLog(final TopicPartition tp)
    {
        final Log log;
        synchronized (createLock)
        {
            log = logs.remove(tp);
            logDirs.remove(tp);
        }
        if (log == null)
        {
            return;
        }
        if (cleaner != null)
        {
            cleaner.abortAndPause(tp);
        }
        log.close();
        final Path renamed = log.dir().resolveSibling(tp + "." + UUID.randomUUID().toString().replace("-", "")
            + LogFileNames.DELETE_DIR_SUFFIX);
        try
        {
            Files.move(log.dir(), renamed);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not rename " + log.dir() + " for deletion: " + e, e);
        }
        if (cleaner != null)
        {
            cleaner.resume(tp);
        }
        scheduler.schedule("delete-" + tp, () -> deleteRecursively(renamed), 0);
        LOG.info("Deleted log for partition {}", tp);
    }

    /** Runs retention over every log once; returns the number of segments deleted. */
    public int cleanupLogs()
    {
        int deleted = 0;
        for (final Log log : logs.values())
        {
            deleted += log.deleteOldSegments();
        }
        return deleted;
    }

    private void flushDirtyLogs()
    {
        final long now = time.milliseconds();
        for (final Log log : logs.values())
        {
            if (!log.isClosed() && log.failure() == null)
            {
                log.flushIfDue(now);
            }
        }
    }

    public void checkpointRecoveryPoints()
    {
        for (final DataDirectory dir : dirs)
        {
            if (dir.failure() == null)
            {
                dir.writeRecoveryPoints(offsetsIn(dir, Log::recoveryPoint));
            }
        }
    }

    public void checkpointLogStartOffsets()
    {
        for (final DataDirectory dir : dirs)
        {
            if (dir.failure() == null)
            {
                dir.writeLogStartOffsets(offsetsIn(dir, Log::logStartOffset));
            }
        }
    }

    private Map<TopicPartition, Long> offsetsIn(final DataDirectory dir, final Function<Log, Long> offset)
    {
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        for (final Map.Entry<TopicPartition, DataDirectory> entry : logDirs.entrySet())
        {
            final Log log = logs.get(entry.getKey());
            if (entry.getValue() == dir && log != null)
            {
                offsets.put(entry.getKey(), offset.apply(log));
            }
        }
        return offsets;
    }

    /** The cleaner's checkpoint of cleaned offsets, for the data directory holding {@code tp}. */
    public Map<TopicPartition, Long> readCleanerCheckpoint(final TopicPartition tp)
    {
        final DataDirectory dir = logDirs.get(tp);
        return dir == null ? Map.of() : dir.cleanerOffsets.read();
    }

    /** Stores the first uncleaned offset of {@code tp} in its data directory's cleaner checkpoint. */
    public synchronized void writeCleanerCheckpoint(final TopicPartition tp, final long firstDirtyOffset)
    {
        final DataDirectory dir = logDirs.get(tp);
        if (dir == null)
        {
            return;
        }
        final Map<TopicPartition, Long> offsets = dir.cleanerOffsets.read();
        offsets.keySet().removeIf(p -> !logs.containsKey(p));
        offsets.put(tp, firstDirtyOffset);
        dir.cleanerOffsets.write(offsets);
    }

    public LogCleaner cleaner()
    {
        return cleaner;
    }

    /** Whether any data directory failed. */
    public List<Path> offlineDirectories()
    {
        final List<Path> offline = new ArrayList<>();
        dirs.stream().filter(d -> d.failure() != null).forEach(d -> offline.add(d.path()));
        return offline;
    }

    /**
     * Stops background work, flushes and closes every log, writes the checkpoints and the clean-shutdown marker of
     * each healthy data directory, and releases the directory locks.
     */
    public void shutdown()
    {
        synchronized (createLock)
        {
            if (shutDown)
            {
                return;
            }
            shutDown = true;
        }
        if (cleaner != null)
        {
            cleaner.shutdown();
        }
        scheduler.close();
        for (final Log log : logs.values())
        {
            try
            {
                if (log.failure() == null)
                {
                    log.flush(log.logEndOffset());
                }
            }
            catch (final StorageException e)
            {
                LOG.error("Could not flush partition {} on shutdown: {}", log.topicPartition(), e.getMessage());
            }
            log.close();
        }
        for (final DataDirectory dir : dirs)
        {
            try
            {
                if (dir.failure() == null)
                {
                    dir.writeRecoveryPoints(offsetsIn(dir, Log::recoveryPoint));
                    dir.writeLogStartOffsets(offsetsIn(dir, Log::logStartOffset));
                    dir.writeCleanShutdownMarker();
                }
            }
            finally
            {
                dir.close();
            }
        }
        LOG.info("Log manager shut down cleanly: {} partition log(s) closed", logs.size());
    }

    @Override
    public void close()
    {
        shutdown();
    }

    static void deleteRecursively(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
                {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not delete " + root + ": " + e, e);
        }
    }
}
