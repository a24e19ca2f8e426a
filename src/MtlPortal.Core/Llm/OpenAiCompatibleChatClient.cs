using System.ClientModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace MtlPortal.Llm;

/// <summary>
/// An <see cref="IChatClient"/> over any server that speaks OpenAI's <c>/v1/chat/completions</c>. Text only:
/// system, user and assistant messages; temperature, top-p, penalties, seed, stop sequences and the output token limit
/// (sent as <c>max_completion_tokens</c>); token usage is reported in <see cref="ChatResponse.Usage"/>, and when
/// streaming in a final update carrying <see cref="UsageContent"/>. Tools, images and tool messages, which it
/// cannot send, are refused rather than dropped; other <see cref="ChatOptions"/> (response format, reasoning,
/// top-k, tool mode) are not sent. A failed or timed-out request throws <see cref="ModelServiceException"/>.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private const string ProviderName = "openai";
    private const string ChatRequest = "a chat completion request";

    private readonly OpenAIClient _openAi;
    private readonly ChatClient _chat;
    private readonly string _model;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly TimeSpan _timeout;
    private readonly ChatClientMetadata _metadata;

    /// <exception cref="ArgumentException">The options do not name a usable server and model.</exception>
    public OpenAiCompatibleChatClient(LlmOptions options)
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

        _endpoint = new Uri(options.Endpoint!);
        _model = options.Model!.Trim();
        _apiKey = options.ApiKey;
        _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        _openAi = OpenAiCompatibleConnection.CreateClient(_endpoint, options.ApiKey, _timeout, options.MaxRetries);
        _chat = _openAi.GetChatClient(_model);
        _metadata = new ChatClientMetadata(ProviderName, _endpoint, _model);
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = ToSdkMessages(messages, options);
        var completionOptions = ToSdkOptions(options);
        ChatCompletion completion;
        try
        {
            completion = (await ClientFor(options).CompleteChatAsync(request, completionOptions, cancellationToken)).Value;
        }
        catch (ClientResultException e)
        {
            throw Translate(e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(e);
        }

        return new ChatResponse(new AiChatMessage(ChatRole.Assistant, TextOf(completion.Content)))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ToSdkMessages(messages, options);
        var completionOptions = ToSdkOptions(options);
        var stream = ClientFor(options).CompleteChatStreamingAsync(request, completionOptions, cancellationToken);

        // The request is sent, and fails, on the first MoveNextAsync; a yield cannot sit inside try/catch.
        await using var updates = stream.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            StreamingChatCompletionUpdate update;
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }

                update = updates.Current;
            }
            catch (ClientResultException e)
            {
                throw Translate(e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(e);
            }

            var contents = new List<AIContent>();
            var text = TextOf(update.ContentUpdate);
            if (text.Length > 0)
            {
                contents.Add(new TextContent(text));
            }

            if (update.Usage is { } usage)
            {
                contents.Add(new UsageContent(ToUsage(usage)!));
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = update.CompletionId,
                MessageId = update.CompletionId,
                ModelId = update.Model,
                CreatedAt = update.CreatedAt,
                FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
                RawRepresentation = update,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(ChatClient))
        {
            return _chat;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The SDK client holds no resources of its own; its HTTP connections are pooled process-wide.
    }

    // A per-call ModelId is honoured with a sibling client on the same connection settings.
    private ChatClient ClientFor(ChatOptions? options) =>
        string.IsNullOrWhiteSpace(options?.ModelId) || options.ModelId == _model ? _chat : _openAi.GetChatClient(options.ModelId);

    private static List<SdkChatMessage> ToSdkMessages(IEnumerable<AiChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<SdkChatMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            result.Add(new SystemChatMessage(options.Instructions));
        }

        foreach (var message in messages)
        {
            if (message.Contents.Any(c => c is not TextContent))
            {
                throw new NotSupportedException(
                    $"Only text can be sent to the model; a {message.Role} message contains {message.Contents.First(c => c is not TextContent).GetType().Name}.");
            }

            var text = message.Text;
            SdkChatMessage sdkMessage = message.Role == ChatRole.System ? new SystemChatMessage(text)
                : message.Role == ChatRole.User ? new UserChatMessage(text)
                : message.Role == ChatRole.Assistant ? new AssistantChatMessage(text)
                : throw new NotSupportedException($"Messages with role '{message.Role}' cannot be sent; use system, user or assistant.");
            result.Add(sdkMessage);
        }

        return result;
    }

    private static ChatCompletionOptions ToSdkOptions(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        if (options.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("Tools are not supported by this chat client.");
        }

        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        result.MaxOutputTokenCount = options.MaxOutputTokens;
        result.FrequencyPenalty = options.FrequencyPenalty;
        result.PresencePenalty = options.PresencePenalty;

        // The SDK marks Seed experimental, but OpenAI, vLLM and Ollama honour it, and the benchmark runner needs
        // repeatable samples; an SDK upgrade that removes it will fail this build, not silently drop the seed.
#pragma warning disable OPENAI001
        result.Seed = options.Seed;
#pragma warning restore OPENAI001
        foreach (var stop in options.StopSequences ?? [])
        {
            result.StopSequences.Add(stop);
        }

        return result;
    }

    private static string TextOf(ChatMessageContent? content) =>
        content is null ? "" : string.Concat(content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));

    private static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

    private static AiFinishReason ToFinishReason(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Length => AiFinishReason.Length,
        SdkFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        _ => AiFinishReason.Stop,
    };

    private ModelServiceException Translate(ClientResultException e) =>
        OpenAiCompatibleConnection.Translate(e, _endpoint, ChatRequest, _apiKey);

    private ModelServiceException TimedOut(OperationCanceledException e) =>
        OpenAiCompatibleConnection.TimedOut(e, _endpoint, ChatRequest, _timeout, $"{LlmOptions.Section}:TimeoutSeconds");
}
