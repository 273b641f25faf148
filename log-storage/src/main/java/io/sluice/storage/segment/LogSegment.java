package io.sluice.storage.segment;

import io.sluice.common.compress.GrowableBuffer;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.StorageException;
import io.sluice.common.record.RecordBatch;
import io.sluice.common.record.RecordBatchReader;
import io.sluice.storage.index.CorruptIndexException;
import io.sluice.storage.index.OffsetIndex;
import io.sluice.storage.index.TimeIndex;
import io.sluice.storage.util.LogFileNames;
import io.sluice.storage.util.MappedBuffers;
import io.sluice.storage.util.MappedFileGrowth;
import io.sluice.storage.util.PageCacheWarmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One segment of a partition log: a {@code .log} file of batches named by its base offset, a sparse
 * {@link OffsetIndex} and a {@link TimeIndex}.
 *
 * <p>While active, the log file is preallocated to {@code segment.bytes} and memory-mapped, and an append is a
 * copy into the mapping. Readers never touch the mapping: they read through the file channel, which sees the same
 * page cache, bounded by the published {@link #size()}, so a reader can never see a partial batch and the writer
 * can unmap at any time. When the segment rolls or closes, the mapping is released and the file trimmed to its
 * data.
 *
 * <p>Only a window of {@link #WRITE_WINDOW} bytes from the append position is mapped at a time, and the window
 * moves on when an append would pass its end. Written pages stay dirty in the page cache, but no longer mapped:
 * writing back a page that is still mapped makes the kernel write-protect it in the mapping and flush it from
 * every CPU's TLB, one inter-processor interrupt per page. In a 4 GB produce run that was 8 % of all CPU samples
 * ({@code folio_mkclean} under the flusher threads), against one flush per window when the window moves.
 *
 * <p>Thread-safety: mutating methods are called by one writer at a time (the owning log serializes them); reads
 * may run concurrently from any thread.
 */
public final class LogSegment
{
    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);
    /** How far past its data the active segment's file extends: bounds a page fault's zero-filling. */
    private static final long FILE_GROWTH_STEP = 256 * 1024;
    /** How much of the active segment is mapped at a time, from the page holding the append position. */
    public static final int WRITE_WINDOW = 16 << 20;
    private static final int PAGE = 4096;

    private final long baseOffset;
    private final int indexIntervalBytes;
    private final int maxIndexSize;
    private final long createdMs;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private volatile Path logFile;
    private volatile int size;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    /** Maps {@code [windowStart, windowEnd)} of the file while the segment is active and has been appended to. */
    private MappedByteBuffer writeMap;
    private int windowStart;
    private int windowEnd;
    /** Keeps the file a step past its data while it is mapped for appends. */
    private final MappedFileGrowth growth = new MappedFileGrowth(FILE_GROWTH_STEP, 0, PageCacheWarmer.shared());
    private int bytesSinceLastIndexEntry;
    private long rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;
    private boolean indexesNeedRebuild;
    private volatile boolean loaded;
    private boolean active;

    private LogSegment(final Path dir, final long baseOffset, final int indexIntervalBytes, final int maxIndexSize,
        final boolean writable, final long nowMs, final boolean fresh) throws IOException
    {
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.maxIndexSize = maxIndexSize;
        this.createdMs = nowMs;
        this.active = writable;
        this.logFile = LogFileNames.logFile(dir, baseOffset);
        if (fresh)
        {
            Files.deleteIfExists(LogFileNames.indexFile(dir, baseOffset));
            Files.deleteIfExists(LogFileNames.timeIndexFile(dir, baseOffset));
            this.channel = FileChannel.open(logFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        else
        {
            this.channel = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        this.size = (int)Math.min(Integer.MAX_VALUE, channel.size());
        final Path indexPath = LogFileNames.indexFile(dir, baseOffset);
        final Path timeIndexPath = LogFileNames.timeIndexFile(dir, baseOffset);
        indexesNeedRebuild = !fresh && (!Files.exists(indexPath) || !Files.exists(timeIndexPath));
        OffsetIndex offsets;
        TimeIndex times;
        try
        {
            offsets = new OffsetIndex(indexPath, baseOffset, maxIndexSize, writable);
            times = new TimeIndex(timeIndexPath, baseOffset, maxIndexSize, writable);
        }
        catch (final CorruptIndexException e)
        {
            LOG.warn("{}; rebuilding the indexes of segment {}", e.getMessage(), logFile);
            Files.deleteIfExists(indexPath);
            Files.deleteIfExists(timeIndexPath);
            offsets = new OffsetIndex(indexPath, baseOffset, maxIndexSize, writable);
            times = new TimeIndex(timeIndexPath, baseOffset, maxIndexSize, writable);
            indexesNeedRebuild = true;
        }
        this.offsetIndex = offsets;
        this.timeIndex = times;
    }

    /** Creates the files of a new, empty, active segment. */
    public static LogSegment create(final Path dir, final long baseOffset, final int indexIntervalBytes,
        final int maxIndexSize, final long nowMs)
    {
        try
        {
            return new LogSegment(dir, baseOffset, indexIntervalBytes, maxIndexSize, true, nowMs, true);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not create segment " + LogFileNames.logFile(dir, baseOffset) + ": "
                + e, e);
        }
    }

    /**
     * Opens an existing segment, trusting the file length as its size (true after a clean shutdown; otherwise the
     * caller runs {@link #recover}). Missing or malformed indexes are noted and rebuilt by {@link #loadIndexes}.
     */
    public static LogSegment open(final Path dir, final long baseOffset, final int indexIntervalBytes,
        final int maxIndexSize, final boolean active, final long nowMs)
    {
        try
        {
            return new LogSegment(dir, baseOffset, indexIntervalBytes, maxIndexSize, active, nowMs, false);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not open segment " + LogFileNames.logFile(dir, baseOffset) + ": "
                + e, e);
        }
    }

    public long baseOffset()
    {
        return baseOffset;
    }

    /** Bytes of complete batches; readers never look past it. */
    public int size()
    {
        return size;
    }

    public Path logFile()
    {
        return logFile;
    }

    public OffsetIndex offsetIndex()
    {
        return offsetIndex;
    }

    public TimeIndex timeIndex()
    {
        return timeIndex;
    }

    /** The newest record timestamp in the segment, or its file's modification time when it has none. */
    public long largestTimestamp()
    {
        ensureLoaded();
        final long max = maxTimestamp;
        if (max != RecordBatch.NO_TIMESTAMP)
        {
            return max;
        }
        try
        {
            return Files.getLastModifiedTime(logFile).toMillis();
        }
        catch (final IOException e)
        {
            return createdMs;
        }
    }

    /**
     * Checks the indexes of a segment opened after a clean shutdown and rebuilds them if they are missing or do not
     * make sense; then loads the in-memory state (largest timestamp, first timestamp) they carry.
     */
    public synchronized void loadIndexes()
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        if (loaded)
        {
            return;
        }
        loaded = true;
        if (!indexesNeedRebuild)
        {
            try
            {
                offsetIndex.sanityCheck(size);
                timeIndex.sanityCheck(size);
            }
            catch (final CorruptIndexException e)
            {
                LOG.warn("{}; rebuilding the indexes of segment {}", e.getMessage(), logFile);
                indexesNeedRebuild = true;
            }
        }
        if (indexesNeedRebuild)
        {
            final RecoveryResult result = recover(Integer.MAX_VALUE);
            if (result.truncatedBytes > 0)
            {
                LOG.warn("Rebuilding the indexes of {} found {} bytes of invalid data after position {} ({}); "
                    + "truncated them", logFile, result.truncatedBytes, result.validBytes, result.corruption);
            }
            else
            {
                LOG.info("Rebuilt the offset and time indexes of {}", logFile);
            }
            return;
        }
        if (timeIndex.entries() > 0)
        {
            maxTimestamp = timeIndex.lastTimestamp();
        }
        // The time index is sparse, so the batches after its last entry may hold a larger timestamp.
        final long tail = timeIndex.entries() > 0 ? timeIndex.offsetAt(timeIndex.entries() - 1) : baseOffset;
        int position = OffsetIndex.position(offsetIndex.lookup(tail));
        boolean first = true;
        while (true)
        {
            final int headerAt = headers.locate(position, size);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                break;
            }
            final long batchMax = RecordBatch.maxTimestamp(header, headerAt);
            if (first && position == 0)
            {
                rollingBasedTimestamp = batchMax;
            }
            first = false;
            if (batchMax > maxTimestamp)
            {
                maxTimestamp = batchMax;
            }
            position += RecordBatch.sizeInBytes(header, headerAt);
        }
        if (rollingBasedTimestamp == RecordBatch.NO_TIMESTAMP && size > 0)
        {
            final int headerAt = headers.locate(0, size);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header != null)
            {
                rollingBasedTimestamp = RecordBatch.maxTimestamp(header, headerAt);
            }
        }
    }

    /**
     * Loads the index-derived state on first use. Inactive segments of a cleanly closed log are opened without
     * touching their indexes, so that opening a data directory costs little more than listing it.
     */
    public void ensureLoaded()
    {
        if (!loaded)
        {
            loadIndexes();
        }
    }

    /**
     * Whether the next append of {@code bytes}, ending at {@code lastOffset}, must go to a new segment: this one
     * would overflow {@code segmentBytes}, a relative offset would not fit in an int, an index is full, or the
     * segment is older than {@code segmentMs}.
     */
    public boolean shouldRoll(final int bytes, final long lastOffset, final int segmentBytes, final long segmentMs,
        final long nowMs)
    {
        if (size == 0)
        {
            return false;
        }
        // Age counts from the first record's timestamp, as in Kafka, so it survives a restart; but a timestamp
        // from long before the segment existed would roll on every append, so then the creation time counts.
        final long first = rollingBasedTimestamp;
        final long reference = first != RecordBatch.NO_TIMESTAMP && first > createdMs - segmentMs
            ? Math.min(first, createdMs) : createdMs;
        return (long)size + bytes > segmentBytes
            || lastOffset - baseOffset > Integer.MAX_VALUE
            || offsetIndex.isFull()
            || timeIndex.isFull()
            || nowMs - reference >= segmentMs;
    }

    private void ensureMapped(final int segmentBytes, final int needed)
    {
        if (writeMap != null && size + needed <= windowEnd)
        {
            return;
        }
        // The space for the rest of the segment is checked when it is first mapped, not at every window move:
        // moving on must not start failing appends that the free space still has room for.
        final boolean moving = writeMap != null;
        releaseMapping();
        final int target = Math.max(segmentBytes, size + needed);
        final int start = size / PAGE * PAGE;
        final int end = (int)Math.min(target, Math.max((long)start + WRITE_WINDOW, size + needed));
        try
        {
            final long length = channel.size();
            if (!moving && length < target)
            {
                final long usable = logFile.toFile().getUsableSpace();
                if (usable < target - length)
                {
                    throw new StorageException("Not enough free space for segment " + logFile + ": preallocating "
                        + (target - length) + " bytes (segment.bytes) but the file system has " + usable
                        + " bytes usable");
                }
            }
            writeMap = growth.map(channel, start, end - start, target);
            windowStart = start;
            windowEnd = end;
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not map segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends whole batches, already validated and with offsets assigned, from {@code src[srcIndex, +length)}:
     * copies them into the mapping, indexes them, then publishes the new size.
     */
    public void append(final ByteBuffer src, final int srcIndex, final int length, final int segmentBytes)
    {
        ensureMapped(segmentBytes, length);
        final int start = size;
        if (growth.shouldExtend(start + length))
        {
            extendFileTo(start + length);
        }
        try
        {
            writeMap.put(start - windowStart, src, srcIndex, length);
        }
        catch (final InternalError e)
        {
            // The JVM reports a SIGBUS on a mapped write this way: the file system could not back the page.
            throw new StorageException("I/O error writing to memory-mapped segment " + logFile
                + " (is the file system full?): " + e.getMessage(), e);
        }
        indexBatches(src, srcIndex, length, start);
        size = start + length;
    }

    private void extendFileTo(final long end)
    {
        try
        {
            growth.extendTo(channel, end);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not extend segment " + logFile + " past " + end + " bytes: "
                + e.getMessage(), e);
        }
    }

    private void indexBatches(final ByteBuffer src, final int srcIndex, final int length, final int filePosition)
    {
        int i = srcIndex;
        int position = filePosition;
        final int end = srcIndex + length;
        long max = maxTimestamp;
        while (i < end)
        {
            final int batchSize = RecordBatch.sizeInBytes(src, i);
            final long batchBase = RecordBatch.baseOffset(src, i);
            final long batchMax = RecordBatch.maxTimestamp(src, i);
            if (rollingBasedTimestamp == RecordBatch.NO_TIMESTAMP)
            {
                rollingBasedTimestamp = batchMax;
            }
            if (batchMax > max)
            {
                max = batchMax;
            }
            if (bytesSinceLastIndexEntry > indexIntervalBytes)
            {
                offsetIndex.append(batchBase, position);
                timeIndex.maybeAppend(max, batchBase);
                bytesSinceLastIndexEntry = 0;
            }
            bytesSinceLastIndexEntry += batchSize;
            i += batchSize;
            position += batchSize;
        }
        maxTimestamp = max;
    }

    /**
     * Position of the first batch at or after {@code startPosition} whose last offset is at least {@code offset},
     * or -1 if there is none below {@code end}.
     */
    private int translateOffset(final long offset, final int startPosition, final int end)
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        int position = startPosition;
        while (true)
        {
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                return -1;
            }
            if (RecordBatch.lastOffset(header, headerAt) >= offset)
            {
                return position;
            }
            position += RecordBatch.sizeInBytes(header, headerAt);
        }
    }

    /**
     * Reads whole batches starting with the one that holds {@code startOffset}: up to {@code maxBytes}, or one
     * batch of any size if {@code minOneBatch} and the first is larger; never a batch reaching
     * {@code maxOffsetExclusive}. Returns null when no batch of this segment holds {@code startOffset} or later.
     * {@code nextOffset[0]} receives the offset after the last batch returned.
     */
    public FileSlice read(final long startOffset, final int maxBytes, final long maxOffsetExclusive,
        final boolean minOneBatch, final long[] nextOffset)
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        final int end = size;
        final int lookup = OffsetIndex.position(offsetIndex.lookup(startOffset));
        final int startPosition = translateOffset(startOffset, lookup, end);
        if (startPosition < 0)
        {
            return null;
        }
        int position = startPosition;
        int total = 0;
        long next = startOffset;
        while (true)
        {
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                break;
            }
            final long lastOffset = RecordBatch.lastOffset(header, headerAt);
            final int batchSize = RecordBatch.sizeInBytes(header, headerAt);
            if (lastOffset >= maxOffsetExclusive)
            {
                break;
            }
            if ((long)total + batchSize > maxBytes && !(total == 0 && minOneBatch))
            {
                break;
            }
            total += batchSize;
            position += batchSize;
            next = lastOffset + 1;
        }
        nextOffset[0] = next;
        return total == 0 ? FileSlice.EMPTY : new FileSlice(channel, startPosition, total);
    }

    /** Receives each batch of a segment in turn; the buffer is reused after the call returns. */
    @FunctionalInterface
    public interface BatchConsumer
    {
        void accept(ByteBuffer buffer, int size);
    }

    /** Reads every batch of the segment, one at a time, into a reused buffer and hands it to {@code consumer}. */
    public void forEachBatch(final BatchConsumer consumer)
    {
        final GrowableBuffer buffer = new GrowableBuffer(64 * 1024);
        final int end = size;
        int position = 0;
        while (true)
        {
            // Fresh each time: the consumer may read other segments on this thread in between.
            final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                return;
            }
            final int batchSize = RecordBatch.sizeInBytes(header, headerAt);
            buffer.clear();
            final ByteBuffer bytes = buffer.ensureRemaining(batchSize);
            bytes.clear().limit(batchSize);
            readFully(bytes, position);
            consumer.accept(bytes, batchSize);
            position += batchSize;
        }
    }

    /** The offset after the last batch, found from the last index entry without reading the whole file. */
    public long readNextOffset()
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        final int end = size;
        final int entries = offsetIndex.entries();
        int position = entries == 0 ? 0 : OffsetIndex.position(offsetIndex.entry(entries - 1));
        long next = baseOffset;
        while (true)
        {
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                return next;
            }
            next = RecordBatch.nextOffset(header, headerAt);
            position += RecordBatch.sizeInBytes(header, headerAt);
        }
    }

    /**
     * The first record at or after {@code timestamp} whose offset is at least {@code startingOffset}, or null if
     * this segment has none.
     */
    public TimestampAndOffset findOffsetByTimestamp(final long timestamp, final long startingOffset)
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        ensureLoaded();
        if (maxTimestamp < timestamp)
        {
            return null;
        }
        final long from = Math.max(timeIndex.lookupBelow(timestamp), startingOffset);
        final int end = size;
        int position = translateOffset(from, OffsetIndex.position(offsetIndex.lookup(from)), end);
        if (position < 0)
        {
            return null;
        }
        final RecordBatchReader reader = new RecordBatchReader();
        while (true)
        {
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                return null;
            }
            final int batchSize = RecordBatch.sizeInBytes(header, headerAt);
            if (RecordBatch.maxTimestamp(header, headerAt) >= timestamp)
            {
                final ByteBuffer batch;
                try
                {
                    batch = new FileSlice(channel, position, batchSize).readFully();
                }
                catch (final IOException e)
                {
                    throw new StorageException("Could not read segment " + logFile + ": " + e.getMessage(), e);
                }
                final long[] found = {-1, -1};
                reader.forEach(batch, 0, batchSize, record ->
                {
                    if (found[0] < 0 && record.timestamp() >= timestamp && record.offset() >= startingOffset)
                    {
                        found[0] = record.offset();
                        found[1] = record.timestamp();
                    }
                });
                if (found[0] >= 0)
                {
                    return new TimestampAndOffset(found[1], found[0]);
                }
            }
            position += batchSize;
        }
    }

    /**
     * Scans the whole file, checking each batch's length, CRC and offsets, rebuilds both indexes, and truncates the
     * file at the first byte that is not part of a valid batch. Offsets must not go backwards and must not pass
     * {@code maxOffsetExclusiveHint} (use {@code Long.MAX_VALUE} when unknown).
     */
    public synchronized RecoveryResult recover(final long maxOffsetExclusiveHint)
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        releaseMapping();
        try
        {
            offsetIndex.makeWritable(maxIndexSize);
            timeIndex.makeWritable(maxIndexSize);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not open the indexes of " + logFile + ": " + e.getMessage(), e);
        }
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;
        final long physical;
        try
        {
            physical = channel.size();
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not read segment " + logFile + ": " + e.getMessage(), e);
        }
        final GrowableBuffer buffer = new GrowableBuffer(64 * 1024);
        final CRC32C crc = new CRC32C();
        long position = 0;
        long expectedNext = baseOffset;
        String corruption = null;
        while (position < physical)
        {
            final int headerAt = headers.locate(position, physical);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                corruption = nonZeroTail(position, physical) ? "a partial batch header" : null;
                break;
            }
            final int batchLength = RecordBatch.batchLength(header, headerAt);
            if (batchLength == 0 && RecordBatch.baseOffset(header, headerAt) == 0 && !nonZeroTail(position, physical))
            {
                break;
            }
            if (batchLength < RecordBatch.MIN_BATCH_LENGTH
                || batchLength > physical - position - RecordBatch.LOG_OVERHEAD)
            {
                corruption = "a batch header announcing " + batchLength + " bytes with "
                    + (physical - position - RecordBatch.LOG_OVERHEAD) + " left in the file";
                break;
            }
            final int batchSize = batchLength + RecordBatch.LOG_OVERHEAD;
            buffer.clear();
            final ByteBuffer bytes = buffer.ensureRemaining(batchSize);
            bytes.clear().limit(batchSize);
            try
            {
                readFully(bytes, position);
                RecordBatch.validate(bytes, 0, batchSize, crc);
            }
            catch (final CorruptRecordException e)
            {
                corruption = e.getMessage();
                break;
            }
            catch (final SluiceException e)
            {
                corruption = "an unreadable batch: " + e.getMessage();
                break;
            }
            final long batchBase = RecordBatch.baseOffset(bytes, 0);
            final long batchLast = RecordBatch.lastOffset(bytes, 0);
            if (batchBase < expectedNext || batchLast >= maxOffsetExclusiveHint || batchLast - baseOffset
                > Integer.MAX_VALUE)
            {
                corruption = "a batch with offsets " + batchBase + ".." + batchLast + " where offset " + expectedNext
                    + " or later was expected";
                break;
            }
            indexBatches(bytes, 0, batchSize, (int)position);
            expectedNext = batchLast + 1;
            position += batchSize;
        }
        final int valid = (int)position;
        try
        {
            if (physical > valid)
            {
                channel.truncate(valid);
            }
            if (!active)
            {
                offsetIndex.trimToValidSize();
                timeIndex.trimToValidSize();
            }
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not truncate segment " + logFile + ": " + e.getMessage(), e);
        }
        size = valid;
        indexesNeedRebuild = false;
        loaded = true;
        return new RecoveryResult(valid, corruption == null ? 0 : physical - valid, corruption);
    }

    private boolean nonZeroTail(final long position, final long physical)
    {
        final ByteBuffer probe = ByteBuffer.allocate((int)Math.min(4096, physical - position));
        try
        {
            channel.read(probe, position);
        }
        catch (final IOException e)
        {
            return true;
        }
        for (int i = 0; i < probe.position(); i++)
        {
            if (probe.get(i) != 0)
            {
                return true;
            }
        }
        return false;
    }

    private void readFully(final ByteBuffer target, final long position)
    {
        long at = position;
        try
        {
            while (target.hasRemaining())
            {
                if (channel.read(target, at) < 0)
                {
                    throw new CorruptRecordException("Segment " + logFile + " ended inside a batch");
                }
                at = position + target.position();
            }
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not read segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes every batch from the one holding {@code offset} on, so the segment ends at a batch boundary at or
     * below {@code offset}. The file is cut so no stale batch can reappear in a later recovery. Returns the bytes
     * removed.
     */
    public int truncateTo(final long offset)
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        final int end = size;
        final int position = translateOffset(offset, OffsetIndex.position(offsetIndex.lookup(offset)), end);
        if (position < 0)
        {
            return 0;
        }
        final int headerAt = headers.locate(position, end);
        final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
        final long cutOffset = RecordBatch.baseOffset(header, headerAt);
        releaseMapping();
        offsetIndex.truncateTo(cutOffset);
        timeIndex.truncateTo(cutOffset);
        try
        {
            channel.truncate(position);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not truncate segment " + logFile + ": " + e.getMessage(), e);
        }
        size = position;
        recomputeTimestamps();
        bytesSinceLastIndexEntry = 0;
        return end - position;
    }

    private void recomputeTimestamps()
    {
        final BatchHeaderReader headers = BatchHeaderReader.forChannel(channel);
        long max = RecordBatch.NO_TIMESTAMP;
        rollingBasedTimestamp = RecordBatch.NO_TIMESTAMP;
        int position = 0;
        final int end = size;
        while (true)
        {
            final int headerAt = headers.locate(position, end);
            final ByteBuffer header = headerAt < 0 ? null : headers.buffer();
            if (header == null)
            {
                break;
            }
            final long batchMax = RecordBatch.maxTimestamp(header, headerAt);
            if (position == 0)
            {
                rollingBasedTimestamp = batchMax;
            }
            max = Math.max(max, batchMax);
            position += RecordBatch.sizeInBytes(header, headerAt);
        }
        maxTimestamp = max;
    }

    /** The segment stops being the active one: release the mapping and trim the files to their data. */
    public void onBecomeInactive()
    {
        active = false;
        releaseMapping();
        try
        {
            channel.truncate(size);
            offsetIndex.trimToValidSize();
            timeIndex.trimToValidSize();
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not trim segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /** The segment becomes the active one again after a truncation removed the segments after it. */
    public void onBecomeActive()
    {
        active = true;
        try
        {
            offsetIndex.makeWritable(maxIndexSize);
            timeIndex.makeWritable(maxIndexSize);
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not reopen the indexes of " + logFile + ": " + e.getMessage(), e);
        }
    }

    private void releaseMapping()
    {
        if (writeMap != null)
        {
            MappedBuffers.unmap(writeMap);
            writeMap = null;
            windowStart = 0;
            windowEnd = 0;
        }
    }

    /**
     * Forces the segment's data and indexes to disk. The data needs no {@code msync}: on Linux a store through a
     * shared mapping marks its page dirty in the page cache (the kernel write-protects clean mapped pages to see
     * the first store), so {@code fsync} writes it like any written page, including pages of windows already
     * unmapped. Not touching the mapping also lets this run from any thread while the writer moves its window.
     */
    public void flush()
    {
        try
        {
            channel.force(true);
            offsetIndex.flush();
            timeIndex.flush();
        }
        catch (final IOException | UncheckedIOException e)
        {
            throw new StorageException("Could not flush segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /** Renames the files by appending {@code suffix}; open channels and mappings keep working. */
    public void renameWithSuffix(final String suffix)
    {
        try
        {
            final Path target = logFile.resolveSibling(logFile.getFileName() + suffix);
            Files.move(logFile, target);
            logFile = target;
            offsetIndex.renameTo(offsetIndex.file().resolveSibling(offsetIndex.file().getFileName() + suffix));
            timeIndex.renameTo(timeIndex.file().resolveSibling(timeIndex.file().getFileName() + suffix));
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not rename segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /** Releases the mapping, trims the files to their data and closes them. */
    public void close()
    {
        try
        {
            releaseMapping();
            if (channel.isOpen())
            {
                channel.truncate(size);
                channel.close();
            }
            offsetIndex.close();
            timeIndex.close();
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not close segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    /** Closes and deletes the files. */
    public void deleteFiles()
    {
        try
        {
            releaseMapping();
            channel.close();
            Files.deleteIfExists(logFile);
            offsetIndex.closeAndDelete();
            timeIndex.closeAndDelete();
        }
        catch (final IOException e)
        {
            throw new StorageException("Could not delete segment " + logFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString()
    {
        return "LogSegment(" + logFile + ", size=" + size + ")";
    }
}
