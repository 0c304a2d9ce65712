using Microsoft.Extensions.Options;

namespace SkMemory.Mem0;

/// <summary>Runs <see cref="Mem0ClientOptions.Validate"/> for the options system, so a bad configuration fails at start-up with the option's name.</summary>
internal sealed class Mem0ClientOptionsValidator : IValidateOptions<Mem0ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, Mem0ClientOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Mem0 client options: {ex.Message}");
        }
    }
}
