package io.sluice.client.internals;

import io.sluice.client.network.NetworkClient;
import io.sluice.client.network.ResponseParser;
import io.sluice.common.errors.NetworkException;
import io.sluice.common.errors.SluiceException;
import io.sluice.common.errors.TimeoutException;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.message.FindCoordinatorRequest;
import io.sluice.common.protocol.message.FindCoordinatorResponse;
import io.sluice.common.protocol.message.Message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Sends group requests to the group's coordinator: finds it (FindCoordinator to any broker), remembers it, and
 * when the coordinator moved, is loading or is unreachable, looks it up again and retries after
 * {@code retry.backoff.ms} until the deadline. Safe from any thread; retries run on the client's event loop.
 */
public final class GroupClient
{
    /** Coordinator requests get their own connection so they never wait behind a parked fetch. */
    private static final String COORDINATOR_CONNECTION = "coordinator";

    private final NetworkClient network;
    private final Metadata metadata;
    private final long retryBackoffMs;
    private final Map<String, CompletableFuture<Node>> coordinators = new ConcurrentHashMap<>();

    public GroupClient(final NetworkClient network, final Metadata metadata, final long retryBackoffMs)
    {
        this.network = network;
        this.metadata = metadata;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * Sends {@code request} to the coordinator of {@code groupId}; the future completes with the response (whose
     * own error code the caller interprets) or fails once {@code deadlineNanos} passes without an answer.
     */
    public <T> CompletableFuture<T> send(final String groupId, final ApiKeys api, final Message request,
        final ResponseParser<T> parser, final ToIntFunction<T> errorCode, final long deadlineNanos)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        attempt(groupId, api, request, parser, errorCode, deadlineNanos, result, null);
        return result;
    }

    /** Blocking form of {@link #send}, for the application's thread; never call it on the event loop. */
    public <T> T call(final String groupId, final ApiKeys api, final Message request, final ResponseParser<T> parser,
        final ToIntFunction<T> errorCode, final long timeoutMs)
    {
        return Futures.await(send(groupId, api, request, parser, errorCode,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)), timeoutMs + retryBackoffMs,
            api + " for group " + groupId);
    }

    private <T> void attempt(final String groupId, final ApiKeys api, final Message request,
        final ResponseParser<T> parser, final ToIntFunction<T> errorCode, final long deadlineNanos,
        final CompletableFuture<T> result, final SluiceException last)
    {
        if (result.isDone())
        {
            return;
        }
        if (System.nanoTime() >= deadlineNanos)
        {
            result.completeExceptionally(new TimeoutException(api + " for group " + groupId
                + " did not complete in time" + (last == null ? "" : ": " + last.getMessage())));
            return;
        }
        coordinator(groupId).thenCompose(node -> network.send(node.host(), node.port(), COORDINATOR_CONNECTION, api,
            request, parser))
            .whenComplete((response, failure) ->
            {
                if (failure != null)
                {
                    final SluiceException e = Futures.unwrap(failure);
                    if (e.isRetriable())
                    {
                        coordinators.remove(groupId);
                        retry(groupId, api, request, parser, errorCode, deadlineNanos, result, e);
                    }
                    else
                    {
                        result.completeExceptionally(e);
                    }
                    return;
                }
                final Errors error = Errors.forCode((short)errorCode.applyAsInt(response));
                if (error == Errors.NOT_COORDINATOR || error == Errors.COORDINATOR_NOT_AVAILABLE
                    || error == Errors.COORDINATOR_LOAD_IN_PROGRESS)
                {
                    if (error != Errors.COORDINATOR_LOAD_IN_PROGRESS)
                    {
                        coordinators.remove(groupId);
                    }
                    retry(groupId, api, request, parser, errorCode, deadlineNanos, result, error.exception(null));
                    return;
                }
                result.complete(response);
            });
    }

    private <T> void retry(final String groupId, final ApiKeys api, final Message request,
        final ResponseParser<T> parser, final ToIntFunction<T> errorCode, final long deadlineNanos,
        final CompletableFuture<T> result, final SluiceException cause)
    {
        try
        {
            network.eventLoop().schedule(() -> attempt(groupId, api, request, parser, errorCode, deadlineNanos, result,
                cause), retryBackoffMs, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException e)
        {
            result.completeExceptionally(new SluiceException("The client is closed"));
        }
    }

    /** The coordinator of {@code groupId}, looked up once and remembered until a request says it moved. */
    private CompletableFuture<Node> coordinator(final String groupId)
    {
        final CompletableFuture<Node> known = coordinators.get(groupId);
        if (known != null && !known.isCompletedExceptionally())
        {
            return known;
        }
        final CompletableFuture<Node> lookup = anyNode().thenCompose(node -> network.send(node.host(), node.port(),
            ApiKeys.FIND_COORDINATOR, new FindCoordinatorRequest(FindCoordinatorRequest.GROUP, groupId),
            FindCoordinatorResponse::read)).thenApply(response ->
            {
                final Errors error = Errors.forCode(response.errorCode());
                if (error != Errors.NONE)
                {
                    throw error.exception(response.errorMessage());
                }
                return new Node(response.nodeId(), response.host(), response.port());
            });
        coordinators.put(groupId, lookup);
        lookup.whenComplete((node, e) ->
        {
            if (e != null)
            {
                coordinators.remove(groupId, lookup);
            }
        });
        return lookup;
    }

    private CompletableFuture<Node> anyNode()
    {
        final Cluster cluster = metadata.cluster();
        if (!cluster.nodes().isEmpty())
        {
            final List<Node> nodes = List.copyOf(cluster.nodes().values());
            return CompletableFuture.completedFuture(nodes.get((int)(System.nanoTime() % nodes.size())));
        }
        return metadata.refresh(List.of(), false).thenApply(c ->
        {
            if (c.nodes().isEmpty())
            {
                throw new NetworkException("No broker is reachable");
            }
            return c.nodes().values().iterator().next();
        });
    }
}
