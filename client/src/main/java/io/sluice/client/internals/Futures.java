package io.sluice.client.internals;

import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting on futures with a bound, turning failures into the client's typed exceptions. */
public final class Futures
{
    private Futures()
    {
    }

    public static <T> T await(final CompletableFuture<T> future, final long timeoutMs, final String what)
    {
        try
        {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException e)
        {
            throw unwrap(e.getCause());
        }
        catch (final java.util.concurrent.TimeoutException e)
        {
            future.cancel(false);
            throw new TimeoutException(what + " did not complete within " + timeoutMs + " ms");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while waiting for " + what);
        }
    }

    public static SluiceException unwrap(final Throwable t)
    {
        Throwable cause = t;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException)
            && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause instanceof SluiceException ? (SluiceException)cause
            : new SluiceException(cause.toString(), cause);
    }
}
