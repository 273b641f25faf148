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
 *
 * <p>Arguments: data directory, random seed, {@code segment.bytes}, and the most padding a value gets.
 */
public final class CrashingAppender
{
    static final TopicPartition TP = new TopicPartition("crash", 0);

    private CrashingAppender()
    {
    }

    static Map<String, Object> config(final int segmentBytes)
    {
        return Map.of(LogConfig.SEGMENT_BYTES, segmentBytes, LogConfig.INDEX_INTERVAL_BYTES, 512);
    }

    public static void main(final String[] args)
    {
        final Map<String, Object> config = config(Integer.parseInt(args[2]));
        final int maxPadding = Integer.parseInt(args[3]);
        final LogManager manager = new LogManager(LogManagerConfig.forDirs(Paths.get(args[0])),
            LogConfig.defaults().with(config));
        final Log log = manager.getOrCreateLog(TP, LogConfig.defaults().with(config));
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
                final byte[] value = ("offset-" + (next + i) + "-" + "x".repeat(random.nextInt(maxPadding)))
                    .getBytes(StandardCharsets.UTF_8);
                builder.append(System.currentTimeMillis(), null, value, Header.NONE);
            }
            final ByteBuffer batch = builder.build();
            log.appendAsLeader(batch, 1, info);
            out.println("ACK " + info.lastOffset);
        }
    }
}
