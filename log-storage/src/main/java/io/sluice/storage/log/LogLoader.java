package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.StorageException;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.RecoveryResult;
import io.sluice.storage.util.LogFileNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Opens a partition directory: removes leftovers of interrupted deletions and cleanings, completes interrupted
 * segment swaps, opens the segments and, after an unclean shutdown, recovers every segment from the recovery point
 * on, truncating the log at the first invalid byte. Kept apart from {@link Log} because it runs once, before the
 * log serves anyone, and holds all of the restart logic in one place.
 */
final class LogLoader
{
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** What loading found. */
    static final class Loaded
    {
        final LogSegments segments;
        final long logEndOffset;
        final long logStartOffset;
        final long recoveryPoint;

        Loaded(final LogSegments segments, final long logEndOffset, final long logStartOffset,
            final long recoveryPoint)
        {
            this.segments = segments;
            this.logEndOffset = logEndOffset;
            this.logStartOffset = logStartOffset;
            this.recoveryPoint = recoveryPoint;
        }
    }

    private LogLoader()
    {
    }

    static Loaded load(final Path dir, final TopicPartition topicPartition, final LogConfig config,
        final boolean hadCleanShutdown, final long recoveryPointCheckpoint, final long logStartOffsetCheckpoint,
        final long nowMs)
    {
        try
        {
            final TreeMap<Long, Path> logFiles = scan(dir);
            final LogSegments segments = new LogSegments();
            final Long last = logFiles.isEmpty() ? null : logFiles.lastKey();
            for (final Long baseOffset : logFiles.keySet())
            {
                segments.add(LogSegment.open(dir, baseOffset, config.indexIntervalBytes, config.segmentIndexBytes,
                    baseOffset.equals(last), nowMs));
            }

            long recoveryPoint = recoveryPointCheckpoint;
            if (!hadCleanShutdown && !segments.isEmpty())
            {
                recoveryPoint = recover(topicPartition, segments, recoveryPoint, dir);
            }
            if (segments.isEmpty())
            {
                final long start = Math.max(0, logStartOffsetCheckpoint);
                segments.add(LogSegment.create(dir, start, config.indexIntervalBytes, config.segmentIndexBytes,
                    nowMs));
            }
            final LogSegment active = segments.active();
            active.loadIndexes();
            active.onBecomeActive();
            final long logEndOffset = active.readNextOffset();
            final long logStartOffset = Math.max(logStartOffsetCheckpoint, segments.first().baseOffset());
            return new Loaded(segments, logEndOffset, Math.min(logStartOffset, logEndOffset),
                Math.min(recoveryPoint, logEndOffset));
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not load partition directory " + dir + ": " + e, e);
        }
    }

    /** Lists the segments by base offset after cleaning up leftovers. */
    private static TreeMap<Long, Path> scan(final Path dir) throws IOException
    {
        final List<Path> swaps = new ArrayList<>();
        final TreeMap<Long, Path> logs = new TreeMap<>();
        final List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path file : stream)
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(LogFileNames.DELETED_SUFFIX) || name.endsWith(LogFileNames.CLEANED_SUFFIX)
                    || name.endsWith(".tmp"))
                {
                    Files.deleteIfExists(file);
                }
                else if (name.endsWith(LogFileNames.SWAP_SUFFIX))
                {
                    swaps.add(file);
                }
                else if (LogFileNames.baseOffsetOf(name) >= 0 && name.endsWith(LogFileNames.LOG_SUFFIX))
                {
                    logs.put(LogFileNames.baseOffsetOf(name), file);
                }
                else if (LogFileNames.baseOffsetOf(name) >= 0)
                {
                    indexes.add(file);
                }
            }
        }
        completeSwaps(dir, swaps, logs);
        for (final Path index : indexes)
        {
            if (!logs.containsKey(LogFileNames.baseOffsetOf(index.getFileName().toString())))
            {
                LOG.info("Deleting {}: its segment's log file is gone", index);
                Files.deleteIfExists(index);
            }
        }
        return logs;
    }

    /**
     * A {@code .log.swap} file is a finished cleaned segment whose swap a crash interrupted. The cleaner renames to
     * {@code .swap} only after the cleaned data is complete and fsynced, so finishing the job is always safe: it
     * replaces the segment with the same base offset.
     */
    private static void completeSwaps(final Path dir, final List<Path> swaps, final TreeMap<Long, Path> logs)
        throws IOException
    {
        swaps.sort(null);
        for (final Path swap : swaps)
        {
            final String name = swap.getFileName().toString();
            final String original = name.substring(0, name.length() - LogFileNames.SWAP_SUFFIX.length());
            final Path target = dir.resolve(original);
            Files.move(swap, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Completed an interrupted segment swap: {}", target);
            if (original.endsWith(LogFileNames.LOG_SUFFIX))
            {
                final long base = LogFileNames.baseOffsetOf(original);
                logs.put(base, target);
                // The old segment's indexes describe the old data; the new ones are rebuilt on open.
                Files.deleteIfExists(LogFileNames.indexFile(dir, base));
                Files.deleteIfExists(LogFileNames.timeIndexFile(dir, base));
            }
        }
    }

    /**
     * Recovers the segments from the one holding {@code recoveryPoint} on. Returns the new recovery point: the log
     * end after recovery, since every byte below it has now been checked.
     */
    private static long recover(final TopicPartition topicPartition, final LogSegments segments,
        final long recoveryPoint, final Path dir)
    {
        LogSegment segment = segments.floor(recoveryPoint);
        if (segment == null)
        {
            segment = segments.first();
        }
        long checked = 0;
        while (segment != null)
        {
            final RecoveryResult result = segment.recover(Long.MAX_VALUE);
            checked++;
            if (result.corruption != null)
            {
                LOG.warn("Partition {}: segment {} holds {} after position {}; truncated {} bytes there",
                    topicPartition, segment.logFile(), result.corruption, result.validBytes,
                    result.truncatedBytes);
                final List<LogSegment> later = segments.range(segment.baseOffset() + 1, Long.MAX_VALUE);
                for (final LogSegment doomed : later)
                {
                    LOG.warn("Partition {}: deleting segment {}, which follows the corruption", topicPartition,
                        doomed.logFile());
                    segments.remove(doomed);
                    doomed.deleteFiles();
                }
                break;
            }
            segment = segments.higher(segment.baseOffset());
        }
        LOG.info("Partition {}: recovered {} segment(s) in {} after an unclean shutdown", topicPartition, checked,
            dir);
        return segments.active().readNextOffset();
    }
}
