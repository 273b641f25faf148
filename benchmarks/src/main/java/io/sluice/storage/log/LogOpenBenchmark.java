package io.sluice.storage.log;

import io.sluice.benchmarks.TempDirectories;
import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Opens a data directory of many partitions after a clean shutdown, as a broker restart does. Each partition holds
 * a few batches. The fork runs with {@code -Xmx256m}, so a run that completes shows the heap suffices.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class LogOpenBenchmark
{
    @Param({"10000"})
    int partitions;

    private Path dir;
    private LogManager opened;

    @Setup(Level.Trial)
    public void createPartitions() throws IOException
    {
        dir = Files.createTempDirectory("sluice-open-bench");
        final LogManager manager = new LogManager(LogManagerConfig.forDirs(dir), LogConfig.defaults());
        final RecordBatchBuilder builder = new RecordBatchBuilder(4096);
        final LogAppendInfo info = new LogAppendInfo();
        for (int p = 0; p < partitions; p++)
        {
            final Log log = manager.getOrCreateLog(new TopicPartition("t" + (p % 100), p / 100), LogConfig.defaults());
            for (int b = 0; b < 3; b++)
            {
                builder.reset(CompressionType.NONE);
                for (int i = 0; i < 10; i++)
                {
                    builder.append(System.currentTimeMillis(), null, new byte[100], Header.NONE);
                }
                log.appendAsLeader(builder.build(), 0, info);
            }
        }
        manager.shutdown();
    }

    @Benchmark
    public int open()
    {
        opened = new LogManager(LogManagerConfig.forDirs(dir), LogConfig.defaults());
        return opened.allLogs().size();
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        if (opened != null)
        {
            opened.shutdown();
            opened = null;
        }
    }

    @TearDown(Level.Trial)
    public void deleteDirectory() throws IOException
    {
        TempDirectories.deleteRecursively(dir);
    }
}
