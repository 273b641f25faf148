package io.sluice.client.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.sluice.common.errors.NetworkException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;
import io.sluice.common.protocol.ProtocolException;
import io.sluice.common.protocol.RequestHeader;
import io.sluice.common.protocol.Send;
import io.sluice.common.protocol.message.Message;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection to a broker. Requests are pipelined; the broker answers in order, so in-flight requests are a
 * FIFO matched by correlation id. A request that outlives {@code request.timeout.ms} fails with
 * {@link TimeoutException} and closes the connection (its later responses could no longer be trusted); a closed
 * connection fails everything in flight with {@link NetworkException}.
 *
 * <p>Threading: all state is touched on the connection's event loop; {@link #send} may be called from any thread.
 */
public final class BrokerConnection
{
    private final String host;
    private final int port;
    private final String clientId;
    private final long requestTimeoutMs;
    private final ArrayDeque<InFlight<?>> inFlight = new ArrayDeque<>();
    private final List<Runnable> waitingForConnect = new ArrayList<>();
    private final Channel channel;
    private final ChannelFuture connectFuture;
    private int nextCorrelationId;
    private volatile boolean closed;
    private volatile int inFlightCount;
    private ScheduledFuture<?> timeoutCheck;

    private static final class InFlight<T>
    {
        final int correlationId;
        final ApiKeys api;
        final ResponseParser<T> parser;
        final CompletableFuture<T> future;
        final long deadlineNanos;

        InFlight(final int correlationId, final ApiKeys api, final ResponseParser<T> parser,
            final CompletableFuture<T> future, final long deadlineNanos)
        {
            this.correlationId = correlationId;
            this.api = api;
            this.parser = parser;
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }

        void complete(final MessageReader reader)
        {
            try
            {
                future.complete(parser.parse(reader));
            }
            catch (final RuntimeException e)
            {
                future.completeExceptionally(e);
            }
        }
    }

