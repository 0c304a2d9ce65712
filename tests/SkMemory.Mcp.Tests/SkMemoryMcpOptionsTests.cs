namespace SkMemory.Mcp.Tests;

/// <summary>The server options are checked before anything listens.</summary>
public sealed class SkMemoryMcpOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass_AndEachBadValueIsNamed()
    {
        new SkMemoryMcpOptions().Validate();

        Assert.Equal("MaxRequestBytes", Assert.Throws<ArgumentException>(() => new SkMemoryMcpOptions { MaxRequestBytes = 10 }.Validate()).ParamName);
        Assert.Equal("DefaultTokenBudget", Assert.Throws<ArgumentException>(() => new SkMemoryMcpOptions { DefaultTokenBudget = 0 }.Validate()).ParamName);
        Assert.Equal("ServerName", Assert.Throws<ArgumentException>(() => new SkMemoryMcpOptions { ServerName = " " }.Validate()).ParamName);
    }
}
