package io.sluice.broker.network;

import io.netty.buffer.ByteBufAllocator;
import io.sluice.common.protocol.MessageWriter;
import io.sluice.common.protocol.RequestHeader;
import io.sluice.common.protocol.Send;
import io.sluice.common.protocol.message.Message;

import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One request in flight on a connection: its header, and the means to answer it from any thread. Answers are
 * delivered in request order per connection whatever order they complete in.
 */
public final class RequestContext
{
    private final RequestChannelHandler connection;
    private final RequestHeader header;
    private final long receivedNanos;
    // The connection's answer queue state; read and written on its event loop only.
    /** The handler finished: {@link #response} is the answer (null for none). */
    boolean answered;
    Send response;
    /** The answer (if any) went to the socket. */
    boolean written;
    /** Set to close the connection once this request's turn comes. */
    String closeReason;

    RequestContext(final RequestChannelHandler connection, final RequestHeader header, final long receivedNanos)
    {
        this.connection = connection;
        this.header = header;
        this.receivedNanos = receivedNanos;
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

    /**
     * The connection's event loop. A timer set here fires on the thread that writes the answer, and setting it from
     * a handler wakes no other thread.
     */
    public ScheduledExecutorService eventLoop()
    {
        return connection.eventLoop();
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
        connection.closeAfter(this, reason);
    }
}
