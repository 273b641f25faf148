package io.sluice.broker.group;

/** A group's state as ListGroups and DescribeGroups report it. */
public enum GroupState
{
    /** No members; offsets kept until offsets.retention.minutes. */
    EMPTY,
    /** Some member has partitions to release or to receive. */
    RECONCILING,
    /** Every member owns exactly its target assignment. */
    STABLE
}
