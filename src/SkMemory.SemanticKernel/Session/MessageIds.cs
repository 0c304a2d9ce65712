using System.Security.Cryptography;
using System.Text;
using Microsoft.SemanticKernel;

namespace SkMemory.SemanticKernel;

/// <summary>
/// Message ids for evidence: the id the message carries, or a stable one derived from the session, role and text, so the
/// provenance a memory function records and the messages capture ingests name the same message.
/// </summary>
internal static class MessageIds
{
    /// <summary>The id an SK message carries in its metadata (<c>MessageId</c>, as SK's M.E.AI bridge puts it), or null.</summary>
    public static string? FromMetadata(ChatMessageContent? message) =>
        message?.Metadata is { } metadata && metadata.TryGetValue("MessageId", out var value) ? value as string : null;

    public static string Of(string? id, string? session, string role, string text)
    {
        if (!string.IsNullOrWhiteSpace(id))
        {
            return id;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{session}\n{role}\n{text}"));
        return "msg_" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
