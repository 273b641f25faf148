package io.sluice.common.record;

import io.sluice.common.compress.GrowableBuffer;
import io.sluice.common.compress.Lz4Frame;
import io.sluice.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Builds one v2 batch at a time into buffers it owns and reuses, so a builder that has reached its working size
 * allocates nothing per record or per batch. Records are encoded as they are appended; {@link #build()} writes the
 * header, compresses if asked, and checksums.
 *
 * <p>Not thread-safe: one builder per producer partition queue, appender thread, or cleaner.
 */
public final class RecordBatchBuilder
{
    private final GrowableBuffer output;
    private final GrowableBuffer uncompressed;
    private final CRC32C crc = new CRC32C();

    private GrowableBuffer records;
    private CompressionType compression = CompressionType.NONE;
    private TimestampType timestampType = TimestampType.CREATE_TIME;
    private long baseOffset;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private boolean transactional;
    private long baseTimestamp;
    private long maxTimestamp;
    private int recordCount;
    private int lastOffsetDelta;
    private int recordsStart;

    public RecordBatchBuilder(final int initialCapacity)
    {
        this.output = new GrowableBuffer(initialCapacity + RecordBatch.HEADER_SIZE);
        this.uncompressed = new GrowableBuffer(initialCapacity);
        reset(CompressionType.NONE);
    }

    /** Starts a new batch without a producer id. */
    public RecordBatchBuilder reset(final CompressionType compression)
    {
        return reset(compression, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
            RecordBatch.NO_SEQUENCE);
    }

    /** Starts a new batch; the previous batch's buffer is overwritten. */
    public RecordBatchBuilder reset(final CompressionType compression, final long producerId,
        final short producerEpoch, final int baseSequence)
    {
        if (!compression.isSupported())
        {
            throw new IllegalArgumentException("Compression type " + compression.configName + " is not supported");
        }
        this.compression = compression;
        this.timestampType = TimestampType.CREATE_TIME;
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        this.transactional = false;
        this.baseOffset = 0L;
        this.recordCount = 0;
        this.lastOffsetDelta = -1;
        this.baseTimestamp = RecordBatch.NO_TIMESTAMP;
        this.maxTimestamp = RecordBatch.NO_TIMESTAMP;
        output.clear();
        uncompressed.clear();
        if (compression == CompressionType.NONE)
        {
            records = output;
            output.position(RecordBatch.HEADER_SIZE);
        }
        else
        {
            records = uncompressed;
        }
        recordsStart = records.position();
        return this;
    }

    /** Sets the idempotent-producer fields, which live only in the header, any time before {@link #build()}. */
    public RecordBatchBuilder producerFields(final long producerId, final short producerEpoch, final int baseSequence)
    {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /** Sets the base offset written into the header (the broker overwrites it on append anyway). */
    public RecordBatchBuilder baseOffset(final long baseOffset)
    {
        this.baseOffset = baseOffset;
        return this;
    }

    public RecordBatchBuilder timestampType(final TimestampType timestampType)
    {
        this.timestampType = timestampType;
        return this;
    }

    /**
     * Fixes the base timestamp before the first append. Used when rewriting a batch whose records must keep
     * their original timestamp deltas.
     */
    public RecordBatchBuilder baseTimestamp(final long baseTimestamp)
    {
        if (recordCount > 0)
        {
            throw new IllegalStateException("The base timestamp must be set before the first record");
        }
        this.baseTimestamp = baseTimestamp;
        return this;
    }

    /** Sets lastOffsetDelta explicitly, for rewritten batches whose last records were removed. */
    public RecordBatchBuilder lastOffsetDelta(final int lastOffsetDelta)
    {
        this.lastOffsetDelta = lastOffsetDelta;
        return this;
    }

    public int recordCount()
    {
        return recordCount;
    }

    /** Bytes of encoded records so far, before compression. */
    public int uncompressedRecordsSize()
    {
        return records.position() - recordsStart;
    }

    /** Appends a record at the next offset delta. Key and value may be null; headers may be empty. */
    public void append(final long timestamp, final byte[] key, final byte[] value, final Header[] headers)
    {
        appendWithOffsetDelta(lastOffsetDelta + 1, timestamp, key, value, headers);
    }

    /** Appends a record with an explicit offset delta, which must be larger than the previous one. */
    public void appendWithOffsetDelta(final int offsetDelta, final long timestamp, final byte[] key,
        final byte[] value, final Header[] headers)
    {
        if (offsetDelta <= lastOffsetDelta && recordCount > 0)
        {
            throw new IllegalArgumentException("Offset delta " + offsetDelta + " is not above " + lastOffsetDelta);
        }
        if (baseTimestamp == RecordBatch.NO_TIMESTAMP)
        {
            baseTimestamp = timestamp;
        }
        final long timestampDelta = timestamp - baseTimestamp;
        final int keyLength = key == null ? -1 : key.length;
        final int valueLength = value == null ? -1 : value.length;
        final int bodySize = bodySize(offsetDelta, timestampDelta, keyLength, valueLength, headers);

        final ByteBuffer buffer = records.ensureRemaining(bodySize + ByteUtils.MAX_VARINT_SIZE);
        int i = records.position();
        i = ByteUtils.writeVarint(buffer, i, bodySize);
        buffer.put(i++, (byte)0);
        i = ByteUtils.writeVarlong(buffer, i, timestampDelta);
        i = ByteUtils.writeVarint(buffer, i, offsetDelta);
        i = writeBytes(buffer, i, key);
        i = writeBytes(buffer, i, value);
        i = ByteUtils.writeVarint(buffer, i, headers.length);
        for (final Header header : headers)
        {
            i = writeBytes(buffer, i, header.keyUtf8());
            i = writeBytes(buffer, i, header.value());
        }
        records.position(i);

        recordCount++;
        lastOffsetDelta = offsetDelta;
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
    }

    /** Encoded size of a record with these fields, including its length prefix. */
    public static int sizeOfRecord(final int offsetDelta, final long timestampDelta, final int keyLength,
        final int valueLength, final Header[] headers)
    {
        final int body = bodySize(offsetDelta, timestampDelta, keyLength, valueLength, headers);
        return ByteUtils.sizeOfVarint(body) + body;
    }

    private static int bodySize(final int offsetDelta, final long timestampDelta, final int keyLength,
        final int valueLength, final Header[] headers)
    {
        int size = 1 + ByteUtils.sizeOfVarlong(timestampDelta) + ByteUtils.sizeOfVarint(offsetDelta);
        size += sizeOfBytes(keyLength) + sizeOfBytes(valueLength);
        size += ByteUtils.sizeOfVarint(headers.length);
        for (final Header header : headers)
        {
            size += sizeOfBytes(header.keyUtf8().length);
            size += sizeOfBytes(header.value() == null ? -1 : header.value().length);
        }
        return size;
    }

    private static int sizeOfBytes(final int length)
    {
        return length < 0 ? ByteUtils.sizeOfVarint(-1) : ByteUtils.sizeOfVarint(length) + length;
    }

    private static int writeBytes(final ByteBuffer buffer, final int index, final byte[] bytes)
    {
        if (bytes == null)
        {
            return ByteUtils.writeVarint(buffer, index, -1);
        }
        final int i = ByteUtils.writeVarint(buffer, index, bytes.length);
        buffer.put(i, bytes, 0, bytes.length);
        return i + bytes.length;
    }

    /**
     * Finishes the batch and returns a buffer holding exactly it, from position 0 to its limit. The buffer belongs
     * to this builder and is overwritten by the next {@link #reset}.
     */
    public ByteBuffer build()
    {
        if (recordCount == 0)
        {
            throw new IllegalStateException("Cannot build a batch with no records");
        }
        int size;
        if (compression == CompressionType.NONE)
        {
            size = output.position();
        }
        else
        {
            final Lz4Frame lz4 = Lz4Frame.instance();
            final int rawLength = uncompressed.position();
            final ByteBuffer out = output.ensureRemaining(RecordBatch.HEADER_SIZE + lz4.maxCompressedLength(rawLength));
            final int written = lz4.compress(uncompressed.buffer(), 0, rawLength, out, RecordBatch.HEADER_SIZE);
            size = RecordBatch.HEADER_SIZE + written;
        }
        final ByteBuffer buffer = output.buffer();
        int attributes = compression.id;
        if (timestampType == TimestampType.LOG_APPEND_TIME)
        {
            attributes |= TimestampType.ATTRIBUTE_MASK;
        }
        if (transactional)
        {
            attributes |= RecordBatch.TRANSACTIONAL_FLAG_MASK;
        }
        buffer.putLong(RecordBatch.BASE_OFFSET_OFFSET, baseOffset);
        buffer.putInt(RecordBatch.LENGTH_OFFSET, size - RecordBatch.LOG_OVERHEAD);
        buffer.putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        buffer.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
        buffer.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short)attributes);
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        buffer.putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        buffer.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buffer.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId);
        buffer.putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
        buffer.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        buffer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, recordCount);
        final long checksum = RecordBatch.computeChecksum(buffer, 0, size, crc);
        buffer.putInt(RecordBatch.CRC_OFFSET, (int)checksum);
        buffer.limit(size).position(0);
        return buffer;
    }
}
