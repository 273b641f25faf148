package io.sluice.broker.purgatory;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parked operations keyed by what can complete them (a partition), with timeouts on a hashed timer wheel, so
 * thousands of long-polling fetches cost a set entry each rather than a thread or a scheduled task each.
 *
 * @param <T> the kind of operation parked here.
 */
public final class DelayedOperationPurgatory<T extends DelayedOperation> implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DelayedOperationPurgatory.class);

    private final String name;
    private final Timer timer;
    private final Map<Object, Set<T>> watchers = new ConcurrentHashMap<>();
    private final AtomicInteger parked = new AtomicInteger();

    public DelayedOperationPurgatory(final String name)
    {
        this.name = name;
        this.timer = new HashedWheelTimer(r ->
        {
            final Thread thread = new Thread(r, "purgatory-" + name);
            thread.setDaemon(true);
            return thread;
        }, 5, TimeUnit.MILLISECONDS, 512);
    }

    /**
     * Completes {@code operation} now if it can; otherwise parks it under {@code keys} until one of them is checked
     * and the operation completes, or its delay passes. Returns whether it completed at once.
     */
    public boolean tryCompleteElseWatch(final T operation, final List<Object> keys)
    {
        if (operation.tryComplete())
        {
            return true;
        }
        operation.keys = keys;
        operation.purgatory = this;
        for (final Object key : keys)
        {
            watchers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(operation);
        }
        parked.incrementAndGet();
        // The condition may have become true while the operation was being registered.
        if (operation.tryComplete())
        {
            return true;
        }
        if (!operation.isCompleted())
        {
            operation.timeout = timer.newTimeout(operation, operation.delayMs(), TimeUnit.MILLISECONDS);
            if (operation.isCompleted())
            {
                operation.timeout.cancel();
            }
        }
        return false;
    }

    /** Tries to complete every operation watching {@code key}; returns how many completed. */
    public int checkAndComplete(final Object key)
    {
        final Set<T> set = watchers.get(key);
        if (set == null || set.isEmpty())
        {
            return 0;
        }
        int completed = 0;
        for (final T operation : set)
        {
            try
            {
                if (!operation.isCompleted() && operation.tryComplete())
                {
                    completed++;
                }
            }
            catch (final RuntimeException e)
            {
                // The caller is another request (the produce that released this one): it must not fail for it.
                LOG.error("Checking a parked {} operation failed; completing it now", name, e);
                if (operation.forceComplete())
                {
                    completed++;
                }
            }
        }
        return completed;
    }

    /** Completes every parked operation now, for shutdown. */
    public void completeAll()
    {
        for (final Set<T> set : watchers.values())
        {
            for (final T operation : set)
            {
                operation.forceComplete();
            }
        }
    }

    void unwatch(final DelayedOperation operation)
    {
        final List<Object> keys = operation.keys;
        if (keys == null)
        {
            return;
        }
        parked.decrementAndGet();
        for (final Object key : keys)
        {
            final Set<T> set = watchers.get(key);
            if (set != null)
            {
                set.remove(operation);
            }
        }
    }

    /** Operations parked now. */
    public int size()
    {
        return parked.get();
    }

    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        completeAll();
        timer.stop();
    }
}
