package io.sluice.common.record;

/** Whether a batch's timestamps were set by the producer or by the broker on append (attributes bit 3). */
public enum TimestampType
{
    CREATE_TIME,
    LOG_APPEND_TIME;

    public static final int ATTRIBUTE_MASK = 0x08;
}
