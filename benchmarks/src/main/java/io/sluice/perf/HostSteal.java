package io.sluice.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The share of the machine's CPU time that its hypervisor gave to others while a run went on ("steal" in
 * {@code /proc/stat}). On a virtual machine a latency figure taken while steal was high says more about the host
 * than about Sluice, so every perf report carries it. Unknown (NaN) where {@code /proc/stat} is missing.
 */
final class HostSteal
{
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final long[] start;

    private HostSteal(final long[] start)
    {
        this.start = start;
    }

    /** Starts counting now. */
    static HostSteal start()
    {
        return new HostSteal(read());
    }

    /** Percent of all CPU time stolen since {@link #start()}; NaN if not known. */
    double percent()
    {
        return percent(start, read());
    }

    /** Percent of the ticks between two readings ({steal, total}) that were stolen; NaN if not known. */
    static double percent(final long[] start, final long[] now)
    {
        if (start == null || now == null || now[1] <= start[1])
        {
            return Double.NaN;
        }
        return 100.0 * (now[0] - start[0]) / (now[1] - start[1]);
    }

    private static long[] read()
    {
        try
        {
            final List<String> lines = Files.readAllLines(PROC_STAT);
            return lines.isEmpty() ? null : parse(lines.get(0));
        }
        catch (final IOException | RuntimeException e)
        {
            // Not Linux, or a /proc/stat we do not understand: the report says "unknown".
            return null;
        }
    }

    /**
     * Steal and total ticks from the all-CPU line of {@code /proc/stat}: "cpu user nice system idle iowait irq
     * softirq steal ..." (guest time is already inside user and nice, so it is not added again). Null if the
     * line has no steal field.
     */
    static long[] parse(final String line)
    {
        final String[] fields = line.trim().split("\\s+");
        if (fields.length < 9 || !"cpu".equals(fields[0]))
        {
            return null;
        }
        long total = 0;
        for (int i = 1; i <= 8; i++)
        {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {Long.parseLong(fields[8]), total};
    }
}
