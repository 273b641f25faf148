package io.sluice.broker.server;

import io.sluice.broker.partition.Partition;
import io.sluice.broker.purgatory.DelayedOperation;
import io.sluice.common.protocol.Errors;

import java.util.List;
import java.util.function.Consumer;

/**
 * An acks=all produce waiting until the high watermark of every partition it wrote passes its records. Expiring
 * turns the partitions still short into REQUEST_TIMED_OUT.
 */
final class DelayedProduce extends DelayedOperation
{
    /** One partition the produce waits on. */
    static final class Pending
    {
        final Partition partition;
        final long requiredOffset;
        short error = Errors.REQUEST_TIMED_OUT.code();

        Pending(final Partition partition, final long requiredOffset)
        {
            this.partition = partition;
            this.requiredOffset = requiredOffset;
        }
    }

    private final List<Pending> pending;
    private final Consumer<List<Pending>> respond;

    DelayedProduce(final long timeoutMs, final List<Pending> pending, final Consumer<List<Pending>> respond)
    {
        super(timeoutMs);
        this.pending = pending;
        this.respond = respond;
    }

    @Override
    public boolean tryComplete()
    {
        for (final Pending p : pending)
        {
            if (p.partition.highWatermark() < p.requiredOffset)
            {
                return false;
            }
        }
        return forceComplete();
    }

    @Override
    protected void onComplete()
    {
        for (final Pending p : pending)
        {
            if (p.partition.highWatermark() >= p.requiredOffset)
            {
                p.error = Errors.NONE.code();
            }
        }
        respond.accept(pending);
    }
}
