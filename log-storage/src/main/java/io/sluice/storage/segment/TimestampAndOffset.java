package io.sluice.storage.segment;

/** The first record at or after a timestamp: its offset and its own timestamp. */
public final class TimestampAndOffset
{
    public final long timestamp;
    public final long offset;

    public TimestampAndOffset(final long timestamp, final long offset)
    {
        this.timestamp = timestamp;
        this.offset = offset;
    }

    @Override
    public String toString()
    {
        return "TimestampAndOffset(timestamp=" + timestamp + ", offset=" + offset + ")";
    }
}
