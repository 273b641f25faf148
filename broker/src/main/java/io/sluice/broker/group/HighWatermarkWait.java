package io.sluice.broker.group;

import io.sluice.broker.partition.Partition;
import io.sluice.broker.purgatory.DelayedOperation;

import java.util.concurrent.CompletableFuture;

/** Waits until a partition's high watermark reaches an offset: a coordinator write is acknowledged only then. */
final class HighWatermarkWait extends DelayedOperation
{
    private final Partition partition;
    private final long requiredOffset;
    final CompletableFuture<Boolean> reached = new CompletableFuture<>();

    HighWatermarkWait(final Partition partition, final long requiredOffset, final long timeoutMs)
    {
        super(timeoutMs);
        this.partition = partition;
        this.requiredOffset = requiredOffset;
    }

    @Override
    public boolean tryComplete()
    {
        return partition.highWatermark() >= requiredOffset && forceComplete();
    }

    @Override
    protected void onComplete()
    {
        reached.complete(partition.highWatermark() >= requiredOffset);
    }
}
