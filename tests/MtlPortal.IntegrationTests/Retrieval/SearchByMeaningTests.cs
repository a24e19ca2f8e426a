using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Embeddings;
using MtlPortal.IntegrationTests.Api;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.IntegrationTests.Retrieval;

/// <summary>A portal with nothing configured about embeddings, as a fresh clone starts, and a few approved insights.</summary>
public sealed class UnconfiguredEmbeddingsPortal : ApiPortal
{
    // Shares no word with the task of the tests: found only by meaning.
    public static readonly InsightContent ReproduceFirst = new(
        "Start by reproducing the bug",
        "When fixing a defect in someone else's project, write a minimal check that triggers it before changing any code.",
        "A check that shows the defect proves you understood it and confirms the fix afterwards.");

    private static readonly InsightContent[] Others =
    [
        new("Restate the requirement and list how you will check it", "Write down in your own words what must be true when you are done, before starting work.", "Turn each sentence of the request into an observable check. Ambiguities surface early."),
        new("Rehearse anything irreversible", "Print the exact set of targets an operation would touch before letting it remove or overwrite them.", "Replace the action with a harmless listing, read the list, and only then run the real thing."),
        new("Separate held-out data before fitting anything", "Scalers, encoders and feature selection must learn only from the training portion.", "Fitting a transformation on all rows leaks information from evaluation rows and inflates scores."),
        new("Check a clever solution against an obviously correct slow one", "Generate many small random inputs and compare the fast answer with an exhaustive one.", "Stop at the first disagreement, which is a ready-made counterexample."),
        new("Make the network memorise a handful of examples", "A training loop that cannot drive the loss to near zero on a few samples has a bug.", "Train on two or three batches with regularisation off and watch the loss collapse."),
        new("Vary one factor at a time with randomness pinned", "Fix seeds and change a single setting per comparison so differences have one cause.", "Repeat each configuration over a few seeds and compare the spread."),
    ];

    public Guid ReproduceFirstId { get; private set; }

    protected override string? EmbeddingProvider => null;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ReproduceFirstId = await ApprovedAsync(ReproduceFirst, "swe-bench");
        foreach (var other in Others)
        {
            await ApprovedAsync(other, "mixed");
        }
    }

    private async Task<Guid> ApprovedAsync(InsightContent content, string domain)
    {
        var draft = new MemoryDraft(content, new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, []));
        var id = await SubmittedAsync(draft: draft);
        var approved = await AsAsync(Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        return approved.Succeeded ? id : throw new InvalidOperationException(string.Join("; ", approved.Errors));
    }
}

public class SearchByMeaningTests(UnconfiguredEmbeddingsPortal portal) : IClassFixture<UnconfiguredEmbeddingsPortal>
{
    private const string Task = "make a failing test pass in a repository I have never seen";

    [Fact]
    public void AnUnconfiguredPortalEmbedsWithTheLocalSentenceModel()
    {
        Assert.Equal("local:all-MiniLM-L6-v2:384", portal.Services.GetRequiredService<EmbeddingModelInfo>().ModelId);
    }

    [Fact]
    public async Task TheApiFindsTheReproductionInsightForAFailingTestTaskWithoutSharedWords()
    {
        var expected = portal.ReproduceFirstId;
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync("/api/v1/memories/search", new { query = Task, k = 3 });
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var first = body.GetProperty("memories")[0].GetProperty("memory");
        Assert.Equal(expected, first.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task ThePoolSearchRanksTheReproductionInsightFirstForTheSameTask()
    {
        var expected = portal.ReproduceFirstId;

        var page = await portal.Services.GetRequiredService<PoolSearch>().SearchAsync(new PoolQuery { Text = Task });

        Assert.Equal(expected, page.Items[0].Id);
        Assert.Equal(UnconfiguredEmbeddingsPortal.ReproduceFirst.Title, page.Items[0].Title);
    }
}
