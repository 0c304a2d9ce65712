namespace SkMemory.Storage.Postgres;

/// <summary>The schema-qualified names the store's SQL uses, so queries never depend on a connection's search path.</summary>
internal sealed class PostgresNames
{
    public PostgresNames(string schema, string vectorSchema, bool supportsIterativeScan = false)
    {
        Schema = schema;
        VectorSchema = vectorSchema;
        SupportsIterativeScan = supportsIterativeScan;
        var s = Quote(schema);
        Heads = s + ".memory_chain_heads";
        Events = s + ".memory_events";
        Objects = s + ".memory_objects";
        Embeddings = s + ".memory_embeddings";
        EmbeddingModels = s + ".memory_embedding_models";
        IngestionJobs = s + ".memory_ingestion_jobs";
        IngestedItems = s + ".memory_ingested_items";
        Migrations = s + ".schema_migrations";
        Reads = s + ".memory_reads";
        AccessDenials = s + ".memory_access_denials";
        Consents = s + ".memory_consents";
        ConsentChanges = s + ".memory_consent_changes";
        LegalHolds = s + ".memory_legal_holds";
        Vault = s + ".memory_vault";
        VaultReveals = s + ".memory_vault_reveals";
        Attestations = s + ".memory_attestations";
        ExternalLinks = s + ".memory_external_links";
        ApiKeys = s + ".memory_api_keys";
        ReviewItems = s + ".memory_review_items";
        VectorType = Quote(vectorSchema) + ".vector";
        CosineDistance = "OPERATOR(" + Quote(vectorSchema) + ".<=>)";
    }

    /// <summary>Gets the store's schema (unquoted).</summary>
    public string Schema { get; }

    /// <summary>Gets the schema the pgvector extension lives in (unquoted).</summary>
    public string VectorSchema { get; }

    /// <summary>Gets whether the server's pgvector (0.8+) has HNSW iterative scans, without which filtered ANN drops rows.</summary>
    public bool SupportsIterativeScan { get; }

    public string Heads { get; }

    public string Events { get; }

    public string Objects { get; }

    public string Embeddings { get; }

    public string EmbeddingModels { get; }

    public string IngestionJobs { get; }

    public string IngestedItems { get; }

    public string Migrations { get; }

    public string Reads { get; }

    public string AccessDenials { get; }

    public string Consents { get; }

    public string ConsentChanges { get; }

    public string LegalHolds { get; }

    public string Vault { get; }

    public string VaultReveals { get; }

    public string Attestations { get; }

    /// <summary>Gets the qualified <c>memory_external_links</c> table.</summary>
    public string ExternalLinks { get; }

    /// <summary>Gets the qualified <c>memory_api_keys</c> table.</summary>
    public string ApiKeys { get; }

    /// <summary>Gets the qualified <c>memory_review_items</c> table.</summary>
    public string ReviewItems { get; }

    /// <summary>Gets the qualified <c>vector</c> type.</summary>
    public string VectorType { get; }

    /// <summary>Gets pgvector's cosine distance operator, qualified.</summary>
    public string CosineDistance { get; }

    /// <summary>Quotes an identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
