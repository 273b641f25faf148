package io.sluice.common.errors;

/**
 * Root of every exception Sluice throws on purpose. Subclasses of {@link RetriableException} describe conditions
 * that may go away if the same operation is tried again; every other subclass is final for that operation.
 */
public class SluiceException extends RuntimeException
{
    public SluiceException(final String message)
    {
        super(message);
    }

    public SluiceException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /** Whether the same operation may succeed if tried again; {@link ApiException} says so per wire error. */
    public boolean isRetriable()
    {
        return this instanceof RetriableException;
    }
}
