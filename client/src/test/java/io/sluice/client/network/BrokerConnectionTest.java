package io.sluice.client.network;

import io.sluice.common.errors.NetworkException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.message.ApiVersionsRequest;
import io.sluice.common.protocol.message.ApiVersionsResponse;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection to something that answers, over a real socket, with bytes that are not a response. */
class BrokerConnectionTest
{
    @Test
    void aResponseWithANegativeLengthFailsTheRequestAtOnce() throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            NetworkClient client = new NetworkClient("test", 60_000))
        {
            final CompletableFuture<Void> served = CompletableFuture.runAsync(() ->
            {
                try (Socket socket = server.accept())
                {
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                    final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeInt(-2);
                    out.writeInt(0);
                    out.flush();
                    // Hold the connection open: the client must fail on the bytes, not on the close.
                    in.read();
                }
                catch (final java.io.IOException e)
                {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            final CompletableFuture<ApiVersionsResponse> answer = client.send("127.0.0.1", server.getLocalPort(),
                ApiKeys.API_VERSIONS, new ApiVersionsRequest(), ApiVersionsResponse::read);
            final ExecutionException failure = assertThrows(ExecutionException.class,
                () -> answer.get(10, TimeUnit.SECONDS));
            assertInstanceOf(NetworkException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().contains("Response frame of 4294967294 bytes"),
                failure.getCause().getMessage());
            served.get(10, TimeUnit.SECONDS);
        }
    }
}
