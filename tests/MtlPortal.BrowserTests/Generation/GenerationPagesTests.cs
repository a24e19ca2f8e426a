using MtlPortal.Runs;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Generation;

/// <summary>
/// A portal with its job server and a stand-in model server: the judge passes, insights come back valid, and a
/// finished two-task run (task 0 right, task 1 wrong) is there to generate from.
/// </summary>
public sealed class GenerationPagesPortal() : StandInModelPortalFactory(kestrel: true)
{
    public const string Insight = """{"title": "Reproduce before fixing", "description": "Confirm the failure with a small check before changing anything.", "content": "Write a minimal check that shows the failure first. Change the code, then run the same check again to see it pass."}""";

    public Guid RunId { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm.Reply = messages =>
        {
            var system = messages.FirstOrDefault(m => m.Role == "system")?.Content ?? "";
            if (system.Contains("PASS or FAIL", StringComparison.Ordinal))
            {
                return "The output was shown.\nPASS";
            }

            if (system.Contains("{\"title\"", StringComparison.Ordinal))
            {
                return Insight;
            }

            return $"```python\ndef f():\n    return {(TaskNumber(messages) == 0 ? 0 : 42)}\n```\n";
        };
        await CreateUserAsync("writer@example.org", [PortalRoles.Contributor], ["Alpha"]);
        await CreateUserAsync("checker@example.org", [PortalRoles.Reviewer], ["Alpha"]);
        await BenchmarkAsync("toy-python", tasks: 2);
        RunId = (await StartRunAsync(new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot"], Attempts = 1, Query = RetrievalQuery.Task }, AdminId)).Id;
        await FinishedAsync(RunId);
    }
}

/// <summary>Import a trajectory, generate from it and from a run, then approve in bulk, in the browser.</summary>
[Collection(BrowserCollection.Name)]
public class GenerationPagesTests(BrowserFixture browser, GenerationPagesPortal portal) : IClassFixture<GenerationPagesPortal>
{
    [Fact]
    public async Task Contributor_ImportsAnAtifFile_GeneratesAnInsight_ReviewerApprovesInBulkWithTheTrajectoryBeside()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, new() { Width = 1400, Height = 1000 });
        await page.SignInAsync("writer@example.org");
        await page.GotoAsync("/trajectories");
        await page.WaitForInteractiveAsync();

        await page.GetByTestId("import-format").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "atif", Exact = true }).ClickAsync();
        await page.GetByTestId("import-domain").FillAsync("terminal-bench");
        await page.Locator("input[type=file]").SetInputFilesAsync(
            SharedData.PathOf("trajectories", "harbor-atif", "tests__golden__terminus_2__hello-world-timeout.trajectory.json"));
        await Expect(page.GetByTestId("import-status")).ToContainTextAsync("Imported 1 trajectory");
        await Expect(page.GetByTestId("trajectory-row")).ToHaveCountAsync(1);
        await page.ScreenshotAsync("trajectories-1400");

        await page.GetByTestId("generate-selected").ClickAsync();
        // No ground-truth verdict: one call to judge it, one to write the insight.
        await Expect(page.GetByTestId("generate-estimate")).ToContainTextAsync("at most 2 model calls");
        await page.ScreenshotAsync("generate-dialog-1400");
        await page.GetByTestId("generate-start").ClickAsync();
        await Expect(page.GetByTestId("generate-progress")).ToContainTextAsync("completed");
        await Expect(page.GetByTestId("generate-progress")).ToContainTextAsync("1 memories in review");

        var phone = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await phone.SignInAsync("writer@example.org");
        await phone.GotoAsync($"/runs/{portal.RunId}");
        await phone.WaitForInteractiveAsync();
        await phone.GetByTestId("generate-memories").ClickAsync();
        await Expect(phone.GetByTestId("generate-estimate")).ToContainTextAsync("2 attempts → at most 2 model calls");
        await phone.ScreenshotAsync("generate-from-run-390");
        await phone.GotoAsync("/trajectories");
        await phone.WaitForInteractiveAsync();
        await Expect(phone.GetByTestId("trajectory-row").First).ToBeVisibleAsync();
        // The list fits the phone's width: no sideways scrolling to reach a trajectory's domain or verdict.
        var overflow = await phone.GetByTestId("trajectory-list").EvaluateAsync<int>(
            "list => { const table = list.tagName === 'TABLE' ? list : list.querySelector('table'); return Math.ceil(table.getBoundingClientRect().right - document.documentElement.clientWidth); }");
        Assert.True(overflow <= 0, $"the trajectory list is {overflow} px wider than the phone's screen");
        await phone.ScreenshotAsync("trajectories-390");

        var reviewer = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, new() { Width = 1400, Height = 1000 });
        await reviewer.SignInAsync("checker@example.org");
        await reviewer.GotoAsync("/review");
        await reviewer.WaitForInteractiveAsync();
        await Expect(reviewer.GetByTestId("generated-from")).ToContainTextAsync("Generated by fake-model");
        await reviewer.GetByTestId("bulk-review").GetByText("Review several at once").ClickAsync();
        await reviewer.GetByTestId("bulk-select-shown").ClickAsync();
        await reviewer.GetByTestId("bulk-comment").FillAsync("Checked against the trajectory.");
        await reviewer.ScreenshotAsync("review-bulk-1400");
        await reviewer.GetByTestId("bulk-approve").ClickAsync();
        await Expect(reviewer.GetByTestId("queue-empty")).ToBeVisibleAsync();

        var admin = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await admin.SignInAsync(PortalFactory.AdminEmail);
        await admin.GotoAsync("/admin/generation-prompts");
        await Expect(admin.GetByTestId("generation-prompt")).ToHaveCountAsync(9);
        await admin.ScreenshotAsync("generation-prompts-390");

        Assert.Empty(errors);
    }
}
