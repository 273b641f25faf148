package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/sluice perf e2e} against a broker of {@code bin/sluice broker}, with its per-record latency log. */
class EndToEndLatencyIT
{
    @TempDir
    Path work;

    @Test
    void theLatencyToolMeasuresEveryRecordAndLogsEach() throws Exception
    {
        final Path sluice = SluiceScript.launcher();
        final String script = String.join("\n",
            "set -euo pipefail",
            "SLUICE='" + sluice + "'",
            "\"$SLUICE\" broker --override listeners=127.0.0.1:0 --override http.port=0 --override log.dirs=data"
                + " > broker.out 2> broker.err &",
            "BROKER=$!",
            "trap 'kill $BROKER 2>/dev/null || true' EXIT",
            "for i in $(seq 1 300); do grep -q 'listening on' broker.out && break; sleep 0.2; done",
            "PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' broker.out | grep -o '[0-9]*$')",
            "\"$SLUICE\" topic create lat --bootstrap-server 127.0.0.1:$PORT",
            "\"$SLUICE\" perf e2e --topic lat --records 2000 --record-size 100 --throughput 2000"
                + " --warmup-records 500 --latency-log lat.csv --bootstrap-server 127.0.0.1:$PORT",
            "kill -TERM $BROKER",
            "wait $BROKER",
            "trap - EXIT");
        final String printed = SluiceScript.run(work, script, 3);
        assertTrue(printed.contains("\"tool\":\"e2e\",\"records\":2000,"), printed);
        // On Linux the report says how much CPU time the host took while the run was measured.
        assertTrue(printed.matches("(?s).*\"steal_pct\":\\d+\\.\\d{2}}.*"), printed);
        final List<String> lines = Files.readAllLines(work.resolve("lat.csv"));
        assertEquals("sequence,sent_us,latency_us,partition,ack_us", lines.get(0));
        assertEquals(2001, lines.size(), "one line per measured record");
        long previousSent = -1;
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] fields = line.split(",");
            final long sent = Long.parseLong(fields[1]);
            assertTrue(sent >= previousSent && Long.parseLong(fields[2]) > 0 && Integer.parseInt(fields[3]) >= 0
                && Long.parseLong(fields[4]) > 0, line);
            previousSent = sent;
        }
    }
}
