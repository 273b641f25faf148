package io.sluice.common.runtime;

import java.io.IOException;

/** Run in a child JVM by {@link JitThreadSchedulingTest}: applies the configured policy, reports, waits for EOF. */
public final class JitThreadSchedulingChild
{
    private JitThreadSchedulingChild()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.out.println("outcome: " + JitThreadScheduling.applyConfigured());
        System.out.println("ready");
        System.out.flush();
        // The test reads this JVM's threads now; closing our stdin tells us it is done.
        while (System.in.read() >= 0)
        {
            continue;
        }
    }
}
