package io.sluice.perf;

import io.sluice.client.cli.CommandLine;
import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice perf floor}: what {@code perf e2e} would measure if the broker and the client cost nothing. Records
 * of the same size, sent in the same pattern at the same rate, cross a {@link LoopbackRelay} process instead of a
 * broker: the operating system's share of the end-to-end latency (thread wake-ups, loopback TCP, scheduling) alone.
 * On a virtual machine that share moves with the host's load from minute to minute, so a latency figure is only
 * comparable with the floor measured in the same minutes.
 */
final class LatencyFloor
{
    static final String HELP = String.join("\n",
        "Usage: sluice perf floor --records N [--record-size B] [--throughput R] [--warmup-records W] [--hand-offs]",
        "Sends N records of B bytes (default 100) at R records/s (default 10,000) through a relay process that only",
        "forwards bytes (no broker, no protocol), after W unmeasured ones (default N), and prints the latency from",
        "send to receipt like perf e2e. Without --hand-offs a record wakes two threads (the relay's and the",
        "reader's); with it, also the three a record crosses within Sluice's processes (send() to the producer's I/O",
        "thread, the broker's network thread to the fetching connection's, the consumer's I/O thread to poll()).");

    private LatencyFloor()
    {
    }

    static void run(final String[] args, final PrintStream out) throws Exception
    {
        final CommandLine cli = new CommandLine(args, 1, Set.of("records", "record-size", "throughput",
            "warmup-records"), Set.of("hand-offs"));
        if (cli.has("help"))
        {
            out.println(HELP);
            return;
        }
        final long records = cli.getLong("records", -1);
        if (records <= 0)
        {
            throw new CommandLine.UsageException("--records is required");
        }
        final int size = Math.max(16, (int)cli.getLong("record-size", 100));
        final long throughput = cli.getLong("throughput", 10_000);
        final long warmup = cli.getLong("warmup-records", records);
        final boolean handOffs = cli.has("hand-offs");

        final Process relay = startRelay(handOffs);
        try
        {
            final int port = relayPort(relay);
            final Histogram latency = Report.histogram();
            final long elapsed;
            final HostSteal steal;
            try (Socket producer = connect(port, LoopbackRelay.PRODUCER);
                Socket consumer = connect(port, LoopbackRelay.CONSUMER))
            {
                final Receiver receiver = new Receiver(consumer, size, warmup, warmup + records, handOffs, latency);
                receiver.start();
                final Sender sender = new Sender(producer.getOutputStream(), size, handOffs);
                sender.send(0, warmup, new Throttler(throughput, System.nanoTime()));
                final long measuredStart = System.nanoTime();
                steal = HostSteal.start();
                sender.send(warmup, records, new Throttler(throughput, measuredStart));
                sender.finish();
                receiver.awaitAll(TimeUnit.SECONDS.toNanos(60));
                elapsed = System.nanoTime() - measuredStart;
            }
            Report.print(out, "floor", latency.getTotalCount(), latency.getTotalCount() * size, elapsed, latency,
                steal);
        }
        finally
        {
            if (!relay.waitFor(10, TimeUnit.SECONDS))
            {
                relay.destroyForcibly();
            }
        }
    }

    private static Process startRelay(final boolean handOff) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
            "-cp", System.getProperty("java.class.path"), LoopbackRelay.class.getName()));
        if (handOff)
        {
            command.add("--hand-off");
        }
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int relayPort(final Process relay) throws IOException
    {
        final String line = new BufferedReader(new InputStreamReader(relay.getInputStream(),
            StandardCharsets.US_ASCII)).readLine();
        if (line == null)
        {
            relay.destroyForcibly();
            throw new IOException("The relay process exited before it listened (see its error above)");
        }
        return Integer.parseInt(line.trim());
    }

    private static Socket connect(final int port, final int role) throws IOException
    {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.getOutputStream().write(role);
        return socket;
    }

    /** Writes records stamped with their number and send time; with hand-offs, through a second thread. */
    private static final class Sender
    {
        private final OutputStream socket;
        private final int size;
        private final HandOffWriter io;

        Sender(final OutputStream socket, final int size, final boolean handOff)
        {
            this.socket = socket;
            this.size = size;
            this.io = handOff ? new HandOffWriter(socket, "floor-sender-io") : null;
        }

        void send(final long first, final long count, final Throttler throttler) throws IOException
        {
            for (long n = 0; n < count; n++)
            {
                throttler.throttle(n);
                final byte[] record = new byte[size];
                final ByteBuffer buffer = ByteBuffer.wrap(record);
                buffer.putLong(0, first + n);
                buffer.putLong(8, System.nanoTime());
                if (io == null)
                {
                    socket.write(record);
                }
                else
                {
                    io.add(record);
                }
            }
        }

        void finish() throws IOException, InterruptedException
        {
            if (io != null)
            {
                io.finish();
            }
        }
    }

    /** Reads records and records their latency; with hand-offs, a second thread takes them from the reader. */
    private static final class Receiver
    {
        private final Thread reader;
        private final Thread consumer;
        private volatile Exception failure;

        Receiver(final Socket socket, final int size, final long firstMeasured, final long total,
            final boolean handOff, final Histogram latency)
        {
            final BlockingQueue<byte[]> queue = handOff ? new LinkedBlockingQueue<>() : null;
            reader = new Thread(() ->
            {
                try
                {
                    final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(),
                        64 * 1024));
                    for (long n = 0; n < total; n++)
                    {
                        final byte[] record = new byte[size];
                        in.readFully(record);
                        if (queue == null)
                        {
                            measure(record, firstMeasured, latency);
                        }
                        else
                        {
                            queue.add(record);
                        }
                    }
                }
                catch (final IOException e)
                {
                    failure = e;
                }
            }, "floor-reader");
            consumer = queue == null ? null : new Thread(() ->
            {
                try
                {
                    for (long n = 0; n < total; n++)
                    {
                        measure(queue.take(), firstMeasured, latency);
                    }
                }
                catch (final InterruptedException e)
                {
                    failure = e;
                }
            }, "floor-consumer");
        }

        void start()
        {
            reader.start();
            if (consumer != null)
            {
                consumer.start();
            }
        }

        private static void measure(final byte[] record, final long firstMeasured, final Histogram latency)
        {
            final long now = System.nanoTime();
            final ByteBuffer buffer = ByteBuffer.wrap(record);
            if (buffer.getLong(0) >= firstMeasured)
            {
                latency.recordValue(Math.min(Report.TimeUnitMicros.MAX, (now - buffer.getLong(8)) / 1000));
            }
        }

        /** Waits until every record arrived; fails if one did not within {@code timeoutNanos}. */
        void awaitAll(final long timeoutNanos) throws Exception
        {
            final long deadline = System.nanoTime() + timeoutNanos;
            for (final Thread thread : consumer == null ? List.of(reader) : List.of(reader, consumer))
            {
                TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
                if (thread.isAlive())
                {
                    thread.interrupt();
                    throw new IllegalStateException("Not every record came back through the relay within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
                }
            }
            if (failure != null)
            {
                throw new IllegalStateException("Reading the records back failed: " + failure, failure);
            }
        }
    }
}
