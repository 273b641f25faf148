package io.sluice.client.consumer;

/** An offset to commit (the next record to read) with an optional note, as Kafka's. */
public record OffsetAndMetadata(long offset, String metadata)
{
    public OffsetAndMetadata
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("A committed offset must not be negative: " + offset);
        }
    }

    public OffsetAndMetadata(final long offset)
    {
        this(offset, "");
    }
}
