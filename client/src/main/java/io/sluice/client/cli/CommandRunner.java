package io.sluice.client.cli;

import io.sluice.common.errors.SluiceException;

import java.io.PrintStream;

/** Runs a command body and maps outcomes to exit codes: 0 success, 1 error, 2 usage. */
public final class CommandRunner
{
    /** A command's body. */
    @FunctionalInterface
    public interface Body
    {
        void run() throws Exception;
    }

    private CommandRunner()
    {
    }

    public static int run(final String command, final String help, final Body body)
    {
        final PrintStream err = System.err;
        try
        {
            body.run();
            return 0;
        }
        catch (final CommandLine.UsageException e)
        {
            err.println("sluice " + command + ": " + e.getMessage());
            err.println(help);
            return 2;
        }
        catch (final SluiceException | IllegalArgumentException | IllegalStateException e)
        {
            err.println("sluice " + command + ": " + e.getMessage());
            return 1;
        }
        catch (final Exception e)
        {
            // Not an error this command expects: the stack trace is what a bug report needs.
            err.println("sluice " + command + ": unexpected " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
