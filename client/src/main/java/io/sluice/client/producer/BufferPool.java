package io.sluice.client.producer;

import io.sluice.common.errors.TimeoutException;
import io.sluice.common.record.RecordBatchBuilder;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code buffer.memory} as a budget of batch builders. Builders of {@code batch.size} are reused once their batch
 * completes, so a steady producer stops allocating batch buffers; a larger record gets a builder of its own size,
 * counted against the budget and dropped afterwards. {@link #allocate} blocks up to {@code max.block.ms} when the
 * budget is spent.
 */
final class BufferPool
{
    private final long totalMemory;
    private final int poolableSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final ArrayDeque<RecordBatchBuilder> free = new ArrayDeque<>();
    private long available;

    BufferPool(final long totalMemory, final int poolableSize)
    {
        this.totalMemory = totalMemory;
        this.poolableSize = poolableSize;
        this.available = totalMemory;
    }

    /** A builder for at least {@code size} bytes, blocking up to {@code maxBlockMs} for memory. */
    RecordBatchBuilder allocate(final int size, final long maxBlockMs) throws InterruptedException
    {
        final int want = Math.max(size, poolableSize);
        if (want > totalMemory)
        {
            throw new io.sluice.common.errors.RecordTooLargeException("A batch of " + want
                + " bytes exceeds buffer.memory (" + totalMemory + ")");
        }
        lock.lock();
        try
        {
            long remaining = TimeUnit.MILLISECONDS.toNanos(maxBlockMs);
            while (available < want)
            {
                if (remaining <= 0)
                {
                    throw new TimeoutException("No buffer memory for a batch within " + maxBlockMs
                        + " ms (max.block.ms): buffer.memory " + totalMemory + " is full of unsent batches");
                }
                remaining = freed.awaitNanos(remaining);
            }
            available -= want;
            if (want == poolableSize && !free.isEmpty())
            {
                return free.pollFirst();
            }
        }
        finally
        {
            lock.unlock();
        }
        return new RecordBatchBuilder(want);
    }

    /** Returns a builder whose batch completed. */
    void release(final RecordBatchBuilder builder, final int allocatedSize)
    {
        final int size = Math.max(allocatedSize, poolableSize);
        lock.lock();
        try
        {
            available += size;
            if (size == poolableSize)
            {
                free.addLast(builder);
            }
            freed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    long availableMemory()
    {
        lock.lock();
        try
        {
            return available;
        }
        finally
        {
            lock.unlock();
        }
    }
}
