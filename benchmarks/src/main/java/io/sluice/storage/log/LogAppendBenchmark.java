package io.sluice.storage.log;

import io.sluice.benchmarks.TempDirectories;
import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;
import io.sluice.common.utils.Time;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Appends one pre-built batch per operation to a partition log, no fsync (Kafka's default). Retention keeps the log
 * under 1 GiB of 256 MiB segments, as a broker would, so the figure measures the append path (validate, assign
 * offsets, copy into the mapping, index) and the page cache rather than the disk. Bytes per second are
 * {@code ops/s * recordsPerBatch * recordSize}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class LogAppendBenchmark
{
    private static final long RETENTION_BYTES = 1L << 30;

    @Param({"100", "1024"})
    int recordSize;

    @Param({"1", "16", "256"})
    int recordsPerBatch;

    private Path dir;
    private Log log;
    private ByteBuffer batch;
    private final LogAppendInfo info = new LogAppendInfo();
    private int appendsSinceRetention;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("sluice-append-bench");
        final LogConfig config = LogConfig.defaults().with(Map.of(
            LogConfig.SEGMENT_BYTES, 256 * 1024 * 1024,
            LogConfig.RETENTION_BYTES, RETENTION_BYTES,
            LogConfig.FILE_DELETE_DELAY_MS, 0L));
        log = Log.open(dir, new TopicPartition("bench", 0), config, true, 0, 0, Time.SYSTEM, null, null);
        final byte[] value = new byte[recordSize];
        new SplittableRandom(1).nextBytes(value);
        final RecordBatchBuilder builder = new RecordBatchBuilder(recordsPerBatch * (recordSize + 32));
        builder.reset(CompressionType.NONE);
        for (int i = 0; i < recordsPerBatch; i++)
        {
            builder.append(System.currentTimeMillis(), null, value, Header.NONE);
        }
        final ByteBuffer built = builder.build();
        batch = ByteBuffer.allocate(built.remaining());
        batch.put(built).flip();
    }

    @Benchmark
    public long append()
    {
        batch.position(0);
        log.appendAsLeader(batch, 0, info);
        if (++appendsSinceRetention == 8192)
        {
            appendsSinceRetention = 0;
            if (log.sizeInBytes() > RETENTION_BYTES + (256 << 20))
            {
                log.deleteOldSegments();
            }
        }
        return info.lastOffset;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        log.close();
        TempDirectories.deleteRecursively(dir);
    }
}
