package io.sluice.storage.test;

import io.sluice.common.utils.Time;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it. */
public final class MockTime implements Time
{
    private final AtomicLong nanos;

    public MockTime(final long startMs)
    {
        this.nanos = new AtomicLong(startMs * 1_000_000L);
    }

    @Override
    public long milliseconds()
    {
        return nanos.get() / 1_000_000L;
    }

    @Override
    public long nanoseconds()
    {
        return nanos.get();
    }

    public void sleep(final long ms)
    {
        nanos.addAndGet(ms * 1_000_000L);
    }
}
