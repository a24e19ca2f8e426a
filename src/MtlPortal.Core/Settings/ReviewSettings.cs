using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Validation;

namespace MtlPortal.Settings;

/// <summary>The review rules admins set in the portal.</summary>
/// <param name="RequiredApprovals">How many distinct reviewers must approve a revision (four eyes: never its author).</param>
/// <param name="MinInsightAbstraction">The abstraction score an insight should reach (0–1).</param>
/// <param name="BlockLowAbstractionInsights">Whether an insight under <paramref name="MinInsightAbstraction"/> may not be submitted at all.</param>
/// <param name="DuplicateThreshold">The cosine similarity at or above which a memory is shown as a likely duplicate.</param>
public sealed record ReviewSettings(int RequiredApprovals, double MinInsightAbstraction, bool BlockLowAbstractionInsights, double DuplicateThreshold)
{
    // The duplicate threshold is tuned for the default local model on the labelled set's paraphrase pairs
    // (RetrievalQualityTests, bench/README.md): every pair that only shares words stays under it.
    public static readonly ReviewSettings Defaults = new(1, 0.6, false, 0.5);

    public IEnumerable<FieldError> Validate()
    {
        if (RequiredApprovals is < 1 or > 5)
        {
            yield return new FieldError(nameof(RequiredApprovals), "Between 1 and 5 approvals.");
        }

        if (MinInsightAbstraction is < 0 or > 1 || double.IsNaN(MinInsightAbstraction))
        {
            yield return new FieldError(nameof(MinInsightAbstraction), "A score between 0 and 1.");
        }

        if (DuplicateThreshold is < 0.5 or > 1 || double.IsNaN(DuplicateThreshold))
        {
            yield return new FieldError(nameof(DuplicateThreshold), "A similarity between 0.5 and 1.");
        }
    }
}

/// <summary>Reads and writes <see cref="ReviewSettings"/> in the Settings table; a missing key has its default.</summary>
public sealed class ReviewSettingsStore(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit, TimeProvider clock)
{
    private const string RequiredApprovalsKey = "review.required-approvals";
    private const string MinAbstractionKey = "abstraction.min-insight-score";
    private const string BlockKey = "abstraction.block-low-insights";
    private const string DuplicateKey = "duplicates.threshold";

    public async Task<ReviewSettings> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await GetAsync(db, cancellationToken);
    }

    public async Task<WriteResult<ReviewSettings>> SaveAsync(ReviewSettings settings, string actor, CancellationToken cancellationToken = default)
    {
        var errors = settings.Validate().ToList();
        if (errors.Count > 0)
        {
            return WriteResult<ReviewSettings>.Fail(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var before = await GetAsync(db, cancellationToken);
        await UpsertAsync(db, RequiredApprovalsKey, settings.RequiredApprovals.ToString(CultureInfo.InvariantCulture), actor, cancellationToken);
        await UpsertAsync(db, MinAbstractionKey, settings.MinInsightAbstraction.ToString(CultureInfo.InvariantCulture), actor, cancellationToken);
        await UpsertAsync(db, BlockKey, settings.BlockLowAbstractionInsights.ToString(), actor, cancellationToken);
        await UpsertAsync(db, DuplicateKey, settings.DuplicateThreshold.ToString(CultureInfo.InvariantCulture), actor, cancellationToken);
        audit.Record(db, actor, "settings.review-changed", "settings", "review", $"{before} -> {settings}");
        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<ReviewSettings>.Ok(settings);
    }

    private static async Task<ReviewSettings> GetAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var values = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, cancellationToken);
        var d = ReviewSettings.Defaults;
        return new ReviewSettings(
            values.TryGetValue(RequiredApprovalsKey, out var a) && int.TryParse(a, CultureInfo.InvariantCulture, out var ai) ? ai : d.RequiredApprovals,
            values.TryGetValue(MinAbstractionKey, out var m) && double.TryParse(m, CultureInfo.InvariantCulture, out var md) ? md : d.MinInsightAbstraction,
            values.TryGetValue(BlockKey, out var b) && bool.TryParse(b, out var bb) ? bb : d.BlockLowAbstractionInsights,
            values.TryGetValue(DuplicateKey, out var t) && double.TryParse(t, CultureInfo.InvariantCulture, out var td) ? td : d.DuplicateThreshold);
    }

    private async Task UpsertAsync(PortalDbContext db, string key, string value, string actor, CancellationToken cancellationToken)
    {
        var setting = await db.Settings.FindAsync([key], cancellationToken);
        if (setting is null)
        {
            db.Settings.Add(setting = new PortalSetting { Key = key });
        }

        setting.Value = value;
        setting.UpdatedAt = clock.GetUtcNow();
        setting.UpdatedBy = actor;
    }
}
