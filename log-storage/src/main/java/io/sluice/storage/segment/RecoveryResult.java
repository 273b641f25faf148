package io.sluice.storage.segment;

/**
 * What recovering one segment found: how many bytes were valid, how many were cut off, and why the scan stopped
 * early ({@code null} when the data simply ended, possibly followed by zeros from preallocation).
 */
public final class RecoveryResult
{
    public final int validBytes;
    public final long truncatedBytes;
    public final String corruption;

    public RecoveryResult(final int validBytes, final long truncatedBytes, final String corruption)
    {
        this.validBytes = validBytes;
        this.truncatedBytes = truncatedBytes;
        this.corruption = corruption;
    }
}
