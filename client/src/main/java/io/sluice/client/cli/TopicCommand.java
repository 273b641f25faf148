package io.sluice.client.cli;

import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.admin.TopicDescription;
import io.sluice.client.internals.PartitionInfo;
import io.sluice.common.errors.SluiceException;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sluice topic create|list|describe|delete}. */
public final class TopicCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice topic create TOPIC [--partitions N] [--replication-factor R] [--config key=value]...",
        "       sluice topic list [--internal]",
        "       sluice topic describe TOPIC...",
        "       sluice topic delete TOPIC...",
        "Common: --bootstrap-server HOST:PORT (default 127.0.0.1:9092), --help");

    private TopicCommand()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    public static int run(final String[] args, final PrintStream out)
    {
        return CommandRunner.run("topic", HELP, () ->
        {
            final CommandLine cli = new CommandLine(args, 0,
                Set.of("bootstrap-server", "partitions", "replication-factor", "config"), Set.of("internal"));
            if (cli.has("help"))
            {
                out.println(HELP);
                return;
            }
            if (cli.positional().isEmpty())
            {
                throw new CommandLine.UsageException("missing action: create, list, describe or delete");
            }
            final String action = cli.positional().get(0);
            final List<String> names = cli.positional().subList(1, cli.positional().size());
            final Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", cli.get("bootstrap-server", "127.0.0.1:9092"));
            props.put("default.api.timeout.ms", 30_000L);
            try (Admin admin = Admin.create(props))
            {
                switch (action)
                {
                    case "create":
                        requireNames(names, 1, action);
                        final Map<String, String> configs = new HashMap<>();
                        cli.properties("config").forEach((k, v) -> configs.put(k, v.toString()));
                        admin.createTopic(new NewTopic(names.get(0), (int)cli.getLong("partitions", -1),
                            (short)cli.getLong("replication-factor", -1), configs));
                        out.println("Created topic " + names.get(0) + ".");
                        break;
                    case "list":
                        admin.listTopics(cli.has("internal")).forEach(out::println);
                        break;
                    case "describe":
                        requireNames(names, 1, action);
                        for (final TopicDescription d : admin.describeTopics(names).values())
                        {
                            out.println("Topic: " + d.name() + "\tPartitions: " + d.partitions().size()
                                + (d.internal() ? "\tInternal: true" : ""));
                            for (final PartitionInfo p : d.partitions())
                            {
                                out.println("\tPartition: " + p.topicPartition().partition() + "\tLeader: "
                                    + p.leader() + "\tLeaderEpoch: " + p.leaderEpoch() + "\tReplicas: "
                                    + join(p.replicas()) + "\tIsr: " + join(p.isr()));
                            }
                        }
                        break;
                    case "delete":
                        requireNames(names, 1, action);
                        for (final Map.Entry<String, SluiceException> e : admin.deleteTopics(names).entrySet())
                        {
                            if (e.getValue() != null)
                            {
                                throw e.getValue();
                            }
                            out.println("Deleted topic " + e.getKey() + ".");
                        }
                        break;
                    default:
                        throw new CommandLine.UsageException("unknown action '" + action + "'");
                }
            }
        });
    }

    private static void requireNames(final List<String> names, final int min, final String action)
    {
        if (names.size() < min)
        {
            throw new CommandLine.UsageException(action + " needs a topic name");
        }
    }

    private static String join(final List<Integer> ids)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Integer id : ids)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(id);
        }
        return sb.toString();
    }
}
