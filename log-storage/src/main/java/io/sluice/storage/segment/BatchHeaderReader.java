package io.sluice.storage.segment;

import io.sluice.common.record.RecordBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batch headers from a segment file into a per-thread buffer, so scanning from an index entry to an exact
 * offset costs one positional read per batch and allocates nothing.
 */
final class BatchHeaderReader
{
    private static final ThreadLocal<ByteBuffer> BUFFER =
        ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(RecordBatch.HEADER_SIZE));

    private BatchHeaderReader()
    {
    }

    /**
     * Reads the header at {@code position} of a file whose valid data ends at {@code end}. Returns a buffer holding
     * the header at index 0, or null when fewer than a header's bytes remain.
     */
    static ByteBuffer read(final FileChannel channel, final long position, final long end)
    {
        if (end - position < RecordBatch.HEADER_SIZE)
        {
            return null;
        }
        final ByteBuffer buffer = BUFFER.get();
        buffer.clear();
        try
        {
            long at = position;
            while (buffer.hasRemaining())
            {
                final int n = channel.read(buffer, at);
                if (n < 0)
                {
                    return null;
                }
                at += n;
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("Could not read a batch header at position " + position, e);
        }
        return buffer;
    }
}
