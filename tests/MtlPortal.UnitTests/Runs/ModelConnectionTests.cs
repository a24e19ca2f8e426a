using MtlPortal.Runs;

namespace MtlPortal.UnitTests.Runs;

public class ModelConnectionTests
{
    [Fact]
    public void Cost_PricesPerMillion_AddInputAndOutput()
    {
        var connection = new ModelConnection { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.6m };

        Assert.Equal(0.00027m, connection.Cost(1_000, 200));
    }

    [Fact]
    public void Cost_NoPrices_IsUnknownRatherThanZero()
    {
        Assert.Null(new ModelConnection().Cost(1_000, 200));
    }

    [Theory]
    [InlineData("Zero-Shot", "zero-shot")]
    [InlineData(" insight ", "insight")]
    [InlineData("trajectory", "trajectory")]
    [InlineData("telepathy", null)]
    public void Conditions_AreReadWithoutRegardToCase(string name, string? expected)
    {
        Assert.Equal(expected, RunConditions.Parse(name));
    }
}
