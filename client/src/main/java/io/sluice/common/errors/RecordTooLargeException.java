package io.sluice.common.errors;

/** A record or batch exceeds the configured maximum size ({@code max.message.bytes} or {@code segment.bytes}). */
public class RecordTooLargeException extends SluiceException
{
    public RecordTooLargeException(final String message)
    {
        super(message);
    }
}
