package io.sluice.broker.purgatory;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request parked until a condition holds (enough bytes to fetch, records past the high watermark) or its
 * timeout passes. Exactly one of the completion paths wins, so the response is sent once.
 */
public abstract class DelayedOperation
{
    private final AtomicBoolean completed = new AtomicBoolean();
    private final long delayMs;
    volatile ScheduledFuture<?> timeout;
    volatile List<Object> keys;
    volatile DelayedOperationPurgatory<?> purgatory;

    protected DelayedOperation(final long delayMs)
    {
        this.delayMs = delayMs;
    }

    public long delayMs()
    {
        return delayMs;
    }

    /** Checks the condition and, if it holds, calls {@link #forceComplete()}; returns whether it completed. */
    public abstract boolean tryComplete();

    /** Builds and sends the response; called once. */
    protected abstract void onComplete();

    /** Completes now, whatever the condition; returns false if another path completed it first. */
    public final boolean forceComplete()
    {
        if (!completed.compareAndSet(false, true))
        {
            return false;
        }
        final ScheduledFuture<?> t = timeout;
        if (t != null)
        {
            t.cancel(false);
        }
        final DelayedOperationPurgatory<?> p = purgatory;
        if (p != null)
        {
            p.unwatch(this);
        }
        onComplete();
        return true;
    }

    public final boolean isCompleted()
    {
        return completed.get();
    }
}
