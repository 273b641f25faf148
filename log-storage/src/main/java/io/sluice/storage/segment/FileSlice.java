package io.sluice.storage.segment;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A run of whole batches inside a segment file, handed out by reads without copying: the broker sends it with
 * {@code sendfile} through a Netty file region, in-process readers copy it with {@link #readInto}. Reads go through
 * the file channel and the page cache, never through the writer's mapping, so a slice stays safe to use even after
 * its segment rolls and unmaps.
 */
public final class FileSlice
{
    public static final FileSlice EMPTY = new FileSlice(null, 0, 0);

    private final FileChannel channel;
    private final long position;
    private final int size;

    public FileSlice(final FileChannel channel, final long position, final int size)
    {
        this.channel = channel;
        this.position = position;
        this.size = size;
    }

    public FileChannel channel()
    {
        return channel;
    }

    public long position()
    {
        return position;
    }

    public int sizeInBytes()
    {
        return size;
    }

    /** Copies the slice into {@code target} at its position, which must have {@link #sizeInBytes()} remaining. */
    public void readInto(final ByteBuffer target) throws IOException
    {
        if (target.remaining() < size)
        {
            throw new IllegalArgumentException("Target has " + target.remaining() + " bytes free, slice is " + size);
        }
        long filePosition = position;
        final int end = target.position() + size;
        final int limit = target.limit();
        target.limit(end);
        try
        {
            while (target.hasRemaining())
            {
                final int read = channel.read(target, filePosition);
                if (read < 0)
                {
                    throw new EOFException("Segment file ended " + (end - target.position()) + " bytes early");
                }
                filePosition += read;
            }
        }
        finally
        {
            target.limit(limit);
        }
    }

    /** The slice's bytes in a new heap buffer. */
    public ByteBuffer readFully() throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(size);
        if (size > 0)
        {
            readInto(buffer);
        }
        return buffer.flip();
    }

    @Override
    public String toString()
    {
        return "FileSlice(position=" + position + ", size=" + size + ")";
    }
}
