package io.sluice.common.errors;

/** A batch that is intact but not acceptable: wrong magic, an unsupported codec, or fields that break the rules. */
public class InvalidRecordException extends SluiceException
{
    public InvalidRecordException(final String message)
    {
        super(message);
    }
}
