package io.sluice.client.cli;

import io.sluice.client.admin.Admin;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.consumer.Consumer;
import io.sluice.client.consumer.ConsumerRecord;
import io.sluice.client.serialization.StringDeserializer;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.common.errors.SluiceException;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sluice consume TOPIC}: prints records, one per line, until stopped or a limit is reached. */
public final class ConsumeCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice consume TOPIC [--group G] [--from-beginning] [--partition P] [--offset O]",
        "                            [--max-messages N] [--timeout-ms T] [--print-key] [--key-separator S]",
        "                            [--consumer-prop k=v]...",
        "Prints each record's value (and key with --print-key) on its own line. Starts at the end of each",
        "partition unless --from-beginning or --offset (which needs --partition). Stops after --max-messages,",
        "or when no record arrived for --timeout-ms. With --group, joins group G (sharing the partitions with",
        "its other members), starts where G committed, and commits what it printed.",
        "Common: --bootstrap-server HOST:PORT (default 127.0.0.1:9092), --help");

    private ConsumeCommand()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    public static int run(final String[] args, final PrintStream out)
    {
        return CommandRunner.run("consume", HELP, () ->
        {
            final CommandLine cli = new CommandLine(args, 0, Set.of("bootstrap-server", "partition", "offset",
                "max-messages", "timeout-ms", "key-separator", "consumer-prop", "group"),
                Set.of("from-beginning", "print-key"));
            if (cli.has("help"))
            {
                out.println(HELP);
                return;
            }
            if (cli.positional().size() != 1)
            {
                throw new CommandLine.UsageException("name exactly one topic");
            }
            final String topic = cli.positional().get(0);
            final long partition = cli.getLong("partition", -1);
            final long offset = cli.getLong("offset", -1);
            if (offset >= 0 && partition < 0)
            {
                throw new CommandLine.UsageException("--offset needs --partition");
            }
            final long maxMessages = cli.getLong("max-messages", Long.MAX_VALUE);
            final long timeoutMs = cli.getLong("timeout-ms", Long.MAX_VALUE);
            final String separator = cli.get("key-separator", "\t");
            final Map<String, Object> props = cli.properties("consumer-prop");
            final String bootstrap = cli.get("bootstrap-server", "127.0.0.1:9092");
            props.put("bootstrap.servers", bootstrap);
            props.put("auto.offset.reset", cli.has("from-beginning") ? "earliest" : "latest");
            final String group = cli.get("group", null);
            if (group != null)
            {
                if (partition >= 0)
                {
                    throw new CommandLine.UsageException("--group cannot be combined with --partition or --offset");
                }
                props.put("group.id", group);
                props.putIfAbsent("enable.auto.commit", "false");
            }
            final List<io.sluice.common.TopicPartition> partitions = new ArrayList<>();
            if (group != null)
            {
                // The group assigns the partitions.
            }
            else if (partition >= 0)
            {
                partitions.add(new io.sluice.common.TopicPartition(topic, (int)partition));
            }
            else
            {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
                {
                    final TopicDescription description = admin.describeTopics(List.of(topic)).get(topic);
                    for (final PartitionInfo p : description.partitions())
                    {
                        partitions.add(p.topicPartition());
                    }
                }
            }
            long printed = 0;
            try (Consumer<String, String> consumer = new Consumer<>(props, new StringDeserializer(),
                new StringDeserializer()))
            {
                if (group != null)
                {
                    consumer.subscribe(List.of(topic));
                }
                else
                {
                    consumer.assign(partitions);
                }
                // With a group, exactly what was printed is committed: the next member resumes after it.
                final Map<io.sluice.common.TopicPartition, io.sluice.client.consumer.OffsetAndMetadata> printedUpTo =
                    new java.util.HashMap<>();
                if (offset >= 0)
                {
                    consumer.seek(partitions.get(0), offset);
                }
                long lastRecordNanos = System.nanoTime();
                while (printed < maxMessages)
                {
                    boolean any = false;
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200)))
                    {
                        any = true;
                        out.println(cli.has("print-key") ? record.key() + separator + record.value() : record.value());
                        printedUpTo.put(new io.sluice.common.TopicPartition(record.topic(), record.partition()),
                            new io.sluice.client.consumer.OffsetAndMetadata(record.offset() + 1));
                        if (++printed >= maxMessages)
                        {
                            break;
                        }
                    }
                    out.flush();
                    if (out.checkError())
                    {
                        // A PrintStream hides write failures (a closed pipe: `| head`). Going on would read, and
                        // with a group commit, records nobody saw; nothing of this poll is committed.
                        throw new SluiceException("Could not write to standard output; stopped after " + printed
                            + " record(s), committing none of the last poll's");
                    }
                    if (group != null && !printedUpTo.isEmpty())
                    {
                        printedUpTo.keySet().retainAll(consumer.assignment());
                        consumer.commitSync(printedUpTo);
                        printedUpTo.clear();
                    }
                    if (any)
                    {
                        lastRecordNanos = System.nanoTime();
                    }
                    else if ((System.nanoTime() - lastRecordNanos) / 1_000_000 >= timeoutMs)
                    {
                        break;
                    }
                }
            }
            if (maxMessages != Long.MAX_VALUE && printed < maxMessages)
            {
                System.err.println("Processed " + printed + " of " + maxMessages + " messages before the timeout");
            }
        });
    }
}
