package io.sluice.common.errors;

/** A blocking call or a request did not complete within its timeout. */
public class TimeoutException extends RetriableException
{
    public TimeoutException(final String message)
    {
        super(message);
    }
}
