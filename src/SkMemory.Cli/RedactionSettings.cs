using SkMemory.Redaction;

namespace SkMemory.Cli;

/// <summary>The redaction the CLI applies: the policy file (--redaction-policy or its variable) and the vault key.</summary>
internal static class RedactionSettings
{
    /// <summary>Loads the policy and key, before the store is opened, so a bad file or key changes nothing.</summary>
    /// <param name="context">The command's context.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The redaction options.</returns>
    /// <exception cref="CliException">The policy file is missing or invalid, or the key is not base64 of 16, 24 or 32 bytes.</exception>
    public static async Task<MemoryRedactionOptions> LoadAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = new MemoryRedactionOptions();
        if (context.RedactionPolicyPath is { } path)
        {
            if (!File.Exists(path))
            {
                throw CliException.Invalid("redaction_policy", $"there is no redaction policy file at {Path.GetFullPath(path)}", $"check --redaction-policy or ${GlobalOptions.RedactionPolicyVariable}; docs/redaction.md shows the format");
            }

            try
            {
                options.Policy = await MemoryRedactionPolicy.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (MemoryValidationException ex)
            {
                throw CliException.Invalid("redaction_policy", $"the redaction policy {path} is invalid: {ex.Message}", "fix the file (docs/redaction.md shows the format) and run the command again");
            }
        }

        if (Environment.GetEnvironmentVariable(GlobalOptions.VaultKeyVariable) is { Length: > 0 } key)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
                bytes = [];
            }

            options.VaultKey = bytes.Length is 16 or 24 or 32
                ? bytes
                : throw CliException.Invalid("vault_key", $"${GlobalOptions.VaultKeyVariable} is not base64 of a 16, 24 or 32-byte key", "make one with 'openssl rand -base64 32' and keep it outside the database");
        }

        return options;
    }
}
