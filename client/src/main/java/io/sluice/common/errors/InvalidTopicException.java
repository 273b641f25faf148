package io.sluice.common.errors;

/** A topic name that breaks the naming rules. */
public class InvalidTopicException extends SluiceException
{
    public InvalidTopicException(final String message)
    {
        super(message);
    }
}
