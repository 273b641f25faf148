package io.sluice.common.protocol;

import io.sluice.common.errors.SluiceException;

/** Bytes that do not form a valid message: truncated, with impossible lengths, or with unknown values. */
public class ProtocolException extends SluiceException
{
    public ProtocolException(final String message)
    {
        super(message);
    }
}
