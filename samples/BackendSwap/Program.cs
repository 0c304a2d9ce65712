using BackendSwap;

// One Semantic Kernel agent, run unchanged on the embedded SQLite store, then on PostgreSQL (when SKMEMORY_SAMPLE_POSTGRES
// holds a connection string; the SQLite store's canonical export is imported first), then Mem0 (when SKMEMORY_SAMPLE_MEM0 holds its address; the same export is imported).
return await BackendSwapSample.MainAsync(args, Environment.GetEnvironmentVariable, Console.Out).ConfigureAwait(false);
