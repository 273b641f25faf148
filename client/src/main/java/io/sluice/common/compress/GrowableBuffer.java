package io.sluice.common.compress;

import java.nio.ByteBuffer;

/**
 * A reusable heap buffer with a write position that doubles its capacity when asked for more room. Reused across
 * batches so steady-state encoding and decoding allocate nothing. Not thread-safe.
 */
public final class GrowableBuffer
{
    private ByteBuffer buffer;
    private int position;

    public GrowableBuffer(final int initialCapacity)
    {
        this.buffer = ByteBuffer.allocate(Math.max(64, initialCapacity));
    }

    /** Returns the backing buffer, grown if needed so that {@code bytes} more fit after the position. */
    public ByteBuffer ensureRemaining(final int bytes)
    {
        final long needed = (long)position + bytes;
        if (needed > buffer.capacity())
        {
            if (needed > Integer.MAX_VALUE - 8)
            {
                throw new IllegalStateException("Buffer cannot grow to " + needed + " bytes");
            }
            long capacity = buffer.capacity();
            while (capacity < needed)
            {
                capacity *= 2;
            }
            final ByteBuffer grown = ByteBuffer.allocate((int)Math.min(capacity, Integer.MAX_VALUE - 8));
            grown.put(0, buffer, 0, position);
            buffer = grown;
        }
        return buffer;
    }

    /** The backing buffer; replaced when the buffer grows, so do not hold on to it across calls that may grow. */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    public int position()
    {
        return position;
    }

    public void position(final int position)
    {
        this.position = position;
    }

    /** Resets the position to zero and the backing buffer's limit to its capacity. */
    public void clear()
    {
        position = 0;
        buffer.clear();
    }
}
