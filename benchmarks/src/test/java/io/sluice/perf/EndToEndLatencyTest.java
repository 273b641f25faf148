package io.sluice.perf;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndToEndLatencyTest
{
    @Test
    void recordsBeforeTheWarmUpsEndAreWarmUpAndTheRestMeasured()
    {
        for (final long warmup : new long[] {0, 1, 3, 200_000})
        {
            if (warmup > 0)
            {
                assertEquals(0, EndToEndLatency.phaseOf(0, warmup));
                assertEquals(0, EndToEndLatency.phaseOf(warmup - 1, warmup));
            }
            assertEquals(1, EndToEndLatency.phaseOf(warmup, warmup));
            assertEquals(1, EndToEndLatency.phaseOf(warmup + 1, warmup));
            assertEquals(1, EndToEndLatency.phaseOf(Long.MAX_VALUE, warmup));
        }
    }

    @Test
    void theMeasuredRunStartsAtTheFirstMeasuredRecordAfterMarksInTheWarmUp()
    {
        for (long warmup = 0; warmup <= 40; warmup++)
        {
            final List<Long> marks = marksOf(warmup);
            assertEquals(warmup, marks.get(marks.size() - 1), "the last mark starts the measured run");
            if (warmup >= 4)
            {
                assertEquals(4, marks.size(), "three marks in a warm-up of " + warmup + ": " + marks);
            }
            for (int i = 1; i < marks.size(); i++)
            {
                assertTrue(marks.get(i) > marks.get(i - 1), "marks in order: " + marks);
            }
        }
        assertEquals(List.of(50_000L, 100_000L, 150_000L, 200_000L), marksOf(200_000));
    }

    /** Runs the send loop's mark logic over a warm-up and three measured records; returns where it was called. */
    private static List<Long> marksOf(final long warmup)
    {
        final EndToEndLatency.MeasuredStart measured = new EndToEndLatency.MeasuredStart(warmup);
        final List<Long> marks = new ArrayList<>();
        long nextMark = measured.firstMark();
        for (long n = 0; n < warmup + 3; n++)
        {
            if (n == nextMark)
            {
                marks.add(n);
                nextMark = measured.reached(n);
            }
        }
        assertTrue(measured.nanos != 0 && measured.steal != null, "the measured run started");
        return marks;
    }
}
