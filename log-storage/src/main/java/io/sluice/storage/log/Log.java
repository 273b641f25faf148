package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.InvalidRecordException;
import io.sluice.common.errors.OffsetOutOfRangeException;
import io.sluice.common.errors.RecordTooLargeException;
import io.sluice.common.errors.StorageException;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.utils.Time;
import io.sluice.storage.epoch.EpochEntry;
import io.sluice.storage.epoch.LeaderEpochFileCache;
import io.sluice.storage.segment.FileSlice;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.TimestampAndOffset;
import io.sluice.storage.util.LogFileNames;
import io.sluice.storage.util.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s, the last of which is active and takes appends.
 *
 * <p>Thread-safety: one writer at a time. Appends, rolls, truncations, retention and segment swaps take the log's
 * lock; reads take no lock at all. They see the segment map (a concurrent skip list) and the published log end
 * offset, and each segment publishes its size only after a batch is completely in place, so a reader always sees
 * a prefix of whole batches.
 *
 * <p>Failure: the first storage error is sticky. Every later append fails with the same error, so nothing is
 * written after a failure; the owner ({@link LogManager}) is told so it can take the data directory offline.
 */
public final class Log
{
    private static final Logger LOG = LoggerFactory.getLogger(Log.class);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Time time;
    private final Scheduler scheduler;
    private final Consumer<StorageException> failureListener;
    private final LogSegments segments;
    private final LeaderEpochFileCache epochCache;
    private final Object lock = new Object();
    private final CRC32C crc = new CRC32C();
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long recoveryPoint;
    private volatile long lastFlushMs;
    private volatile StorageException failure;
    private volatile boolean closed;
    private long unflushedRecords;

    private Log(final TopicPartition topicPartition, final Path dir, final LogConfig config, final Time time,
        final Scheduler scheduler, final Consumer<StorageException> failureListener, final LogLoader.Loaded loaded)
    {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.scheduler = scheduler;
        this.failureListener = failureListener;
        this.segments = loaded.segments;
        this.logStartOffset = loaded.logStartOffset;
        this.logEndOffset = loaded.logEndOffset;
        this.recoveryPoint = loaded.recoveryPoint;
        this.lastFlushMs = time.milliseconds();
        this.epochCache = new LeaderEpochFileCache(dir.resolve(LogFileNames.LEADER_EPOCH_CHECKPOINT));
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.truncateFromStart(logStartOffset);
    }

    /**
     * Opens (or creates) the log in {@code dir}. After an unclean shutdown, everything past {@code recoveryPoint}
     * is checked batch by batch and the log truncated at the first invalid byte.
     */
    public static Log open(final Path dir, final TopicPartition topicPartition, final LogConfig config,
        final boolean hadCleanShutdown, final long recoveryPoint, final long logStartOffset, final Time time,
        final Scheduler scheduler, final Consumer<StorageException> failureListener)
    {
        final LogLoader.Loaded loaded = LogLoader.load(dir, topicPartition, config, hadCleanShutdown, recoveryPoint,
            logStartOffset, time.milliseconds());
        return new Log(topicPartition, dir, config, time, scheduler, failureListener, loaded);
    }

    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    public Path dir()
    {
        return dir;
    }

    public LogConfig config()
    {
        return config;
    }

    public void updateConfig(final LogConfig newConfig)
    {
        this.config = newConfig;
    }

    public long logStartOffset()
    {
        return logStartOffset;
    }

    /** The offset the next appended record will get. */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    public long recoveryPoint()
    {
        return recoveryPoint;
    }

    public long sizeInBytes()
    {
        return segments.sizeInBytes();
    }

    public int segmentCount()
    {
        return segments.count();
    }

    public LeaderEpochFileCache leaderEpochCache()
    {
        return epochCache;
    }

    /** A snapshot of the segments, oldest first. */
    public List<LogSegment> segments()
    {
        return new ArrayList<>(segments.all());
    }

