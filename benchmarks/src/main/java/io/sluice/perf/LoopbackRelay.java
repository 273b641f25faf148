package io.sluice.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The broker's place in {@code sluice perf floor}: a process of its own that forwards every byte from one loopback
 * connection to another and does nothing else. It listens on an ephemeral port of 127.0.0.1, prints that port as
 * its first line, and takes two connections, each naming its end in its first byte ({@code P} writes, {@code C}
 * reads). With {@code --hand-off} a second thread writes what the first read, as a broker's network thread hands a
 * fetch answer to the thread of the fetching connection. It exits when the writing end closes.
 */
public final class LoopbackRelay
{
    static final int PRODUCER = 'P';
    static final int CONSUMER = 'C';

    private LoopbackRelay()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final boolean handOff = args.length > 0 && args[0].equals("--hand-off");
        relay(handOff, System.out);
    }

    static void relay(final boolean handOff, final PrintStream out) throws IOException, InterruptedException
    {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress()))
        {
            out.println(server.getLocalPort());
            out.flush();
            Socket in = null;
            Socket sink = null;
            while (in == null || sink == null)
            {
                final Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                final int role = socket.getInputStream().read();
                if (role == PRODUCER && in == null)
                {
                    in = socket;
                }
                else if (role == CONSUMER && sink == null)
                {
                    sink = socket;
                }
                else
                {
                    socket.close();
                    throw new IOException("A connection named its end " + role + "; expected one 'P' and one 'C'");
                }
            }
            try (Socket producer = in; Socket consumer = sink)
            {
                forward(producer.getInputStream(), consumer.getOutputStream(), handOff);
            }
        }
    }

    private static void forward(final InputStream from, final OutputStream to, final boolean handOff)
        throws IOException, InterruptedException
    {
        final byte[] buffer = new byte[64 * 1024];
        final HandOffWriter writer = handOff ? new HandOffWriter(to, "relay-writer") : null;
        int read;
        while ((read = from.read(buffer)) > 0)
        {
            if (writer == null)
            {
                to.write(buffer, 0, read);
            }
            else
            {
                writer.add(Arrays.copyOf(buffer, read));
            }
        }
        if (writer != null)
        {
            writer.finish();
        }
    }
}
