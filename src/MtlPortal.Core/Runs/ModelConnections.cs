using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using MtlPortal.Auditing;
using MtlPortal.Llm;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Validation;

namespace MtlPortal.Runs;

/// <summary>What an admin enters for a model connection. A null <see cref="ApiKey"/> on an update keeps the stored key.</summary>
public sealed record ModelConnectionInput(
    string Name, string Endpoint, string Model, string? ApiKey, decimal? InputPricePerMillion = null, decimal? OutputPricePerMillion = null);

/// <summary>
/// The registered model connections: admins add and change them (audited; the key is encrypted with Data
/// Protection and never returned), runs get a chat client for one. <c>Llm:*</c> in configuration seeds one named
/// after its model when no connection has that name yet.
/// </summary>
public sealed class ModelConnections(
    IDbContextFactory<PortalDbContext> contexts, IDataProtectionProvider protection, AuditTrail audit, TimeProvider clock, IOptions<LlmOptions> llm)
{
    private const string Purpose = "MtlPortal.Runs.ModelConnection.ApiKey";

    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    public async Task<IReadOnlyList<ModelConnection>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<ModelConnection>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Adds a connection, or changes the one with the same name. Admins only.</summary>
    public async Task<WriteResult<ModelConnection>> SaveAsync(ModelConnectionInput input, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsAdmin)
        {
            return WriteResult<ModelConnection>.Forbidden("Only admins register model connections.");
        }

        return await SaveAsync(input, actor.UserId, cancellationToken);
    }

    /// <summary>The chat client for a connection, with its decrypted key; the key lives only inside the client.</summary>
    public IChatClient CreateClient(ModelConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var key = connection.ProtectedApiKey is { } stored ? _protector.Unprotect(stored) : null;
        var options = llm.Value;
        var server = new ModelServerSettings(
            new Uri(connection.Endpoint), key, TimeSpan.FromSeconds(options.TimeoutSeconds), options.MaxRetries, $"{LlmOptions.Section}:TimeoutSeconds");
        return new PortalChatClient(server, connection.Model);
    }

    /// <summary>Registers <c>Llm:*</c> as a connection named after its model, unless one of that name exists.</summary>
    public async Task SeedFromConfigurationAsync(CancellationToken cancellationToken = default)
    {
        var options = llm.Value;
        if (!options.IsConfigured)
        {
            return;
        }

        var name = options.Model!.Trim();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Set<ModelConnection>().AnyAsync(c => c.Name == name, cancellationToken))
            {
                return;
            }
        }

        var result = await SaveAsync(new ModelConnectionInput(name, options.Endpoint!, name, options.ApiKey), "[configuration]", cancellationToken);
        if (!result.Succeeded && result.Failure != WriteFailure.Conflict)
        {
            throw new InvalidOperationException($"Llm:* could not be registered as a model connection: {string.Join(" ", result.Errors.Select(e => e.Message))}");
        }
    }

    private async Task<WriteResult<ModelConnection>> SaveAsync(ModelConnectionInput input, string actor, CancellationToken cancellationToken)
    {
        var errors = Validate(input).ToList();
        if (errors.Count > 0)
        {
            return WriteResult<ModelConnection>.Fail(errors);
        }

        var name = input.Name.Trim();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = await db.Set<ModelConnection>().FirstOrDefaultAsync(c => c.Name == name, cancellationToken);
        var now = clock.GetUtcNow();
        var added = connection is null;
        connection ??= db.Set<ModelConnection>().Add(new ModelConnection { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now }).Entity;
        connection.Endpoint = input.Endpoint.Trim();
        connection.Model = input.Model.Trim();
        connection.InputPricePerMillion = input.InputPricePerMillion;
        connection.OutputPricePerMillion = input.OutputPricePerMillion;
        connection.UpdatedAt = now;
        if (input.ApiKey is not null)
        {
            connection.ProtectedApiKey = input.ApiKey.Length == 0 ? null : _protector.Protect(input.ApiKey);
        }

        // The details name what changed but never the key.
        audit.Record(db, actor, added ? "model-connection.created" : "model-connection.updated", nameof(ModelConnection), connection.Id.ToString(),
            $"{connection.Name}: {connection.Model} at {connection.Endpoint}{(input.ApiKey is null ? "" : ", key set")}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (added)
        {
            return WriteResult<ModelConnection>.Conflict($"A model connection named '{name}' was just added by someone else.");
        }

        return WriteResult<ModelConnection>.Ok(connection);
    }

    private static IEnumerable<FieldError> Validate(ModelConnectionInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > ModelConnection.NameMax)
        {
            yield return new FieldError("name", $"A connection needs a name of 1 to {ModelConnection.NameMax} characters.");
        }

        if (!Uri.TryCreate(input.Endpoint?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || input.Endpoint!.Trim().Length > ModelConnection.EndpointMax)
        {
            yield return new FieldError("endpoint", "The endpoint is an absolute http or https address including /v1, e.g. https://api.openai.com/v1.");
        }

        if (string.IsNullOrWhiteSpace(input.Model) || input.Model.Trim().Length > ModelConnection.ModelMax)
        {
            yield return new FieldError("model", $"Name the model, e.g. gpt-4o-mini (at most {ModelConnection.ModelMax} characters).");
        }

        if (input.InputPricePerMillion is < 0 || input.OutputPricePerMillion is < 0)
        {
            yield return new FieldError("price", "Prices are 0 or more per million tokens.");
        }
    }
}
