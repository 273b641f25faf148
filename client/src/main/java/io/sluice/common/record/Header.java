package io.sluice.common.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A record header: a string key and a byte value that may be null. The key's UTF-8 form is cached for encoding. */
public final class Header
{
    public static final Header[] NONE = new Header[0];

    private final String key;
    private final byte[] keyUtf8;
    private final byte[] value;

    public Header(final String key, final byte[] value)
    {
        this.key = Objects.requireNonNull(key, "header key");
        this.keyUtf8 = key.getBytes(StandardCharsets.UTF_8);
        this.value = value;
    }

    public String key()
    {
        return key;
    }

    byte[] keyUtf8()
    {
        return keyUtf8;
    }

    /** The value bytes, or null. */
    public byte[] value()
    {
        return value;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Header))
        {
            return false;
        }
        final Header other = (Header)o;
        return key.equals(other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode()
    {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString()
    {
        return "Header(" + key + "=" + (value == null ? "null" : new String(value, StandardCharsets.UTF_8)) + ")";
    }
}
