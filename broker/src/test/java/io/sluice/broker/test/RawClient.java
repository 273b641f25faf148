package io.sluice.broker.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.MessageWriter;
import io.sluice.common.protocol.RequestHeader;
import io.sluice.common.protocol.Send;
import io.sluice.common.protocol.message.Message;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking socket speaking the protocol by hand, for tests that must send exactly the bytes they choose:
 * malformed frames, replayed batches, unknown APIs.
 */
public final class RawClient implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;

    public RawClient(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Encodes a request with the given api, version and body into frame bytes. */
    public static byte[] frame(final short apiKey, final short version, final int correlationId, final Message body)
    {
        final MessageWriter writer = new MessageWriter(UnpooledByteBufAllocator.DEFAULT, 256);
        new RequestHeader(apiKey, version, correlationId, "raw-test").write(writer);
        if (body != null)
        {
            body.write(writer);
        }
        final Send send = writer.finish();
        final ByteBuf all = UnpooledByteBufAllocator.DEFAULT.buffer((int)send.size());
        for (final Object part : send.parts())
        {
            all.writeBytes((ByteBuf)part);
            ((ByteBuf)part).release();
        }
        final byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    public void sendBytes(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Sends a request and returns a reader over the response body (after the correlation id). */
    public MessageReader call(final ApiKeys api, final Message body) throws IOException
    {
        return call(api.id, api.latestVersion, body);
    }

    public MessageReader call(final short apiKey, final short version, final Message body) throws IOException
    {
        final int id = correlationId++;
        sendBytes(frame(apiKey, version, id, body));
        final MessageReader reader = readResponse();
        final int got = reader.readInt();
        if (got != id)
        {
            throw new IOException("correlation id " + got + ", expected " + id);
        }
        return reader;
    }

    public MessageReader readResponse() throws IOException
    {
        final int length = in.readInt();
        final byte[] body = new byte[length];
        in.readFully(body);
        return new MessageReader(io.netty.buffer.Unpooled.wrappedBuffer(body));
    }

    /** Whether the broker closed the connection (read returns EOF) within the socket timeout. */
    public boolean isClosedByPeer(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final EOFException e)
        {
            return true;
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
        catch (final IOException e)
        {
            // Connection reset: closed as well.
            return true;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
