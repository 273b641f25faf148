package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/sluice perf floor}, both ways: every record comes back through the relay process and is measured. */
class LatencyFloorIT
{
    @TempDir
    Path work;

    @Test
    void everyRecordComesBackThroughTheRelayWithAndWithoutHandOffs() throws Exception
    {
        final String script = String.join("\n",
            "set -euo pipefail",
            "SLUICE='" + SluiceScript.launcher() + "'",
            "\"$SLUICE\" perf floor --records 3000 --throughput 3000 --warmup-records 1000",
            "\"$SLUICE\" perf floor --records 3000 --record-size 1024 --throughput 3000 --warmup-records 1000"
                + " --hand-offs",
            "set +e",
            "\"$SLUICE\" perf floor --throughput 3000 > usage.out 2>&1",
            "echo \"no records: exit $?\"",
            "set -e",
            "cat usage.out");
        final String printed = SluiceScript.run(work, script, 3);
        assertEquals(2, printed.split("\\{\"tool\":\"floor\",\"records\":3000,", -1).length - 1, printed);
        assertTrue(printed.contains("no records: exit 2") && printed.contains("--records is required"), printed);
        assertFalse(printed.contains("Exception"), printed);
        // Each relay process exits with its connections; the tool waits for it, so none outlives the tool.
        assertEquals(0, ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(args ->
            java.util.Arrays.asList(args).contains(LoopbackRelay.class.getName())).orElse(false)).count());
    }
}
