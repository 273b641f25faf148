package io.sluice.perf;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Formats a perf run's figures: a human summary and one final JSON line with the same numbers, for scripts.
 * Latencies are recorded in microseconds.
 */
final class Report
{
    private Report()
    {
    }

    static Histogram histogram()
    {
        return new Histogram(TimeUnitMicros.MAX, 3);
    }

    static void print(final PrintStream out, final String tool, final long records, final long bytes,
        final long elapsedNanos, final Histogram latencyMicros, final HostSteal steal)
    {
        final double seconds = elapsedNanos / 1e9;
        final double recordsPerSecond = records / seconds;
        final double mbPerSecond = bytes / seconds / (1024 * 1024);
        final StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
            "%d records in %.2f s: %.1f records/s (%.2f MB/s)", records, seconds, recordsPerSecond, mbPerSecond));
        final StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
            "{\"tool\":\"%s\",\"records\":%d,\"seconds\":%.3f,\"records_per_sec\":%.1f,\"mb_per_sec\":%.3f",
            tool, records, seconds, recordsPerSecond, mbPerSecond));
        if (latencyMicros != null && latencyMicros.getTotalCount() > 0)
        {
            summary.append(String.format(Locale.ROOT,
                ", latency ms: avg %.3f, p50 %.3f, p95 %.3f, p99 %.3f, p99.9 %.3f, max %.3f",
                latencyMicros.getMean() / 1000, ms(latencyMicros, 50), ms(latencyMicros, 95), ms(latencyMicros, 99),
                ms(latencyMicros, 99.9), latencyMicros.getMaxValue() / 1000.0));
            json.append(String.format(Locale.ROOT,
                ",\"latency_ms\":{\"avg\":%.3f,\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f}",
                latencyMicros.getMean() / 1000, ms(latencyMicros, 50), ms(latencyMicros, 95), ms(latencyMicros, 99),
                ms(latencyMicros, 99.9), latencyMicros.getMaxValue() / 1000.0));
        }
        final double stolen = steal.percent();
        if (!Double.isNaN(stolen))
        {
            summary.append(String.format(Locale.ROOT, "; host steal %.1f %% of CPU time", stolen));
            json.append(String.format(Locale.ROOT, ",\"steal_pct\":%.2f", stolen));
        }
        json.append('}');
        out.println(summary);
        out.println(json);
        out.flush();
    }

    private static double ms(final Histogram h, final double percentile)
    {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Bounds for the latency histogram. */
    static final class TimeUnitMicros
    {
        static final long MAX = 3_600_000_000L;

        private TimeUnitMicros()
        {
        }
    }
}
