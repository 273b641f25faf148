package io.sluice.perf;

import io.sluice.client.cli.CommandRunner;
import io.sluice.common.runtime.JitThreadScheduling;

/** {@code sluice perf produce|consume|e2e|rebalance|floor}. */
public final class PerfCommand
{
    static final String HELP = String.join("\n",
        "Usage: sluice perf produce|consume|e2e|rebalance|floor [options]; each takes --help.",
        ProducerPerformance.HELP, ConsumerPerformance.HELP, EndToEndLatency.HELP, RebalancePerformance.HELP,
        LatencyFloor.HELP);

    private PerfCommand()
    {
    }

    public static void main(final String[] args)
    {
        // The perf tools are clients whose latency they measure: a compilation must not delay their threads either.
        JitThreadScheduling.applyConfigured();
        System.exit(CommandRunner.run("perf", HELP, () ->
        {
            if (args.length == 0)
            {
                throw new io.sluice.client.cli.CommandLine.UsageException(
                    "name a tool: produce, consume, e2e, rebalance or floor");
            }
            switch (args[0])
            {
                case "produce":
                    ProducerPerformance.run(args, System.out);
                    break;
                case "consume":
                    ConsumerPerformance.run(args, System.out);
                    break;
                case "e2e":
                    EndToEndLatency.run(args, System.out);
                    break;
                case "rebalance":
                    RebalancePerformance.run(args, System.out);
                    break;
                case "floor":
                    LatencyFloor.run(args, System.out);
                    break;
                case "--help":
                    System.out.println(HELP);
                    break;
                default:
                    throw new io.sluice.client.cli.CommandLine.UsageException("unknown tool '" + args[0] + "'");
            }
        }));
    }
}
