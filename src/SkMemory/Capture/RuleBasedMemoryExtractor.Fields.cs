using System.Text;
using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>Structured input: JSON fields of a tool output (<c>"email": "…"</c>) and "Field: value" lines of a profile.</summary>
public sealed partial class RuleBasedMemoryExtractor
{
    /// <summary>Reads the item's fields.</summary>
    /// <param name="item">The item.</param>
    /// <param name="found">Where candidates go.</param>
    /// <param name="consumed">Receives the "Field: value" lines read, so the prose reader skips them.</param>
    /// <returns>Whether the item is JSON and was read as fields only.</returns>
    private static bool ReadFields(SourceItem item, CandidateSet found, List<Span> consumed)
    {
        var text = item.Text;
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            // A record names its person in a "name" field when the request names no subject.
            var subject = item.FirstPerson ?? item.KnownSubject ?? (JsonName().Match(text) is { Success: true } name ? name.Groups["v"].Value.Trim() : null);
            if (string.IsNullOrWhiteSpace(subject))
            {
                return true;
            }

            foreach (Match field in JsonField().Matches(text))
            {
                var value = field.Groups["s"].Success ? field.Groups["s"].Value : field.Groups["n"].Value;
                if (Field(field.Groups["k"].Value, value.Trim(), subject) is { } proposal)
                {
                    EmitField(item, subject, field.Value, proposal, found);
                }
            }

            return true;
        }

        var person = item.FirstPerson ?? item.KnownSubject;
        if (person is null)
        {
            return false;
        }

        foreach (Match line in FieldLine().Matches(text))
        {
            if (Field(line.Groups["k"].Value, line.Groups["v"].Value.Trim(), person) is { } proposal)
            {
                consumed.Add(new Span(line.Index, line.Length));
                EmitField(item, person, line.Value.Trim(), proposal, found);
            }
        }

