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
import io.sluice.storage.segment.FileSlice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

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
    /**
     * Record sets up to this size are copied into the answer instead of sent with {@code sendfile}: the answer then
     * leaves in one write, one TCP segment that wakes the reader once, where header, {@code sendfile} and trailer
     * took three writes and could wake it three times. Copying a few kilobytes costs less than the two system calls
     * it saves; a large fetch still goes without copying.
     */
    private static final int MAX_COPIED_SLICE_BYTES = 16 * 1024;

    private final Map<Short, RequestHandler> handlers;
    private final RequestListener listener;
    /** Requests read and not yet answered, oldest first: an answer goes out once every earlier one has. */
    private final ArrayDeque<RequestContext> unanswered = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    RequestChannelHandler(final Map<Short, RequestHandler> handlers, final RequestListener listener)
    {
        this.handlers = handlers;
        this.listener = listener;
    }

    ByteBufAllocator allocator()
    {
        return ctx.alloc();
    }

    ScheduledExecutorService eventLoop()
    {
        return ctx.executor();
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
        final RequestContext context = new RequestContext(this, header, received);
        unanswered.addLast(context);
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

    /** Called from any thread when a request's response (or none, with a null {@code send}) is ready. */
    void complete(final RequestContext context, final Send send)
    {
        if (ctx.executor().inEventLoop())
        {
            answer(context, send);
        }
        else
        {
            ctx.executor().execute(() -> answer(context, send));
        }
    }

    /** Closes the connection once the answers before {@code context}'s are written; it gets none. */
    void closeAfter(final RequestContext context, final String reason)
    {
        ctx.executor().execute(() ->
        {
            context.closeReason = reason;
            if (context.written)
            {
                // Answered already: nothing of this request is left to wait for.
                closeNow(reason, false);
                return;
            }
            answer(context, null);
        });
    }

    /** On the event loop: records the answer, then writes every answer whose predecessors are all written. */
    private void answer(final RequestContext context, final Send send)
    {
        if (!ctx.channel().isActive() || context.answered)
        {
            // A closed connection, or a second answer to one request: nothing will write it.
            if (send != null)
            {
                send.release();
            }
            return;
        }
        context.answered = true;
        context.response = send;
        boolean wrote = false;
        RequestContext head;
        while ((head = unanswered.peekFirst()) != null && head.answered)
        {
            unanswered.pollFirst();
            head.written = true;
            if (head.response != null)
            {
                write(head.response);
                head.response = null;
                wrote = true;
            }
            if (listener != null)
            {
                listener.onResponse(head.header(), System.nanoTime() - head.receivedNanos());
            }
            if (head.closeReason != null)
            {
                closeNow(head.closeReason, wrote);
                return;
            }
        }
        if (wrote)
        {
            ctx.flush();
        }
    }

    private void closeNow(final String reason, final boolean flush)
    {
        LOG.warn("Closing connection from {}: {}", remoteAddress(), reason);
        if (flush)
        {
            ctx.flush();
        }
        ctx.close();
    }

    private void write(final Send send)
    {
        final List<Object> parts = send.parts();
        for (int i = 0; i < parts.size(); i++)
        {
            final Object part = parts.get(i);
            if (part instanceof ByteBuf)
            {
                ctx.write(part, ctx.voidPromise());
            }
            else if (part instanceof FileSliceRecordSet)
            {
                final FileSlice slice = ((FileSliceRecordSet)part).slice();
                if (slice.sizeInBytes() > MAX_COPIED_SLICE_BYTES)
                {
                    ctx.write(new SegmentFileRegion(slice), ctx.voidPromise());
                    continue;
                }
                final ByteBuf copy = ctx.alloc().directBuffer(slice.sizeInBytes());
                try
                {
                    slice.readInto(copy.nioBuffer(0, slice.sizeInBytes()));
                }
                catch (final IOException e)
                {
                    copy.release();
                    send.releaseFrom(i + 1);
                    // The frame's length went out with its first part: the connection cannot go on.
                    LOG.warn("Closing connection from {}: could not read {} bytes of a segment for an answer ({})",
                        remoteAddress(), slice.sizeInBytes(), e.toString());
                    ctx.close();
                    return;
                }
                ctx.write(copy.writerIndex(slice.sizeInBytes()), ctx.voidPromise());
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
        for (final RequestContext context : unanswered)
        {
            if (context.response != null)
            {
                context.response.release();
                context.response = null;
            }
        }
        unanswered.clear();
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
