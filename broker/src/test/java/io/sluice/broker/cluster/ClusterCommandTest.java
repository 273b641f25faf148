package io.sluice.broker.cluster;

import io.sluice.broker.cli.ClusterCommand;
import io.sluice.broker.test.FreePorts;
import io.sluice.broker.test.TestCluster;
import io.sluice.client.admin.Admin;
import io.sluice.client.admin.NewTopic;
import io.sluice.client.internals.PartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sluice cluster start|stop} with real broker processes. */
class ClusterCommandTest
{
    @TempDir
    Path tmp;

    @Test
    void startsAThreeBrokerClusterAndStopsItCleanly() throws Exception
    {
        final int base = freeBasePort();
        final Path dir = tmp.resolve("cluster");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            assertEquals(0, ClusterCommand.run(new String[] {"start", "--dir", dir.toString(), "--base-port",
                Integer.toString(base)}, new PrintStream(out, true)));
            final String bootstrap = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 10) + ",127.0.0.1:" + (base + 20);
            assertTrue(out.toString().contains("Bootstrap servers: " + bootstrap), out.toString());
            assertEquals(1, ClusterCommand.run(new String[] {"start", "--dir", dir.toString(), "--base-port",
                Integer.toString(base)}, new PrintStream(new ByteArrayOutputStream())), "a second start is refused");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)))
            {
                admin.createTopic(new NewTopic("spread", 3, (short)3));
                for (final PartitionInfo p : TestCluster.describeOnceCreated(admin, "spread").partitions())
                {
                    assertEquals(3, p.isr().size());
                }
            }
        }
        finally
        {
            assertEquals(0, ClusterCommand.run(new String[] {"stop", "--dir", dir.toString()},
                new PrintStream(new ByteArrayOutputStream())));
        }
        assertEquals(1, ClusterCommand.run(new String[] {"stop", "--dir", dir.toString()},
            new PrintStream(new ByteArrayOutputStream())), "nothing left to stop");
    }

    /** A base port with the 23 ports from it free: three brokers × listener, quorum, metrics, 10 apart. */
    private static int freeBasePort()
    {
        return FreePorts.nextRun(23);
    }
}
