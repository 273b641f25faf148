package io.sluice.perf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds a sender to a target rate, the way Kafka's perf tools do: it sends freely and sleeps once it is at least
 * 2 ms ahead of schedule, so the rate is exact over any few milliseconds without a sleep per record (a sleep per
 * record would cost a thread wake-up each and measure the load generator rather than the broker). A negative or
 * zero rate means no limit.
 */
final class Throttler
{
    private static final long MIN_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final long targetPerSecond;
    private final long startNanos;

    Throttler(final long targetPerSecond, final long startNanos)
    {
        this.targetPerSecond = targetPerSecond;
        this.startNanos = startNanos;
    }

    /** Pauses if sending message number {@code sent} now would run 2 ms or more ahead of schedule. */
    void throttle(final long sent)
    {
        if (targetPerSecond <= 0)
        {
            return;
        }
        final long due = startNanos + sent * TimeUnit.SECONDS.toNanos(1) / targetPerSecond;
        long ahead;
        while ((ahead = due - System.nanoTime()) >= MIN_SLEEP_NANOS)
        {
            LockSupport.parkNanos(ahead);
        }
    }
}
