package io.sluice.client.consumer;

import io.sluice.client.internals.Futures;
import io.sluice.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Asynchronous commits, one request in flight at a time: commits made while one is in flight are merged (a later
 * offset for a partition replaces an earlier one, as the broker would) and sent together when it returns. A
 * consumer committing after every short poll thus sends one request per round trip, not one per poll. Callbacks
 * run in commit order on the poll thread, each with the offsets it asked for.
 */
final class AsyncCommits
{
    /** Commits merged into one request, with each caller's offsets and callback for when it ends. */
    record Batch(Map<TopicPartition, OffsetAndMetadata> offsets, List<Map<TopicPartition, OffsetAndMetadata>> requested,
        List<OffsetCommitCallback> listeners)
    {
        static Batch empty()
        {
            return new Batch(new HashMap<>(), new ArrayList<>(), new ArrayList<>());
        }

        void add(final Map<TopicPartition, OffsetAndMetadata> commit, final OffsetCommitCallback callback)
        {
            offsets.putAll(commit);
            requested.add(commit);
            listeners.add(callback);
        }

        /** Queues every callback of the batch with the outcome, for the poll thread to run. */
        void complete(final Exception failure, final Queue<Runnable> out)
        {
            for (int i = 0; i < listeners.size(); i++)
            {
                final OffsetCommitCallback listener = listeners.get(i);
                final Map<TopicPartition, OffsetAndMetadata> commit = requested.get(i);
                if (listener != null)
                {
                    out.add(() -> listener.onComplete(commit, failure));
                }
            }
        }
    }

    private final Function<Map<TopicPartition, OffsetAndMetadata>, CompletableFuture<Void>> send;
    private final Queue<Runnable> callbacks;
    private final Object lock = new Object();
    private boolean inFlight;
    private Batch queued = Batch.empty();

    AsyncCommits(final Function<Map<TopicPartition, OffsetAndMetadata>, CompletableFuture<Void>> send,
        final Queue<Runnable> callbacks)
    {
        this.send = send;
        this.callbacks = callbacks;
    }

    void commit(final Map<TopicPartition, OffsetAndMetadata> offsets, final OffsetCommitCallback callback)
    {
        final Batch batch;
        synchronized (lock)
        {
            queued.add(offsets, callback);
            if (inFlight)
            {
                return;
            }
            inFlight = true;
            batch = queued;
            queued = Batch.empty();
        }
        send(batch);
    }

    private void send(final Batch batch)
    {
        final CompletableFuture<Void> sent;
        try
        {
            sent = send.apply(batch.offsets());
        }
        catch (final RuntimeException e)
        {
            finish(batch, e);
            return;
        }
        sent.whenComplete((v, e) -> finish(batch, e == null ? null : Futures.unwrap(e)));
    }

    private void finish(final Batch batch, final Exception failure)
    {
        batch.complete(failure, callbacks);
        final Batch next;
        synchronized (lock)
        {
            if (queued.requested().isEmpty())
            {
                inFlight = false;
                return;
            }
            next = queued;
            queued = Batch.empty();
        }
        send(next);
    }

    /** Takes the commits waiting behind the one in flight, for a synchronous commit to carry instead. */
    Batch takeQueued()
    {
        synchronized (lock)
        {
            final Batch taken = queued;
            queued = Batch.empty();
            return taken;
        }
    }
}
