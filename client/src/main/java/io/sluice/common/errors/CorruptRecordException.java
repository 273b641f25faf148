package io.sluice.common.errors;

import io.sluice.common.TopicPartition;

/**
 * A record batch failed its integrity checks: bad CRC, impossible lengths, or records that do not match the batch
 * header. Retriable because the corruption usually happened in transit and a resend carries good bytes.
 *
 * <p>Thrown by the consumer's {@code poll}, it names the partition and the offset at which reading stopped: the
 * position stays there and every poll fails the same way until the application seeks past the damaged batch, as
 * with a record its deserializer refuses.
 */
public class CorruptRecordException extends RetriableException
{
    private final TopicPartition topicPartition;
    private final long offset;

    public CorruptRecordException(final String message)
    {
        this(message, null);
    }

    public CorruptRecordException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.topicPartition = null;
        this.offset = -1;
    }

    /** Damaged data fetched from {@code topicPartition}, where reading stopped at {@code offset}. */
    public CorruptRecordException(final TopicPartition topicPartition, final long offset,
        final CorruptRecordException cause)
    {
        super("Fetched data of " + topicPartition + " is damaged at offset " + offset + " or just after: "
            + cause.getMessage() + "; seek past it to go on", cause);
        this.topicPartition = topicPartition;
        this.offset = offset;
    }

    /** The partition whose fetched data is damaged; null when not thrown by a consumer. */
    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    /** The offset at which the consumer stopped reading (its position); -1 when not thrown by a consumer. */
    public long offset()
    {
        return offset;
    }
}
