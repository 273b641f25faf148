package io.sluice.client.cli;

import io.sluice.client.admin.Admin;
import io.sluice.client.admin.GroupDescription;
import io.sluice.client.admin.GroupListing;
import io.sluice.client.admin.OffsetSpec;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.internals.OffsetAndTimestamp;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.common.TopicPartition;
import io.sluice.common.errors.SluiceException;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code sluice group list|describe|reset-offsets|delete}. */
public final class GroupCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice group list",
        "       sluice group describe GROUP",
        "       sluice group reset-offsets GROUP (--to-earliest | --to-latest | --to-datetime 2026-01-31T12:00:00Z",
        "                                         | --to-offset N) [--topic TOPIC] [--dry-run]",
        "       sluice group delete GROUP...",
        "describe prints one line per partition: committed offset, end offset, lag and owning member.",
        "reset-offsets sets the group's committed offsets for TOPIC (default: every partition it committed for);",
        "the group must have no members. --dry-run prints the new offsets without setting them.",
        "Common: --bootstrap-server HOST:PORT (default 127.0.0.1:9092), --help");

    private GroupCommand()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    public static int run(final String[] args, final PrintStream out)
    {
        return CommandRunner.run("group", HELP, () ->
        {
            final CommandLine cli = new CommandLine(args, 0, Set.of("bootstrap-server", "to-datetime", "to-offset",
                "topic"), Set.of("to-earliest", "to-latest", "dry-run"));
            if (cli.has("help"))
            {
                out.println(HELP);
                return;
            }
            if (cli.positional().isEmpty())
            {
                throw new CommandLine.UsageException("missing action: list, describe, reset-offsets or delete");
            }
            final String action = cli.positional().get(0);
            final List<String> groups = cli.positional().subList(1, cli.positional().size());
            final Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", cli.get("bootstrap-server", "127.0.0.1:9092"));
            props.put("default.api.timeout.ms", 30_000L);
            try (Admin admin = Admin.create(props))
            {
                switch (action)
                {
                    case "list":
                        for (final GroupListing g : admin.listGroups())
                        {
                            out.println(g.groupId() + "\t" + g.state() + "\t" + g.members() + " member(s)");
                        }
                        break;
                    case "describe":
                        requireOne(groups, action);
                        describe(admin.describeGroup(groups.get(0)), out);
                        break;
                    case "reset-offsets":
                        requireOne(groups, action);
                        resetOffsets(admin, groups.get(0), cli, out);
                        break;
                    case "delete":
                        if (groups.isEmpty())
                        {
                            throw new CommandLine.UsageException("delete needs a group id");
                        }
                        for (final Map.Entry<String, SluiceException> e : admin.deleteGroups(groups).entrySet())
                        {
                            if (e.getValue() != null)
                            {
                                throw e.getValue();
                            }
                            out.println("Deleted group " + e.getKey() + ".");
                        }
                        break;
                    default:
                        throw new CommandLine.UsageException("unknown action '" + action + "'");
                }
            }
        });
    }

    private static void requireOne(final List<String> groups, final String action)
    {
        if (groups.size() != 1)
        {
            throw new CommandLine.UsageException(action + " needs exactly one group id");
        }
    }

    private static void describe(final GroupDescription group, final PrintStream out)
    {
        out.println("Group: " + group.groupId() + "\tState: " + group.state() + "\tEpoch: " + group.groupEpoch()
            + "\tMembers: " + group.members().size());
        final Map<String, String> clients = new HashMap<>();
        group.members().forEach(m -> clients.put(m.memberId(), m.clientId() + " " + m.host()));
        out.printf(Locale.ROOT, "%-30s %10s %12s %12s %8s  %s%n", "TOPIC-PARTITION", "PARTITION", "COMMITTED", "END",
            "LAG", "OWNER");
        for (final GroupDescription.PartitionLag p : group.partitions())
        {
            out.printf(Locale.ROOT, "%-30s %10d %12s %12s %8s  %s%n", p.partition().topic(), p.partition().partition(),
                p.committedOffset() < 0 ? "-" : Long.toString(p.committedOffset()),
                p.endOffset() < 0 ? "-" : Long.toString(p.endOffset()), p.lag() < 0 ? "-" : Long.toString(p.lag()),
                p.ownerMemberId() == null ? "-" : p.ownerMemberId() + " (" + clients.get(p.ownerMemberId()) + ")");
        }
    }

    private static void resetOffsets(final Admin admin, final String groupId, final CommandLine cli,
        final PrintStream out)
    {
        final int targets = (cli.has("to-earliest") ? 1 : 0) + (cli.has("to-latest") ? 1 : 0)
            + (cli.get("to-datetime", null) != null ? 1 : 0) + (cli.get("to-offset", null) != null ? 1 : 0);
        if (targets != 1)
        {
            throw new CommandLine.UsageException("give exactly one of --to-earliest, --to-latest, --to-datetime, "
                + "--to-offset");
        }
        final Set<TopicPartition> partitions = new java.util.TreeSet<>(java.util.Comparator.comparing(
            TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        final String topic = cli.get("topic", null);
        if (topic != null)
        {
            final TopicDescription description = admin.describeTopics(List.of(topic)).get(topic);
            for (final PartitionInfo p : description.partitions())
            {
                partitions.add(p.topicPartition());
            }
        }
        else
        {
            admin.describeGroup(groupId).partitions().forEach(p ->
            {
                if (p.committedOffset() >= 0)
                {
                    partitions.add(p.partition());
                }
            });
            if (partitions.isEmpty())
            {
                throw new CommandLine.UsageException("group " + groupId + " has no committed offsets; name the "
                    + "partitions with --topic");
            }
        }
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        final String offset = cli.get("to-offset", null);
        if (offset != null)
        {
            final long value = cli.getLong("to-offset", -1);
            if (value < 0)
            {
                throw new CommandLine.UsageException("--to-offset must not be negative");
            }
            partitions.forEach(tp -> offsets.put(tp, value));
        }
        else
        {
            final OffsetSpec spec = cli.has("to-earliest") ? OffsetSpec.earliest() : cli.has("to-latest")
                ? OffsetSpec.latest() : OffsetSpec.forTimestamp(parseTime(cli.get("to-datetime", null)));
            final Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            partitions.forEach(tp -> specs.put(tp, spec));
            final Map<TopicPartition, OffsetAndTimestamp> found = admin.listOffsets(specs);
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (final TopicPartition tp : partitions)
            {
                final long o = found.get(tp).offset();
                if (o >= 0)
                {
                    offsets.put(tp, o);
                }
                else
                {
                    latest.put(tp, OffsetSpec.latest());
                }
            }
            // No record at or after the time: start after the last one, as Kafka's tool does.
            admin.listOffsets(latest).forEach((tp, r) -> offsets.put(tp, r.offset()));
        }
        final Map<TopicPartition, Long> sorted = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition));
        sorted.putAll(offsets);
        if (!cli.has("dry-run"))
        {
            admin.alterGroupOffsets(groupId, sorted);
        }
        out.println((cli.has("dry-run") ? "Would set" : "Set") + " the offsets of group " + groupId + ":");
        sorted.forEach((tp, o) -> out.println("\t" + tp.topic() + "\t" + tp.partition() + "\t" + o));
    }

    private static long parseTime(final String text)
    {
        try
        {
            return Instant.parse(text).toEpochMilli();
        }
        catch (final DateTimeParseException e)
        {
            throw new CommandLine.UsageException("--to-datetime wants an ISO-8601 instant such as "
                + "2026-01-31T12:00:00Z, got '" + text + "'");
        }
    }
}
