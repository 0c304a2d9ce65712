using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SkMemory;

/// <summary>
/// The vault token format, <c>[[tok:&lt;kind&gt;:&lt;id&gt;]]</c>: kind <c>[a-z0-9_]+</c>, id 26 characters <c>[0-9a-z]</c>,
/// random. Purge finds the tokens in purged content with <see cref="FindAll"/> and deletes their vault rows.
/// </summary>
public static partial class MemoryVaultToken
{
    /// <summary>The length of a token's id.</summary>
    public const int IdLength = 26;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Creates a new token of <paramref name="kind"/> with a random id.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentException">The kind is not <c>[a-z0-9_]+</c>.</exception>
    public static string Create(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!KindPattern().IsMatch(kind))
        {
            throw new ArgumentException($"The kind '{kind}' is not [a-z0-9_]+.", nameof(kind));
        }

        return $"[[tok:{kind}:{RandomNumberGenerator.GetString(Alphabet, IdLength)}]]";
    }

    /// <summary>Gets a value indicating whether <paramref name="token"/> is exactly one token.</summary>
    /// <param name="token">The text.</param>
    /// <returns>Whether it is a token.</returns>
    public static bool IsToken(string? token) => token is not null && ExactPattern().IsMatch(token);

    /// <summary>Finds every token in a text, in order, each once.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens.</returns>
    public static IReadOnlyList<string> FindAll(string? text) =>
        string.IsNullOrEmpty(text) ? [] : [.. TokenPattern().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal)];

    /// <summary>Gets the kind of a token.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The kind, or null when it is not a token.</returns>
    public static string? KindOf(string? token) => token is not null && ExactPattern().Match(token) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"\[\[tok:[a-z0-9_]+:[0-9a-z]{26}\]\]", RegexOptions.CultureInvariant)]
    internal static partial Regex TokenPattern();

    [GeneratedRegex(@"^\[\[tok:([a-z0-9_]+):[0-9a-z]{26}\]\]$", RegexOptions.CultureInvariant)]
    private static partial Regex ExactPattern();

    [GeneratedRegex("^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KindPattern();
}
