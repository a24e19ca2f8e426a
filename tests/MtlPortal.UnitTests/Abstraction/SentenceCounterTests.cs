using MtlPortal.Memories.Abstraction;

namespace MtlPortal.UnitTests.Abstraction;

public class SentenceCounterTests
{
    [Theory]
    [InlineData("Use tests, e.g. unit tests, first.", 1)]
    [InlineData("Run the tests. Then read the output.", 2)]
    [InlineData("Set the ratio to 3.14 and rerun.", 1)]
    [InlineData("Use linters, formatters, etc. Then run the tests.", 2)]
    [InlineData("Lint, format, etc. and then test.", 1)]
    [InlineData("Is it flaky? Rerun it! Then decide.", 3)]
    [InlineData("Read the error... then fix it.", 1)]
    [InlineData("Call the helper, i.e. The one that joins paths. Done.", 2)]
    [InlineData("Compare with the docs (cf. Section Two) before editing.", 1)]
    [InlineData("He said \"Stop.\" Then he left.", 2)]
    [InlineData("Verify with tests", 1)]
    [InlineData("- reproduce the bug\n- fix it\n- verify the fix", 3)]
    [InlineData("First paragraph without a period\n\nSecond paragraph", 2)]
    [InlineData("1. Reproduce the bug. 2. Fix it.", 2)]
    [InlineData("A wrapped line\nthat continues the same sentence.", 1)]
    [InlineData("", 0)]
    [InlineData("  \n ", 0)]
    public void Count_CountsSentencesTheWayAReaderWould(string text, int expected) =>
        Assert.Equal(expected, SentenceCounter.Count(text));
}
