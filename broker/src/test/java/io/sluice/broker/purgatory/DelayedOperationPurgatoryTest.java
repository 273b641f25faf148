package io.sluice.broker.purgatory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelayedOperationPurgatoryTest
{
    private final DelayedOperationPurgatory<Waiting> purgatory = new DelayedOperationPurgatory<>("test");

    /** Completes when {@code ready} is set; {@code broken} makes its check throw. */
    private static final class Waiting extends DelayedOperation
    {
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicInteger completions = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(1);
        volatile String completedOn;

        Waiting(final long delayMs)
        {
            super(delayMs);
        }

        @Override
        public boolean tryComplete()
        {
            if (broken.get())
            {
                throw new IllegalStateException("check failed");
            }
            return ready.get() && forceComplete();
        }

        @Override
        protected void onComplete()
        {
            completions.incrementAndGet();
            completedOn = Thread.currentThread().getName();
            done.countDown();
        }
    }

    @AfterEach
    void close()
    {
        purgatory.close();
    }

    @Test
    void anOperationCompletesOnceWhenItsKeyIsCheckedAfterItsConditionHolds()
    {
        final Waiting op = new Waiting(60_000);
        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a", "b")));
        assertEquals(1, purgatory.size());
        assertEquals(0, purgatory.checkAndComplete("a"));

        op.ready.set(true);
        assertEquals(1, purgatory.checkAndComplete("b"));
        assertEquals(0, purgatory.checkAndComplete("a"));
        assertEquals(1, op.completions.get());
        assertEquals(0, purgatory.size());
    }

    @Test
    void anOperationTimesOutAfterItsDelay() throws Exception
    {
        final Waiting op = new Waiting(20);
        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a")));
        assertTrue(op.done.await(10, TimeUnit.SECONDS));
        assertEquals(1, op.completions.get());
        assertEquals(0, purgatory.size());
    }

    /** A request's timeout runs on its connection's event loop, which then writes the answer itself. */
    @Test
    void aTimeoutSetOnAGivenSchedulerFiresOnItsThread() throws Exception
    {
        final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "loop"));
        try
        {
            final Waiting op = new Waiting(20);
            assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a"), loop));
            assertTrue(op.done.await(10, TimeUnit.SECONDS));
            assertEquals("loop", op.completedOn);
            assertEquals(1, op.completions.get());
            assertEquals(0, purgatory.size());
        }
        finally
        {
            loop.shutdownNow();
        }
    }

    /** A fetch answered by new data must not leave its timer behind: thousands per second are parked. */
    @Test
    void completingAnOperationCancelsItsTimeout()
    {
        final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1);
        loop.setRemoveOnCancelPolicy(true);
        try
        {
            final Waiting op = new Waiting(60_000);
            assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a"), loop));
            assertEquals(1, loop.getQueue().size());

            op.ready.set(true);
            assertEquals(1, purgatory.checkAndComplete("a"));
            assertEquals(0, loop.getQueue().size());
            assertEquals(1, op.completions.get());
        }
        finally
        {
            loop.shutdownNow();
        }
    }

    /** At shutdown a connection's loop refuses new timers: the operation is answered now rather than never. */
    @Test
    void anOperationWhoseSchedulerRefusesItsTimeoutCompletesAtOnce()
    {
        final ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1);
        loop.shutdownNow();
        final Waiting op = new Waiting(60_000);

        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a"), loop));
        assertEquals(1, op.completions.get());
        assertEquals(0, purgatory.size());
    }

    /** The check runs on the thread of another request (a produce); its failure must answer the parked one. */
    @Test
    void anOperationWhoseCheckThrowsIsCompletedAndTheCallerDoesNotFail()
    {
        final Waiting op = new Waiting(60_000);
        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("a")));
        op.broken.set(true);

        assertEquals(1, purgatory.checkAndComplete("a"));
        assertEquals(1, op.completions.get());
        assertEquals(0, purgatory.size());
    }
}
