using System.ClientModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace MtlPortal.Llm;

/// <summary>
/// The portal's chat client: Microsoft.Extensions.AI's OpenAI client for one server and model, whose failures
/// (an HTTP error after the retries, no answer, a timeout) arrive as a <see cref="ModelServiceException"/> that
/// names the server and status and never the key.
/// </summary>
public sealed class PortalChatClient : DelegatingChatClient
{
    private const string ChatRequest = "a chat completion request";

    private readonly ModelServerSettings _server;

    /// <param name="server">Where and how to reach the server.</param>
    /// <param name="model">The model id sent with every request.</param>
    public PortalChatClient(ModelServerSettings server, string model)
        : base(ModelServer.CreateClient(server).GetChatClient(model).AsIChatClient())
    {
        _server = server;
    }

    /// <summary>A client for the configured <c>Llm</c> section.</summary>
    /// <exception cref="ArgumentException">The options do not name a usable server and model.</exception>
    public static PortalChatClient Create(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = LlmOptionsValidator.Problems(options);
        if (!options.IsConfigured)
        {
            problems.Insert(0, $"{LlmOptions.Section}:Endpoint and {LlmOptions.Section}:Model must both be set.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        return new PortalChatClient(options.ToServerSettings(), options.Model!.Trim());
    }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (ClientResultException e)
        {
            throw ModelServer.Translate(e, _server, ChatRequest);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ModelServer.TimedOut(e, _server, ChatRequest);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The request is sent, and fails, on the first MoveNextAsync; a yield cannot sit inside try/catch.
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (ClientResultException e)
            {
                throw ModelServer.Translate(e, _server, ChatRequest);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw ModelServer.TimedOut(e, _server, ChatRequest);
            }

            yield return updates.Current;
        }
    }
}
