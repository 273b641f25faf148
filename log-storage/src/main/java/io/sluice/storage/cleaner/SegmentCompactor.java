package io.sluice.storage.cleaner;

import io.sluice.common.errors.StorageException;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.common.record.RecordView;
import io.sluice.common.utils.Time;
import io.sluice.storage.checkpoint.CheckpointFile;
import io.sluice.storage.log.Log;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.util.LogFileNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One compaction pass over a log: builds a map from each key to its newest offset in the dirty part of the log,
 * then rewrites every inactive segment up to the end of that part, keeping a record only if it is the newest for
 * its key and dropping tombstones older than {@code delete.retention.ms}.
 *
 * <p>Offsets never change: a batch that loses records is rebuilt with the same base offset, offset deltas,
 * last offset delta, producer fields and leader epoch; a batch that loses nothing is copied byte for byte. Each
 * rewritten segment is written to {@code .log.cleaned}, fsynced, renamed {@code .log.swap} and swapped in by the
 * log, so a crash at any point leaves either the old segment or the complete new one.
 */
final class SegmentCompactor
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCompactor.class);

    private final Log log;
    private final Time time;
    private final RecordBatchReader reader = new RecordBatchReader();

    SegmentCompactor(final Log log, final Time time)
    {
        this.log = log;
        this.time = time;
    }

    /** Share of the inactive part of the log at or after {@code firstDirtyOffset}. */
    static double dirtyRatio(final Log log, final long firstDirtyOffset)
    {
        final List<LogSegment> segments = log.segments();
        long total = 0;
        long dirty = 0;
        for (int i = 0; i < segments.size() - 1; i++)
        {
            final LogSegment segment = segments.get(i);
            final long next = segments.get(i + 1).baseOffset();
            total += segment.size();
            if (next > firstDirtyOffset)
            {
                dirty += segment.size();
            }
        }
        return total == 0 ? 0 : (double)dirty / total;
    }

    /** Runs the pass; returns the offset below which the log is now clean, or 0 if there was nothing to do. */
    long compact(final long firstDirtyOffset)
    {
        final List<LogSegment> segments = log.segments();
        final long now = time.milliseconds();
        final long lagMs = log.config().minCompactionLagMs;
        // Only inactive segments whose newest record is older than the compaction lag are cleanable.
        long endOffset = firstDirtyOffset;
        int cleanableCount = 0;
        for (int i = 0; i < segments.size() - 1; i++)
        {
            final LogSegment segment = segments.get(i);
            if (segment.size() > 0 && now - segment.largestTimestamp() < lagMs)
            {
                break;
            }
            endOffset = segments.get(i + 1).baseOffset();
            cleanableCount = i + 1;
        }
        if (endOffset <= firstDirtyOffset)
        {
            return 0;
        }
        final Map<Key, Long> newest = buildOffsetMap(segments.subList(0, cleanableCount), firstDirtyOffset,
            endOffset);
        final long tombstoneHorizon = now - log.config().deleteRetentionMs;
        long removedRecords = 0;
        for (final LogSegment segment : segments.subList(0, cleanableCount))
        {
            removedRecords += rewrite(segment, newest, tombstoneHorizon);
        }
        LOG.info("Partition {}: compacted offsets below {}; {} superseded or expired record(s) removed",
            log.topicPartition(), endOffset, removedRecords);
        return endOffset;
    }

    private Map<Key, Long> buildOffsetMap(final List<LogSegment> segments, final long from, final long to)
    {
        final Map<Key, Long> newest = new HashMap<>();
        for (final LogSegment segment : segments)
        {
            segment.forEachBatch((buffer, size) ->
            {
                if (RecordBatch.lastOffset(buffer, 0) < from || RecordBatch.baseOffset(buffer, 0) >= to
                    || RecordBatch.isControl(buffer, 0))
                {
                    return;
                }
                reader.forEach(buffer, 0, size, record ->
                {
                    if (record.keyLength() >= 0 && record.offset() >= from && record.offset() < to)
                    {
                        newest.put(new Key(record.key()), record.offset());
                    }
                });
            });
        }
        return newest;
    }

    /** Rewrites one segment if any of its records can go; returns how many went. */
    private long rewrite(final LogSegment segment, final Map<Key, Long> newest, final long tombstoneHorizon)
    {
        final Path cleaned = segment.logFile().resolveSibling(LogFileNames.filenamePrefix(segment.baseOffset())
            + LogFileNames.LOG_SUFFIX + LogFileNames.CLEANED_SUFFIX);
        final Path swap = cleaned.resolveSibling(LogFileNames.filenamePrefix(segment.baseOffset())
            + LogFileNames.LOG_SUFFIX + LogFileNames.SWAP_SUFFIX);
        final long[] removed = {0};
        final RecordBatchBuilder builder = new RecordBatchBuilder(64 * 1024);
        try (FileChannel out = FileChannel.open(cleaned, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            segment.forEachBatch((buffer, size) ->
            {
                final List<Kept> kept = new ArrayList<>();
                final int[] total = {0};
                final boolean control = RecordBatch.isControl(buffer, 0);
                reader.forEach(buffer, 0, size, record ->
                {
                    total[0]++;
                    if (control || retain(record, newest, tombstoneHorizon))
                    {
                        kept.add(new Kept(record));
                    }
                });
                removed[0] += total[0] - kept.size();
                if (kept.size() == total[0])
                {
                    write(out, buffer.duplicate().position(0).limit(size));
                }
                else if (!kept.isEmpty())
                {
                    write(out, rebuild(builder, buffer, kept));
                }
            });
            if (removed[0] == 0)
            {
                Files.deleteIfExists(cleaned);
                return 0;
            }
            out.force(true);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not write cleaned segment " + cleaned + ": " + e, e);
        }
        try
        {
            Files.move(cleaned, swap);
            CheckpointFile.fsyncDirectory(swap.getParent());
            log.replaceSegment(segment, swap);
        }
        catch (final IOException | RuntimeException e)
        {
            try
            {
                Files.deleteIfExists(cleaned);
                Files.deleteIfExists(swap);
            }
            catch (final IOException suppressed)
            {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException)
            {
                throw (RuntimeException)e;
            }
            throw new StorageException("Could not swap in cleaned segment " + swap + ": " + e, e);
        }
        return removed[0];
    }

    private static boolean retain(final RecordView record, final Map<Key, Long> newest, final long tombstoneHorizon)
    {
        if (record.keyLength() < 0)
        {
            // A compacted topic should not hold keyless records; keep them rather than lose data silently.
            return true;
        }
        final Long newestOffset = newest.get(new Key(record.key()));
        if (newestOffset != null && record.offset() < newestOffset)
        {
            return false;
        }
        return record.valueLength() >= 0 || record.timestamp() >= tombstoneHorizon;
    }

    private static ByteBuffer rebuild(final RecordBatchBuilder builder, final ByteBuffer original,
        final List<Kept> kept)
    {
        final CompressionType compression = RecordBatch.compressionType(original, 0);
        builder.reset(compression, RecordBatch.producerId(original, 0), RecordBatch.producerEpoch(original, 0),
            RecordBatch.baseSequence(original, 0));
        final long baseOffset = RecordBatch.baseOffset(original, 0);
        builder.baseOffset(baseOffset).baseTimestamp(RecordBatch.baseTimestamp(original, 0))
            .timestampType(RecordBatch.timestampType(original, 0));
        for (final Kept record : kept)
        {
            builder.appendWithOffsetDelta((int)(record.offset - baseOffset), record.timestamp, record.key,
                record.value, record.headers);
        }
        builder.lastOffsetDelta(RecordBatch.lastOffsetDelta(original, 0));
        final ByteBuffer rebuilt = builder.build();
        RecordBatch.setPartitionLeaderEpoch(rebuilt, 0, RecordBatch.partitionLeaderEpoch(original, 0));
        return rebuilt;
    }

    private static void write(final FileChannel out, final ByteBuffer bytes)
    {
        try
        {
            while (bytes.hasRemaining())
            {
                out.write(bytes);
            }
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not write a cleaned segment: " + e, e);
        }
    }

    /** A record the pass keeps, copied out of the reused decode buffer. */
    private static final class Kept
    {
        final long offset;
        final long timestamp;
        final byte[] key;
        final byte[] value;
        final Header[] headers;

        Kept(final RecordView record)
        {
            this.offset = record.offset();
            this.timestamp = record.timestamp();
            this.key = record.key();
            this.value = record.value();
            this.headers = record.headers().toArray(Header.NONE);
        }
    }

    /** A record key with value equality. */
    private static final class Key
    {
        private final byte[] bytes;
        private final int hash;

        Key(final byte[] bytes)
        {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Key && Arrays.equals(bytes, ((Key)o).bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }
}
