namespace SkMemory.Cli;

/// <summary>The process exit codes of <c>skmem</c>; scripts rely on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a bug, or an environment problem skmem does not recognize).</summary>
    public const int Unexpected = 1;

    /// <summary>The command line or a value in it is invalid.</summary>
    public const int Usage = 2;

    /// <summary>The memory does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>The change conflicts with the store: version, idempotency key, duplicate content or status.</summary>
    public const int Conflict = 4;

    /// <summary>The hash chain does not verify.</summary>
    public const int VerifyFailed = 5;

    /// <summary>The import file was rejected; nothing was imported.</summary>
    public const int ImportRejected = 6;

    /// <summary>The store, or a service the command needs (an embedding or chat model endpoint), could not be opened or reached.</summary>
    public const int StoreUnavailable = 7;

    /// <summary>
    /// An ingestion job failed (the extractor's model or the store failed mid-run); the job keeps its input and
    /// <c>skmem ingest run &lt;job-id&gt;</c> runs it again.
    /// </summary>
    public const int JobFailed = 8;

    /// <summary>The policy refused the operation: the caller's identity, the subject's consent, a redaction rule, or a legal hold.</summary>
    public const int Denied = 9;

    /// <summary>An eval run missed a service-level objective, or an objective's slice was not measured (<c>skmem eval --slo</c>).</summary>
    public const int SloMissed = 10;

    /// <summary>The command was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
