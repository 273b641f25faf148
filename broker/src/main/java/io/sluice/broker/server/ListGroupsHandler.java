package io.sluice.broker.server;

import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.GroupIdsRequest;
import io.sluice.common.protocol.message.ListGroupsResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** ListGroups: the groups this broker coordinates, optionally only those in the given states. */
public final class ListGroupsHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;

    public ListGroupsHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final GroupIdsRequest request = GroupIdsRequest.read(body);
        body.ensureFullyRead("ListGroups request");
        final List<ListGroupsResponse.Group> groups = new ArrayList<>();
        for (final var view : coordinator.list())
        {
            final String state = view.state().name().toLowerCase(Locale.ROOT);
            if (request.groupIds().isEmpty() || request.groupIds().stream().anyMatch(state::equalsIgnoreCase))
            {
                groups.add(new ListGroupsResponse.Group(view.groupId(), state, view.members().size()));
            }
        }
        context.respond(new ListGroupsResponse(Errors.NONE.code(), groups));
    }
}
