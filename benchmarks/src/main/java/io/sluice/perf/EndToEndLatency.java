package io.sluice.perf;

import io.sluice.client.admin.Admin;
import io.sluice.client.cli.CommandLine;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.producer.Producer;
import io.sluice.client.producer.ProducerRecord;
import io.sluice.client.serialization.ByteArrayDeserializer;
import io.sluice.client.serialization.ByteArraySerializer;
import io.sluice.common.TopicPartition;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sluice perf e2e}: a producer sends records at a fixed rate, each carrying its send time, while a consumer
 * in the same process reads them; the latency is from {@code send()} to the record coming out of {@code poll()}.
 */
final class EndToEndLatency
{
    static final String HELP = String.join("\n",
        "Usage: sluice perf e2e --topic T --records N --record-size B --throughput R [--acks A]",
        "                       [--producer-prop k=v]... [--consumer-prop k=v]... [--bootstrap-server HOST:PORT]",
        "                       [--warmup-records W] [--latency-log FILE]",
        "W records (default N) are first sent at R records/s, unmeasured, so the JIT has compiled the paths",
        "this workload takes; N more follow at the same rate without a pause and are measured. --latency-log",
        "writes one line per measured record, 'sequence,sent_us,latency_us,partition,ack_us' (sent_us from the",
        "start of the measured run; ack_us from send() to the producer's acknowledgement, to tell a slow produce",
        "from a slow fetch), to find when the slow ones were sent and line them up with GC or system logs.");

    private EndToEndLatency()
    {
    }

