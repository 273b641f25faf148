package io.sluice.client.producer;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.Header;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One record through the producer's accumulator per operation: appended to its partition's open batch (100-byte
 * value, no key, six partitions in turn) and, when the batch is full, closed, acknowledged and freed as the sender
 * does with an answer. What is left per record is the send's future and its RecordMetadata, which the API returns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordAccumulatorBenchmark
{
    private static final int PARTITIONS = 6;

    private RecordAccumulator accumulator;
    private TopicPartition[] partitions;
    private final byte[] value = new byte[100];
    private long sent;
    private long nextOffset;
    private boolean ready;
    private final Runnable markReady = () -> ready = true;

    @Setup
    public void setUp()
    {
        accumulator = new RecordAccumulator(new ProducerConfig(Map.of("bootstrap.servers", "127.0.0.1:9092")));
        partitions = new TopicPartition[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++)
        {
            partitions[p] = new TopicPartition("bench", p);
        }
    }

    @Benchmark
    public CompletableFuture<RecordMetadata> append() throws InterruptedException
    {
        final TopicPartition tp = partitions[(int)(sent++ % PARTITIONS)];
        final CallbackFuture future = new CallbackFuture();
        accumulator.append(tp, 1_700_000_000_000L, null, value, Header.NONE, future, 0, 1_700_000_000_000L, false,
            markReady);
        if (ready)
        {
            ready = false;
            // Every batch but one still open is done: sent and acknowledged, as the sender would.
            final RecordAccumulator.PartitionQueue queue = accumulator.queue(tp);
            synchronized (queue)
            {
                while (!queue.batches.isEmpty() && (queue.batches.size() > 1 || queue.batches.peekFirst().isFull()))
                {
                    final ProducerBatch batch = queue.batches.pollFirst();
                    batch.close(-1L, (short)-1, -1);
                    batch.complete(nextOffset);
                    nextOffset += batch.recordCount();
                    accumulator.deallocate(batch);
                }
            }
        }
        return future;
    }
}
