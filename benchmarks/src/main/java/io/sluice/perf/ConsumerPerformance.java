package io.sluice.perf;

import io.sluice.client.admin.Admin;
import io.sluice.client.cli.CommandLine;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.consumer.ConsumerRecords;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.client.serialization.ByteArrayDeserializer;
import io.sluice.common.TopicPartition;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@code sluice perf consume}: reads N records from the beginning of a topic and reports records/s and MB/s. */
final class ConsumerPerformance
{
    static final String HELP = String.join("\n",
        "Usage: sluice perf consume --topic T --records N [--warmup-records W] [--timeout-ms T]",
        "                           [--group G [--commit-every-poll [--async]]] [--consumer-prop key=value]...",
        "                           [--bootstrap-server HOST:PORT]",
        "Reads every partition from the beginning: W records to warm up the JIT (not measured), then N records",
        "(or until no record came for --timeout-ms). With --group, subscribes as a member of G (use a new group",
        "to start from the beginning; auto-commit off) and, with --commit-every-poll, commits after every poll:",
        "waiting for each commit (commitSync), or with --async without waiting (commitAsync).");

    private ConsumerPerformance()
    {
    }

    static void run(final String[] args, final PrintStream out)
    {
        final CommandLine cli = new CommandLine(args, 1, Set.of("topic", "records", "warmup-records", "timeout-ms",
            "consumer-prop", "bootstrap-server", "group"), Set.of("commit-every-poll", "async"));
        if (cli.has("help"))
        {
            out.println(HELP);
            return;
        }
        final String topic = ProducerPerformance.required(cli, "topic");
        final long records = cli.getLong("records", -1);
        if (records <= 0)
        {
            throw new CommandLine.UsageException("--records is required");
        }
        final long timeoutMs = cli.getLong("timeout-ms", 10_000);
        final long warmup = cli.getLong("warmup-records", 0);
        final String bootstrap = cli.get("bootstrap-server", "127.0.0.1:9092");
        final Map<String, Object> props = cli.properties("consumer-prop");
        props.put("bootstrap.servers", bootstrap);
        props.put("auto.offset.reset", "earliest");
        props.putIfAbsent("max.poll.records", "5000");
        final String group = cli.get("group", null);
        final boolean commitEveryPoll = cli.has("commit-every-poll");
        final boolean async = cli.has("async");
        if (commitEveryPoll && group == null)
        {
            throw new CommandLine.UsageException("--commit-every-poll needs --group");
        }
        if (group != null)
        {
            props.put("group.id", group);
            props.putIfAbsent("enable.auto.commit", "false");
        }
        final List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
        {
            for (final PartitionInfo p : admin.describeTopics(List.of(topic)).get(topic).partitions())
            {
                partitions.add(p.topicPartition());
            }
        }
        try (Consumer<byte[], byte[]> consumer = new Consumer<>(props, new ByteArrayDeserializer(),
            new ByteArrayDeserializer()))
        {
            if (group != null)
            {
                consumer.subscribe(List.of(topic));
                final long joinBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (consumer.assignment().size() < partitions.size() && System.nanoTime() < joinBy)
                {
                    poll(consumer, commitEveryPoll, async, new long[2]);
                }
            }
            else
            {
                consumer.assign(partitions);
            }
            // The warm-up polls through the measured code, reading every record, so the JIT has compiled all of it.
            final long[] warmed = new long[2];
            long lastWarmRecord = System.nanoTime();
            while (warmed[0] < warmup)
            {
                final int count = poll(consumer, commitEveryPoll, async, warmed);
                if (count > 0)
                {
                    lastWarmRecord = System.nanoTime();
                }
                else if (System.nanoTime() - lastWarmRecord > TimeUnit.MILLISECONDS.toNanos(timeoutMs))
                {
                    throw new IllegalStateException("No record for " + timeoutMs + " ms during the warm-up: the "
                        + "topic holds fewer than the warm-up and measured records together");
                }
            }
            final long[] totals = new long[2];
            final long start = System.nanoTime();
            final HostSteal steal = HostSteal.start();
            long lastRecord = start;
            long lastReport = start;
            long lastReportCount = 0;
            while (totals[0] < records)
            {
                final int polled = poll(consumer, commitEveryPoll, async, totals);
                final long now = System.nanoTime();
                if (polled == 0)
                {
                    if (now - lastRecord > TimeUnit.MILLISECONDS.toNanos(timeoutMs))
                    {
                        out.println("No record for " + timeoutMs + " ms; stopping after " + totals[0] + " records");
                        break;
                    }
                    continue;
                }
                lastRecord = now;
                if (now - lastReport > TimeUnit.SECONDS.toNanos(5))
                {
                    out.printf(Locale.ROOT, "%d records consumed, %.1f records/s%n", totals[0],
                        (totals[0] - lastReportCount) / ((now - lastReport) / 1e9));
                    lastReport = now;
                    lastReportCount = totals[0];
                }
            }
            Report.print(out, "consume", totals[0], totals[1], lastRecord - start, null, steal);
        }
    }

    /**
     * One poll, reading every record and committing after it if asked; adds its records and value bytes to
     * {@code totals[0]} and {@code totals[1]} and returns how many records it gave.
     */
    private static int poll(final Consumer<byte[], byte[]> consumer, final boolean commit, final boolean async,
        final long[] totals)
    {
        final ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        int count = 0;
        long bytes = 0;
        for (final ConsumerRecord<byte[], byte[]> record : batch)
        {
            count++;
            bytes += record.value() == null ? 0 : record.value().length;
        }
        if (commit && count > 0)
        {
            commit(consumer, async);
        }
        totals[0] += count;
        totals[1] += bytes;
        return count;
    }

    private static void commit(final Consumer<byte[], byte[]> consumer, final boolean async)
    {
        if (async)
        {
            consumer.commitAsync((offsets, e) ->
            {
                if (e != null)
                {
                    throw new IllegalStateException("A commit failed: " + e.getMessage(), e);
                }
            });
        }
        else
        {
            consumer.commitSync();
        }
    }
}
