package io.sluice.broker.purgatory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parked operations keyed by what can complete them (a partition), each with a timeout, so thousands of
 * long-polling fetches cost a set entry and a timer each rather than a thread each.
 *
 * <p>A request's timeout is set on its connection's event loop: it fires where the answer is written, and setting
 * or cancelling it wakes no other thread. (A hashed timer wheel would tick every few milliseconds whether anything
 * is parked or not, and a timer thread of its own would be woken whenever a new timeout became the earliest, as it
 * does for nearly every fetch parked.) Operations without a connection, such as the group coordinator's, use this
 * purgatory's own timer thread, which sleeps while nothing is due.
 *
 * @param <T> the kind of operation parked here.
 */
public final class DelayedOperationPurgatory<T extends DelayedOperation> implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DelayedOperationPurgatory.class);

    private final String name;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<Object, Set<T>> watchers = new ConcurrentHashMap<>();
    private final AtomicInteger parked = new AtomicInteger();

    public DelayedOperationPurgatory(final String name)
    {
        this.name = name;
        this.timer = new ScheduledThreadPoolExecutor(1, r ->
        {
            final Thread thread = new Thread(r, "purgatory-" + name);
            thread.setDaemon(true);
            return thread;
        });
        // Completed operations take their timeouts out at once instead of leaving them queued until due.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** As {@link #tryCompleteElseWatch(DelayedOperation, List, ScheduledExecutorService)}, timed by this purgatory. */
    public boolean tryCompleteElseWatch(final T operation, final List<Object> keys)
    {
        return tryCompleteElseWatch(operation, keys, timer);
    }

    /**
     * Completes {@code operation} now if it can; otherwise parks it under {@code keys} until one of them is checked
     * and the operation completes, or its delay passes on {@code scheduler}, which then completes it. Returns
     * whether it completed at once.
     */
    public boolean tryCompleteElseWatch(final T operation, final List<Object> keys,
        final ScheduledExecutorService scheduler)
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
            try
            {
                operation.timeout = scheduler.schedule(() -> expire(operation), operation.delayMs(),
                    TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException e)
            {
                // The scheduler is shutting down (the broker is): nothing would time the operation out.
                operation.forceComplete();
                return false;
            }
            if (operation.isCompleted())
            {
                operation.timeout.cancel(false);
            }
        }
        return false;
    }

    private void expire(final T operation)
    {
        try
        {
            operation.forceComplete();
        }
        catch (final RuntimeException e)
        {
            // The scheduler would keep the failure in a future nobody reads.
            LOG.error("Completing a parked {} operation at its timeout failed", name, e);
        }
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
        timer.shutdownNow();
    }
}
