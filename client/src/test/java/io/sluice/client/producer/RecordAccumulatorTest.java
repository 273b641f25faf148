package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.Header;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordAccumulatorTest
{
    private static final long DELIVERY_TIMEOUT_MS = 10_000;

    private final RecordAccumulator accumulator = new RecordAccumulator(new ProducerConfig(Map.of(
        "bootstrap.servers", "127.0.0.1:9092", "batch.size", "200", "linger.ms", "0", "delivery.timeout.ms",
        String.valueOf(DELIVERY_TIMEOUT_MS), "request.timeout.ms", "5000")));

    private void append(final TopicPartition tp, final long nowMs) throws InterruptedException
    {
        accumulator.append(tp, nowMs, null, new byte[100], Header.NONE, new CallbackFuture(), 0, nowMs, false,
            () -> { });
    }

    @Test
    void expiryTakesEveryBatchPastItsDeadlineAndLeavesTheRestInOrder() throws InterruptedException
    {
        final TopicPartition a = new TopicPartition("t", 0);
        final TopicPartition b = new TopicPartition("t", 1);
        // One 100-byte record per 200-byte batch: each append below starts a batch created at its own time.
        for (long created = 1_000; created < 1_006; created++)
        {
            append(a, created);
            append(b, created + 10);
        }
        assertEquals(List.of(), accumulator.expire(1_000 + DELIVERY_TIMEOUT_MS - 1), "no deadline reached yet");

        final List<ProducerBatch> expired = accumulator.expire(1_003 + DELIVERY_TIMEOUT_MS);
        final List<Long> created = new ArrayList<>();
        expired.forEach(batch -> created.add(batch.createdMs));
        assertEquals(List.of(1_000L, 1_001L, 1_002L, 1_003L), created, "partition a's four oldest batches");
        expired.forEach(batch -> assertEquals(a, batch.topicPartition));

        assertEquals(2, accumulator.queue(a).batches.size());
        assertEquals(1_004L, accumulator.queue(a).batches.peekFirst().createdMs);
        assertEquals(6, accumulator.queue(b).batches.size());

        final List<ProducerBatch> rest = accumulator.expire(2_000 + DELIVERY_TIMEOUT_MS);
        assertEquals(8, rest.size());
        assertTrue(accumulator.queue(a).batches.isEmpty() && accumulator.queue(b).batches.isEmpty());
    }
}
