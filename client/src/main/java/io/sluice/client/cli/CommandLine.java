package io.sluice.client.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small argument grammar every {@code sluice} command shares: positional words, {@code --name value} options
 * (repeatable), {@code --flag}s, and {@code --help}. Bad usage raises {@link UsageException}, which the commands
 * turn into exit code 2 with the command's help.
 */
public final class CommandLine
{
    /** Wrong arguments; exit code 2. */
    public static final class UsageException extends RuntimeException
    {
        public UsageException(final String message)
        {
            super(message);
        }
    }

    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new HashMap<>();
    private final Set<String> flags;

    /**
     * @param valued the options that take a value (without the leading dashes).
     * @param flags  the options that take none.
     */
    public CommandLine(final String[] args, final int from, final Set<String> valued, final Set<String> flags)
    {
        this.flags = new java.util.HashSet<>();
        for (int i = from; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.startsWith("--"))
            {
                final String name = arg.substring(2);
                if (valued.contains(name))
                {
                    if (i + 1 >= args.length)
                    {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    options.computeIfAbsent(name, k -> new ArrayList<>()).add(args[++i]);
                }
                else if (flags.contains(name) || "help".equals(name))
                {
                    this.flags.add(name);
                }
                else
                {
                    throw new UsageException("unknown option " + arg);
                }
            }
            else
            {
                positional.add(arg);
            }
        }
    }

    public List<String> positional()
    {
        return positional;
    }

    public boolean has(final String flag)
    {
        return flags.contains(flag);
    }

    public String get(final String name, final String defaultValue)
    {
        final List<String> values = options.get(name);
        return values == null ? defaultValue : values.get(values.size() - 1);
    }

    public List<String> all(final String name)
    {
        return options.getOrDefault(name, List.of());
    }

    public long getLong(final String name, final long defaultValue)
    {
        final String value = get(name, null);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException("--" + name + " must be a number, got '" + value + "'");
        }
    }

    /** {@code key=value} options as a map. */
    public Map<String, Object> properties(final String name)
    {
        final Map<String, Object> props = new HashMap<>();
        for (final String kv : all(name))
        {
            final int eq = kv.indexOf('=');
            if (eq <= 0)
            {
                throw new UsageException("--" + name + " takes key=value, got '" + kv + "'");
            }
            props.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return props;
    }
}
