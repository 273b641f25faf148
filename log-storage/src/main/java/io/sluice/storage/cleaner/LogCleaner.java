package io.sluice.storage.cleaner;

import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.utils.Time;
import io.sluice.storage.log.Log;
import io.sluice.storage.log.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The background thread that compacts logs with {@code cleanup.policy=compact}: it picks the log with the largest
 * share of uncleaned data above {@code min.cleanable.dirty.ratio} and hands it to a {@link SegmentCompactor}.
 * Deleting a topic pauses cleaning of its partitions first, so the cleaner never rewrites a log being removed.
 */
public final class LogCleaner
{
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    private final LogManager logManager;
    private final Time time;
    private final long backoffMs;
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Object monitor = new Object();
    private TopicPartition inProgress;
    private Thread thread;
    private volatile boolean running;

    public LogCleaner(final LogManager logManager, final Time time, final long backoffMs)
    {
        this.logManager = logManager;
        this.time = time;
        this.backoffMs = backoffMs;
    }

    public void start()
    {
        running = true;
        thread = new Thread(this::run, "log-cleaner");
        thread.setDaemon(true);
        thread.start();
    }

    private void run()
    {
        while (running)
        {
            boolean cleaned = false;
            try
            {
                cleaned = cleanDirtiestLog();
            }
            catch (final RuntimeException e)
            {
                LOG.error("The log cleaner failed; it will try again after {} ms", backoffMs, e);
            }
            if (!cleaned)
            {
                synchronized (monitor)
                {
                    if (running)
                    {
                        try
                        {
                            monitor.wait(Math.max(1, backoffMs));
                        }
                        catch (final InterruptedException e)
                        {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Cleans the dirtiest eligible log, if any; returns whether it cleaned one. */
    boolean cleanDirtiestLog()
    {
        Log dirtiest = null;
        double worst = -1;
        for (final Log log : logManager.allLogs())
        {
            if (!log.config().compact || log.isClosed() || log.failure() != null)
            {
                continue;
            }
            final double ratio = SegmentCompactor.dirtyRatio(log, firstDirtyOffset(log));
            if (ratio >= log.config().minCleanableDirtyRatio && ratio > 0 && ratio > worst)
            {
                worst = ratio;
                dirtiest = log;
            }
        }
        return dirtiest != null && clean(dirtiest) > 0;
    }

    private long firstDirtyOffset(final Log log)
    {
        final Map<TopicPartition, Long> checkpoint = logManager.readCleanerCheckpoint(log.topicPartition());
        return Math.max(checkpoint.getOrDefault(log.topicPartition(), log.logStartOffset()), log.logStartOffset());
    }

    /**
     * Compacts {@code log} now, whatever its dirty ratio, and returns the offset up to which it is clean (0 if it
     * was paused or had nothing to clean).
     */
    public long clean(final Log log)
    {
        final TopicPartition tp = log.topicPartition();
        synchronized (monitor)
        {
            if (paused.contains(tp))
            {
                return 0;
            }
            inProgress = tp;
        }
        try
        {
            final long cleanedTo = new SegmentCompactor(log, time).compact(firstDirtyOffset(log));
            if (cleanedTo > 0)
            {
                logManager.writeCleanerCheckpoint(tp, cleanedTo);
            }
            return cleanedTo;
        }
        catch (final SluiceException | IllegalStateException e)
        {
            LOG.warn("Cleaning partition {} stopped: {}", tp, e.getMessage());
            return 0;
        }
        finally
        {
            synchronized (monitor)
            {
                inProgress = null;
                monitor.notifyAll();
            }
        }
    }

    /** Stops cleaning {@code tp}, waiting for a pass in progress to finish. */
    public void abortAndPause(final TopicPartition tp)
    {
        synchronized (monitor)
        {
            paused.add(tp);
            while (tp.equals(inProgress))
            {
                try
                {
                    monitor.wait();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    public void resume(final TopicPartition tp)
    {
        synchronized (monitor)
        {
            paused.remove(tp);
        }
    }

    /** Wakes the cleaner to look for work now rather than after its back-off. */
    public void wakeup()
    {
        synchronized (monitor)
        {
            monitor.notifyAll();
        }
    }

    public void shutdown()
    {
        running = false;
        wakeup();
        if (thread != null)
        {
            try
            {
                thread.join(30_000);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
