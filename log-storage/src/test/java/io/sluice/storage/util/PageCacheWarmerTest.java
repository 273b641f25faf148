package io.sluice.storage.util;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageCacheWarmerTest
{
    private static final int MIB = 1024 * 1024;
    private static final long STEP = 256 * 1024;

    @TempDir
    Path dir;

    private final PageCacheWarmer warmer = new PageCacheWarmer("test-page-cache-warmer");

    @AfterEach
    void stop()
    {
        warmer.close();
    }

    @Test
    void readsTheRangeItIsAskedForAndStopsAtTheEndOfTheFile() throws Exception
    {
        try (FileChannel holes = sparseFile("holes", MIB); FileChannel marker = sparseFile("marker", 4096))
        {
            warmer.warm(holes, 4096, MIB);
            warmer.warm(holes, MIB - 8192, 2 * MIB);
            warmer.warm(marker, 0, 4096);
            awaitValue(warmer::warmedBytes, (MIB - 4096) + 8192 + 4096);
            assertEquals(0, warmer.droppedRequests());
        }
    }

    @Test
    void skipsAFileClosedMeanwhileAndGoesOn() throws Exception
    {
        final FileChannel closed = sparseFile("rolled", MIB);
        closed.close();
        try (FileChannel open = sparseFile("active", 64 * 1024))
        {
            warmer.warm(closed, 0, MIB);
            warmer.warm(open, 0, 64 * 1024);
            awaitValue(warmer::warmedBytes, 64 * 1024);
        }
    }

    @Test
    void growsWhileHalfAStepIsLeftAndHandsWhatItAddsToTheWarmer() throws Exception
    {
        try (FileChannel channel = FileChannel.open(dir.resolve("segment"), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedFileGrowth growth = new MappedFileGrowth(STEP, 0, warmer);
            final MappedByteBuffer mapping = growth.map(channel, 64 * MIB);
            try
            {
                final int firstEnd = 10_000;
                for (long end = firstEnd; end <= 4 * MIB; end += 10_000)
                {
                    if (growth.shouldExtend(end))
                    {
                        growth.extendTo(channel, end);
                    }
                    assertTrue(growth.covers(end));
                    assertTrue(channel.size() - end >= STEP / 2, "half a step left past " + end);
                    assertTrue(channel.size() <= end + STEP + 4096, "at most a step past " + end
                        + " (read-around on a fault stops at the end of the file)");
                    mapping.put((int)end - 1, (byte)1);
                }
                // Contiguous ranges from the first write's end to the file's end, each handed over once.
                awaitValue(warmer::warmedBytes, channel.size() - firstEnd);
            }
            finally
            {
                MappedBuffers.unmap(mapping);
            }
        }
    }

    @Test
    void withoutAWarmerTheFileGrowsOnlyWhenTheWriterReachesItsEnd() throws Exception
    {
        try (FileChannel channel = FileChannel.open(dir.resolve("index"), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedFileGrowth growth = new MappedFileGrowth(STEP, 0);
            final MappedByteBuffer mapping = growth.map(channel, 4 * MIB);
            try
            {
                growth.extendTo(channel, 100);
                assertFalse(growth.shouldExtend(channel.size()), "the file holds every byte below its end");
                assertTrue(growth.shouldExtend(channel.size() + 1));
            }
            finally
            {
                MappedBuffers.unmap(mapping);
            }
        }
    }

    private FileChannel sparseFile(final String name, final long length) throws IOException
    {
        final FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.write(ByteBuffer.allocate(1), length - 1);
        return channel;
    }

    /** Polls until {@code value} reaches {@code expected}, then checks it stays there for the next requests. */
    private static void awaitValue(final LongSupplier value, final long expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsLong() < expected && System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        assertEquals(expected, value.getAsLong());
    }
}
