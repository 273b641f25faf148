package io.sluice.common.errors;

/** An error a broker returned for a request, carrying its wire code; see {@code Errors}. */
public class ApiException extends SluiceException
{
    private final short code;
    private final boolean retriable;

    public ApiException(final short code, final boolean retriable, final String message)
    {
        super(message);
        this.code = code;
        this.retriable = retriable;
    }

    public short code()
    {
        return code;
    }

    /** Whether the same request may succeed if tried again (after refreshing metadata where that applies). */
    @Override
    public boolean isRetriable()
    {
        return retriable;
    }
}
