namespace SkMemory;

/// <summary>
/// How a store turns retriever hits into results: weighted reciprocal rank fusion of the vector and full-text lists,
/// then recency decay, salience and confidence, then a reranker.
/// </summary>
public sealed class MemoryRetrievalOptions
{
    /// <summary>
    /// Gets or sets the reciprocal rank fusion constant <c>k</c> in <c>weight / (k + rank)</c>. Default 20: on the LoCoMo
    /// development split k = 20 with context weight 0.4 reached evidence recall@10 0.706 against 0.642 for the customary 60 with 0.3 (docs/benchmarks.md), because the
    /// first few ranks of each retriever deserve more weight than 60 gives them.
    /// </summary>
    public double RrfK { get; set; } = 20;

    /// <summary>Gets or sets the weight of the vector (semantic) list in the fusion. Default 1.</summary>
    public double SemanticWeight { get; set; } = 1;

    /// <summary>Gets or sets the weight of the full-text (lexical) list in the fusion. Default 1.</summary>
    public double LexicalWeight { get; set; } = 1;

    /// <summary>
    /// Gets or sets how much each retriever fetches, as a multiple of the requested top (at least <see cref="MinCandidates"/>).
    /// Default 4.
    /// </summary>
    public int CandidateMultiplier { get; set; } = 4;

    /// <summary>Gets or sets the least number of candidates each retriever fetches. Default 40.</summary>
    public int MinCandidates { get; set; } = 40;

    /// <summary>
    /// Gets or sets the weight of conversational context: a memory written just before or after a strong match, in the
    /// same subject and under the same filters, gains this share of the match's fused score (and is fetched if no
    /// retriever found it), so the answer that follows a question is found with it. 0 turns it off. Default 0.4
    /// (LoCoMo, k = 60 with MMR: evidence recall@10 0.642 with context 0.3, 0.598 without).
    /// </summary>
    public double NeighborWeight { get; set; } = 0.4;

    /// <summary>Gets or sets how many of the best fused candidates bring in their neighbours. Default 20.</summary>
    public int NeighborSources { get; set; } = 20;

    /// <summary>
    /// Gets or sets how strongly a memory's decay policy lowers its score, from 0 (ignore decay) to 1 (relevance halves
    /// every half-life, as the policy says). Default 1.
    /// </summary>
    public double DecayWeight { get; set; } = 1;

    /// <summary>
    /// Gets or sets how much salience moves the score: the factor is <c>1 + weight × (2 × salience − 1)</c>, so salience 0.5
    /// is neutral. From 0 to 1; default 0.2.
    /// </summary>
    public double SalienceWeight { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets how much low confidence lowers the score: the factor is <c>1 − weight × (1 − confidence)</c>. From 0 to 1;
    /// default 0.2.
    /// </summary>
    public double ConfidenceWeight { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets the reranker, or null for none (results by relevance). Default: maximal marginal relevance
    /// (<see cref="MaximalMarginalRelevanceReranker"/>), which keeps near-duplicates from crowding out other memories.
    /// </summary>
    public IMemoryReranker? Reranker { get; set; } = new MaximalMarginalRelevanceReranker();

    /// <summary>Gets or sets how many of the best candidates the reranker sees, as a multiple of the requested top. Default 3.</summary>
    public int RerankWindowMultiplier { get; set; } = 3;

    /// <summary>Gets or sets the least number of candidates the reranker sees. Default 30.</summary>
    public int RerankWindow { get; set; } = 30;

    /// <summary>Checks the options and throws a specific error for the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Check(RrfK is >= 0 and <= 10_000 && double.IsFinite(RrfK), nameof(RrfK), "between 0 and 10000", RrfK);
        Check(SemanticWeight is >= 0 and <= 100, nameof(SemanticWeight), "between 0 and 100", SemanticWeight);
        Check(LexicalWeight is >= 0 and <= 100, nameof(LexicalWeight), "between 0 and 100", LexicalWeight);
        Check(SemanticWeight + LexicalWeight > 0, nameof(SemanticWeight), "positive for at least one of SemanticWeight and LexicalWeight", SemanticWeight);
        Check(CandidateMultiplier is >= 1 and <= 100, nameof(CandidateMultiplier), "between 1 and 100", CandidateMultiplier);
        Check(MinCandidates is >= 1 and <= 10_000, nameof(MinCandidates), "between 1 and 10000", MinCandidates);
        Check(NeighborWeight is >= 0 and <= 1, nameof(NeighborWeight), "between 0 and 1", NeighborWeight);
        Check(NeighborSources is >= 0 and <= 1000, nameof(NeighborSources), "between 0 and 1000", NeighborSources);
        Check(DecayWeight is >= 0 and <= 1, nameof(DecayWeight), "between 0 and 1", DecayWeight);
        Check(SalienceWeight is >= 0 and <= 1, nameof(SalienceWeight), "between 0 and 1", SalienceWeight);
        Check(ConfidenceWeight is >= 0 and <= 1, nameof(ConfidenceWeight), "between 0 and 1", ConfidenceWeight);
        Check(RerankWindowMultiplier is >= 1 and <= 100, nameof(RerankWindowMultiplier), "between 1 and 100", RerankWindowMultiplier);
        Check(RerankWindow is >= 1 and <= 10_000, nameof(RerankWindow), "between 1 and 10000", RerankWindow);

        static void Check(bool valid, string name, string range, double value)
        {
            if (!valid)
            {
                throw new ArgumentException($"{name} must be {range}; it is {value}.", name);
            }
        }
    }
}
