package io.sluice.common.record;

import java.util.List;

/**
 * One decoded record with its absolute offset and timestamp. Key and value are null when absent. Made by readers
 * that hand records to application code; the storage hot path works on batches and never builds these.
 */
public final class Record
{
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;

    public Record(final long offset, final long timestamp, final byte[] key, final byte[] value,
        final List<Header> headers)
    {
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
    }

    public long offset()
    {
        return offset;
    }

    public long timestamp()
    {
        return timestamp;
    }

    public byte[] key()
    {
        return key;
    }

    public byte[] value()
    {
        return value;
    }

    public List<Header> headers()
    {
        return headers;
    }

    @Override
    public String toString()
    {
        return "Record(offset=" + offset + ", timestamp=" + timestamp + ", keySize="
            + (key == null ? -1 : key.length) + ", valueSize=" + (value == null ? -1 : value.length)
            + ", headers=" + headers + ")";
    }
}
