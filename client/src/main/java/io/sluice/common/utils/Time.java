package io.sluice.common.utils;

/** A clock, so that time-driven behaviour (roll, retention, timeouts) can be tested without waiting. */
public interface Time
{
    Time SYSTEM = new Time()
    {
        @Override
        public long milliseconds()
        {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoseconds()
        {
            return System.nanoTime();
        }
    };

    /** Wall-clock milliseconds since the epoch. */
    long milliseconds();

    /** A monotonic clock for measuring intervals. */
    long nanoseconds();
}