    LogSegment activeSegment()
    {
        return segments.active();
    }

    /**
     * Validates the batches in {@code records[position, limit)}, assigns their offsets and leader epoch in place
     * (neither is covered by the CRC, so nothing is re-checksummed) and appends them. {@code info} is filled in.
     *
     * @throws CorruptRecordException  if a batch fails its CRC or length checks.
     * @throws RecordTooLargeException if a batch exceeds {@code max.message.bytes}.
     * @throws StorageException        if the disk fails; the log then refuses all further appends.
     */
    public void appendAsLeader(final ByteBuffer records, final int leaderEpoch, final LogAppendInfo info)
    {
        appendAsLeader(records, leaderEpoch, info, null);
    }

    /**
     * Decides, after the batches passed validation and before offsets are assigned, whether they are appended. The
     * broker's idempotence check runs here so each batch is validated once.
     */
    @FunctionalInterface
    public interface AppendGuard
    {
        /**
         * @return true to append; false to skip (a duplicate), in which case the guard fills {@code info} with the
         * offsets the batch got the first time.
         */
        boolean admit(ByteBuffer records, LogAppendInfo info);
    }

    /**
     * As {@link #appendAsLeader(ByteBuffer, int, LogAppendInfo)}, with {@code guard} consulted first. Returns false
     * if the guard turned the batches away (a duplicate), true if they were appended.
     */
    public boolean appendAsLeader(final ByteBuffer records, final int leaderEpoch, final LogAppendInfo info,
        final AppendGuard guard)
    {
        synchronized (lock)
        {
            checkWritable();
            validate(records, info);
            if (guard != null && !guard.admit(records, info))
            {
                return false;
            }
            long next = logEndOffset;
            info.firstOffset = next;
            final int end = records.limit();
            for (int i = records.position(); i < end; i += RecordBatch.sizeInBytes(records, i))
            {
                RecordBatch.setBaseOffset(records, i, next);
                RecordBatch.setPartitionLeaderEpoch(records, i, leaderEpoch);
                next += RecordBatch.lastOffsetDelta(records, i) + 1L;
            }
            info.lastOffset = next - 1;
            if (leaderEpoch >= 0 && leaderEpoch > epochCache.latestEpoch())
            {
                epochCache.assign(leaderEpoch, info.firstOffset);
            }
            appendValidated(records, info);
            return true;
        }
    }

    /**
     * Appends batches copied from the leader, keeping their offsets and epochs. The first batch must start at or
     * after the log end offset and offsets must increase.
     */
    public void appendAsFollower(final ByteBuffer records, final LogAppendInfo info)
    {
        synchronized (lock)
        {
            checkWritable();
            validate(records, info);
            long expected = logEndOffset;
            final int end = records.limit();
            info.firstOffset = RecordBatch.baseOffset(records, records.position());
            for (int i = records.position(); i < end; i += RecordBatch.sizeInBytes(records, i))
            {
                final long base = RecordBatch.baseOffset(records, i);
                if (base < expected)
                {
                    throw new InvalidRecordException("Partition " + topicPartition + ": replicated batch at offset "
                        + base + " does not follow the log end offset " + expected);
                }
                final int epoch = RecordBatch.partitionLeaderEpoch(records, i);
                if (epoch >= 0 && epoch > epochCache.latestEpoch())
                {
                    epochCache.assign(epoch, base);
                }
                expected = RecordBatch.nextOffset(records, i);
            }
            info.lastOffset = expected - 1;
            appendValidated(records, info);
        }
    }

