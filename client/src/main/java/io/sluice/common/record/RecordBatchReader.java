package io.sluice.common.record;

import io.sluice.common.compress.GrowableBuffer;
import io.sluice.common.compress.Lz4Frame;
import io.sluice.common.errors.CorruptRecordException;
import io.sluice.common.utils.ByteUtils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes the records of v2 batches, checking every length against the batch bounds so that a damaged batch
 * raises {@link CorruptRecordException} and never yields a wrong record. Reuses one decompression buffer and one
 * {@link RecordView}; not thread-safe.
 */
public final class RecordBatchReader
{
    private final GrowableBuffer decompressed = new GrowableBuffer(64 * 1024);
    private final RecordView view = new RecordView();
    private final CRC32C crc = new CRC32C();
    private final int[] next = new int[1];

    /**
     * Validates the batch at {@code batchStart} (which must lie within {@code available} bytes) and passes each of
     * its records to {@code visitor}. Returns the batch's size in bytes.
     */
    public int forEach(final ByteBuffer buffer, final int batchStart, final int available, final RecordVisitor visitor)
    {
        final int size = RecordBatch.validate(buffer, batchStart, available, crc);
        final long baseOffset = RecordBatch.baseOffset(buffer, batchStart);
        final long baseTimestamp = RecordBatch.baseTimestamp(buffer, batchStart);
        final int count = RecordBatch.recordCount(buffer, batchStart);
        final int lastOffsetDelta = RecordBatch.lastOffsetDelta(buffer, batchStart);
        final ByteBuffer records;
        int i;
        final int end;
        if (RecordBatch.compressionType(buffer, batchStart) == CompressionType.NONE)
        {
            records = buffer;
            i = batchStart + RecordBatch.RECORDS_OFFSET;
            end = batchStart + size;
        }
        else
        {
            decompressed.clear();
            Lz4Frame.instance().decompress(buffer, batchStart + RecordBatch.RECORDS_OFFSET,
                size - RecordBatch.RECORDS_OFFSET, decompressed);
            records = decompressed.buffer();
            i = 0;
            end = decompressed.position();
        }

        int previousDelta = -1;
        for (int r = 0; r < count; r++)
        {
            try
            {
                i = readRecord(records, i, end, baseOffset, baseTimestamp, previousDelta, lastOffsetDelta);
            }
            catch (final IllegalArgumentException e)
            {
                throw new CorruptRecordException("Record " + r + " of the batch at base offset " + baseOffset
                    + " is malformed: " + e.getMessage(), e);
            }
            previousDelta = (int)(view.offset - baseOffset);
            visitor.onRecord(view);
        }
        if (i != end)
        {
            throw new CorruptRecordException("Batch at base offset " + baseOffset + " has " + (end - i)
                + " bytes after its " + count + " records");
        }
        return size;
    }

    /** Decodes every record of the batch into application objects. */
    public List<Record> decode(final ByteBuffer buffer, final int batchStart, final int available)
    {
        final List<Record> out = new ArrayList<>(Math.max(0, Math.min(RecordBatch.recordCount(buffer, batchStart),
            1024)));
        forEach(buffer, batchStart, available, record -> out.add(record.toRecord()));
        return out;
    }

    /** Decodes every record of every batch in {@code [position, limit)} of the buffer. */
    public List<Record> decodeAll(final ByteBuffer buffer)
    {
        final List<Record> out = new ArrayList<>();
        int position = buffer.position();
        while (position < buffer.limit())
        {
            position += forEach(buffer, position, buffer.limit() - position, record -> out.add(record.toRecord()));
        }
        return out;
    }

    private int readRecord(final ByteBuffer records, final int start, final int end, final long baseOffset,
        final long baseTimestamp, final int previousDelta, final int lastOffsetDelta)
    {
        long packed = ByteUtils.readVarint(records, start, end);
        final int length = ByteUtils.varintValue(packed);
        int i = ByteUtils.varintNext(packed);
        if (length < 0 || length > end - i)
        {
            throw new IllegalArgumentException("record length " + length + " overruns the batch");
        }
        final int recordEnd = i + length;
        i++; // attributes: unused in v2
        final long timestampDelta = ByteUtils.readVarlong(records, i, recordEnd, next);
        i = next[0];
        packed = ByteUtils.readVarint(records, i, recordEnd);
        final int offsetDelta = ByteUtils.varintValue(packed);
        i = ByteUtils.varintNext(packed);
        if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta)
        {
            throw new IllegalArgumentException("offset delta " + offsetDelta + " is out of order or past "
                + lastOffsetDelta);
        }
        final int keyLength = (int)readLengthPrefix(records, i, recordEnd, next);
        final int keyIndex = next[0];
        i = keyIndex + Math.max(0, keyLength);
        final int valueLength = (int)readLengthPrefix(records, i, recordEnd, next);
        final int valueIndex = next[0];
        i = valueIndex + Math.max(0, valueLength);
        packed = ByteUtils.readVarint(records, i, recordEnd);
        final int headerCount = ByteUtils.varintValue(packed);
        i = ByteUtils.varintNext(packed);
        if (headerCount < 0)
        {
            throw new IllegalArgumentException("negative header count " + headerCount);
        }
        final int headersIndex = i;
        for (int h = 0; h < headerCount; h++)
        {
            final int headerKeyLength = (int)readLengthPrefix(records, i, recordEnd, next);
            if (headerKeyLength < 0)
            {
                throw new IllegalArgumentException("header key is null");
            }
            i = next[0] + headerKeyLength;
            final int headerValueLength = (int)readLengthPrefix(records, i, recordEnd, next);
            i = next[0] + Math.max(0, headerValueLength);
        }
        if (i != recordEnd)
        {
            throw new IllegalArgumentException("record body is " + length + " bytes but its fields take "
                + (i - (recordEnd - length)));
        }
        view.buffer = records;
        view.offset = baseOffset + offsetDelta;
        view.timestamp = baseTimestamp + timestampDelta;
        view.keyIndex = keyIndex;
        view.keyLength = keyLength;
        view.valueIndex = valueIndex;
        view.valueLength = valueLength;
        view.headersIndex = headersIndex;
        view.headerCount = headerCount;
        return recordEnd;
    }

    /**
     * Reads a varint length prefix (-1 meaning null) and checks that the bytes it announces fit before
     * {@code limit}. Returns the length; the index of the first byte after the prefix goes to {@code next[0]}.
     */
    static long readLengthPrefix(final ByteBuffer buffer, final int index, final int limit, final int[] next)
    {
        final long packed = ByteUtils.readVarint(buffer, index, limit);
        final int length = ByteUtils.varintValue(packed);
        final int after = ByteUtils.varintNext(packed);
        if (length < -1 || (length > 0 && length > limit - after))
        {
            throw new IllegalArgumentException("field length " + length + " overruns its record");
        }
        next[0] = after;
        return length;
    }
}
