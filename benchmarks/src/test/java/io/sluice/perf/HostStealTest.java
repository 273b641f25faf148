package io.sluice.perf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostStealTest
{
    @Test
    void readsStealAndTotalFromTheAllCpuLine()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertArrayEquals(new long[] {55838, 4096803 + 1935 + 986805 + 8612622 + 56020 + 0 + 108894 + 55838},
            HostSteal.parse("cpu  4096803 1935 986805 8612622 56020 0 108894 55838 0 0"));
    }

    @Test
    void refusesALineWithoutAStealField()
    {
        assertNull(HostSteal.parse("cpu  4096803 1935 986805 8612622"));
        assertNull(HostSteal.parse("cpu0 1 2 3 4 5 6 7 8 9 10"));
    }

    @Test
    void givesTheStolenShareOfTheTicksBetweenTwoReadings()
    {
        assertEquals(10.0, HostSteal.percent(new long[] {10, 1000}, new long[] {20, 1100}), 1e-9);
        assertTrue(Double.isNaN(HostSteal.percent(new long[] {10, 1000}, new long[] {10, 1000})), "no tick passed");
        assertTrue(Double.isNaN(HostSteal.percent(null, new long[] {10, 1000})), "no /proc/stat");
    }
}
