package io.sluice.broker.server;

import io.sluice.broker.network.RequestContext;
import io.sluice.broker.network.RequestHandler;
import io.sluice.common.protocol.ApiKeys;
import io.sluice.common.protocol.Errors;
import io.sluice.common.protocol.MessageReader;
import io.sluice.common.protocol.message.ApiVersionsRequest;
import io.sluice.common.protocol.message.ApiVersionsResponse;

import java.util.ArrayList;
import java.util.List;

/** Tells a client every API and version this broker speaks. */
public final class ApiVersionsHandler implements RequestHandler
{
    private final ApiVersionsResponse response;

    public ApiVersionsHandler()
    {
        final List<ApiVersionsResponse.ApiVersion> apis = new ArrayList<>();
        for (final ApiKeys api : ApiKeys.values())
        {
            apis.add(new ApiVersionsResponse.ApiVersion(api.id, api.oldestVersion, api.latestVersion));
        }
        response = new ApiVersionsResponse(Errors.NONE.code(), List.copyOf(apis));
    }

    @Override
    public void handle(final RequestContext context, final MessageReader body)
    {
        ApiVersionsRequest.read(body);
        context.respond(response);
    }
}
