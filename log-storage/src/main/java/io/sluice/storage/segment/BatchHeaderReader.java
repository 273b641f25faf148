package io.sluice.storage.segment;

import io.sluice.common.record.RecordBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batch headers of one segment file through a per-thread 8 KiB window, so a scan over small batches costs one
 * positional read per window instead of one per batch, and allocates nothing. Past a batch larger than the window
 * it reads the next header alone: a window would hold nothing more of use, and copying 8 KiB for each 16 KiB batch
 * a fetch steps over was half as many bytes again as the fetch sent. A reader is valid for one operation:
 * {@link #forChannel} starts a new one, so bytes cached by an earlier operation (perhaps since truncated) are never
 * reused.
 */
final class BatchHeaderReader
{
    private static final int WINDOW = 8 * 1024;
    private static final ThreadLocal<BatchHeaderReader> READERS = ThreadLocal.withInitial(BatchHeaderReader::new);

    private final ByteBuffer window = ByteBuffer.allocateDirect(WINDOW);
    private FileChannel channel;
    private long windowStart;
    private int windowLength;
    /** The last header read was of a batch larger than the window: read the next header alone. */
    private boolean largeBatches;

    private BatchHeaderReader()
    {
    }

    /** This thread's reader, reset to read {@code channel}. */
    static BatchHeaderReader forChannel(final FileChannel channel)
    {
        final BatchHeaderReader reader = READERS.get();
        reader.channel = channel;
        reader.windowStart = -1;
        reader.windowLength = 0;
        reader.largeBatches = false;
        return reader;
    }

    /** The buffer that {@link #locate} indexes point into. */
    ByteBuffer buffer()
    {
        return window;
    }

    /**
     * Makes the header at file {@code position} available and returns its index in {@link #buffer()}, or -1 when
     * fewer than a header's bytes remain before {@code end}.
     */
    int locate(final long position, final long end)
    {
        if (end - position < RecordBatch.HEADER_SIZE)
        {
            return -1;
        }
        if (windowStart >= 0 && position >= windowStart
            && position + RecordBatch.HEADER_SIZE <= windowStart + windowLength)
        {
            return (int)(position - windowStart);
        }
        window.clear();
        window.limit((int)Math.min(largeBatches ? RecordBatch.HEADER_SIZE : WINDOW, end - position));
        try
        {
            long at = position;
            while (window.position() < RecordBatch.HEADER_SIZE)
            {
                final int n = channel.read(window, at);
                if (n < 0)
                {
                    windowStart = -1;
                    return -1;
                }
                at += n;
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("Could not read a batch header at position " + position, e);
        }
        windowStart = position;
        windowLength = window.position();
        largeBatches = RecordBatch.sizeInBytes(window, 0) > WINDOW;
        return 0;
    }
}
