package io.sluice.perf;

import io.sluice.client.cli.CommandLine;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.ByteArraySerializer;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sluice perf produce}: sends N records of B bytes (optionally at a target rate) and reports records/s,
 * MB/s and send-to-acknowledgement latency percentiles, with a progress line every 5 seconds.
 */
final class ProducerPerformance
{
    /** The progress line's clock is read once per 1,024 records: per record it cost as much as the send's own. */
    private static final long PROGRESS_CHECK_MASK = 1023;

    static final String HELP = String.join("\n",
        "Usage: sluice perf produce --topic T --records N --record-size B [--throughput R] [--acks A]",
        "                           [--warmup-records W]",
        "                           [--producer-prop key=value]... [--bootstrap-server HOST:PORT]",
        "--throughput R caps the rate at R records/s (-1, the default, for no cap). W records are sent first",
        "to warm up the JIT and are not measured.");

    private ProducerPerformance()
    {
    }

    static void run(final String[] args, final PrintStream out) throws InterruptedException
    {
        final CommandLine cli = new CommandLine(args, 1, Set.of("topic", "records", "record-size", "throughput",
            "acks", "producer-prop", "bootstrap-server", "warmup-records"), Set.of());
        if (cli.has("help"))
        {
            out.println(HELP);
            return;
        }
        final String topic = required(cli, "topic");
        final long records = cli.getLong("records", -1);
        final int size = (int)cli.getLong("record-size", -1);
        if (records <= 0 || size < 0)
        {
            throw new CommandLine.UsageException("--records and --record-size are required");
        }
        final long throughput = cli.getLong("throughput", -1);
        final Map<String, Object> props = cli.properties("producer-prop");
        props.put("bootstrap.servers", cli.get("bootstrap-server", "127.0.0.1:9092"));
        props.putIfAbsent("acks", cli.get("acks", "1"));
        final byte[] payload = new byte[size];
        final Random random = new Random(0);
        for (int i = 0; i < size; i++)
        {
            payload[i] = (byte)('a' + random.nextInt(26));
        }
        try (Producer<byte[], byte[]> producer = new Producer<>(props, new ByteArraySerializer(),
            new ByteArraySerializer()))
        {
            producer.partitionCount(topic);
            // The warm-up runs the measured code, callback and histogram included, so the JIT has compiled (and
            // not yet had to redo) all of it when the measured records start.
            new Pass(producer, topic, payload, "warm-up: ").run(cli.getLong("warmup-records", 0), -1, out);
            final Pass measured = new Pass(producer, topic, payload, "");
            final HostSteal steal = HostSteal.start();
            final long elapsed = measured.run(records, throughput, out);
            if (measured.failed.get() > 0)
            {
                out.println(measured.failed.get() + " records failed");
            }
            final long ok = records - measured.failed.get();
            synchronized (measured.latency)
            {
                Report.print(out, "produce", ok, ok * size, elapsed, measured.latency, steal);
            }
        }
    }

    /** One run of sends, each record's latency and outcome counted by its callback. */
    private static final class Pass
    {
        final Histogram latency = Report.histogram();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final Producer<byte[], byte[]> producer;
        private final String topic;
        private final byte[] payload;
        /** Starts the progress lines: both passes print them, so the warm-up takes every branch measuring does. */
        private final String label;

        Pass(final Producer<byte[], byte[]> producer, final String topic, final byte[] payload, final String label)
        {
            this.producer = producer;
            this.topic = topic;
            this.payload = payload;
            this.label = label;
        }

        /**
         * Sends {@code records} records at most {@code throughput} a second (-1: as fast as possible) and waits for
         * every answer; a progress line goes to {@code progress} every 5 s. Returns the nanoseconds taken.
         */
        long run(final long records, final long throughput, final PrintStream progress)
        {
            final long start = System.nanoTime();
            final Throttler throttler = new Throttler(throughput, start);
            long lastReport = start;
            long lastReportAcked = 0;
            for (long i = 0; i < records; i++)
            {
                throttler.throttle(i);
                final long sendNanos = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, payload), (m, e) -> completed(sendNanos, e));
                if ((i & PROGRESS_CHECK_MASK) != 0)
                {
                    continue;
                }
                final long now = System.nanoTime();
                if (now - lastReport > TimeUnit.SECONDS.toNanos(5))
                {
                    final long done = acked.get();
                    progress.printf(Locale.ROOT, "%s%d records acknowledged, %.1f records/s (%.2f MB/s)%n", label,
                        done, (done - lastReportAcked) / ((now - lastReport) / 1e9),
                        (done - lastReportAcked) * (double)payload.length / ((now - lastReport) / 1e9)
                            / (1024 * 1024));
                    lastReport = now;
                    lastReportAcked = done;
                }
            }
            producer.flush();
            return System.nanoTime() - start;
        }

        private void completed(final long sendNanos, final Exception error)
        {
            if (error != null)
            {
                failed.incrementAndGet();
            }
            else
            {
                synchronized (latency)
                {
                    latency.recordValue(Math.min(Report.TimeUnitMicros.MAX, (System.nanoTime() - sendNanos) / 1000));
                }
            }
            acked.incrementAndGet();
        }
    }

    static String required(final CommandLine cli, final String name)
    {
        final String value = cli.get(name, null);
        if (value == null)
        {
            throw new CommandLine.UsageException("--" + name + " is required");
        }
        return value;
    }
}
