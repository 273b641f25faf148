package io.sluice.common.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A flyweight over one record inside a decoded batch, valid only during the {@link RecordVisitor} callback that
 * receives it. Gives indexes into {@link #buffer()} so callers can read keys and values without copying.
 */
public final class RecordView
{
    ByteBuffer buffer;
    long offset;
    long timestamp;
    int keyIndex;
    int keyLength;
    int valueIndex;
    int valueLength;
    int headersIndex;
    int headerCount;

    public long offset()
    {
        return offset;
    }

    public long timestamp()
    {
        return timestamp;
    }

    /** The buffer that {@link #keyIndex()} and {@link #valueIndex()} point into. */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    public int keyIndex()
    {
        return keyIndex;
    }

    /** Key length in bytes, or -1 for a null key. */
    public int keyLength()
    {
        return keyLength;
    }

    public int valueIndex()
    {
        return valueIndex;
    }

    /** Value length in bytes, or -1 for a null value (a tombstone in a compacted topic). */
    public int valueLength()
    {
        return valueLength;
    }

    public int headerCount()
    {
        return headerCount;
    }

    public byte[] key()
    {
        return copy(keyIndex, keyLength);
    }

    public byte[] value()
    {
        return copy(valueIndex, valueLength);
    }

    /** Decodes the headers; they were bounds-checked when the record was read. */
    public List<Header> headers()
    {
        if (headerCount == 0)
        {
            return Collections.emptyList();
        }
        final List<Header> headers = new ArrayList<>(headerCount);
        int i = headersIndex;
        final int[] next = new int[1];
        for (int h = 0; h < headerCount; h++)
        {
            final int keyLen = (int)RecordBatchReader.readLengthPrefix(buffer, i, Integer.MAX_VALUE, next);
            i = next[0];
            final String key = new String(copy(i, keyLen), StandardCharsets.UTF_8);
            i += keyLen;
            final int valueLen = (int)RecordBatchReader.readLengthPrefix(buffer, i, Integer.MAX_VALUE, next);
            i = next[0];
            headers.add(new Header(key, copy(i, valueLen)));
            i += Math.max(0, valueLen);
        }
        return headers;
    }

    /** Materializes the record for application code. */
    public Record toRecord()
    {
        return new Record(offset, timestamp, key(), value(), headers());
    }

    private byte[] copy(final int index, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.get(index, bytes, 0, length);
        return bytes;
    }
}
