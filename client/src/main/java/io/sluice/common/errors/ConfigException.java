package io.sluice.common.errors;

/** A configuration key is unknown or its value is invalid; the message names the key. */
public class ConfigException extends SluiceException
{
    public ConfigException(final String message)
    {
        super(message);
    }
}
