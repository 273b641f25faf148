package io.sluice.storage.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Background tasks of the storage layer (retention, flushes, checkpoints, delayed file deletion) on a small pool of
 * named daemon threads. A task that throws is logged with its name and, if periodic, runs again next time.
 */
public final class Scheduler implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final ScheduledThreadPoolExecutor executor;

    public Scheduler(final int threads, final String threadNamePrefix)
    {
        final AtomicInteger counter = new AtomicInteger();
        final ThreadFactory factory = runnable ->
        {
            final Thread thread = new Thread(runnable, threadNamePrefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ScheduledThreadPoolExecutor(threads, factory);
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} once after {@code delayMs}. */
    public ScheduledFuture<?> schedule(final String name, final Runnable task, final long delayMs)
    {
        return executor.schedule(wrap(name, task), delayMs, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code periodMs}, first after {@code delayMs}. */
    public ScheduledFuture<?> schedulePeriodic(final String name, final Runnable task, final long delayMs,
        final long periodMs)
    {
        return executor.scheduleWithFixedDelay(wrap(name, task), delayMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private static Runnable wrap(final String name, final Runnable task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final Throwable t)
            {
                LOG.error("Background task '{}' failed", name, t);
            }
        };
    }

    public boolean isShutdown()
    {
        return executor.isShutdown();
    }

    /** Stops periodic tasks and waits for running ones; delayed one-shot tasks that have not started are dropped. */
    @Override
    public void close()
    {
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS))
            {
                LOG.warn("Background tasks did not finish within 30 s of shutdown");
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
