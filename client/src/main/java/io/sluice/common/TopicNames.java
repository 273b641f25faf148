package io.sluice.common;

import io.sluice.common.errors.InvalidTopicException;

/** Kafka's rules for topic names: 1 to 249 of {@code [a-zA-Z0-9._-]}, and not "." or "..". */
public final class TopicNames
{
    public static final int MAX_LENGTH = 249;

    private TopicNames()
    {
    }

    /** Throws {@link InvalidTopicException} saying what is wrong with {@code name}. */
    public static void validate(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new InvalidTopicException("Topic name must not be empty");
        }
        if (name.equals(".") || name.equals(".."))
        {
            throw new InvalidTopicException("Topic name cannot be '.' or '..'");
        }
        if (name.length() > MAX_LENGTH)
        {
            throw new InvalidTopicException("Topic name is " + name.length() + " characters long; the limit is "
                + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                || c == '-'))
            {
                throw new InvalidTopicException("Topic name '" + name + "' contains '" + c
                    + "'; only ASCII letters, digits, '.', '_' and '-' are allowed");
            }
        }
    }

    /** Internal topics start with two underscores, like {@code __consumer_offsets}. */
    public static boolean isInternal(final String name)
    {
        return name.startsWith("__");
    }
}
