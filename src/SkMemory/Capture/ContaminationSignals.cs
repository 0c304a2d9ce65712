using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>
/// Recognizes content that is not durable memory about a person: a passing state, a code snippet, a hypothetical or
/// question. The gate runs this on every candidate, whichever extractor proposed it, so a model that forgets to flag a
/// signal is still caught.
/// </summary>
internal static partial class ContaminationSignals
{
    /// <summary>Finds the signals a piece of source text (a quoted span, or the candidate's text) carries.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The signals found.</returns>
    public static IEnumerable<MemoryCandidateSignal> Detect(string text)
    {
        if (LooksLikeCode(text))
        {
            yield return MemoryCandidateSignal.CodeSnippet;
        }

        if (TransientState().IsMatch(text) || (NowQualifier().IsMatch(text) && FirstPersonWant().IsMatch(text)))
        {
            yield return MemoryCandidateSignal.Transient;
        }

        if (Hypothetical().IsMatch(text) || text.TrimEnd().EndsWith('?'))
        {
            yield return MemoryCandidateSignal.Hypothetical;
        }

        if (Quoting().IsMatch(text))
        {
            yield return MemoryCandidateSignal.ExternalContent;
        }
    }

    /// <summary>
    /// Code is judged by its marks: a fence, a stack-trace frame, or at least two of statement ends, braces, arrows,
    /// calls and keywords. Prose with one semicolon or one pair of parentheses is not code.
    /// </summary>
    private static bool LooksLikeCode(string text)
    {
        if (text.Contains("```", StringComparison.Ordinal) || StackFrame().IsMatch(text))
        {
            return true;
        }

        var marks = 0;
        marks += StatementEnd().IsMatch(text) ? 1 : 0;
        marks += text.Contains('{', StringComparison.Ordinal) && text.Contains('}', StringComparison.Ordinal) ? 1 : 0;
        marks += text.Contains("=>", StringComparison.Ordinal) || text.Contains("->", StringComparison.Ordinal) || text.Contains("==", StringComparison.Ordinal) ? 1 : 0;
        marks += Call().IsMatch(text) ? 1 : 0;
        marks += CodeKeyword().IsMatch(text) ? 1 : 0;
        return marks >= 2;
    }

    // "I'm in a hurry", "I am so tired", "feeling sick", "I'm running late": states that pass within hours. "Tired of"
    // and "sick of" are dislikes, not states.
    [GeneratedRegex(@"\b(i'?m|i am|i feel|feeling|i'?ve been|is|feels|has been)(\s+(so|really|very|a bit|a little|kind of|super|pretty|quite|just|still|too|currently))*\s+(in a (hurry|rush|meeting)|busy|tired|exhausted|sleepy|hungry|thirsty|sick|stressed|bored|running late|on my phone|driving|on the train|grumpy|distracted)\b(?!\s+(of|with)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TransientState();

    [GeneratedRegex(@"\b(right now|at the moment|for now|today|tonight|this (morning|afternoon|evening)|just now)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NowQualifier();

    // "I want pizza tonight", "I need a quick answer today": wishes tied to now. ("I'm starting a new job today" is an event.)
    [GeneratedRegex(@"\b(i want|i need|i'?d like|i'?d love|i feel like|i'?m craving|wants|needs)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FirstPersonWant();

    [GeneratedRegex(@"^\W*(if|what if|suppose|supposing|imagine|hypothetically|should i|would i|could i|do you think|maybe i should|i wonder|i might)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Hypothetical();

    [GeneratedRegex(@"^\W*(according to (the|this|that|a|an) (article|page|web ?page|website|site|post|blog|docs|documentation|search results?|wiki|wikipedia)|(the|this|that) (article|page|web ?page|website|post|blog|docs|documentation) (says|said|states|claims)|wikipedia says)|^\s*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Quoting();

    [GeneratedRegex(@"^\s*at [\w.<>$`]+\(.*\)|\b\w+(Exception|Error):|Traceback \(most recent call last\)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@";\s*($|\n)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StatementEnd();

    [GeneratedRegex(@"\b[A-Za-z_][\w.]*\([^()\n]*\)", RegexOptions.CultureInvariant)]
    private static partial Regex Call();

    [GeneratedRegex(@"(^|\n)\s*(def|function|class|public|private|var|let|const|import|from \S+ import|return|#include|using|SELECT|async)\b", RegexOptions.CultureInvariant)]
    private static partial Regex CodeKeyword();
}
