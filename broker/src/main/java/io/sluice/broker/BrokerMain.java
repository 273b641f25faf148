package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.runtime.JitThreadScheduling;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice broker [--config FILE] [--override key=value]...}: runs a broker until SIGTERM or SIGINT, then
 * shuts down cleanly within {@code controlled.shutdown.timeout.ms}. Exit codes: 0 after a clean stop, 1 on a
 * start-up error (the message names the bad key or path), 2 on bad usage.
 */
public final class BrokerMain
{
    private BrokerMain()
    {
    }

    public static void main(final String[] args)
    {
        Path configFile = null;
        final List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--config":
                    if (i + 1 >= args.length)
                    {
                        usage("--config needs a file");
                    }
                    configFile = Paths.get(args[++i]);
                    break;
                case "--override":
                    if (i + 1 >= args.length)
                    {
                        usage("--override needs key=value");
                    }
                    overrides.add(args[++i]);
                    break;
                case "--help":
                case "-h":
                    System.out.println(help());
                    System.exit(0);
                    return;
                default:
                    usage("unknown argument '" + args[i] + "'");
            }
        }
        JitThreadScheduling.applyConfigured();
        SluiceBroker broker = null;
        try
        {
            final BrokerConfig config = BrokerConfig.load(configFile, overrides);
            final SluiceBroker started = new SluiceBroker(config);
            broker = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started,
                config.controlledShutdownTimeoutMs()), "shutdown"));
            started.startup();
            // One line on stdout for people and scripts: where to connect.
            System.out.println("Sluice broker " + config.nodeId() + " listening on " + config.listenerHost() + ":"
                + started.port() + " (metrics: http://" + config.listenerHost() + ":" + started.httpPort()
                + "/metrics, data: " + started.logManager().dataDirectories() + ")");
            System.out.flush();
        }
        catch (final Exception e)
        {
            System.err.println("sluice broker: " + (e instanceof SluiceException ? e.getMessage()
                : "failed to start: " + e));
            if (!(e instanceof SluiceException))
            {
                // Not a condition the user can fix from the message alone: show where it happened.
                e.printStackTrace();
            }
            if (broker != null)
            {
                broker.shutdown();
            }
            Runtime.getRuntime().halt(1);
        }
    }

    private static void stop(final SluiceBroker broker, final long timeoutMs)
    {
        final Thread stopper = new Thread(broker::shutdown, "broker-shutdown");
        stopper.start();
        try
        {
            stopper.join(timeoutMs);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive())
        {
            System.err.println("sluice broker: clean shutdown did not finish within " + timeoutMs
                + " ms (controlled.shutdown.timeout.ms); stopping anyway, the next start will recover");
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
        // A clean stop on SIGTERM is a success, not death by signal (143).
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    private static String help()
    {
        return "Usage: sluice broker [--config FILE] [--override key=value]...\n"
            + "Runs a single Sluice broker. Keys are Kafka's (listeners, log.dirs, num.partitions, ...);\n"
            + "defaults: listeners=127.0.0.1:9092, log.dirs=data, http.port=9644.\n"
            + "SIGTERM or Ctrl-C shuts down cleanly.";
    }

    private static void usage(final String problem)
    {
        System.err.println("sluice broker: " + problem + "\n" + help());
        System.exit(2);
    }
}
