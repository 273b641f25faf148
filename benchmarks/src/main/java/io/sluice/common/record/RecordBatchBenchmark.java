package io.sluice.common.record;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encodes and decodes one batch of 16 records per operation, with and without LZ4. Values are half random, half
 * repeated, so LZ4 has something to do without the data being trivially compressible.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordBatchBenchmark
{
    private static final int RECORDS = 16;

    @Param({"100", "1024"})
    int recordSize;

    @Param({"NONE", "LZ4"})
    CompressionType compression;

    private final RecordBatchBuilder builder = new RecordBatchBuilder(64 * 1024);
    private final RecordBatchReader reader = new RecordBatchReader();
    private byte[][] keys;
    private byte[] value;
    private ByteBuffer encoded;
    private Blackhole blackhole;
    private final RecordVisitor visitor = this::consume;

    @Setup
    public void setUp(final Blackhole blackhole)
    {
        this.blackhole = blackhole;
        final SplittableRandom random = new SplittableRandom(5);
        value = new byte[recordSize];
        for (int i = 0; i < recordSize / 2; i++)
        {
            value[i] = (byte)random.nextInt();
        }
        keys = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++)
        {
            keys[i] = ("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        final ByteBuffer built = encode();
        encoded = ByteBuffer.allocate(built.remaining());
        encoded.put(built).flip();
    }

    @Benchmark
    public ByteBuffer encode()
    {
        builder.reset(compression);
        final long now = 1_700_000_000_000L;
        for (int i = 0; i < RECORDS; i++)
        {
            builder.append(now + i, keys[i], value, Header.NONE);
        }
        return builder.build();
    }

    @Benchmark
    public int decode()
    {
        return reader.forEach(encoded, 0, encoded.limit(), visitor);
    }

    private void consume(final RecordView record)
    {
        blackhole.consume(record.offset());
        blackhole.consume(record.valueLength());
    }
}
