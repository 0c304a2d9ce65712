using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.Governance;

namespace SkMemory.SemanticKernel;

/// <summary>Options of <c>services.AddSkMemory(...)</c>; validated when they are registered.</summary>
public sealed class SkMemoryOptions
{
    /// <summary>Gets or sets how packets are built: token budget, tokenizer model, candidates, search mode.</summary>
    public MemoryContextOptions Context { get; set; } = new();

    /// <summary>
    /// Gets or sets a value indicating whether the store is wrapped in the access policy, with the current
    /// <see cref="MemorySession"/> as the caller. True by default; turn off only when the store is governed already.
    /// </summary>
    public bool AccessControl { get; set; } = true;

    /// <summary>Gets or sets the access policy's options (consent-required scopes...), or null for the defaults.</summary>
    public Action<MemoryAccessOptions>? ConfigureAccess { get; set; }

    /// <summary>Gets or sets a value indicating whether turns are captured in the background. True by default.</summary>
    public bool Capture { get; set; } = true;

    /// <summary>Gets or sets how many turns may wait for capture before new ones are dropped (and logged). 1000 by default.</summary>
    public int CaptureCapacity { get; set; } = 1000;

    /// <summary>Gets or sets the capture pipeline's options (gate, resolver, redaction).</summary>
    public MemoryCaptureOptions CaptureOptions { get; set; } = new();

    /// <summary>Gets or sets a value indicating whether <see cref="MemoryPlugin"/> is registered as a <c>KernelPlugin</c> (named <c>memory</c>). True by default.</summary>
    public bool RegisterPlugin { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="MemoryPromptRenderFilter"/> is registered for prompt functions. False
    /// by default: turn it on when prompts run on an SK connector without <c>UseSkMemory</c> on their chat client.
    /// </summary>
    public bool PromptRenderFilter { get; set; }

    /// <summary>Gets or sets the session used when the flow sets none (a single-user app); or null.</summary>
    public MemorySession? DefaultSession { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Context is null)
        {
            throw new ArgumentException("Context must be set (it holds the token budget and the tokenizer model).", nameof(Context));
        }

        Context.Validate();
        if (CaptureOptions is null)
        {
            throw new ArgumentException("CaptureOptions must be set; leave the default for the standard gate.", nameof(CaptureOptions));
        }

        if (CaptureCapacity is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"CaptureCapacity must be between 1 and 1000000; it is {CaptureCapacity}.", nameof(CaptureCapacity));
        }
    }
}