    private void validate(final ByteBuffer records, final LogAppendInfo info)
    {
        info.reset();
        final int maxMessageBytes = config.maxMessageBytes;
        final int segmentBytes = config.segmentBytes;
        final int end = records.limit();
        int i = records.position();
        if (i == end)
        {
            throw new InvalidRecordException("Partition " + topicPartition + ": an append must hold a batch");
        }
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        while (i < end)
        {
            final int size = RecordBatch.validate(records, i, end - i, crc);
            if (size > maxMessageBytes)
            {
                throw new RecordTooLargeException("Partition " + topicPartition + ": a batch of " + size
                    + " bytes exceeds max.message.bytes (" + maxMessageBytes + ")");
            }
            if (RecordBatch.recordCount(records, i) == 0)
            {
                throw new InvalidRecordException("Partition " + topicPartition + ": a batch must hold a record");
            }
            info.recordCount += RecordBatch.recordCount(records, i);
            info.batchCount++;
            maxTimestamp = Math.max(maxTimestamp, RecordBatch.maxTimestamp(records, i));
            i += size;
        }
        info.validBytes = end - records.position();
        if (info.validBytes > segmentBytes)
        {
            throw new RecordTooLargeException("Partition " + topicPartition + ": an append of " + info.validBytes
                + " bytes exceeds segment.bytes (" + segmentBytes + ")");
        }
        info.maxTimestamp = maxTimestamp;
        info.logAppendTimeMs = time.milliseconds();
    }

    private void appendValidated(final ByteBuffer records, final LogAppendInfo info)
    {
        try
        {
            final LogConfig current = config;
            LogSegment active = segments.active();
            if (active.shouldRoll(info.validBytes, info.lastOffset, current.segmentBytes, current.segmentMs,
                info.logAppendTimeMs))
            {
                active = roll();
            }
            active.append(records, records.position(), info.validBytes, current.segmentBytes);
            logEndOffset = info.lastOffset + 1;
            unflushedRecords += info.recordCount;
            if (unflushedRecords >= current.flushMessages)
            {
                flush(logEndOffset);
            }
        }
        catch (final StorageException e)
        {
            fail(e);
            throw e;
        }
    }

    private void checkWritable()
    {
        final StorageException error = failure;
        if (error != null)
        {
            throw new StorageException("Partition " + topicPartition + " is offline after an earlier storage error: "
                + error.getMessage(), error);
        }
        if (closed)
        {
            throw new StorageException("Partition " + topicPartition + " is closed");
        }
    }

    private void fail(final StorageException e)
    {
        if (failure == null)
        {
            failure = e;
            LOG.error("Partition {} in {} failed and takes no more writes: {}", topicPartition, dir, e.getMessage());
            if (failureListener != null)
            {
                failureListener.accept(e);
            }
        }
    }

    /** Starts a new active segment at the log end offset. */
    public LogSegment roll()
    {
        synchronized (lock)
        {
            final LogSegment previous = segments.active();
            final long newBase = logEndOffset;
            if (previous.baseOffset() == newBase && previous.size() == 0)
            {
                return previous;
            }
            final LogConfig current = config;
            final LogSegment next = LogSegment.create(dir, newBase, current.indexIntervalBytes,
                current.segmentIndexBytes, time.milliseconds());
            previous.onBecomeInactive();
            segments.add(next);
            LOG.debug("Partition {}: rolled segment {}", topicPartition, next.logFile());
            if (scheduler != null && !scheduler.isShutdown())
            {
                scheduler.schedule("flush-" + topicPartition, () -> flush(newBase), 0);
            }
            return next;
        }
    }

    /**
     * Forces everything below {@code offset} to disk and advances the recovery point. On Linux {@code fsync} writes
     * back pages dirtied through a shared mapping too, so the active segment needs no {@code msync}, and the flush
     * never races with the writer unmapping it.
     */
    public void flush(final long offset)
    {
        final long target = Math.min(offset, logEndOffset);
        if (target <= recoveryPoint)
        {
            return;
        }
        final long start = recoveryPoint;
        LogSegment segment = segments.floor(start);
        if (segment == null)
        {
            segment = segments.first();
        }
        try
        {
            while (segment != null && segment.baseOffset() < target)
            {
                segment.flush();
                segment = segments.higher(segment.baseOffset());
            }
        }
        catch (final StorageException e)
        {
            fail(e);
            throw e;
        }
        synchronized (lock)
        {
            if (target > recoveryPoint)
            {
                recoveryPoint = target;
            }
            unflushedRecords = 0;
            lastFlushMs = time.milliseconds();
        }
    }

