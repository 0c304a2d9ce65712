using System.Text.RegularExpressions;

namespace SkMemory.Redaction;

/// <summary>
/// One pattern rule: a compiled regular expression, the group holding the sensitive value (<c>v</c>, else the whole match),
/// an optional validator (checksum, range, guard) and a confidence used to settle overlaps.
/// </summary>
/// <param name="Id">The rule id.</param>
/// <param name="Kind">The kind it finds.</param>
/// <param name="Pattern">The pattern.</param>
/// <param name="Confidence">How sure a validated match is.</param>
/// <param name="Validate">Accepts or rejects a candidate value, given the whole text and the value's start.</param>
internal sealed record PatternRule(string Id, string Kind, Regex Pattern, double Confidence, Func<string, int, string, bool>? Validate = null)
{
    /// <summary>Finds this rule's values in a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="findings">Where to add them.</param>
    public void Find(string text, List<MemoryRedactionFinding> findings)
    {
        foreach (Match match in Pattern.Matches(text))
        {
            var group = match.Groups["v"];
            var value = group.Success ? group : (Group)match;
            if (value.Length == 0 || (Validate is not null && !Validate(value.Value, value.Index, text)))
            {
                continue;
            }

            findings.Add(new MemoryRedactionFinding { RuleId = Id, Kind = Kind, Start = value.Index, Length = value.Length, Confidence = Confidence });
        }
    }
}
