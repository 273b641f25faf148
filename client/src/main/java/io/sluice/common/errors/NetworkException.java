package io.sluice.common.errors;

/** The connection to a broker failed or closed before the response arrived. */
public class NetworkException extends RetriableException
{
    public NetworkException(final String message)
    {
        super(message);
    }

    public NetworkException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
