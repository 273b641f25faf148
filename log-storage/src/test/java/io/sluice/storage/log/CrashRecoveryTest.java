package io.sluice.storage.log;

import io.sluice.common.record.Record;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.test.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.sluice.storage.test.TestUtils.readAll;
import static io.sluice.storage.test.TestUtils.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM appends in a loop and is killed with {@code destroyForcibly()} at a random moment, many times over
 * the same directory. After each kill the log must hold exactly a prefix of what was appended, in order, with
 * every acknowledged record (a killed process loses nothing that reached the page cache) and no partial batch.
 */
class CrashRecoveryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecoverAPrefixWithEveryAcknowledgedRecordAfterEachKill() throws Exception
    {
        killAndRecover(12, 64 * 1024, 200, 20, 3000);
    }

    @Test
    void shouldRecoverEveryAcknowledgedRecordWhenTheSegmentSpansSeveralWriteWindows() throws Exception
    {
        // Batches of 240 KiB on average, killed after 120-200 of them each time: the records of earlier write
        // windows are in no mapping any more, only dirty in the page cache, when the process dies.
        final long bytes = killAndRecover(3, 4 * LogSegment.WRITE_WINDOW, 24 * 1024, 120, 80);
        assertTrue(bytes > 2 * LogSegment.WRITE_WINDOW, "the log holds " + bytes + " bytes");
    }

    /** Runs the rounds of appending and killing and returns how many bytes the log holds in the end. */
    private long killAndRecover(final int rounds, final int segmentBytes, final int maxPadding, final int minAcks,
        final int moreAcks) throws Exception
    {
        final Random random = new Random();
        final long seed = random.nextLong();
        final Path stderr = dir.resolve("child.err");
        final Path data = dir.resolve("data");
        long highestAck = -1;
        for (int round = 0; round < rounds; round++)
        {
            final Process child = ChildJvm.start(CrashingAppender.class, stderr, data.toString(),
                Long.toString(seed + round), Integer.toString(segmentBytes), Integer.toString(maxPadding));
            final int killAfter = minAcks + random.nextInt(moreAcks);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                int acks = 0;
                String line;
                while (acks < killAfter && (line = out.readLine()) != null)
                {
                    highestAck = Math.max(highestAck, Long.parseLong(line.substring(4)));
                    acks++;
                }
                assertTrue(acks > 0 || !child.isAlive(), "child wrote nothing; stderr: " + Files.readString(stderr));
            }
            finally
            {
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            assertTrue(highestAck >= 0, "child acknowledged nothing; stderr: " + Files.readString(stderr));

            // Every third round the next child starts on the crashed state itself, recovering as it opens.
            if (round % 3 != 2)
            {
                verify(data, segmentBytes, highestAck, seed + " round " + round);
            }
        }
        return verify(data, segmentBytes, highestAck, "final");
    }

    private static long verify(final Path data, final int segmentBytes, final long highestAck, final String context)
    {
        final LogManager manager = new LogManager(LogManagerConfig.forDirs(data),
            LogConfig.defaults().with(CrashingAppender.config(segmentBytes)));
        try
        {
            final Log log = manager.getLog(CrashingAppender.TP).orElseThrow();
            assertTrue(log.logEndOffset() > highestAck, context + ": acknowledged offset " + highestAck
                + " lost; log end " + log.logEndOffset());
            final List<Record> records = readAll(log, 0);
            assertEquals(log.logEndOffset(), records.size(), context);
            for (int i = 0; i < records.size(); i++)
            {
                final Record record = records.get(i);
                assertEquals(i, record.offset(), context);
                assertTrue(string(record.value()).startsWith("offset-" + i + "-"), context + ": record " + i
                    + " holds " + string(record.value()));
            }
            return log.sizeInBytes();
        }
        finally
        {
            manager.shutdown();
        }
    }
}
