package io.sluice.common.errors;

/** A read asked for an offset below the log start offset or above the log end offset. */
public class OffsetOutOfRangeException extends SluiceException
{
    public OffsetOutOfRangeException(final String message)
    {
        super(message);
    }
}
