package io.sluice.storage.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file mapped for writing at its end, whose mapping covers the whole preallocated size while the file itself
 * stays only a step longer than what was written.
 *
 * <p>The reason is the kernel's fault path: a store into a mapped page that is not in the page cache reads the
 * page first, and with it a read-around window of the device's {@code read_ahead_kb} (8 MiB on the machines we
 * measure on). In a sparse preallocated file that window is a hole, so the faulting thread zero-fills megabytes of
 * fresh pages: 17-38 ms on a broker network thread, several times a minute, which was most of the end-to-end
 * latency tail. Read-around never passes the end of the file, so a file that ends a step past its data bounds
 * that work by the step.
 *
 * <p>With a {@link PageCacheWarmer}, the file grows while half a step is still left past the data, and the new part
 * is read into the page cache on the warmer's thread while the writer fills that half step: the writer then finds
 * its pages cached and no fault of its own zero-fills any.
 *
 * <p>One writer extends; the length is volatile so that other threads see what exists.
 */
public final class MappedFileGrowth
{
    private static final long PAGE = 4096;

    private final long step;
    private final PageCacheWarmer warmer;
    private long mappedSize;
    private volatile long fileLength;

    /** {@code initialLength} is the file's length now; it may be written up to that without extending. */
    public MappedFileGrowth(final long step, final long initialLength)
    {
        this(step, initialLength, null);
    }

    /** As {@link #MappedFileGrowth(long, long)}, growing ahead of the writer and warming what it adds. */
    public MappedFileGrowth(final long step, final long initialLength, final PageCacheWarmer warmer)
    {
        this.step = step;
        this.fileLength = initialLength;
        this.warmer = warmer;
    }

    /**
     * Maps the first {@code size} bytes of {@code channel} for writing, leaving the file as long as it was:
     * {@code FileChannel.map} extends a file to the mapped size, so it is cut back at once.
     */
    public MappedByteBuffer map(final FileChannel channel, final long size) throws IOException
    {
        return map(channel, 0, size, size);
    }

    /**
     * Maps {@code [position, position + size)} of {@code channel} for writing, leaving the file as long as it was;
     * the file may later grow up to {@code limit} (at least {@code position + size}).
     */
    public MappedByteBuffer map(final FileChannel channel, final long position, final long size, final long limit)
        throws IOException
    {
        final long before = channel.size();
        final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, position, size);
        if (before < position + size)
        {
            channel.truncate(before);
        }
        mappedSize = Math.max(limit, position + size);
        fileLength = before;
        return mapping;
    }

    /** Whether the file already holds {@code end} bytes, so the mapping may be written below it. */
    public boolean covers(final long end)
    {
        return end <= fileLength;
    }

    /**
     * Whether {@link #extendTo} must run before {@code end} bytes are written: the file does not hold them, or, with
     * a warmer, would keep less than half a step past them while it can still grow.
     */
    public boolean shouldExtend(final long end)
    {
        return end > fileLength || warmer != null && end + step / 2 > fileLength && fileLength < mappedSize;
    }

    /**
     * Extends the file so that its first {@code end} bytes exist, a step further (page-aligned, at most the mapped
     * size): one byte written at the new end, which leaves the pages in between untouched holes.
     */
    public void extendTo(final FileChannel channel, final long end) throws IOException
    {
        final long stepped = (end + step + PAGE - 1) / PAGE * PAGE;
        final long target = Math.max(end, Math.min(stepped, mappedSize));
        if (channel.size() < target)
        {
            channel.write(ByteBuffer.allocate(1), target - 1);
        }
        final long previous = fileLength;
        fileLength = Math.max(target, channel.size());
        if (warmer != null)
        {
            // What lies below end is written now, by the caller; the rest is for the warmer to cache first.
            warmer.warm(channel, Math.max(previous, end), fileLength);
        }
    }

    /** The file was cut to {@code length} (trimmed or truncated) by its owner. */
    public void truncatedTo(final long length)
    {
        fileLength = length;
    }
}
