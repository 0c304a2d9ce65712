using SkMemory.Redaction;

namespace SkMemory.Tests.Redaction;

/// <summary>Each built-in rule on a positive and on the tricky negatives it must leave alone. All values are synthetic.</summary>
public sealed class PatternRuleTests
{
    [Theory]
    [InlineData("export OPENAI_API_KEY=sk-Ab3dEf9hIjKlMn0pQrStUvWx12yZaBcD3eFgHiJkLmN4", "openai_key", "api_key")]
    [InlineData("key sk-proj-Xy12Ab34Cd56Ef78Gh90Ij12Kl34Mn56T3BlbkFJOp78Qr90St12Uv34", "openai_key", "api_key")]
    [InlineData("ANTHROPIC_KEY=sk-ant-api03-aB1_cD2-eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6aB7cD8eF9gH0iJ1kL2mN3AA", "anthropic_key", "api_key")]
    [InlineData("token ghp_aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2 leaked", "github_token", "api_key")]
    [InlineData("github_pat_11ABCDEFG0123456789abc_DefGhiJklMnoPqrStuVwxYz0123456789AbCdEfGhIjKlMnOpQrStUvWx", "github_token", "api_key")]
    [InlineData("SLACK_BOT=xoxb-123456789012-123456789012-aB1cD2eF3gH4iJ5kL6mN7oP8", "slack_token", "api_key")]
    [InlineData("hook https://hooks.slack.com/services/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", "slack_webhook", "api_key")]
    [InlineData("stripe sk_live_aB1cD2eF3gH4iJ5kL6mN7oP8qR", "stripe_key", "api_key")]
    [InlineData("maps key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q in the page", "google_api_key", "api_key")]
    [InlineData("glpat-aB1cD2eF3gH4iJ5kL6mN", "gitlab_token", "api_key")]
    [InlineData("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", "sendgrid_key", "api_key")]
    [InlineData("NPM_TOKEN=npm_aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2", "npm_token", "api_key")]
    [InlineData("hf_aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1w", "huggingface_token", "api_key")]
    [InlineData("Authorization: Bearer aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV", "bearer_token", "api_key")]
    [InlineData("client_secret: \"Zk7Qp2Lm9Xv4Rt8Wn3Hy6Bd1\"", "secret_assignment", "api_key")]
    [InlineData("aws_access_key_id = AKIAZ2Y3X4W5V6U7T2S3", "aws_access_key_id", "aws_key")]
    [InlineData("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE12", "aws_secret_key", "aws_key")]
    [InlineData("postgresql://app:S3cretPa55@db.internal:5432/app", "url_password", "password")]
    [InlineData("Server=sql01;User Id=sa;Password=Xy7abc99;", "connection_string_password", "password")]
    [InlineData("my wifi password is Tr0ub4dor&3", "password_statement", "password")]
    [InlineData("card 4539 1488 0343 6467 exp 09/27", "credit_card", "credit_card")]
    [InlineData("amex 3782-822463-10005", "credit_card", "credit_card")]
    [InlineData("IBAN: DE89 3704 0044 0532 0130 00", "iban", "iban")]
    [InlineData("wire to GB82WEST12345698765432 today", "iban", "iban")]
    [InlineData("contact me at ana.garcia@example.com", "email", "email")]
    [InlineData("call me at +44 20 7946 0958", "phone_international", "phone")]
    [InlineData("office (415) 555-0132", "phone_nanp", "phone")]
    [InlineData("mobile: 07700 900123", "phone_national", "phone")]
    [InlineData("SSN: 536-22-1234", "us_ssn", "government_id")]
    [InlineData("social security number 536221234", "us_ssn_labelled", "government_id")]
    [InlineData("NI number AB 12 34 56 C", "uk_nino", "government_id")]
    [InlineData("use 9fQ2xLp0Zr7TqWv3Ys8BnK4mHd6JcE1u to unlock", "high_entropy", "high_entropy")]
    public void A_rule_finds_its_kind(string text, string ruleId, string kind)
    {
        var findings = MemoryRedactor.FindPatterns(text);

        var finding = Assert.Single(findings);
        Assert.Equal(ruleId, finding.RuleId);
        Assert.Equal(kind, finding.Kind);
    }

    [Fact]
    public void A_private_key_block_is_found_whole()
    {
        var key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Fq2bT9\nZk7Qp2Lm9Xv4Rt8Wn3Hy6Bd1\n-----END RSA PRIVATE KEY-----";
        var text = "deploy key:\n" + key + "\nthanks";

        var finding = Assert.Single(MemoryRedactor.FindPatterns(text));

        Assert.Equal("private_key", finding.Kind);
        Assert.Equal(key, text.Substring(finding.Start, finding.Length));
    }

