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
import java.util.concurrent.TimeUnit;

/**
 * Reads 1 MiB of whole batches per operation, sequentially through a 512 MiB log in the page cache, and copies
 * them into a direct buffer as a consumer fetch would before sending. Bytes per second are {@code ops/s} MiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class LogReadBenchmark
{
    private static final int FETCH_BYTES = 1 << 20;

    private Path dir;
    private Log log;
    private ByteBuffer target;
    private long offset;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("sluice-read-bench");
        log = Log.open(dir, new TopicPartition("bench", 0), LogConfig.defaults().with(Map.of(
            LogConfig.SEGMENT_BYTES, 128 * 1024 * 1024)), true, 0, 0, Time.SYSTEM, null, null);
        final RecordBatchBuilder builder = new RecordBatchBuilder(32 * 1024);
        final byte[] value = new byte[100];
        final LogAppendInfo info = new LogAppendInfo();
        while (log.sizeInBytes() < 512L * 1024 * 1024)
        {
            builder.reset(CompressionType.NONE);
            for (int i = 0; i < 128; i++)
            {
                builder.append(System.currentTimeMillis(), null, value, Header.NONE);
            }
            log.appendAsLeader(builder.build(), 0, info);
        }
        target = ByteBuffer.allocateDirect(FETCH_BYTES + 64 * 1024);
    }

    @Benchmark
    public int read() throws IOException
    {
        if (offset >= log.logEndOffset())
        {
            offset = 0;
        }
        final LogReadInfo info = log.read(offset, FETCH_BYTES, Long.MAX_VALUE, true);
        target.clear();
        info.records.readInto(target);
        offset = info.nextOffset;
        return target.position();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        log.close();
        TempDirectories.deleteRecursively(dir);
    }
}
