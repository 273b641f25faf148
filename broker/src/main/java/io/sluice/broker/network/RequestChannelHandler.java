package io.sluice.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.ProtocolException;
import io.sluice.common.protocol.RecordSet;
import io.sluice.common.protocol.RequestHeader;
import io.sluice.common.protocol.Send;
import io.sluice.common.protocol.message.ErrorOnlyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The adapter of one connection: decodes each frame's header, dispatches it to the API's handler, and writes the
 * responses back in request order however they complete (pipelining). Bad input is answered with an error or,
 * when no answer is possible, by closing this connection; other connections and stored data are never touched.
 *
 * <p>Threading: decoding and writing run on the connection's event loop; completions from other threads are
 * handed to it.
 */
final class RequestChannelHandler extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(RequestChannelHandler.class);
    private static final Object NO_RESPONSE = new Object();

    private final Map<Short, RequestHandler> handlers;
    private final RequestListener listener;
    private final Map<Long, Object> ready = new HashMap<>();
    private final Map<Long, RequestContext> contexts = new HashMap<>();
    private ChannelHandlerContext ctx;
    private long nextSequence;
    private long nextToSend;
    private long closeAfterSequence = -1;
    private String closeReason;

    RequestChannelHandler(final Map<Short, RequestHandler> handlers, final RequestListener listener)
    {
        this.handlers = handlers;
        this.listener = listener;
    }

    ByteBufAllocator allocator()
    {
        return ctx.alloc();
    }

    SocketAddress remoteAddress()
    {
        return ctx.channel().remoteAddress();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        this.ctx = ctx;
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            handleFrame(frame);
        }
        finally
        {
            frame.release();
        }
    }

    private void handleFrame(final ByteBuf frame)
    {
        final long received = System.nanoTime();
        final MessageReader reader = new MessageReader(frame);
        final RequestHeader header;
        try
        {
            header = RequestHeader.read(reader);
        }
        catch (final ProtocolException e)
        {
            LOG.warn("Closing connection from {}: unreadable request header ({})", remoteAddress(), e.getMessage());
            ctx.close();
            return;
        }
        final ApiKeys api = ApiKeys.forId(header.apiKey);
        if (api == null || !handlers.containsKey(header.apiKey))
        {
            LOG.warn("Closing connection from {}: unknown API key {}", remoteAddress(), header.apiKey);
            ctx.close();
            return;
        }
        final RequestContext context = new RequestContext(this, nextSequence++, header, received);
        if (!api.isVersionSupported(header.apiVersion))
        {
            LOG.warn("Request from {} uses {} version {}, which this broker does not support ({} to {})",
                remoteAddress(), api, header.apiVersion, api.oldestVersion, api.latestVersion);
            context.respond(new ErrorOnlyResponse(Errors.UNSUPPORTED_VERSION.code()));
            return;
        }
        try
        {
            handlers.get(header.apiKey).handle(context, reader);
        }
        catch (final ProtocolException e)
        {
            LOG.warn("Malformed {} request from {}: {}", api, remoteAddress(), e.getMessage());
            context.respond(new ErrorOnlyResponse(Errors.INVALID_REQUEST.code()));
        }
        catch (final RuntimeException e)
        {
            LOG.error("Unexpected error serving {} from {}", api, remoteAddress(), e);
            context.respond(new ErrorOnlyResponse(Errors.UNKNOWN_SERVER_ERROR.code()));
        }
    }

    /** Called from any thread when a request's response (or none) is ready. */
    void complete(final RequestContext context, final Send send)
    {
        if (ctx.executor().inEventLoop())
        {
            enqueue(context.sequence(), send, context);
        }
        else
        {
            ctx.executor().execute(() -> enqueue(context.sequence(), send, context));
        }
    }

    void closeAfter(final long sequence, final String reason)
    {
        ctx.executor().execute(() ->
        {
            closeAfterSequence = sequence;
            closeReason = reason;
            enqueue(sequence, null, null);
        });
    }

    private void enqueue(final long sequence, final Send send, final RequestContext context)
    {
        if (!ctx.channel().isActive())
        {
            if (send != null)
            {
                send.release();
            }
            return;
        }
        if (ready.containsKey(sequence))
        {
            return;
        }
        ready.put(sequence, send == null ? NO_RESPONSE : send);
        if (context != null)
        {
            contexts.put(sequence, context);
        }
        boolean wrote = false;
        while (ready.containsKey(nextToSend))
        {
            final long seq = nextToSend++;
            final Object item = ready.remove(seq);
            final RequestContext done = contexts.remove(seq);
            if (item instanceof Send)
            {
                write((Send)item);
                wrote = true;
            }
            if (done != null && listener != null)
            {
                listener.onResponse(done.header(), System.nanoTime() - done.receivedNanos());
            }
            if (seq == closeAfterSequence)
            {
                LOG.warn("Closing connection from {}: {}", remoteAddress(), closeReason);
                if (wrote)
                {
                    ctx.flush();
                }
                ctx.close();
                return;
            }
        }
        if (wrote)
        {
            ctx.flush();
        }
    }

    private void write(final Send send)
    {
        for (final Object part : send.parts())
        {
            if (part instanceof ByteBuf)
            {
                ctx.write(part, ctx.voidPromise());
            }
            else if (part instanceof FileSliceRecordSet)
            {
                ctx.write(new SegmentFileRegion(((FileSliceRecordSet)part).slice()), ctx.voidPromise());
            }
            else
            {
                throw new IllegalStateException("Cannot send a " + ((RecordSet)part).getClass().getName());
            }
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt instanceof IdleStateEvent)
        {
            LOG.debug("Closing idle connection from {}", remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        for (final Object item : ready.values())
        {
            if (item instanceof Send)
            {
                ((Send)item).release();
            }
        }
        ready.clear();
        contexts.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof TooLongFrameException)
        {
            LOG.warn("Closing connection from {}: {} (socket.request.max.bytes)", remoteAddress(),
                cause.getMessage());
        }
        else if (cause instanceof IOException)
        {
            LOG.debug("Connection from {} failed: {}", remoteAddress(), cause.toString());
        }
        else
        {
            LOG.warn("Closing connection from {} after an error: {}", remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
