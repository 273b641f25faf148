package io.sluice.client.producer;

/**
 * Told once how a record sent with {@link Producer#send(ProducerRecord, Callback)} ended, as Kafka's producer
 * callback: the record's metadata when acknowledged, or null metadata and the exception when it failed.
 *
 * <p>Runs on the client's event loop (a failure found before the record was queued is reported on the sending
 * thread): keep it short and never block in it. An exception it throws is logged, not passed on.
 */
@FunctionalInterface
public interface Callback
{
    void onCompletion(RecordMetadata metadata, Exception exception);
}
