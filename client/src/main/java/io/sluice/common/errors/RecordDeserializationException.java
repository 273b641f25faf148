package io.sluice.common.errors;

import io.sluice.common.TopicPartition;

/**
 * The application's deserializer refused a fetched record. The consumer's position stays at that record, and
 * {@code poll} keeps failing on it until the application seeks past it ({@code seek(topicPartition(), offset() + 1)})
 * or otherwise handles it: a record is never skipped without the application knowing.
 */
public class RecordDeserializationException extends SluiceException
{
    private final TopicPartition topicPartition;
    private final long offset;

    public RecordDeserializationException(final TopicPartition topicPartition, final long offset,
        final Throwable cause)
    {
        super("Could not deserialize the record of " + topicPartition + " at offset " + offset + ": "
            + cause + "; seek past it to go on", cause);
        this.topicPartition = topicPartition;
        this.offset = offset;
    }

    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    public long offset()
    {
        return offset;
    }
}
