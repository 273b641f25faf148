package io.sluice.perf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Holds a sender to a target rate by pausing when it runs ahead; a negative rate means no limit. */
final class Throttler
{
    private final long targetPerSecond;
    private final long startNanos;

    Throttler(final long targetPerSecond, final long startNanos)
    {
        this.targetPerSecond = targetPerSecond;
        this.startNanos = startNanos;
    }

    /** Pauses until sending message number {@code sent} is on schedule. */
    void throttle(final long sent)
    {
        if (targetPerSecond <= 0)
        {
            return;
        }
        final long due = startNanos + sent * TimeUnit.SECONDS.toNanos(1) / targetPerSecond;
        long now;
        while ((now = System.nanoTime()) < due)
        {
            // Parking, not spinning: on a small machine a spinning sender steals the core the broker needs.
            LockSupport.parkNanos(due - now);
        }
    }
}
