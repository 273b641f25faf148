package io.sluice.client.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.common.protocol.ProtocolException;

import java.util.Arrays;

/**
 * Cuts the broker's length-prefixed responses out of the byte stream, each into a heap array of its own (the
 * messages passed on are {@code byte[]}).
 *
 * <p>A fetch answer is megabytes that arrive in many reads. Netty's length-field decoder gathers them in a growing
 * direct buffer (copying what it has each time it grows, and allocating outside the pool past 4 MiB), after which
 * the records had to be copied again to outlive that pooled buffer. Here each byte is copied once, into an array
 * the consumer can keep and read its records from until it is done with them, like the receive buffer of Kafka's
 * client.
 *
 * <p>The length comes from the network, so the array is not trusted to its full size up front: it starts at most
 * {@link #INITIAL_CAPACITY_LIMIT} bytes and doubles as the bytes actually arrive, so a garbled length costs a bounded
 * allocation, not the heap.
 */
final class ResponseFrameDecoder extends ChannelInboundHandlerAdapter
{
    static final int INITIAL_CAPACITY_LIMIT = 16 << 20;

    private final int maxFrameBytes;
    private int prefix;
    private int prefixBytesRead;
    private byte[] frame;
    private int length;
    private int filled;

    ResponseFrameDecoder(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf in = (ByteBuf)msg;
        try
        {
            while (in.isReadable() && ctx.channel().isActive())
            {
                if (frame == null && !readLength(in))
                {
                    return;
                }
                final int n = Math.min(in.readableBytes(), length - filled);
                if (filled + n > frame.length)
                {
                    frame = Arrays.copyOf(frame, (int)Math.min(length, Math.max(filled + n, 2L * frame.length)));
                }
                in.readBytes(frame, filled, n);
                filled += n;
                if (filled == length)
                {
                    final byte[] complete = frame;
                    frame = null;
                    ctx.fireChannelRead(complete);
                }
            }
        }
        finally
        {
            in.release();
        }
    }

    /** Reads what arrived of the 4-byte length; true once it is complete and a frame is started. */
    private boolean readLength(final ByteBuf in)
    {
        while (prefixBytesRead < 4 && in.isReadable())
        {
            prefix = prefix << 8 | in.readUnsignedByte();
            prefixBytesRead++;
        }
        if (prefixBytesRead < 4)
        {
            return false;
        }
        final int size = prefix;
        prefix = 0;
        prefixBytesRead = 0;
        if (size < 0 || size > maxFrameBytes)
        {
            throw new ProtocolException("Response frame of " + Integer.toUnsignedString(size)
                + " bytes is outside 0.." + maxFrameBytes);
        }
        length = size;
        filled = 0;
        frame = new byte[Math.min(size, INITIAL_CAPACITY_LIMIT)];
        return true;
    }
}
