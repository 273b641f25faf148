package io.sluice.storage.index;

/** An index file failed its sanity check; the caller rebuilds it from the log. */
public final class CorruptIndexException extends RuntimeException
{
    public CorruptIndexException(final String message)
    {
        super(message);
    }
}
