package io.sluice.broker.server;

import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.GroupIdsRequest;
import io.sluice.common.protocol.message.GroupResultsResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** DeleteGroups: removes empty groups with their committed offsets. */
public final class DeleteGroupsHandler implements RequestHandler
{
    private final GroupCoordinator coordinator;

    public DeleteGroupsHandler(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        final GroupIdsRequest request = GroupIdsRequest.read(body);
        body.ensureFullyRead("DeleteGroups request");
        final List<CompletableFuture<GroupResultsResponse.GroupResult>> results = new ArrayList<>();
        for (final String groupId : request.groupIds())
        {
            try
            {
                results.add(coordinator.delete(groupId).thenApply(done -> new GroupResultsResponse.GroupResult(
                    groupId, (done ? Errors.NONE : Errors.REQUEST_TIMED_OUT).code())));
            }
            catch (final SluiceException e)
            {
                results.add(CompletableFuture.completedFuture(new GroupResultsResponse.GroupResult(groupId,
                    Errors.forException(e).code())));
            }
        }
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) ->
        {
            final List<GroupResultsResponse.GroupResult> answers = new ArrayList<>();
            results.forEach(f -> answers.add(f.join()));
            context.respond(new GroupResultsResponse(Errors.NONE.code(), answers));
        });
    }
}
