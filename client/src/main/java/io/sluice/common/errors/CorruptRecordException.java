package io.sluice.common.errors;

/**
 * A record batch failed its integrity checks: bad CRC, impossible lengths, or records that do not match the batch
 * header. Retriable because the corruption usually happened in transit and a resend carries good bytes.
 */
public class CorruptRecordException extends RetriableException
{
    public CorruptRecordException(final String message)
    {
        super(message);
    }

    public CorruptRecordException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
