package io.sluice.client.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.message.Message;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The connections of one client to the brokers, one per broker address, on one I/O thread. */
public final class NetworkClient implements AutoCloseable
{
    private final String clientId;
    private final long requestTimeoutMs;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final io.netty.channel.EventLoop eventLoop;
    private final Map<String, BrokerConnection> connections = new ConcurrentHashMap<>();

    public NetworkClient(final String clientId, final long requestTimeoutMs)
    {
        this.clientId = clientId;
        this.requestTimeoutMs = requestTimeoutMs;
        if (Epoll.isAvailable())
        {
            group = new EpollEventLoopGroup(1, new DefaultThreadFactory("sluice-client-io", true));
            bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class);
        }
        else
        {
            group = new NioEventLoopGroup(1, new DefaultThreadFactory("sluice-client-io", true));
            bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class);
        }
        eventLoop = group.next();
    }

    /** The open connection to {@code host:port}, reconnecting if the previous one closed. */
    public BrokerConnection connection(final String host, final int port)
    {
        return connection(host, port, "");
    }

    /**
     * A connection to {@code host:port} of its own for {@code purpose}: the broker answers a connection's requests
     * in order, so group requests travel apart from fetches that the broker may park for fetch.max.wait.ms.
     */
    public BrokerConnection connection(final String host, final int port, final String purpose)
    {
        final String key = host + ":" + port + (purpose.isEmpty() ? "" : "/" + purpose);
        return connections.compute(key, (k, existing) -> existing == null || existing.isClosed()
            ? new BrokerConnection(bootstrap, host, port, clientId, requestTimeoutMs, Integer.MAX_VALUE) : existing);
    }

    public <T> CompletableFuture<T> send(final String host, final int port, final ApiKeys api, final Message request,
        final ResponseParser<T> parser)
    {
        return connection(host, port).send(api, request, parser);
    }

    /** Sends on the connection kept for {@code purpose}; see {@link #connection(String, int, String)}. */
    public <T> CompletableFuture<T> send(final String host, final int port, final String purpose, final ApiKeys api,
        final Message request, final ResponseParser<T> parser)
    {
        return connection(host, port, purpose).send(api, request, parser);
    }

    /** Requests waiting for an answer on the connection to {@code host:port}; 0 when there is none. */
    public int inFlight(final String host, final int port)
    {
        final BrokerConnection connection = connections.get(host + ":" + port);
        return connection == null || connection.isClosed() ? 0 : connection.inFlightCount();
    }

    /** The one event loop all of this client's connections run on. */
    public io.netty.channel.EventLoop eventLoop()
    {
        return eventLoop;
    }

    public String clientId()
    {
        return clientId;
    }

    @Override
    public void close()
    {
        connections.values().forEach(BrokerConnection::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
