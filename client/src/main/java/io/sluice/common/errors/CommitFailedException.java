package io.sluice.common.errors;

/**
 * A commit the group refused: the member left or was fenced, its epoch moved on, or it no longer owns a partition
 * it committed for. Its partitions may already belong to another member, which resumes from the last successful
 * commit; records processed since then may be processed again.
 */
public class CommitFailedException extends SluiceException
{
    public CommitFailedException(final String message)
    {
        super(message);
    }
}
