package io.sluice.common.protocol;

import io.netty.buffer.ByteBuf;

import java.util.List;

/** An encoded frame ready to write: buffers and record sets in order, {@link #size()} bytes in all. */
public final class Send
{
    private final List<Object> parts;
    private final long size;

    Send(final List<Object> parts, final long size)
    {
        this.parts = parts;
        this.size = size;
    }

    public List<Object> parts()
    {
        return parts;
    }

    public long size()
    {
        return size;
    }

    /** Releases the buffers, for a send that will not be written. */
    public void release()
    {
        releaseFrom(0);
    }

    /** Releases the buffers from part {@code first} on, for a send whose earlier parts went to the channel. */
    public void releaseFrom(final int first)
    {
        for (int i = first; i < parts.size(); i++)
        {
            if (parts.get(i) instanceof ByteBuf)
            {
                ((ByteBuf)parts.get(i)).release();
            }
        }
    }
}