    [Fact]
    public void A_jwt_is_found_and_a_look_alike_without_a_json_header_is_not()
    {
        var jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFuYSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

        Assert.Equal("jwt", Assert.Single(MemoryRedactor.FindPatterns("session " + jwt)).Kind);
        Assert.Empty(MemoryRedactor.FindPatterns("eyJub3RqdXN0.eyJzb21ldGhpbmc.abcdefghijklmnopqrstu"));
    }

    [Theory]
    [InlineData("request id 3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f")] // UUID
    [InlineData("commit 9fceb02d0ae598e95dc970b74767f19372d61af8")] // git SHA
    [InlineData("git checkout 3e4f5a1")] // short git SHA
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")] // hash
    [InlineData("we shipped 1,245,001 orders in Q3 2024")] // prose numbers
    [InlineData("Order #100234987 shipped on 2024-03-15T10:22:31Z")] // order number, date
    [InlineData("upgraded to 10.0.100-preview.7.24407.12")] // version
    [InlineData("ISBN 978-0-306-40615-7")] // ISBN
    [InlineData("card 4539 1488 0343 6468 was declined")] // Luhn fails
    [InlineData("gift card 9876 5432 1098 7652")] // no issuer prefix
    [InlineData("UPS 1Z999AA10123456784")] // tracking number
    [InlineData("payload SGVsbG8sIHdvcmxkISBUaGlzIGlzIGEgdGVzdC4gVGhlIHF1aWNrIGJyb3duIGZveA==")] // base64 of prose
    [InlineData("id 000-12-3456 and 666-12-3456 and 912-34-5678 and 123-45-6789")] // invalid SSNs
    [InlineData("reference QQ 12 34 56 C")] // invalid NINO prefix
    [InlineData("IBAN DE00 3704 0044 0532 0130 00 bounced")] // bad mod-97
    [InlineData("password: <your-password>")] // placeholder
    [InlineData("DB_PASSWORD=${DB_PASSWORD}")] // placeholder
    [InlineData("api_key=YOUR_API_KEY")] // placeholder
    [InlineData("the password is incorrect")] // prose
    [InlineData("icon@2x.png and npm i react@18.3.1")] // email look-alikes
    [InlineData("the score was 120-118, room 4021")] // phone look-alikes
    [InlineData("MemoryRedactionPolicyBuilderExtensions2024")] // identifier
    [InlineData("integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\"")] // SRI hash
    [InlineData("tenant/6c6bbd9b-5f71-4b82-8470-41a8d034d1ef/objects")] // path with a UUID
    [InlineData("customer cus_NffrFeUfNV2Hib9x opened a dispute")] // object id
    public void Tricky_negatives_are_not_flagged(string text)
    {
        Assert.Empty(MemoryRedactor.FindPatterns(text));
    }

    [Fact]
    public void Overlapping_findings_keep_the_surer_one()
    {
        // The AWS rule and the generic secret assignment both match the value; the AWS rule is surer.
        var findings = MemoryRedactor.FindPatterns("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE12");

        Assert.Equal("aws_secret_key", Assert.Single(findings).RuleId);
    }

    [Fact]
    public void A_quarter_megabyte_of_key_like_text_is_scanned_without_a_regex_timeout()
    {
        // Long runs of identifier characters, digits and separators: what makes a backtracking pattern blow up. A quarter
        // megabyte is enough to turn quadratic backtracking into minutes, and small enough that a linear scan stays far
        // inside the rules' match timeout on a loaded CI machine running every test project at once.
        var random = new Random(7);
        var blob = new string([.. Enumerable.Range(0, 1 << 18).Select(_ => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.+/"[random.Next(66)])]);
        var digits = string.Concat(Enumerable.Repeat("1234 5678 ", 25_000));
        var keys = string.Concat(Enumerable.Repeat("api_key_secret_token_", 12_000));

        _ = MemoryRedactor.FindPatterns(blob);
        _ = MemoryRedactor.FindPatterns(digits);
        Assert.Empty(MemoryRedactor.FindPatterns(keys));
    }

    [Fact]
    public void Luhn_and_mod97_checks_are_exact()
    {
        Assert.True(Checksums.Luhn("4539148803436467"));
        Assert.False(Checksums.Luhn("4539148803436468"));
        Assert.True(Checksums.IsIban("GB82 WEST 1234 5698 7654 32"));
        Assert.False(Checksums.IsIban("GB82 WEST 1234 5698 7654 33"));
        Assert.False(Checksums.IsIban("GB82WEST123456987654")); // wrong length for GB
    }
}