    static void run(final String[] args, final PrintStream out) throws Exception
    {
        final CommandLine cli = new CommandLine(args, 1, Set.of("topic", "records", "record-size", "throughput",
            "acks", "producer-prop", "consumer-prop", "bootstrap-server", "warmup-records", "latency-log"), Set.of());
        if (cli.has("help"))
        {
            out.println(HELP);
            return;
        }
        final String topic = ProducerPerformance.required(cli, "topic");
        final long records = cli.getLong("records", -1);
        final int size = Math.max(16, (int)cli.getLong("record-size", 100));
        final long throughput = cli.getLong("throughput", 10_000);
        if (records <= 0)
        {
            throw new CommandLine.UsageException("--records is required");
        }
        final String bootstrap = cli.get("bootstrap-server", "127.0.0.1:9092");
        final Map<String, Object> producerProps = cli.properties("producer-prop");
        producerProps.put("bootstrap.servers", bootstrap);
        producerProps.putIfAbsent("acks", cli.get("acks", "1"));
        producerProps.putIfAbsent("linger.ms", "0");
        final Map<String, Object> consumerProps = cli.properties("consumer-prop");
        consumerProps.put("bootstrap.servers", bootstrap);
        consumerProps.put("auto.offset.reset", "latest");
        consumerProps.putIfAbsent("fetch.max.wait.ms", "500");

        final Histogram latency = Report.histogram();
        final long warmup = cli.getLong("warmup-records", records);
        final String latencyLog = cli.get("latency-log", null);
        if (latencyLog != null && warmup + records > Integer.MAX_VALUE / 2)
        {
            throw new CommandLine.UsageException("--latency-log keeps every record's times: at most "
                + Integer.MAX_VALUE / 2 + " records, warm-up included");
        }
        // Warm-up and measured records are one stream from one send loop and one read loop, at one rate, so the
        // JIT compiles once what the measured records then run: with two phases, leaving the warm-up's loops took
        // branches their compiled code had never seen, and the measured records ran while those loops were
        // deoptimized and compiled again. The reader picks a record's histogram by its number without a branch,
        // and the latency log's arrays hold the warm-up's records too; they are written out after the run: no
        // file I/O while measuring.
        final Histogram[] histograms = {Report.histogram(), latency};
        final long total = warmup + records;
        final int logged = latencyLog == null ? 0 : (int)total;
        final long[] sentNanos = latencyLog == null ? null : new long[logged];
        final int[] latencyMicros = latencyLog == null ? null : new int[logged];
        final int[] partitionOf = latencyLog == null ? null : new int[logged];
        final int[] ackMicros = latencyLog == null ? null : new int[logged];
        final AtomicLong received = new AtomicLong();
        try (Producer<byte[], byte[]> producer = new Producer<>(producerProps, new ByteArraySerializer(),
            new ByteArraySerializer()))
        {
            final int partitionCount = producer.partitionCount(topic);
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++)
            {
                partitions.add(new TopicPartition(topic, p));
            }
            final Consumer<byte[], byte[]> consumer = new Consumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
            consumer.assign(partitions);
            for (final TopicPartition tp : partitions)
            {
                consumer.position(tp);
            }
            final Thread reader = new Thread(() ->
            {
                try
                {
                    while (received.get() < total)
                    {
                        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
                        {
                            final long now = System.nanoTime();
                            final ByteBuffer value = ByteBuffer.wrap(record.value());
                            final long sequence = value.getLong(0);
                            final long sent = value.getLong(8);
                            final long micros = Math.min(Report.TimeUnitMicros.MAX, (now - sent) / 1000);
                            final Histogram histogram = histograms[phaseOf(sequence, warmup)];
                            synchronized (histogram)
                            {
                                histogram.recordValue(micros);
                            }
                            if (sentNanos != null && sequence >= 0 && sequence < sentNanos.length)
                            {
                                sentNanos[(int)sequence] = sent;
                                latencyMicros[(int)sequence] = (int)micros;
                                partitionOf[(int)sequence] = record.partition();
                            }
                            received.incrementAndGet();
                        }
                    }
                }
                finally
                {
                    consumer.close();
                }
            }, "e2e-consumer");
            reader.start();
            final MeasuredStart measured = new MeasuredStart(warmup);
            send(producer, topic, size, total, new Throttler(throughput, System.nanoTime()), measured,
                progress(out, histograms, received, warmup), ackMicros);
            producer.flush();
            reader.join(TimeUnit.SECONDS.toMillis(60));
            final String missing = reader.isAlive() ? "Only " + received.get() + " of " + total
                + " records arrived within 60 s" : null;
            if (missing != null)
            {
                out.println(missing);
                reader.interrupt();
            }
            Report.print(out, "e2e", latency.getTotalCount(), latency.getTotalCount() * size,
                System.nanoTime() - measured.nanos, latency, measured.steal);
            if (latencyLog != null)
            {
                writeLatencyLog(java.nio.file.Path.of(latencyLog), (int)warmup, measured.nanos, sentNanos,
                    latencyMicros, partitionOf, ackMicros);
                // System.nanoTime() is CLOCK_MONOTONIC on Linux: with this, the log lines up with traces taken
                // on that clock (perf record -k mono, perf sched timehist).
                out.println("Per-record latencies written to " + latencyLog + "; sent_us counts from "
                    + measured.nanos + " ns of System.nanoTime()");
            }
            if (missing != null)
            {
                // The figures above cover what arrived; a script must not take a run that lost records for a
                // good one, so the command fails.
                throw new IllegalStateException(missing);
            }
        }
    }

    /** 0 for a warm-up record, 1 for a measured one, computed without a branch (see the comment in run). */
    static int phaseOf(final long sequence, final long warmup)
    {
        return (int)((sequence - warmup) >>> 63) ^ 1;
    }

    /** Writes the measured records' lines, numbered from 0; the arrays hold the warm-up's records first. */
    private static void writeLatencyLog(final java.nio.file.Path file, final int warmup, final long measuredStart,
        final long[] sentNanos, final int[] latencyMicros, final int[] partitionOf, final int[] ackMicros)
        throws java.io.IOException
    {
        try (java.io.BufferedWriter writer = java.nio.file.Files.newBufferedWriter(file))
        {
            writer.write("sequence,sent_us,latency_us,partition,ack_us\n");
            for (int i = warmup; i < sentNanos.length; i++)
            {
                if (sentNanos[i] != 0)
                {
                    writer.write((i - warmup) + "," + (sentNanos[i] - measuredStart) / 1000 + "," + latencyMicros[i]
                        + "," + partitionOf[i] + "," + ackMicros[i] + "\n");
                }
            }
        }
    }

    /**
     * The progress line, every 5 seconds, of the phase record {@code sent} is in: one lambda for both phases, so
     * one class at the call.
     */
    private static java.util.function.LongConsumer progress(final PrintStream out, final Histogram[] histograms,
        final AtomicLong received, final long warmup)
    {
        return sent ->
        {
            final boolean warming = sent < warmup;
            final Histogram histogram = histograms[warming ? 0 : 1];
            synchronized (histogram)
            {
                out.printf(java.util.Locale.ROOT, "%s: %d records sent, %d received, p99 so far %.3f ms%n",
                    warming ? "warm-up" : "measured", warming ? sent : sent - warmup,
                    warming ? Math.min(received.get(), warmup) : received.get() - warmup,
                    histogram.getValueAtPercentile(99) / 1000.0);
            }
        };
    }

    /**
     * Where the measured run starts: the send loop calls {@link #reached} at each of its marks, three in the
     * warm-up and the last at the first measured record. A mark the warm-up never reached would be a branch the
     * compiled loop had never taken, deoptimized as the measured run starts.
     */
    static final class MeasuredStart
    {
        private final long warmup;
        private int quarter = 1;
        long nanos;
        HostSteal steal;

        MeasuredStart(final long warmup)
        {
            this.warmup = warmup;
        }

        long firstMark()
        {
            return warmup / 4;
        }

        /** Called when record {@code n} is due; returns the number of the record at which to be called next. */
        long reached(final long n)
        {
            if (n == warmup)
            {
                nanos = System.nanoTime();
                steal = HostSteal.start();
                return Long.MAX_VALUE;
            }
            quarter++;
            final long next = quarter < 4 ? warmup * quarter / 4 : warmup;
            return next > n ? next : warmup;
        }
    }

    /**
     * Sends {@code count} records numbered from 0 at the throttler's rate, each carrying its number and send time;
     * {@code measured} hears when its marks are reached and {@code progress} how many were sent every 5 seconds.
     * With {@code ackMicros}, record {@code n}'s time from send to acknowledgement goes to {@code ackMicros[n]}.
     */
    private static void send(final Producer<byte[], byte[]> producer, final String topic, final int size,
        final long count, final Throttler throttler, final MeasuredStart measured,
        final java.util.function.LongConsumer progress, final int[] ackMicros)
    {
        long lastReport = System.nanoTime();
        long nextMark = measured.firstMark();
        for (long n = 0; n < count; n++)
        {
            throttler.throttle(n);
            if (n == nextMark)
            {
                nextMark = measured.reached(n);
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5))
            {
                lastReport = System.nanoTime();
                progress.accept(n);
            }
            final byte[] payload = new byte[size];
            final ByteBuffer buffer = ByteBuffer.wrap(payload);
            buffer.putLong(0, n);
            final long sentAt = System.nanoTime();
            buffer.putLong(8, sentAt);
            final var acked = producer.send(new ProducerRecord<>(topic, payload));
            if (ackMicros != null)
            {
                final int index = (int)n;
                acked.thenRun(() -> ackMicros[index] = (int)((System.nanoTime() - sentAt) / 1000));
            }
        }
    }
}
