package io.sluice.client.admin;

/** A group as ListGroups reports it: its id, state (empty, reconciling, stable) and member count. */
public record GroupListing(String groupId, String state, int members)
{
}