        return false;
    }

    private static void EmitField(SourceItem item, string subject, string quote, Proposal proposal, CandidateSet found)
    {
        if (FirstPersonLeft().IsMatch(proposal.Text))
        {
            // A field value is kept as written, so one that speaks as "I" cannot become a memory's text.
            return;
        }

        found.Add(new MemoryCandidate
        {
            Type = proposal.Type,
            Subject = subject,
            Value = new MemoryValue(proposal.Text, proposal.Structured),
            Source = item.Source,
            Confidence = proposal.Confidence,
            Salience = proposal.Salience,
            Evidence = item.Evidence with { QuotedSpans = [quote] },
            Key = proposal.Key,
            Signals = item.Signals.Concat(proposal.Signals).Distinct().ToList(),
            Extractor = ExtractorName,
        });
    }

    /// <summary>What a named field says about the subject, or null for fields that say nothing durable (ids of records, statuses).</summary>
    private static Proposal? Field(string name, string value, string subject)
    {
        var words = FieldWords(name);
        if (words.Count > 1 && words[0] is "my" or "user" or "customer" or "client" && !(words.Count == 2 && words[1] is "id" or "number"))
        {
            words.RemoveAt(0);
        }

        var key = string.Concat(words);
        if (value.Length == 0 || value.Length > 200 || value.ToLowerInvariant() is "null" or "none" or "n/a" or "na" or "unknown" or "-" or "false" or "true")
        {
            return null;
        }

        var possessive = Possessive(subject);
        const double Confidence = 0.85;
        switch (key)
        {
            case "email" or "emailaddress" or "mail" or "primaryemail" or "personalemail" or "workemail" when EmailAddress().Match(value) is { Success: true } email && email.Length == value.Length:
                var work = key == "workemail";
                return new Proposal(MemoryTypes.Identifier, possessive + (work ? " work email is " : " email is ") + value)
                {
                    Key = work ? "identifier:work_email" : "identifier:email",
                    Structured = StructuredValue("email", value),
                    Confidence = Confidence,
                    Salience = 0.6,
                };
            case "phone" or "phonenumber" or "mobile" or "cell" or "cellphone" or "tel" or "telephone" or "mobilephone" or "mobilenumber" when value.Count(char.IsDigit) >= 7 || PhoneVaultToken().IsMatch(value):
                return new Proposal(MemoryTypes.Identifier, possessive + " phone number is " + value) { Key = "identifier:phone", Structured = StructuredValue("phone", value), Confidence = Confidence, Salience = 0.6 };
            case "username" or "login" or "handle" or "userhandle" or "screenname":
                return new Proposal(MemoryTypes.Identifier, possessive + " username is " + value) { Key = "identifier:username", Structured = StructuredValue("username", value), Confidence = Confidence, Salience = 0.55 };
            case "city" or "homecity" or "location" or "town" or "residence" or "currentcity":
                return new Proposal(MemoryTypes.Fact, subject + " lives in " + value) { Key = "fact:home_city", Confidence = Confidence, Salience = 0.6 };
            case "hometown":
                return new Proposal(MemoryTypes.Fact, subject + " is from " + value) { Key = "fact:hometown", Confidence = Confidence, Salience = 0.5 };
            case "employer" or "company" or "organization" or "organisation" or "workplace" or "companyname":
                return new Proposal(MemoryTypes.Fact, subject + " works at " + value) { Key = "fact:employer", Confidence = Confidence, Salience = 0.6 };
            case "jobtitle" or "title" or "occupation" or "position" or "job" or "profession":
                return new Proposal(MemoryTypes.Fact, subject + " works as " + value) { Key = "fact:job_title", Confidence = Confidence, Salience = 0.6 };
            case "birthday" or "dateofbirth" or "dob" or "birthdate":
                return new Proposal(MemoryTypes.Fact, possessive + " birthday is " + value) { Key = "fact:birthday", Confidence = Confidence, Salience = 0.6 };
            case "age" when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var age) && age is >= 1 and <= 120:
                return new Proposal(MemoryTypes.Fact, subject + " is " + value + " years old") { Key = "fact:age", Confidence = Confidence, Salience = 0.4 };
            case "timezone" or "tz":
                return new Proposal(MemoryTypes.Fact, possessive + " time zone is " + value) { Key = "fact:timezone", Confidence = Confidence, Salience = 0.5 };
            case "pronouns":
                return new Proposal(MemoryTypes.Fact, possessive + " pronouns are " + value) { Key = "fact:pronouns", Confidence = Confidence, Salience = 0.7 };
            case "tier" or "plan" or "membershiptier" or "loyaltytier" or "membership" or "subscription" or "subscriptionplan":
                return new Proposal(MemoryTypes.Fact, possessive + " " + string.Join(' ', words) + " is " + value) { Key = "fact:" + string.Join('_', words), Confidence = Confidence, Salience = 0.45 };
            case "allergies" or "allergy" or "allergens":
                return new Proposal(MemoryTypes.Constraint, subject + " is allergic to " + value) { Confidence = Confidence, Salience = 0.95 };
            case "diet" or "dietaryrestrictions" or "dietaryrestriction" or "dietarypreference" or "dietaryneeds":
                return new Proposal(MemoryTypes.Constraint, possessive + " diet is " + value) { Key = "constraint:diet", Confidence = Confidence, Salience = 0.85 };
            case "shippingaddress" or "deliveryaddress":
                return new Proposal(MemoryTypes.Asset, possessive + " shipping address is " + value) { Key = "asset:shipping_address", Confidence = Confidence, Salience = 0.7 };
            case "address" or "homeaddress" or "mailingaddress" or "postaladdress":
                return new Proposal(MemoryTypes.Asset, possessive + " home address is " + value) { Key = "asset:home_address", Confidence = Confidence, Salience = 0.7 };
            case "billingaddress":
                return new Proposal(MemoryTypes.Asset, possessive + " billing address is " + value) { Key = "asset:billing_address", Confidence = Confidence, Salience = 0.7 };
            case "car" or "vehicle":
                return new Proposal(MemoryTypes.Asset, possessive + " car is " + value) { Key = "asset:car", Confidence = Confidence, Salience = 0.5 };
            case "languages" or "spokenlanguages":
                return new Proposal(MemoryTypes.Skill, subject + " speaks " + value) { Confidence = Confidence, Salience = 0.5 };
            case "language" or "preferredlanguage":
                return new Proposal(MemoryTypes.Preference, subject + " prefers " + value) { Key = "preference:language", Confidence = Confidence, Salience = 0.55 };
        }

        if (words.Count > 1 && words[0] is "favorite" or "favourite" or "fav" or "preferred")
        {
            var slot = string.Join(' ', words.Skip(1));
            var label = words[0] == "preferred" ? "preferred" : "favorite";
            return new Proposal(MemoryTypes.Preference, possessive + " " + label + " " + slot + " is " + value)
            {
                Key = "preference:" + (label == "favorite" ? "favorite_" : string.Empty) + string.Join('_', words.Skip(1)),
                Confidence = Confidence,
                Salience = 0.5,
            };
        }

        var platformWords = words.Count > 1 && words[^1] is "handle" or "username" or "login" or "user" or "account" or "id" ? words.Take(words.Count - 1) : words;
        if (PlatformNames.TryGetValue(string.Concat(platformWords), out var platform))
        {
            return new Proposal(MemoryTypes.Identifier, possessive + " " + platform.Display + " handle is " + value) { Key = "identifier:" + platform.Key, Structured = StructuredValue(platform.Key, value), Confidence = Confidence, Salience = 0.55 };
        }

        if (words.Count == 2 && words[0] is "customer" or "account" or "employee" or "member" or "membership" or "loyalty" or "student" or "patient" or "client" or "subscriber" && words[1] is "id" or "number" && value.Any(char.IsDigit))
        {
            var kind = words[0] + "_id";
            return new Proposal(MemoryTypes.Identifier, possessive + " " + words[0] + " " + (words[1] == "id" ? "ID" : "number") + " is " + value) { Key = "identifier:" + kind, Structured = StructuredValue(kind, value), Confidence = Confidence, Salience = 0.6 };
        }

        return null;
    }

    /// <summary>Splits a field name into lower-case words: "dateOfBirth", "date_of_birth" and "Date of birth" are all date, of, birth.</summary>
    private static List<string> FieldWords(string name)
    {
        var spaced = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                spaced.Append(' ');
            }

            spaced.Append(name[i]);
        }

        return MemoryWords.Split(spaced.ToString()).ToList();
    }

    [GeneratedRegex(@"""(?<k>[A-Za-z_][\w.-]*)""\s*:\s*(?:""(?<s>[^""\\\r\n]*)""|(?<n>-?\d+(?:\.\d+)?)\b)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex JsonField();

    [GeneratedRegex(@"""(?:name|full_?name|customer_?name|display_?name)""\s*:\s*""(?<v>[^""\\\r\n]+)""", Options)]
    private static partial Regex JsonName();

    // "Email: ana@example.org", "- Home city: Lisbon": a field name of a few words, a colon, a value, on one line.
    [GeneratedRegex(@"^[ \t]*(?:[-*•][ \t]*)?(?<k>[A-Za-z][A-Za-z _'’-]{0,30}?)[ \t]*[:=][ \t]*(?<v>[^\r\n]*[^\s])[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex FieldLine();
}
