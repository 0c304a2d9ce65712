using Npgsql;
using SkMemory.Storage.Postgres;
using SkMemory.Tests;

namespace SkMemory.Postgres.Tests;

/// <summary>What only the Postgres store has: migrations, concurrent start-up, the table layout, cross-process locking.</summary>
public sealed class PostgresStoreTests(PostgresFixture fixture)
{
    private static readonly string[] Tables = ["memory_chain_heads", "memory_events", "memory_objects", "memory_embeddings", "memory_embedding_models", "memory_reads", "memory_ingestion_jobs", "memory_ingested_items", "schema_migrations"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrations_are_applied_once_when_the_store_is_opened_again()
    {
        var schema = fixture.NewSchema();
        using (await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct))
        {
        }

        // applied_at is the applying transaction's now(): a migration applied again would show a later time.
        var migrations = await MigrationsAsync(schema);
        Assert.Equal(Enumerable.Range(1, PostgresSchema.CurrentVersion), migrations.Select(m => m.Version));

        using (await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct))
        {
        }

        await OpenAndDisposeAsync(schema, 6);
        Assert.Equal(migrations, await MigrationsAsync(schema));
    }

    [Fact]
    public async Task A_version_2_schema_gains_the_ingestion_tables_and_keeps_its_memories()
    {
        // A version 2 schema is a current one without what versions 3 (the ingestion job tables) and 4 (governance) added.
        var schema = fixture.NewSchema();
        Guid id;
        using (var store = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct))
        {
            id = (await store.WriteAsync(Write("acme", "likes tea"), Ct)).Record.Id;
        }

        var s = $"\"{schema}\"";
        await fixture.ExecuteAsync(
            $"""
            DROP TABLE {s}.memory_ingestion_jobs; DROP TABLE {s}.memory_ingested_items;
            DROP INDEX {s}.ix_memory_reads_reader; ALTER TABLE {s}.memory_reads DROP COLUMN operation;
            DROP TABLE {s}.memory_access_denials, {s}.memory_consents, {s}.memory_consent_changes, {s}.memory_legal_holds,
                {s}.memory_vault, {s}.memory_vault_reveals, {s}.memory_attestations, {s}.memory_external_links, {s}.memory_api_keys, {s}.memory_review_items;
            DELETE FROM {s}.schema_migrations WHERE version >= 3;
            """);

        using var upgraded = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], (await MigrationsAsync(schema)).Select(m => m.Version));
        Assert.NotNull(upgraded.GetService(typeof(IMemoryConsentStore)));
        Assert.Empty(await ((IMemoryExternalLinks)upgraded.GetService(typeof(IMemoryExternalLinks))!).ListAsync("mem0", "acme", Ct));
        Assert.Equal("likes tea", (await upgraded.GetAsync("acme", id, Ct))!.Value.Text);
        var jobs = (IMemoryIngestionJobStore)upgraded.GetService(typeof(IMemoryIngestionJobStore))!;
        await jobs.MarkIngestedAsync("acme", "ing_1", ["msg:1"], Ct);
        Assert.Equal(["msg:1"], await jobs.FindIngestedAsync("acme", ["msg:1", "msg:2"], Ct));
    }

    [Fact]
    public async Task Stores_opening_the_same_fresh_schema_at_once_all_succeed()
    {
        // Every migration inserts its version, the primary key: a migration two stores both applied would fail one open.
        var schema = fixture.NewSchema();
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct), Ct)));
        try
        {
            Assert.Equal(Enumerable.Range(1, PostgresSchema.CurrentVersion), (await MigrationsAsync(schema)).Select(m => m.Version));
            var written = await Task.WhenAll(stores.Select((store, i) => store.WriteAsync(Write("acme", $"fact number {i}"), Ct)));
            Assert.All(written, w => Assert.Equal(MemoryWriteOutcome.Created, w.Outcome));
            Assert.True((await stores[0].VerifyAsync("acme", Ct)).IsValid);
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_tables_exist_with_the_documented_column_types()
    {
        var schema = fixture.NewSchema();
        using var store = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        var rows = await fixture.QueryAsync(
            "SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE table_schema = @schema",
            ("schema", schema));
        var columns = rows.ToDictionary(r => $"{r[0]}.{r[1]}", r => (string)r[2]!);
        foreach (var table in Tables)
        {
            Assert.Contains(columns.Keys, k => k.StartsWith(table + ".", StringComparison.Ordinal));
        }

        Assert.Equal("vector", columns["memory_embeddings.embedding"]);
        Assert.Equal("text", columns["memory_events.payload"]);
        Assert.Equal("uuid", columns["memory_events.event_id"]);
        Assert.Equal("int8", columns["memory_events.global_position"]);
        Assert.Equal("timestamptz", columns["memory_events.occurred_at"]);
        Assert.Equal("jsonb", columns["memory_objects.metadata"]);
        Assert.Equal("tsvector", columns["memory_objects.search_vector"]);
        Assert.Equal("text", columns["memory_objects.record"]);
        Assert.Equal("bool", columns["memory_reads.injected"]);
        Assert.Equal("float8", columns["memory_reads.score"]);
        Assert.Equal("text", columns["memory_ingestion_jobs.job"]);
        Assert.Equal("timestamptz", columns["memory_ingestion_jobs.created_at"]);
        Assert.Equal("timestamptz", columns["memory_ingested_items.ingested_at"]);

        var indexes = (await fixture.QueryAsync("SELECT indexname FROM pg_indexes WHERE schemaname = @schema", ("schema", schema)))
            .Select(r => (string)r[0]!).ToHashSet();
        Assert.Contains("ux_memory_objects_idempotency", indexes);
        Assert.Contains("ix_memory_objects_search", indexes);
        Assert.Contains("ix_memory_objects_metadata", indexes);
        Assert.Contains("ix_memory_embeddings_model", indexes);
        Assert.Contains("ix_memory_events_memory", indexes);
        Assert.Contains("ix_memory_ingestion_jobs_created", indexes);
        Assert.Contains("ix_memory_ingestion_jobs_state", indexes);
    }

    [Fact]
    public async Task Two_stores_on_one_schema_share_one_chain_and_honor_one_idempotency_key()
    {
        var schema = fixture.NewSchema();
        using var first = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        using var second = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        var request = Write("acme", "the deploy window is friday") with { IdempotencyKey = "key-1" };
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? first : second).WriteAsync(request, Ct)));
        Assert.Single(results, r => r.Outcome == MemoryWriteOutcome.Created);
        Assert.All(results, r => Assert.Equal(results[0].Record.Id, r.Record.Id));

        var dupes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? first : second).WriteAsync(Write("acme", "same content"), Ct)));
        Assert.Single(dupes, r => r.Outcome == MemoryWriteOutcome.Created);

        var verification = await second.VerifyAsync(cancellationToken: Ct);
        Assert.True(verification.IsValid);
        Assert.Equal(2, verification.EventCount);
    }

    [Fact]
    public async Task A_rolled_back_write_leaves_no_tenant_behind()
    {
        var schema = fixture.NewSchema();
        using var store = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.UpdateAsync(
            new MemoryUpdateRequest { Tenant = "ghost", Id = Guid.NewGuid(), ExpectedVersion = 1, Actor = MemoryActor.User("u"), Value = "x" },
            Ct));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.DeleteAsync(
            new MemoryDeleteRequest { Tenant = "ghost", Id = Guid.NewGuid(), Actor = MemoryActor.User("u"), Reason = "test" },
            Ct));

        var verification = await store.VerifyAsync(cancellationToken: Ct);
        Assert.Equal(0, verification.TenantCount);
        var export = new MemoryStream();
        var exported = await store.ExportAsync(export, cancellationToken: Ct);
        Assert.Empty(exported.Tenants);
        Assert.Empty(await fixture.QueryAsync($"SELECT tenant FROM \"{schema}\".memory_chain_heads WHERE sequence > 0"));
    }

    [Fact]
    public async Task A_text_query_of_stop_words_only_finds_nothing()
    {
        // PostgreSQL's english text search drops stop words: a query of nothing else has no terms, though the memory
        // contains every one of its words. (Text, vector and filtered search themselves are conformance facts.)
        using var store = await fixture.OpenStoreAsync(cancellationToken: Ct);
        var deploy = await store.WriteAsync(Write("acme", "the deploy window is at the end of friday and the team knows"), Ct);

        Assert.Empty(await store.SearchAsync(new MemorySearchRequest { Tenant = "acme", Text = "the and of", Mode = MemorySearchMode.Text }, Ct));
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = "acme", Text = "the deploy and the end of friday", Mode = MemorySearchMode.Text }, Ct);
        Assert.Equal(deploy.Record.Id, Assert.Single(hits).Record.Id);
    }

    [Fact]
    public async Task A_caller_owned_data_source_is_used_and_left_open()
    {
        var builder = new NpgsqlDataSourceBuilder(fixture.ConnectionString);
        builder.UseVector();
        await using var dataSource = builder.Build();
        var store = await PostgresMemoryStore.OpenAsync(
            new PostgresMemoryStoreOptions { DataSource = dataSource, Schema = fixture.NewSchema(), EmbeddingGenerator = new TestEmbeddingGenerator() },
            cancellationToken: Ct);
        var written = await store.WriteAsync(Write("acme", "a memory"), Ct);
        store.Dispose();
        await using var command = dataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await command.ExecuteScalarAsync(Ct));
        Assert.Equal(MemoryWriteOutcome.Created, written.Outcome);
    }

    [Fact]
    public async Task Metadata_names_the_server_without_secrets()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Password = "s3cret-value" }.ConnectionString;
        var schema = fixture.NewSchema();
        using var store = await PostgresMemoryStore.OpenAsync(new PostgresMemoryStoreOptions { ConnectionString = connectionString, Schema = schema }, cancellationToken: Ct);
        var metadata = Assert.IsType<MemoryStoreMetadata>(store.GetService(typeof(MemoryStoreMetadata)));
        Assert.Equal("postgres", metadata.ProviderName);
        Assert.Contains(schema, metadata.Location, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", metadata.Location, StringComparison.Ordinal);
        Assert.Equal(schema, store.Schema);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("has-dash")]
    [InlineData("pg_catalog")]
    [InlineData("1starts_with_digit")]
    public async Task Invalid_schema_names_are_rejected(string schema)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            PostgresMemoryStore.OpenAsync(new PostgresMemoryStoreOptions { ConnectionString = fixture.ConnectionString, Schema = schema }, cancellationToken: Ct));
        Assert.Equal("Schema", ex.ParamName);
    }

    [Fact]
    public async Task Exactly_one_of_connection_string_and_data_source_is_required()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresMemoryStore.OpenAsync(new PostgresMemoryStoreOptions(), cancellationToken: Ct));
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresMemoryStore.OpenAsync(
            new PostgresMemoryStoreOptions { ConnectionString = fixture.ConnectionString, DataSource = dataSource },
            cancellationToken: Ct));
    }

    private static MemoryWriteRequest Write(string tenant, string text) => new()
    {
        Tenant = tenant,
        Type = MemoryTypes.Fact,
        Subject = "user-1",
        Actor = MemoryActor.User("user-1"),
        Value = text,
    };

    private async Task<List<(int Version, DateTime AppliedAt)>> MigrationsAsync(string schema) =>
        (await fixture.QueryAsync($"SELECT version, applied_at FROM \"{schema}\".schema_migrations ORDER BY version"))
            .Select(r => ((int)r[0]!, (DateTime)r[1]!))
            .ToList();

    private async Task OpenAndDisposeAsync(string schema, int count)
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct), Ct)));
        foreach (var store in stores)
        {
            store.Dispose();
        }
    }
}
