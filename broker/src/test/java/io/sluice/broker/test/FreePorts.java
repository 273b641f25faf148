package io.sluice.broker.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a child process to listen on that a test must name before the process starts (quorum voters, a fixed
 * listener). A port from {@code bind(0)} comes from the kernel's ephemeral range, which is also where outgoing
 * connections take their source ports: in the seconds before the child binds it, another broker's connection to
 * its peers could take it ("Address already in use", seen in FaultToleranceTest). These come from below that
 * range, are free when handed out, and are never handed out twice by one test JVM.
 */
public final class FreePorts
{
    private static final int LOWEST = 20_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts()
    {
    }

    /** One free port below the ephemeral range. */
    public static int next()
    {
        return nextRun(1);
    }

    /** The first of {@code count} consecutive free ports below the ephemeral range. */
    public static int nextRun(final int count)
    {
        final int highest = ephemeralLow() - count;
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            final int first = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            if (allFree(first, count))
            {
                return first;
            }
        }
        throw new IllegalStateException("No run of " + count + " free ports found between " + LOWEST + " and "
            + highest);
    }

    private static boolean allFree(final int first, final int count)
    {
        for (int port = first; port < first + count; port++)
        {
            if (HANDED_OUT.contains(port) || !bindable(port))
            {
                return false;
            }
        }
        for (int port = first; port < first + count; port++)
        {
            if (!HANDED_OUT.add(port))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean bindable(final int port)
    {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
        {
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /** The lowest ephemeral port (Linux's net.ipv4.ip_local_port_range; 32768, its default, elsewhere). */
    private static int ephemeralLow()
    {
        final Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (!Files.isReadable(range))
        {
            return 32_768;
        }
        // Read as a stream: Files.readString trusts the size /proc reports, and came back with one character.
        try (java.io.BufferedReader reader = Files.newBufferedReader(range))
        {
            return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
