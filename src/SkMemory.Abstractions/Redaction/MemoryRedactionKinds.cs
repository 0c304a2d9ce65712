namespace SkMemory;

/// <summary>The kinds of sensitive data the built-in rules find. Classifiers may report other kinds (<c>[a-z0-9_]+</c>).</summary>
public static class MemoryRedactionKinds
{
    /// <summary>An API key or access token of a known provider, or a value assigned to a secret-named setting.</summary>
    public const string ApiKey = "api_key";

    /// <summary>An AWS access key id or secret access key.</summary>
    public const string AwsKey = "aws_key";

    /// <summary>A JSON Web Token.</summary>
    public const string Jwt = "jwt";

    /// <summary>A PEM or OpenSSH private key block.</summary>
    public const string PrivateKey = "private_key";

    /// <summary>A password in a connection string, a URL or a <c>password: …</c> statement.</summary>
    public const string Password = "password";

    /// <summary>A payment card number (Luhn-checked, known issuer prefix).</summary>
    public const string CreditCard = "credit_card";

    /// <summary>An IBAN (country length and mod-97 checked).</summary>
    public const string Iban = "iban";

    /// <summary>An email address.</summary>
    public const string Email = "email";

    /// <summary>A phone number.</summary>
    public const string Phone = "phone";

    /// <summary>A government id: US SSN (invalid ranges excluded), UK NINO.</summary>
    public const string GovernmentId = "government_id";

    /// <summary>A random-looking string with no known shape (a secret nobody labelled).</summary>
    public const string HighEntropy = "high_entropy";

    /// <summary>Gets every built-in kind.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ApiKey, AwsKey, Jwt, PrivateKey, Password, CreditCard, Iban, Email, Phone, GovernmentId, HighEntropy];
}
