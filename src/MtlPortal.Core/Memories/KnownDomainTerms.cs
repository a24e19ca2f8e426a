using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;

namespace MtlPortal.Memories;

/// <summary>
/// The names that tie a memory to one domain, as the pool knows them: its source domains and the repositories
/// named in source task references. The abstraction linter flags them. Cached briefly: contributors lint on
/// every pause in typing.
/// </summary>
public sealed partial class KnownDomainTerms(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, IReadOnlyCollection<string> Terms)? _cached;

    public async Task<IReadOnlyCollection<string>> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_cached is { } fresh && clock.GetUtcNow() - fresh.At < Lifetime)
        {
            return fresh.Terms;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await db.MemoryRevisions
                .Where(r => r.State == RevisionState.Approved || r.State == RevisionState.InReview)
                .Select(r => new { r.SourceDomain, r.SourceTaskRef })
                .Distinct()
                .ToListAsync(cancellationToken);
            var terms = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in rows)
            {
                terms.Add(row.SourceDomain);
                foreach (var repository in RepositoriesIn(row.SourceTaskRef))
                {
                    terms.Add(repository);
                }
            }

            // Source domains like "human" or "misc" say nothing about a domain a memory could anchor on.
            terms.RemoveWhere(t => t.Length < 3);
            _cached = (clock.GetUtcNow(), terms);
            return terms;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Repository names in a task reference: "owner/repo" and SWE-bench's "owner__repo-123" give "owner/repo" and "repo".</summary>
    public static IEnumerable<string> RepositoriesIn(string? taskRef)
    {
        if (string.IsNullOrWhiteSpace(taskRef))
        {
            yield break;
        }

        foreach (Match match in Repository().Matches(taskRef))
        {
            var owner = match.Groups["owner"].Value;
            var repo = match.Groups["repo"].Value;
            yield return $"{owner}/{repo}";
            if (repo.Length >= 3)
            {
                yield return repo;
            }
        }
    }

    [GeneratedRegex(@"(?<owner>[A-Za-z0-9][A-Za-z0-9_.-]*?)(?:/|__)(?<repo>[A-Za-z][A-Za-z0-9_.]*?)(?=$|[-#@:/\s]\d|[#@:\s])")]
    private static partial Regex Repository();
}
