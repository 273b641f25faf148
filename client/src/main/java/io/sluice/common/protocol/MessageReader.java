package io.sluice.common.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes fields from a received frame, checking every length against the bytes that remain so that a truncated
 * or lying frame raises {@link ProtocolException} instead of reading garbage or allocating wildly.
 */
public final class MessageReader
{
    private final ByteBuf buf;
    private final boolean ownsFrame;

    public MessageReader(final ByteBuf buf)
    {
        this(buf, false);
    }

    private MessageReader(final ByteBuf buf, final boolean ownsFrame)
    {
        this.buf = buf;
        this.ownsFrame = ownsFrame;
    }

    /**
     * A reader over a frame that is a heap array of its own, which nothing reuses once read (unlike a pooled
     * buffer, released after decoding): record batches read from it with {@link #readRecordsDetached()} are views
     * of it, kept alive by the garbage collector as long as they are used.
     */
    public static MessageReader ofOwnedFrame(final byte[] frame)
    {
        return new MessageReader(Unpooled.wrappedBuffer(frame), true);
    }

    public ByteBuf buf()
    {
        return buf;
    }

    private void need(final int bytes, final String what)
    {
        if (buf.readableBytes() < bytes)
        {
            throw new ProtocolException("Message is truncated: " + what + " needs " + bytes + " bytes, "
                + buf.readableBytes() + " remain");
        }
    }

    public byte readByte()
    {
        need(1, "an int8");
        return buf.readByte();
    }

    public boolean readBoolean()
    {
        return readByte() != 0;
    }

    public short readShort()
    {
        need(2, "an int16");
        return buf.readShort();
    }

    public int readInt()
    {
        need(4, "an int32");
        return buf.readInt();
    }

    public long readLong()
    {
        need(8, "an int64");
        return buf.readLong();
    }

    public String readString()
    {
        final short length = readShort();
        if (length < -1)
        {
            throw new ProtocolException("String length " + length + " is negative");
        }
        if (length == -1)
        {
            return null;
        }
        need(length, "a string");
        final String value = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return value;
    }

    /** A non-null string. */
    public String readRequiredString(final String field)
    {
        final String value = readString();
        if (value == null)
        {
            throw new ProtocolException(field + " must not be null");
        }
        return value;
    }

    /**
     * An array length; -1 means null. {@code minItemSize} bounds the count by the bytes left so a lying length
     * cannot make the reader allocate a huge list.
     */
    public int readArrayLength(final int minItemSize)
    {
        final int length = readInt();
        if (length < -1)
        {
            throw new ProtocolException("Array length " + length + " is negative");
        }
        if (length > 0 && (long)length * minItemSize > buf.readableBytes())
        {
            throw new ProtocolException("Array of " + length + " items cannot fit in the " + buf.readableBytes()
                + " bytes that remain");
        }
        return length;
    }

    /** Record batches as a view of the frame (valid while the frame is), or null when the size is -1. */
    public ByteBuffer readRecordsView()
    {
        final int size = readInt();
        if (size < -1)
        {
            throw new ProtocolException("Records size " + size + " is negative");
        }
        if (size == -1)
        {
            return null;
        }
        need(size, "the records");
        final ByteBuffer view = buf.nioBuffer(buf.readerIndex(), size);
        buf.skipBytes(size);
        return view;
    }

    /**
     * Record batches that stay valid after the frame is released (empty when the size is -1): a view of a frame of
     * its own ({@link #ofOwnedFrame}), else a copy on the heap.
     */
    public ByteBuffer readRecordsDetached()
    {
        final ByteBuffer view = readRecordsView();
        if (view == null)
        {
            return ByteBuffer.allocate(0);
        }
        if (ownsFrame)
        {
            return view;
        }
        final ByteBuffer copy = ByteBuffer.allocate(view.remaining());
        copy.put(view).flip();
        return copy;
    }

    public int remaining()
    {
        return buf.readableBytes();
    }

    /** Fails unless every byte was consumed: trailing bytes mean the sender and reader disagree on the format. */
    public void ensureFullyRead(final String message)
    {
        if (buf.readableBytes() != 0)
        {
            throw new ProtocolException(message + " has " + buf.readableBytes() + " unexpected trailing bytes");
        }
    }
}
