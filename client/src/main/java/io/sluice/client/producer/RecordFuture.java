package io.sluice.client.producer;

import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@link Producer#send(ProducerRecord, Callback)} returns: a view of the record's slot in its batch, which
 * holds the outcome, so the application's callback is the only other object kept per record until the answer.
 */
final class RecordFuture implements Future<RecordMetadata>
{
    private final ProducerBatch batch;
    private final int index;

    RecordFuture(final ProducerBatch batch, final int index)
    {
        this.batch = batch;
        this.index = index;
    }

    /** A record already sent cannot be called back: always false, as Kafka's. */
    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        return false;
    }

    @Override
    public boolean isCancelled()
    {
        return false;
    }

    @Override
    public boolean isDone()
    {
        return batch.isDone();
    }

    @Override
    public RecordMetadata get() throws InterruptedException, ExecutionException
    {
        batch.awaitDone();
        return result();
    }

    @Override
    public RecordMetadata get(final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        if (!batch.awaitDone(timeout, unit))
        {
            throw new TimeoutException("The record was not acknowledged or failed within " + timeout + " "
                + unit.toString().toLowerCase(Locale.ROOT));
        }
        return result();
    }

    private RecordMetadata result() throws ExecutionException
    {
        final Exception failure = batch.failure();
        if (failure != null)
        {
            throw new ExecutionException(failure);
        }
        return batch.metadata(index);
    }
}
