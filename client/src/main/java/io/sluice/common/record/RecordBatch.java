package io.sluice.common.record;

import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.errors.InvalidRecordException;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Layout of a v2 record batch, the unit Sluice stores on disk and sends on the wire, byte for byte Kafka's:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     baseOffset (int64)                        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     batchLength (int32)                       |  8  bytes after this field
 *  +---------------------------------------------------------------+
 *  |                 partitionLeaderEpoch (int32)                  | 12
 *  +---------------+-----------------------------------------------+
 *  |  magic (=2)   |              crc (uint32, CRC-32C) ...        | 16
 *  +---------------+---------------+-------------------------------+
 *  |  ... crc      |       attributes (int16)      | lastOffsetDelta 20
 *  +---------------+-------------------------------+---------------+
 *  |  ... lastOffsetDelta (int32)  | baseTimestamp (int64) ...     | 24
 *  +-------------------------------+-------------------------------+
 *  |  maxTimestamp (int64) at 35, producerId (int64) at 43,        |
 *  |  producerEpoch (int16) at 51, baseSequence (int32) at 53,     |
 *  |  recordCount (int32) at 57, records from 61                   |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The CRC covers everything from {@code attributes} to the end of the batch. {@code baseOffset} and
 * {@code partitionLeaderEpoch} sit before it on purpose: the broker assigns them in place without re-checksumming.
 * Attributes: bits 0-2 codec, bit 3 timestamp type, bit 4 transactional, bit 5 control.
 *
 * <p>All accessors take a buffer and the absolute index of the batch start and never move the buffer's position.
 */
public final class RecordBatch
{
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BASE_OFFSET_LENGTH = 8;
    public static final int LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
    public static final int LENGTH_LENGTH = 4;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
    public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH;
    public static final int MAGIC_LENGTH = 1;
    public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int ATTRIBUTES_LENGTH = 2;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH;
    public static final int LAST_OFFSET_DELTA_LENGTH = 4;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;
    public static final int BASE_TIMESTAMP_LENGTH = 8;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH;
    public static final int MAX_TIMESTAMP_LENGTH = 8;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH;
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    public static final int PRODUCER_EPOCH_LENGTH = 2;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
    public static final int BASE_SEQUENCE_LENGTH = 4;
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH;
    public static final int RECORDS_COUNT_LENGTH = 4;
    public static final int RECORDS_OFFSET = RECORDS_COUNT_OFFSET + RECORDS_COUNT_LENGTH;

    /** Size of the header, which is also the size of a batch with no records. */
    public static final int HEADER_SIZE = RECORDS_OFFSET;
    /** Bytes before the part that {@code batchLength} counts: baseOffset and batchLength themselves. */
    public static final int LOG_OVERHEAD = LENGTH_OFFSET + LENGTH_LENGTH;
    /** The smallest legal value of {@code batchLength}. */
    public static final int MIN_BATCH_LENGTH = HEADER_SIZE - LOG_OVERHEAD;

    public static final byte MAGIC = 2;
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    static final int CONTROL_FLAG_MASK = 0x20;

    private RecordBatch()
    {
    }

    public static long baseOffset(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getLong(batchStart + BASE_OFFSET_OFFSET);
    }

    public static void setBaseOffset(final ByteBuffer buffer, final int batchStart, final long baseOffset)
    {
        buffer.putLong(batchStart + BASE_OFFSET_OFFSET, baseOffset);
    }

