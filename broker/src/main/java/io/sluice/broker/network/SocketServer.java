package io.sluice.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP listener: Netty with epoll where available (NIO otherwise), length-prefixed frames bounded by
 * {@code socket.request.max.bytes}, idle connections closed after {@code connections.max.idle.ms}, and at most
 * {@code max.connections} connections. Requests are served on the event loop of their connection.
 */
public final class SocketServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

    private final String host;
    private final int port;
    private final int maxFrameBytes;
    private final long idleMs;
    private final int maxConnections;
    private final Map<Short, RequestHandler> handlers;
    private final RequestListener listener;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> channelClass;
    private final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connectionCount = new AtomicInteger();
    private Channel serverChannel;

    public SocketServer(final String host, final int port, final int threads, final int maxFrameBytes,
        final long idleMs, final int maxConnections, final Map<Short, RequestHandler> handlers,
        final RequestListener listener)
    {
        this.host = host;
        this.port = port;
        this.maxFrameBytes = maxFrameBytes;
        this.idleMs = idleMs;
        this.maxConnections = maxConnections;
        this.handlers = handlers;
        this.listener = listener;
        if (Epoll.isAvailable())
        {
            bossGroup = new EpollEventLoopGroup(1, new DefaultThreadFactory("sluice-acceptor", true));
            workerGroup = new EpollEventLoopGroup(threads, new DefaultThreadFactory("sluice-network", true));
            channelClass = EpollServerSocketChannel.class;
        }
        else
        {
            bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("sluice-acceptor", true));
            workerGroup = new NioEventLoopGroup(threads, new DefaultThreadFactory("sluice-network", true));
            channelClass = NioServerSocketChannel.class;
        }
    }

    /**
     * Binds, without accepting yet, and returns the bound port (the configured one, or the one the OS picked for
     * 0). Clients that connect meanwhile wait in the listen backlog until {@link #startProcessing()}.
     */
    public int start() throws InterruptedException
    {
        final ChannelHandler limiter = new ConnectionLimiter();
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline()
                        .addLast("limiter", limiter)
                        .addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS))
                        .addLast("frames", new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4))
                        .addLast("requests", new RequestChannelHandler(handlers, listener));
                }
            });
        serverChannel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * Starts accepting connections and serving requests, once the broker can answer them: registered in the
     * metadata it serves (before, a client would be told of a cluster without brokers) and its partitions loaded.
     */
    public void startProcessing()
    {
        serverChannel.config().setAutoRead(true);
        LOG.info("Listening on {} ({} transport)", serverChannel.localAddress(),
            Epoll.isAvailable() ? "epoll" : "nio");
    }

    public int connectionCount()
    {
        return connectionCount.get();
    }

    /** Stops accepting new connections; existing ones keep being served. */
    public void stopAccepting()
    {
        if (serverChannel != null)
        {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** Closes every connection and stops the event loops, waiting at most {@code timeoutMs}. */
    @Override
    public void close()
    {
        stopAccepting();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Counts connections and closes those beyond {@code max.connections} at once. */
    @ChannelHandler.Sharable
    private final class ConnectionLimiter extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception
        {
            final int count = connectionCount.incrementAndGet();
            connections.add(ctx.channel());
            if (count > maxConnections)
            {
                LOG.warn("Refusing connection from {}: max.connections ({}) reached", ctx.channel().remoteAddress(),
                    maxConnections);
                ctx.close();
                return;
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception
        {
            connectionCount.decrementAndGet();
            super.channelInactive(ctx);
        }
    }
}
