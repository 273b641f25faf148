package io.sluice.broker.purgatory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
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
