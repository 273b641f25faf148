package io.sluice.broker.network;

import io.netty.buffer.ByteBufAllocator;
import io.sluice.common.protocol.MessageWriter;
import io.sluice.common.protocol.RequestHeader;
import io.sluice.common.protocol.Send;
import io.sluice.common.protocol.message.Message;

import java.net.SocketAddress;

/**
 * One request in flight on a connection: its header, and the means to answer it from any thread. Answers are
 * delivered in request order per connection whatever order they complete in.
 */
public final class RequestContext
{
    private final RequestChannelHandler connection;
    private final long sequence;
    private final RequestHeader header;
    private final long receivedNanos;

    RequestContext(final RequestChannelHandler connection, final long sequence, final RequestHeader header,
        final long receivedNanos)
    {
        this.connection = connection;
        this.sequence = sequence;
        this.header = header;
        this.receivedNanos = receivedNanos;
    }

    long sequence()
    {
        return sequence;
    }

    public RequestHeader header()
    {
        return header;
    }

    public long receivedNanos()
    {
        return receivedNanos;
    }

    public ByteBufAllocator allocator()
    {
        return connection.allocator();
    }

    public SocketAddress remoteAddress()
    {
        return connection.remoteAddress();
    }

    /** Encodes and sends the response. */
    public void respond(final Message body)
    {
        final MessageWriter writer = new MessageWriter(allocator(), 256);
        try
        {
            writer.writeInt(header.correlationId);
            body.write(writer);
        }
        catch (final RuntimeException e)
        {
            writer.discard();
            throw e;
        }
        final Send send = writer.finish();
        connection.complete(this, send);
    }

    /** Completes the request without a response (produce with acks=0). */
    public void respondNothing()
    {
        connection.complete(this, null);
    }

    /** Closes the connection after the responses before this one, for errors a client cannot be told otherwise. */
    public void closeConnection(final String reason)
    {
        connection.closeAfter(sequence, reason);
    }
}
