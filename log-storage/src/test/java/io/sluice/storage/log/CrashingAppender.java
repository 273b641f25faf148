package io.sluice.storage.log;

import io.sluice.common.TopicPartition;
import io.sluice.common.record.CompressionType;
import io.sluice.common.record.Header;
import io.sluice.common.record.RecordBatchBuilder;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashRecoveryTest}: appends batches whose record values are their own intended
 * offsets until it is killed, printing {@code ACK <lastOffset>} after every append returns.
 */
public final class CrashingAppender
{
    static final TopicPartition TP = new TopicPartition("crash", 0);
    static final Map<String, Object> CONFIG = Map.of(LogConfig.SEGMENT_BYTES, 64 * 1024,
        LogConfig.INDEX_INTERVAL_BYTES, 512);

    private CrashingAppender()
    {
    }

    public static void main(final String[] args)
    {
        final LogManager manager = new LogManager(LogManagerConfig.forDirs(Paths.get(args[0])),
            LogConfig.defaults().with(CONFIG));
        final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(CONFIG));
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        final RecordBatchBuilder builder = new RecordBatchBuilder(4096);
        final LogAppendInfo info = new LogAppendInfo();
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        while (true)
        {
            final long next = log.logEndOffset();
            builder.reset(random.nextBoolean() ? CompressionType.LZ4 : CompressionType.NONE);
            final int count = 1 + random.nextInt(40);
            for (int i = 0; i < count; i++)
            {
                final byte[] value = ("offset-" + (next + i) + "-" + "x".repeat(random.nextInt(200)))
                    .getBytes(StandardCharsets.UTF_8);
                builder.append(System.currentTimeMillis(), null, value, Header.NONE);
            }
            final ByteBuffer batch = builder.build();
            log.appendAsLeader(batch, 1, info);
            out.println("ACK " + info.lastOffset);
        }
    }
}
