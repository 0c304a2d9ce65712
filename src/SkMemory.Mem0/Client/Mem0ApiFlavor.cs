namespace SkMemory.Mem0;

/// <summary>Which of Mem0's two REST APIs a <see cref="Mem0Client"/> talks to.</summary>
public enum Mem0ApiFlavor
{
    /// <summary>The hosted Platform API: <c>Authorization: Token</c>, paths under <c>/v1/</c> and <c>/v3/</c> that end in a slash, and <c>app_id</c>.</summary>
    Platform,

    /// <summary>The self-hosted open-source server (<c>server/main.py</c>): <c>X-API-Key</c>, paths with no version and no trailing slash, and no <c>app_id</c>.</summary>
    OpenSource,
}
