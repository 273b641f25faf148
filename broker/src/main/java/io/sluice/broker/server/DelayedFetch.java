package io.sluice.broker.server;

import io.sluice.broker.purgatory.DelayedOperation;

import java.util.function.BooleanSupplier;

/**
 * A fetch parked until its partitions hold at least {@code minBytes} of new data below the high watermark, or
 * {@code maxWaitMs} passes; then it reads and answers with whatever there is.
 */
final class DelayedFetch extends DelayedOperation
{
    private final BooleanSupplier satisfied;
    private final Runnable respond;

    DelayedFetch(final long maxWaitMs, final BooleanSupplier satisfied, final Runnable respond)
    {
        super(maxWaitMs);
        this.satisfied = satisfied;
        this.respond = respond;
    }

    @Override
    public boolean tryComplete()
    {
        return satisfied.getAsBoolean() && forceComplete();
    }

    @Override
    protected void onComplete()
    {
        respond.run();
    }
}