    public static int batchLength(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + LENGTH_OFFSET);
    }

    /** Size of the whole batch in bytes, including baseOffset and batchLength. */
    public static int sizeInBytes(final ByteBuffer buffer, final int batchStart)
    {
        return LOG_OVERHEAD + batchLength(buffer, batchStart);
    }

    public static int partitionLeaderEpoch(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public static void setPartitionLeaderEpoch(final ByteBuffer buffer, final int batchStart, final int epoch)
    {
        buffer.putInt(batchStart + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    public static byte magic(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.get(batchStart + MAGIC_OFFSET);
    }

    /** The stored CRC as an unsigned 32-bit value. */
    public static long checksum(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + CRC_OFFSET) & 0xffffffffL;
    }

    public static short attributes(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getShort(batchStart + ATTRIBUTES_OFFSET);
    }

    public static CompressionType compressionType(final ByteBuffer buffer, final int batchStart)
    {
        return CompressionType.forId(attributes(buffer, batchStart) & CompressionType.ATTRIBUTE_MASK);
    }

    public static TimestampType timestampType(final ByteBuffer buffer, final int batchStart)
    {
        return (attributes(buffer, batchStart) & TimestampType.ATTRIBUTE_MASK) == 0
            ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    public static boolean isTransactional(final ByteBuffer buffer, final int batchStart)
    {
        return (attributes(buffer, batchStart) & TRANSACTIONAL_FLAG_MASK) != 0;
    }

    public static boolean isControl(final ByteBuffer buffer, final int batchStart)
    {
        return (attributes(buffer, batchStart) & CONTROL_FLAG_MASK) != 0;
    }

    public static int lastOffsetDelta(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + LAST_OFFSET_DELTA_OFFSET);
    }

    public static long lastOffset(final ByteBuffer buffer, final int batchStart)
    {
        return baseOffset(buffer, batchStart) + lastOffsetDelta(buffer, batchStart);
    }

    /** The offset after this batch's last offset. */
    public static long nextOffset(final ByteBuffer buffer, final int batchStart)
    {
        return lastOffset(buffer, batchStart) + 1;
    }

    public static long baseTimestamp(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getLong(batchStart + BASE_TIMESTAMP_OFFSET);
    }

    public static long maxTimestamp(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getLong(batchStart + MAX_TIMESTAMP_OFFSET);
    }

    public static long producerId(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getLong(batchStart + PRODUCER_ID_OFFSET);
    }

    public static short producerEpoch(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getShort(batchStart + PRODUCER_EPOCH_OFFSET);
    }

    public static int baseSequence(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + BASE_SEQUENCE_OFFSET);
    }

    public static int recordCount(final ByteBuffer buffer, final int batchStart)
    {
        return buffer.getInt(batchStart + RECORDS_COUNT_OFFSET);
    }

    /**
     * Rewrites the base sequence of a built batch and its CRC, for an idempotent producer that must renumber
     * batches after a failed one left a gap.
     */
    public static void setBaseSequence(final ByteBuffer buffer, final int batchStart, final int baseSequence,
        final CRC32C crc)
    {
        buffer.putInt(batchStart + BASE_SEQUENCE_OFFSET, baseSequence);
        final long checksum = computeChecksum(buffer, batchStart, sizeInBytes(buffer, batchStart), crc);
        buffer.putInt(batchStart + CRC_OFFSET, (int)checksum);
    }

    /**
     * Computes the CRC-32C of {@code [attributes, end of batch)}. Uses the buffer's position and limit while it
     * runs and restores them, so the buffer must not be shared with another thread during the call.
     */
    public static long computeChecksum(final ByteBuffer buffer, final int batchStart, final int sizeInBytes,
        final CRC32C crc)
    {
        final int position = buffer.position();
        final int limit = buffer.limit();
        try
        {
            buffer.limit(batchStart + sizeInBytes).position(batchStart + ATTRIBUTES_OFFSET);
            crc.reset();
            crc.update(buffer);
            return crc.getValue();
        }
        finally
        {
            buffer.limit(limit).position(position);
        }
    }

    /**
     * Checks that a complete batch starts at {@code batchStart} and fits within {@code available} bytes: its
     * length, magic, CRC, codec and counts. Returns the batch's size in bytes.
     *
     * @throws CorruptRecordException if the bytes are not an intact batch.
     * @throws InvalidRecordException if the batch is intact but uses a format or codec this build refuses.
     */
    public static int validate(final ByteBuffer buffer, final int batchStart, final int available, final CRC32C crc)
    {
        if (available < HEADER_SIZE)
        {
            throw new CorruptRecordException("Record batch is truncated: " + available
                + " bytes left, but a batch header alone takes " + HEADER_SIZE);
        }
        final int batchLength = batchLength(buffer, batchStart);
        if (batchLength < MIN_BATCH_LENGTH)
        {
            throw new CorruptRecordException("Record batch length " + batchLength
                + " is smaller than the minimum " + MIN_BATCH_LENGTH);
        }
        final int size = LOG_OVERHEAD + batchLength;
        if (batchLength > available - LOG_OVERHEAD)
        {
            throw new CorruptRecordException("Record batch claims " + size + " bytes but only " + available
                + " are present");
        }
        final byte magic = magic(buffer, batchStart);
        if (magic != MAGIC)
        {
            throw new CorruptRecordException("Record batch has magic " + magic + "; only magic " + MAGIC
                + " batches are supported");
        }
        final long stored = checksum(buffer, batchStart);
        final long computed = computeChecksum(buffer, batchStart, size, crc);
        if (stored != computed)
        {
            throw new CorruptRecordException("Record batch at base offset " + baseOffset(buffer, batchStart)
                + " is corrupt: stored CRC " + stored + " does not match computed CRC " + computed);
        }
        final int count = recordCount(buffer, batchStart);
        final int lastOffsetDelta = lastOffsetDelta(buffer, batchStart);
        if (count < 0 || lastOffsetDelta < 0 || (count > 0 && lastOffsetDelta < count - 1))
        {
            throw new CorruptRecordException("Record batch has impossible counts: recordCount " + count
                + ", lastOffsetDelta " + lastOffsetDelta);
        }
        final CompressionType compression = compressionType(buffer, batchStart);
        if (!compression.isSupported())
        {
            throw new InvalidRecordException("Compression type " + compression.configName
                + " is not supported; use none or lz4");
        }
        if (compression == CompressionType.NONE && count > batchLength - MIN_BATCH_LENGTH)
        {
            throw new CorruptRecordException("Record batch claims " + count + " records in "
                + (batchLength - MIN_BATCH_LENGTH) + " bytes");
        }
        return size;
    }
}
