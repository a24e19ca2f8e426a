using MtlPortal.Runs;

namespace MtlPortal.UnitTests.Runs;

public class AnswerTextTests
{
    [Fact]
    public void Program_SeveralFencedBlocks_TakesTheLast()
    {
        var answer = "First try:\n```python\ndef f():\n    return 1\n```\nBetter:\n```python\ndef f():\n    return 2\n```\nDone.";

        Assert.Equal("def f():\n    return 2", AnswerText.Program(answer));
    }

    [Fact]
    public void Program_NoFence_IsTheWholeAnswer()
    {
        Assert.Equal("    return a + b", AnswerText.Program("    return a + b\n"));
    }

    [Fact]
    public void Program_FenceWithoutLanguageAndWindowsLineEnds_IsRead()
    {
        Assert.Equal("int f() { return 3; }", AnswerText.Program("Here:\r\n```\r\nint f() { return 3; }\r\n```\r\n"));
    }

    [Theory]
    [InlineData("code...\nMemory used: 2", 3, 2)]
    [InlineData("code...\n**Memory used:** 1", 3, 1)]
    [InlineData("memory used: Memory 3", 3, 3)]
    [InlineData("Memory used: none", 3, null)]
    [InlineData("Memory used: 4", 3, null)]
    [InlineData("I did not say.", 3, null)]
    public void MemoryUsed_ReadsTheRankTheModelNamed(string answer, int shown, int? expected)
    {
        Assert.Equal(expected, AnswerText.MemoryUsed(answer, shown));
    }
}
