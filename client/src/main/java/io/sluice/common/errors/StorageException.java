package io.sluice.common.errors;

/**
 * The broker's storage failed: a missing, read-only or full data directory, or an I/O error. The message names
 * the path involved so an operator can act on it.
 */
public class StorageException extends SluiceException
{
    public StorageException(final String message)
    {
        super(message);
    }

    public StorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
