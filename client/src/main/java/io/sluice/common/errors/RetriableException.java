package io.sluice.common.errors;

/** A failure that may succeed when the same operation is tried again, possibly after refreshing metadata. */
public class RetriableException extends SluiceException
{
    public RetriableException(final String message)
    {
        super(message);
    }

    public RetriableException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
