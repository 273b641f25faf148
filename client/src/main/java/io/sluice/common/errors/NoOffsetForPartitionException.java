package io.sluice.common.errors;

/** A partition has no committed offset and {@code auto.offset.reset} is {@code none}: the application must seek. */
public class NoOffsetForPartitionException extends SluiceException
{
    public NoOffsetForPartitionException(final String message)
    {
        super(message);
    }
}