    BrokerConnection(final Bootstrap bootstrap, final String host, final int port, final String clientId,
        final long requestTimeoutMs, final int maxResponseBytes)
    {
        this.host = host;
        this.port = port;
        this.clientId = clientId;
        this.requestTimeoutMs = requestTimeoutMs;
        final Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel ch)
            {
                ch.pipeline()
                    .addLast(new ResponseFrameDecoder(maxResponseBytes))
                    .addLast(new ResponseHandler());
            }
        }).option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int)Math.min(Integer.MAX_VALUE, requestTimeoutMs));
        this.connectFuture = b.connect(new InetSocketAddress(host, port));
        this.channel = connectFuture.channel();
        connectFuture.addListener(f ->
        {
            final List<Runnable> waiting = new ArrayList<>(waitingForConnect);
            waitingForConnect.clear();
            if (f.isSuccess())
            {
                timeoutCheck = channel.eventLoop().scheduleAtFixedRate(this::expireTimedOut, 50, 50,
                    TimeUnit.MILLISECONDS);
            }
            waiting.forEach(Runnable::run);
        });
        channel.closeFuture().addListener(f -> onClose());
    }

    public String address()
    {
        return host + ":" + port;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Requests sent and not yet answered. */
    public int inFlightCount()
    {
        return inFlightCount;
    }

    /**
     * Sends a request. For a request the broker does not answer (produce with acks=0) pass a null parser: the
     * future completes with null once the bytes are written.
     */
    public <T> CompletableFuture<T> send(final ApiKeys api, final Message request, final ResponseParser<T> parser)
    {
        final CompletableFuture<T> future = new CompletableFuture<>();
        if (closed)
        {
            future.completeExceptionally(new NetworkException("Connection to " + address() + " is closed"));
            return future;
        }
        final Runnable task = () ->
        {
            if (!connectFuture.isDone())
            {
                waitingForConnect.add(() -> write(api, request, parser, future));
            }
            else
            {
                write(api, request, parser, future);
            }
        };
        if (channel.eventLoop().inEventLoop())
        {
            task.run();
        }
        else
        {
            channel.eventLoop().execute(task);
        }
        return future;
    }

    private <T> void write(final ApiKeys api, final Message request, final ResponseParser<T> parser,
        final CompletableFuture<T> future)
    {
        if (!connectFuture.isSuccess() || !channel.isActive())
        {
            final Throwable cause = connectFuture.cause();
            future.completeExceptionally(new NetworkException("Cannot connect to broker at " + address()
                + (cause == null ? "" : ": " + cause.getMessage()), cause));
            return;
        }
        final int correlationId = nextCorrelationId++;
        final MessageWriter writer = new MessageWriter(channel.alloc(), 256);
        final Send send;
        try
        {
            new RequestHeader(api.id, api.latestVersion, correlationId, clientId).write(writer);
            request.write(writer);
            send = writer.finish();
        }
        catch (final RuntimeException e)
        {
            writer.discard();
            future.completeExceptionally(e);
            return;
        }
        if (parser != null)
        {
            inFlight.addLast(new InFlight<>(correlationId, api, parser, future,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs)));
            inFlightCount = inFlight.size();
        }
        for (final Object part : send.parts())
        {
            channel.write(part, channel.voidPromise());
        }
        if (parser == null)
        {
            channel.writeAndFlush(channel.alloc().buffer(0)).addListener(f ->
            {
                if (f.isSuccess())
                {
                    future.complete(null);
                }
                else
                {
                    future.completeExceptionally(new NetworkException("Write to " + address() + " failed",
                        f.cause()));
                }
            });
        }
        else
        {
            channel.flush();
        }
    }

    private void expireTimedOut()
    {
        final InFlight<?> head = inFlight.peekFirst();
        if (head != null && System.nanoTime() - head.deadlineNanos > 0)
        {
            final TimeoutException timeout = new TimeoutException(head.api + " request to " + address()
                + " timed out after " + requestTimeoutMs + " ms (request.timeout.ms)");
            failAll(timeout);
            channel.close();
        }
    }

    private void failAll(final SluiceException cause)
    {
        InFlight<?> request;
        while ((request = inFlight.pollFirst()) != null)
        {
            request.future.completeExceptionally(cause);
        }
        inFlightCount = 0;
    }

    private void onClose()
    {
        closed = true;
        if (timeoutCheck != null)
        {
            timeoutCheck.cancel(false);
        }
        failAll(new NetworkException("Connection to broker at " + address() + " closed"));
        final List<Runnable> waiting = new ArrayList<>(waitingForConnect);
        waitingForConnect.clear();
        waiting.forEach(Runnable::run);
    }

    public void close()
    {
        closed = true;
        channel.close();
    }

    private final class ResponseHandler extends SimpleChannelInboundHandler<byte[]>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final byte[] frame)
        {
            final InFlight<?> request = inFlight.pollFirst();
            inFlightCount = inFlight.size();
            final MessageReader reader = MessageReader.ofOwnedFrame(frame);
            if (request == null)
            {
                ctx.close();
                return;
            }
            try
            {
                final int correlationId = reader.readInt();
                if (correlationId != request.correlationId)
                {
                    throw new ProtocolException("Response correlation id " + correlationId + " does not match "
                        + request.correlationId);
                }
                final short error = reader.buf().getShort(reader.buf().readerIndex());
                if (reader.remaining() == 2 && error != Errors.NONE.code())
                {
                    request.future.completeExceptionally(Errors.forCode(error).exception(request.api
                        + " request refused by " + address()));
                    return;
                }
                request.complete(reader);
            }
            catch (final RuntimeException e)
            {
                request.future.completeExceptionally(e);
                failAll(new NetworkException("Unreadable response from " + address() + ": " + e.getMessage()));
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            failAll(new NetworkException("Connection to " + address() + " failed: " + cause.getMessage(), cause));
            ctx.close();
        }
    }
}