    /** Flushes if {@code flush.ms} has passed since the last flush and there is something to flush. */
    public void flushIfDue(final long nowMs)
    {
        if (recoveryPoint < logEndOffset && nowMs - lastFlushMs >= config.flushMs)
        {
            flush(logEndOffset);
        }
    }

    /**
     * Reads whole batches from the one holding {@code startOffset}: at most {@code maxBytes} (or one batch of any
     * size if {@code minOneBatch}), and none reaching {@code maxOffsetExclusive} (the high watermark, for
     * consumers). The result is a zero-copy slice of a segment file.
     *
     * @throws OffsetOutOfRangeException if {@code startOffset} is below the log start or above the log end.
     */
    public LogReadInfo read(final long startOffset, final int maxBytes, final long maxOffsetExclusive,
        final boolean minOneBatch)
    {
        final long end = logEndOffset;
        final long start = logStartOffset;
        if (startOffset == end)
        {
            return new LogReadInfo(FileSlice.EMPTY, startOffset, start, end);
        }
        if (startOffset < start || startOffset > end)
        {
            throw new OffsetOutOfRangeException("Offset " + startOffset + " is out of range for partition "
                + topicPartition + ": the log holds offsets " + start + " to " + (end - 1));
        }
        final long limit = Math.min(maxOffsetExclusive, end);
        final long[] next = new long[1];
        LogSegment segment = segments.floor(startOffset);
        while (segment != null && segment.baseOffset() < limit)
        {
            final FileSlice slice = segment.read(startOffset, maxBytes, limit, minOneBatch, next);
            if (slice != null)
            {
                return new LogReadInfo(slice, slice.sizeInBytes() == 0 ? startOffset : next[0], start, end);
            }
            segment = segments.higher(segment.baseOffset());
        }
        return new LogReadInfo(FileSlice.EMPTY, startOffset, start, end);
    }

