package io.sluice.common.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes one frame: a 4-byte length, then the header and body written through this writer. Record sets that are
 * not in memory end the current buffer and become parts of their own, so a fetch response can send segment file
 * slices with {@code sendfile}. {@link #finish()} fills in the length and returns the parts in order.
 */
public final class MessageWriter
{
    private final ByteBufAllocator allocator;
    private final List<Object> parts = new ArrayList<>(2);
    private ByteBuf current;
    private long size;

    public MessageWriter(final ByteBufAllocator allocator, final int initialCapacity)
    {
        this.allocator = allocator;
        this.current = allocator.buffer(initialCapacity);
        current.writeInt(0);
    }

    public MessageWriter writeByte(final int value)
    {
        current.writeByte(value);
        return this;
    }

    public MessageWriter writeBoolean(final boolean value)
    {
        current.writeBoolean(value);
        return this;
    }

    public MessageWriter writeShort(final int value)
    {
        current.writeShort(value);
        return this;
    }

    public MessageWriter writeInt(final int value)
    {
        current.writeInt(value);
        return this;
    }

    public MessageWriter writeLong(final long value)
    {
        current.writeLong(value);
        return this;
    }

    /** A string as int16 length and UTF-8 bytes; null as length -1. */
    public MessageWriter writeString(final String value)
    {
        if (value == null)
        {
            current.writeShort(-1);
            return this;
        }
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Short.MAX_VALUE)
        {
            throw new ProtocolException("String of " + bytes.length + " bytes is too long for the protocol");
        }
        current.writeShort(bytes.length);
        current.writeBytes(bytes);
        return this;
    }

    /** An array length; null arrays are written as -1. */
    public MessageWriter writeArrayLength(final int length)
    {
        current.writeInt(length);
        return this;
    }

    /** Record batches as int32 size and the bytes. */
    public MessageWriter writeRecords(final RecordSet records)
    {
        final int bytes = records.sizeInBytes();
        current.writeInt(bytes);
        if (bytes == 0)
        {
            return this;
        }
        if (records instanceof MemoryRecordSet)
        {
            current.writeBytes(((MemoryRecordSet)records).buffer());
        }
        else
        {
            size += current.readableBytes();
            parts.add(current);
            parts.add(records);
            size += bytes;
            current = allocator.buffer(256);
        }
        return this;
    }

    /** Completes the frame; the parts are {@link ByteBuf}s and non-memory {@link RecordSet}s, in send order. */
    public Send finish()
    {
        size += current.readableBytes();
        parts.add(current);
        final ByteBuf first = (ByteBuf)parts.get(0);
        if (size - 4 > Integer.MAX_VALUE)
        {
            throw new ProtocolException("Message of " + size + " bytes is too large");
        }
        first.setInt(0, (int)(size - 4));
        return new Send(parts, size);
    }

    /** Releases the buffers of an unfinished message. */
    public void discard()
    {
        for (final Object part : parts)
        {
            if (part instanceof ByteBuf)
            {
                ((ByteBuf)part).release();
            }
        }
        current.release();
    }
}
