package io.sluice.client.producer;

import java.util.concurrent.CompletableFuture;

/**
 * The future {@link Producer#send(ProducerRecord)} returns, which is also the callback its batch completes: one
 * object per record, as with a callback of the application's own.
 */
final class CallbackFuture extends CompletableFuture<RecordMetadata> implements Callback
{
    @Override
    public void onCompletion(final RecordMetadata metadata, final Exception exception)
    {
        if (exception == null)
        {
            complete(metadata);
        }
        else
        {
            completeExceptionally(exception);
        }
    }
}