    /**
     * The first record whose timestamp is at or after {@code timestamp}, or null when every record is older.
     */
    public TimestampAndOffset offsetForTimestamp(final long timestamp)
    {
        final long start = logStartOffset;
        for (final LogSegment segment : segments.all())
        {
            if (segment.largestTimestamp() >= timestamp)
            {
                final TimestampAndOffset found = segment.findOffsetByTimestamp(timestamp, start);
                if (found != null)
                {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Hands every batch from the one holding {@code fromOffset} to the end to {@code consumer}, one at a time, for
     * rebuilding state kept beside the log (such as producer state).
     */
    public void scanBatches(final long fromOffset, final LogSegment.BatchConsumer consumer)
    {
        LogSegment segment = segments.floor(Math.max(fromOffset, logStartOffset));
        if (segment == null)
        {
            segment = segments.first();
        }
        while (segment != null)
        {
            segment.forEachBatch((buffer, size) ->
            {
                if (RecordBatch.lastOffset(buffer, 0) >= fromOffset)
                {
                    consumer.accept(buffer, size);
                }
            });
            segment = segments.higher(segment.baseOffset());
        }
    }

    /** The end offset of {@code epoch} for a follower asking where its log diverges from this one. */
    public EpochEntry endOffsetForEpoch(final int epoch)
    {
        return epochCache.endOffsetFor(epoch, logEndOffset);
    }

    /**
     * Removes every batch from the one holding {@code offset} on; the log end becomes that batch's base offset.
     * Returns whether any record was removed.
     */
    public boolean truncateTo(final long offset)
    {
        synchronized (lock)
        {
            checkWritable();
            if (offset >= logEndOffset)
            {
                // No record to remove, but an epoch may start at the end: this replica led it without appending
                // before another leader took over. A leader that never had that epoch calls every fetch naming it
                // diverged, so it must go, or the follower asks forever and never catches up.
                epochCache.truncateFromEnd(logEndOffset);
                return false;
            }
            if (offset <= logStartOffset || offset <= segments.first().baseOffset())
            {
                truncateFullyAndStartAt(offset);
                return true;
            }
            final LogSegment wasActive = segments.active();
            for (final LogSegment segment : segments.range(offset, Long.MAX_VALUE))
            {
                if (segment.baseOffset() >= offset && segment != segments.first())
                {
                    segments.remove(segment);
                    deleteLater(segment);
                }
            }
            final LogSegment active = segments.active();
            final int removed = active.truncateTo(offset);
            if (active != wasActive)
            {
                active.onBecomeActive();
            }
            logEndOffset = active.readNextOffset();
            recoveryPoint = Math.min(recoveryPoint, logEndOffset);
            epochCache.truncateFromEnd(logEndOffset);
            LOG.info("Partition {}: truncated to offset {} ({} bytes of the last segment removed)", topicPartition,
                logEndOffset, removed);
            return true;
        }
    }

    /** Deletes every segment and restarts the log, empty, at {@code newOffset}. */
    public void truncateFullyAndStartAt(final long newOffset)
    {
        synchronized (lock)
        {
            checkWritable();
            final Collection<LogSegment> all = new ArrayList<>(segments.all());
            for (final LogSegment segment : all)
            {
                segments.remove(segment);
                deleteLater(segment);
            }
            final LogConfig current = config;
            segments.add(LogSegment.create(dir, newOffset, current.indexIntervalBytes, current.segmentIndexBytes,
                time.milliseconds()));
            logEndOffset = newOffset;
            logStartOffset = newOffset;
            recoveryPoint = newOffset;
            epochCache.clear();
            LOG.info("Partition {}: truncated fully; the log now starts at offset {}", topicPartition, newOffset);
        }
    }

    /**
     * Moves the log start offset forward (for example on a delete-records request); whole segments below it go at
     * the next retention pass.
     */
    public void advanceLogStartOffset(final long newStart)
    {
        synchronized (lock)
        {
            if (newStart > logEndOffset)
            {
                throw new OffsetOutOfRangeException("Cannot move the log start of " + topicPartition + " to "
                    + newStart + ", past the log end offset " + logEndOffset);
            }
            if (newStart > logStartOffset)
            {
                logStartOffset = newStart;
                epochCache.truncateFromStart(newStart);
            }
        }
    }

    /**
     * Applies {@code retention.ms} (by each segment's newest timestamp) and {@code retention.bytes}, and removes
     * segments wholly below the log start offset. Returns the number of segments deleted.
     */
    public int deleteOldSegments()
    {
        synchronized (lock)
        {
            if (closed || failure != null)
            {
                return 0;
            }
            final LogConfig current = config;
            int deleted = deleteSegmentsBelowStart();
            if (!current.delete)
            {
                return deleted;
            }
            final long now = time.milliseconds();
            if (current.retentionMs >= 0)
            {
                deleted += deleteWhile(segment -> now - segment.largestTimestamp() > current.retentionMs, "retention.ms "
                    + current.retentionMs);
            }
            if (current.retentionBytes >= 0)
            {
                final long[] excess = {segments.sizeInBytes() - current.retentionBytes};
                deleted += deleteWhile(segment ->
                {
                    if (excess[0] - segment.size() >= 0)
                    {
                        excess[0] -= segment.size();
                        return true;
                    }
                    return false;
                }, "retention.bytes " + current.retentionBytes);
            }
            return deleted;
        }
    }

    private int deleteSegmentsBelowStart()
    {
        int deleted = 0;
        LogSegment first = segments.first();
        LogSegment next = first == null ? null : segments.higher(first.baseOffset());
        while (next != null && next.baseOffset() <= logStartOffset)
        {
            segments.remove(first);
            deleteLater(first);
            deleted++;
            first = next;
            next = segments.higher(first.baseOffset());
        }
        return deleted;
    }

    /** Deletes the oldest segments while {@code predicate} holds, rolling first if the active one must go too. */
    private int deleteWhile(final java.util.function.Predicate<LogSegment> predicate, final String reason)
    {
        int deleted = 0;
        while (true)
        {
            final LogSegment oldest = segments.first();
            if (oldest == null || oldest.size() == 0 && oldest == segments.active())
            {
                return deleted;
            }
            // An empty inactive segment (compaction can leave one) holds nothing to keep.
            if (oldest.size() > 0 && !predicate.test(oldest))
            {
                return deleted;
            }
            if (oldest == segments.active())
            {
                roll();
            }
            final LogSegment successor = segments.higher(oldest.baseOffset());
            final String name = oldest.logFile().getFileName().toString();
            segments.remove(oldest);
            deleteLater(oldest);
            deleted++;
            final long newStart = successor.baseOffset();
            if (newStart > logStartOffset)
            {
                logStartOffset = newStart;
                epochCache.truncateFromStart(newStart);
            }
            LOG.info("Partition {}: deleted segment {} ({}); the log now starts at offset {}", topicPartition,
                name, reason, logStartOffset);
        }
    }

    /**
     * Renames a removed segment's files to {@code .deleted} and deletes them after {@code file.delete.delay.ms},
     * so reads that found the segment just before it was removed can finish.
     */
    private void deleteLater(final LogSegment segment)
    {
        segment.onBecomeInactive();
        segment.renameWithSuffix(LogFileNames.DELETED_SUFFIX);
        if (scheduler == null || scheduler.isShutdown())
        {
            segment.deleteFiles();
            return;
        }
        scheduler.schedule("delete-" + segment.logFile().getFileName(), segment::deleteFiles,
            config.fileDeleteDelayMs);
    }

    /**
     * Replaces {@code oldSegment} with the cleaned copy of its batches in {@code swapLog}, a fsynced
     * {@code .log.swap} file with the same base offset. A crash part-way leaves the swap file, which the loader
     * completes; the new segment's indexes are rebuilt from its data.
     */
    public void replaceSegment(final LogSegment oldSegment, final Path swapLog)
    {
        synchronized (lock)
        {
            checkWritable();
            if (segments.floor(oldSegment.baseOffset()) != oldSegment || segments.active() == oldSegment)
            {
                throw new IllegalStateException("Segment " + oldSegment + " is no longer replaceable");
            }
            final long base = oldSegment.baseOffset();
            final LogConfig current = config;
            oldSegment.renameWithSuffix(LogFileNames.DELETED_SUFFIX);
            try
            {
                java.nio.file.Files.move(swapLog, LogFileNames.logFile(dir, base));
            }
            catch (final java.io.IOException e)
            {
                final StorageException error = new StorageException("Could not swap in cleaned segment " + swapLog
                    + ": " + e, e);
                fail(error);
                throw error;
            }
            final LogSegment replacement = LogSegment.open(dir, base, current.indexIntervalBytes,
                current.segmentIndexBytes, false, time.milliseconds());
            replacement.loadIndexes();
            segments.add(replacement);
            if (scheduler == null || scheduler.isShutdown())
            {
                oldSegment.deleteFiles();
            }
            else
            {
                scheduler.schedule("delete-" + oldSegment.logFile().getFileName(), oldSegment::deleteFiles,
                    current.fileDeleteDelayMs);
            }
        }
    }

    /** Flushes nothing and closes the files; the owner writes the checkpoints. */
    public void close()
    {
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            for (final LogSegment segment : segments.all())
            {
                segment.close();
            }
        }
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Whether a storage error has taken this log offline. */
    public StorageException failure()
    {
        return failure;
    }

    @Override
    public String toString()
    {
        return "Log(" + topicPartition + ", dir=" + dir + ", start=" + logStartOffset + ", end=" + logEndOffset + ")";
    }
}
