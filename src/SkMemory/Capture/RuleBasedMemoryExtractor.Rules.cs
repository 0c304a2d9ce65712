using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>The rules: a pattern over a first-person clause, and what it proposes.</summary>
public sealed partial class RuleBasedMemoryExtractor
{
    private const string Lead = @"(?:(?:just|recently|finally|also|now|actually|officially|already|even|since)\s+)*";
    private const string Degree = @"(?:(?:really|very|pretty|quite|super|extremely|fairly|reasonably|also|now|totally|completely|highly|somewhat|kind\s+of|sort\s+of|so|still)\s+)*";
    private const string Liking = @"(?:(?:really|absolutely|totally|truly|genuinely|honestly|just|also|still|definitely|actually|especially|particularly|generally|mostly|now|kind\s+of|sort\s+of|kinda|probably|do|seriously|simply|certainly|always|deeply|secretly|thoroughly|seem\s+to|seems\s+to)\s+)*";
    private const string Platforms = @"github|gitlab|bitbucket|twitter|instagram|insta|telegram|discord|mastodon|linkedin|slack|reddit|tiktok|bluesky|threads|steam|xbox|psn|playstation|youtube|twitch|facebook|snapchat|skype|signal|whatsapp|stack\s*overflow|npm|docker\s*hub|kaggle|hugging\s*face|medium|substack|spotify|strava|goodreads|letterboxd|duolingo|lichess|chess\.com";
    private const string Pets = @"dogs?|cats?|pupp(?:y|ies)|kittens?|kitties|kitty|parrots?|hamsters?|rabbits?|bunn(?:y|ies)|goldfish|fish|horses?|ponies|pony|birds?|turtles?|tortoises?|guinea\s+pigs?|snakes?|lizards?|geckos?|ferrets?|chickens?|retrievers?|labradors?|labs?|poodles?|terriers?|beagles?|bulldogs?|corgis?|huskies|husky|shepherds?|spaniels?|dachshunds?|pugs?|chihuahuas?|cockatiels?|budgies?|canar(?:y|ies)|iguanas?|pigs?|goats?";
    private const string Devices = @"car|laptop|phone|smartphone|computer|bike|bicycle|motorcycle|motorbike|truck|van|tablet|watch|smartwatch|camera|console|desktop|pc|mac|ride|e-?reader|kindle|headphones|keyboard";
    private const string SkillVerbs = @"speak|play|cook|bake|code|program|write|swim|drive|ride|dance|sing|draw|paint|knit|sew|crochet|ski|snowboard|surf|skate|juggle|fly|type|build|fix|repair|design|read|sail|climb|dive|weld|carve|translate|sign|run|lift|box|fence|row|garden|sculpt|compose|produce|edit|brew|solve|touch[\s-]type|make";
    private const string EventVerbs =
        @"went|ran|attended|visited|started|graduated|finished|completed|joined|celebrated|traveled|travelled|flew|hiked|climbed|won|met|saw|watched|took|gave|signed\s+up|participated|volunteered|performed|spoke|hosted|organized|organised|began|retired|passed|painted|baked|cooked|made|read|wrote|published|launched|released|had|got|did|played|competed|toured|explored|camped|swam|biked|cycled|drove|returned|came\s+back|left|tried|learned|learnt|received|adopted|bought|found|lost|broke|fixed|built|created|designed|taught|studied|presented|interviewed|applied|enrolled|registered|donated|raised|held|threw"
        + @"|was\s+(?:promoted|hired|fired|laid\s+off|diagnosed|accepted|invited|awarded|elected|admitted|discharged|injured|named|selected|nominated|featured)"
        + @"|been|run|written|seen|done|given|taken|flown|gone|begun|ridden|swum";

    private delegate void RuleBuilder(Match match, Clause clause, List<Proposal> output);

    /// <summary>A pattern and what it proposes for a match.</summary>
    private sealed record Rule(Regex Pattern, RuleBuilder Build);

    /// <summary>The rules in priority order: a statement is claimed by the first rule that reads it.</summary>
    private static readonly Rule[] Rules =
    [
        // Changes of value come first: only they know the old value the new one replaces.
        new(TransitionPattern(), Transition),
        new(MovedToFromPattern(), Transition),
        new(ChangedToPattern(), Transition),
        new(ChangedItsPattern(), Transition),

        // Constraints, before preferences: "I don't eat pork" is a rule to respect, not a taste.
        new(AllergyPattern(), Allergy),
        new(AllergyNounPattern(), AllergyNoun),
        new(DietPattern(), Diet),
        new(DoNotEatPattern(), DoNotEat),
        new(AvoidPattern(), Avoid),
        new(ImperativePattern(), Imperative),
        new(BudgetPattern(), Budget),
        new(SpendLimitPattern(), SpendLimit),

        // Identifiers.
        new(UseIdentifierPattern(), UseIdentifier),
        new(EmailPattern(), Email),
        new(PhonePattern(), Phone),
        new(HandlePattern(), Handle),
        new(UsernamePattern(), Username),
        new(AccountIdPattern(), AccountId),
        new(NameIsPattern(), NameIs),
        new(CallMePattern(), CallMe),

        // Values that stopped being true.
        new(NoLongerPattern(), NoLonger),
        new(NotAnymorePattern(), NoLonger),
        new(NoLongerStatePattern(), NoLongerState),
        new(UsedToPattern(), UsedTo),
        new(QuitPattern(), Quit),

        // Assets, after the business one runs ("I own a bakery").
        new(BusinessPattern(), Business),
        new(AddressPattern(), Address),
        new(ShipToPattern(), ShipTo),
        new(PetPattern(), Pet),
        new(NamedPetPattern(), NamedPet),
        new(DeviceIsPattern(), DeviceIs),
        new(TradePattern(), Trade),
        new(SoldPattern(), Sold),
        new(OwnPattern(), Own),

        // Facts.
        new(TransientStatePattern(), TransientState),
        new(HomeCityPattern(), HomeCity),
        new(MovedToPattern(), HomeCity),
        new(HometownPattern(), Hometown),
        new(BornPattern(), Born),
        new(BirthdayPattern(), Birthday),
        new(AgePattern(), Age),
        new(EmployerPattern(), Employer),
        new(JobTitlePattern(), JobTitle),
        new(MaritalPattern(), Marital),
        new(ChildrenPattern(), Children),
        new(RelativePattern(), Relative),
        new(RelativeIsPattern(), RelativeIs),
        new(PronounsPattern(), PronounsAre),
        new(IdentifyPattern(), Identify),

        // Skills.
        new(SkilledPattern(), Skilled),
        new(TrainedAsPattern(), TrainedAs),
        new(CanPattern(), Can),
        new(SpeakPattern(), Speak),
        new(PlayPattern(), Play),
        new(LearningPattern(), Learning),
        new(StartedLearningPattern(), Learning),
        new(ExperiencePattern(), Experience),
        new(BeenDoingPattern(), BeenDoing),

        // Preferences.
        new(FavoritePattern(), Favorite),
        new(IsFavoritePattern(), IsFavorite),
        new(ComparativePattern(), Comparative),
        new(FanPattern(), Fan),
        new(PersonTypePattern(), PersonType),
        new(DislikePattern(), Dislike),
        new(HabitPattern(), Habit),
        new(LikePattern(), Like),
        new(GuessPattern(), Guess),

        // General constraints after preferences, so "I can't stand jazz" is a dislike.
        new(NeverPattern(), Never),
        new(MustPattern(), Must),
        new(CannotPattern(), Cannot),

        // "I'm a nurse" / "I'm a morning person": what "I'm a…" is, once nothing more specific read it.
        new(IAmAPattern(), IAmA),

        // Events last: "I moved to Lisbon last year" is a home city, "I started learning Go" a skill.
        new(PlanPattern(), Plan),
        new(AppointmentPattern(), Appointment),
        new(EventPattern(), Event),
    ];

    // ---- Changes of value -------------------------------------------------------------------------------------------

    private static void Transition(Match m, Clause c, List<Proposal> output)
    {
        var old = m.Groups["old"];
        var what = m.Groups["what"];
        if (what.Success)
        {
            SlotChange(m, c, output);
            return;
        }

        var verb = m.Groups["verb"].Success ? m.Groups["verb"].Value.ToLowerInvariant() : "moved";
        if (verb is "moved" or "relocated")
        {
            if (Value(c, m.Groups["new"], ValueStyle.Place) is { } place)
            {
                output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " lives in " + place)
                {
                    Key = "fact:home_city",
                    Replaces = Value(c, old, ValueStyle.Place),
                    Confidence = 0.85,
                    Salience = 0.6,
                });
            }

            return;
        }

        if (Value(c, m.Groups["new"]) is not { } value)
        {
            return;
        }

        var replaced = Value(c, old);
        if (IsDiet(value))
        {
            output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " is " + value) { Key = "constraint:diet", Replaces = replaced, Confidence = 0.85, Salience = 0.85 });
            return;
        }

        var slot = SharedSlot(replaced, value);
        output.Add(verb == "upgraded"
            ? new Proposal(MemoryTypes.Asset, c.Subject + " has " + value) { Key = slot is null ? null : "asset:" + slot, Replaces = replaced, Confidence = 0.8 }
            : new Proposal(MemoryTypes.Preference, c.Subject + " prefers " + value) { Key = slot is null ? null : "preference:" + slot, Replaces = replaced, Confidence = 0.85, Salience = 0.55 });
    }

    /// <summary>"changed my email (from a@x.org) to b@x.org": the slot is named, so the new value goes where the slot says.</summary>
    private static void SlotChange(Match m, Clause c, List<Proposal> output)
    {
        var words = MemoryWords.Split(m.Groups["what"].Value).Where(w => w is not ("my" or "our")).ToList();
        if (words.Count == 0 || words[^1] is "mind" or "plans" or "plan" or "clothes" or "shirt")
        {
            return;
        }

        var last = words[^1];
        var newText = m.Groups["new"].Value;
        var oldText = m.Groups["old"].Success ? m.Groups["old"].Value : null;
        if (words.Contains("email") || (words.Contains("mail") && words.Contains("e")))
        {
            if (EmailAddress().Match(newText) is { Success: true } email)
            {
                var replaced = oldText is null ? null : EmailAddress().Match(oldText) is { Success: true } o ? o.Value : null;
                output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " email is " + email.Value)
                {
                    Key = "identifier:email",
                    Replaces = replaced,
                    Structured = StructuredValue("email", email.Value),
                    Confidence = 0.9,
                    Salience = 0.6,
                });
            }

            return;
        }

        if (last == "address")
        {
            if (Value(c, m.Groups["new"], ValueStyle.Verbatim) is { } address)
            {
                var kind = AddressKind(words);
                output.Add(new Proposal(MemoryTypes.Asset, c.Possessive + " " + kind + " address is " + address)
                {
                    Key = "asset:" + kind + "_address",
                    Replaces = Value(c, m.Groups["old"], ValueStyle.Verbatim),
                    Confidence = 0.9,
                    Salience = 0.7,
                });
            }

            return;
        }

        if (last is "phone" or "number" or "cell" or "mobile")
        {
            if (Value(c, m.Groups["new"], ValueStyle.Verbatim) is { } number && number.Count(char.IsDigit) >= 7)
            {
                output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " phone number is " + number)
                {
                    Key = "identifier:phone",
                    Replaces = Value(c, m.Groups["old"], ValueStyle.Verbatim),
                    Structured = StructuredValue("phone", number),
                    Confidence = 0.9,
                    Salience = 0.6,
                });
            }

            return;
        }

        if (Value(c, m.Groups["new"]) is not { } value)
        {
            return;
        }

        var previous = Value(c, m.Groups["old"]);
        output.Add(last switch
        {
            "name" => new Proposal(MemoryTypes.Identifier, c.Possessive + " name is " + value) { Key = "identifier:name", Replaces = previous, Structured = StructuredValue("name", value), Confidence = 0.85, Salience = 0.6 },
            "username" or "handle" or "login" => new Proposal(MemoryTypes.Identifier, c.Possessive + " username is " + value) { Key = "identifier:username", Replaces = previous, Structured = StructuredValue("username", value), Confidence = 0.85, Salience = 0.55 },
            "job" or "role" or "title" or "position" or "career" or "profession" or "occupation" => new Proposal(MemoryTypes.Fact, c.Subject + " works as " + value) { Key = "fact:job_title", Replaces = previous, Confidence = 0.85, Salience = 0.6 },
            "employer" or "company" or "workplace" => new Proposal(MemoryTypes.Fact, c.Subject + " works at " + value) { Key = "fact:employer", Replaces = previous, Confidence = 0.85, Salience = 0.6 },
            "city" or "town" or "home" => new Proposal(MemoryTypes.Fact, c.Subject + " lives in " + value) { Key = "fact:home_city", Replaces = previous, Confidence = 0.85, Salience = 0.6 },
            "diet" => new Proposal(MemoryTypes.Constraint, c.Possessive + " diet is " + value) { Key = "constraint:diet", Replaces = previous, Confidence = 0.85, Salience = 0.85 },
            _ => new Proposal(MemoryTypes.Preference, c.Possessive + " " + string.Join(' ', words) + " is " + value) { Key = "preference:" + Slug(string.Join(' ', words)), Replaces = previous, Confidence = 0.8, Salience = 0.5 },
        });
    }

    // ---- Constraints ------------------------------------------------------------------------------------------------

    private static void Allergy(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } allergen)
        {
            var degree = Severity(m.Value);
            output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " is " + degree + "allergic to " + allergen) { Confidence = 0.9, Salience = 0.95 });
        }
    }

    private static void AllergyNoun(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } allergen)
        {
            var degree = m.Groups["deg"].Success ? m.Groups["deg"].Value.ToLowerInvariant() + " " : string.Empty;
            output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " has a " + degree + allergen + " allergy") { Confidence = 0.9, Salience = 0.95 });
        }
    }

    private static void Diet(Match m, Clause c, List<Proposal> output)
    {
        var diet = MemoryWords.Collapse(m.Groups["diet"].Value.ToLowerInvariant());
        var text = diet.EndsWith(" diet", StringComparison.Ordinal) && !diet.StartsWith("on ", StringComparison.Ordinal) ? "on " + diet : diet;
        output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " is " + text) { Key = IsDiet(diet) ? "constraint:diet" : null, Confidence = 0.85, Salience = 0.85 });
    }

    private static void DoNotEat(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        var food = Value(c, m.Groups["obj"]);
        if (food is null && (m.Groups["obj"].Success || verb is not ("drink" or "smoke")))
        {
            return;
        }

        // "no longer" and "anymore" state a change: the old habit is the value this one replaces.
        var changed = m.Groups["neg"].Value.StartsWith("no", StringComparison.OrdinalIgnoreCase) || AnymoreWord().IsMatch(c.Text);
        var negation = Negation(changed ? "no longer" : m.Groups["neg"].Value, verb);
        var diet = verb == "eat" && food is not null && NoMeat().IsMatch(food) ? "constraint:diet" : null;
        output.Add(new Proposal(MemoryTypes.Constraint, Join(c.Subject, negation, food)) { Key = diet, Replaces = changed ? food : null, Confidence = 0.85, Salience = 0.85 });
    }

    private static void Avoid(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what)
        {
            output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " avoids " + what) { Confidence = 0.75, Salience = 0.8 });
        }
    }

    /// <summary>"Never call me before 9am" → "Never call Ana before 9am"; "Don't book aisle seats" → "For Ana, do not book aisle seats".</summary>
    private static void Imperative(Match m, Clause c, List<Proposal> output)
    {
        var neg = m.Groups["neg"].Value.ToLowerInvariant();
        var lead = neg.Contains("never", StringComparison.Ordinal) || neg.Contains("ever", StringComparison.Ordinal) ? "never" : neg == "avoid" ? "avoid" : "do not";
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        var rest = Condition(c, m.Groups["rest"], thirdPerson: false) ?? string.Empty;
        var named = FirstPersonWord().IsMatch(rest);
        rest = FirstPersonWord().Replace(rest, w => w.Value.ToLowerInvariant() is "my" or "mine" ? c.Possessive : c.Subject);
        var action = MemoryWords.Collapse(lead + " " + verb + " " + rest);
        output.Add(new Proposal(MemoryTypes.Constraint, named ? Capitalize(action) : "For " + c.Subject + ", " + action)
        {
            Confidence = lead == "never" ? 0.8 : 0.75,
            Salience = 0.8,
        });
    }

    private static void Budget(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Verbatim) is not { } amount)
        {
            return;
        }

        var purpose = m.Groups["for"].Success ? Value(c, m.Groups["for"]) : null;
        output.Add(new Proposal(MemoryTypes.Constraint, c.Possessive + " budget " + (purpose is null ? string.Empty : "for " + purpose + " ") + "is " + amount)
        {
            Key = purpose is null ? "constraint:budget" : "constraint:budget_" + Slug(MemoryWords.Split(purpose).Last()),
            Confidence = 0.85,
            Salience = 0.7,
        });
    }

    private static void SpendLimit(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Verbatim) is { } amount && amount.Any(char.IsDigit))
        {
            output.Add(new Proposal(MemoryTypes.Constraint, c.Possessive + " budget is at most " + amount) { Key = "constraint:budget", Confidence = 0.8, Salience = 0.7 });
        }
    }

    private static void Never(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (IsPastOrNarrative(verb))
        {
            return;
        }

        var what = Condition(c, m.Groups["obj"]);
        if (m.Groups["obj"].Success && what is null)
        {
            return;
        }

        var neg = m.Groups["neg"].Value.ToLowerInvariant();
        var phrase = neg.StartsWith("will", StringComparison.Ordinal) ? "will never " + verb : neg.StartsWith("would", StringComparison.Ordinal) ? "would never " + verb : "never " + Third(verb);
        output.Add(new Proposal(MemoryTypes.Constraint, Join(c.Subject, phrase, what)) { Confidence = 0.8, Salience = 0.8 });
    }

    private static void Must(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (NotConstraintVerbs.Contains(verb) || (verb == "be" && NotARule().IsMatch(m.Groups["obj"].Value)))
        {
            return;
        }

        var what = Condition(c, m.Groups["obj"]);
        if (m.Groups["obj"].Success && what is null)
        {
            return;
        }

        var modal = MemoryWords.Collapse(m.Groups["modal"].Value.ToLowerInvariant().Replace('’', '\''));
        var phrase = modal switch
        {
            "must" => "must",
            "need to" => "needs to",
            "am required to" or "'m required to" => "is required to",
            _ => "has to",
        };
        output.Add(new Proposal(MemoryTypes.Constraint, Join(c.Subject, phrase + " " + verb, what)) { Confidence = 0.65, Salience = 0.7 });
    }

    private static void Cannot(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (NotConstraintVerbs.Contains(verb))
        {
            return;
        }

        var what = Condition(c, m.Groups["obj"]);
        if (m.Groups["obj"].Success && what is null)
        {
            return;
        }

        var neg = m.Groups["neg"].Value.ToLowerInvariant();
        var phrase = neg.Contains("allowed", StringComparison.Ordinal) ? "is not allowed to " : neg.Contains("able", StringComparison.Ordinal) ? "is unable to " : "cannot ";
        output.Add(new Proposal(MemoryTypes.Constraint, Join(c.Subject, phrase + verb, what)) { Confidence = 0.7, Salience = 0.75 });
    }

    // ---- Identifiers ------------------------------------------------------------------------------------------------

    private static void Email(Match m, Clause c, List<Proposal> output)
    {
        var email = m.Groups["v"].Value;
        var work = (m.Groups["qual"].Success && WorkQualifier().IsMatch(m.Groups["qual"].Value)) || (m.Groups["purpose"].Success && WorkQualifier().IsMatch(m.Groups["purpose"].Value));
        output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + (work ? " work email is " : " email is ") + email)
        {
            Key = work ? "identifier:work_email" : "identifier:email",
            Structured = StructuredValue("email", email),
            Confidence = m.Value.StartsWith("my", StringComparison.OrdinalIgnoreCase) ? 0.9 : 0.85,
            Salience = 0.6,
        });
    }

    private static void Phone(Match m, Clause c, List<Proposal> output)
    {
        var number = m.Groups["v"].Value.Trim().TrimEnd('.', '-', '(', ' ');
        if (number.Count(char.IsDigit) < 7)
        {
            return;
        }

        var work = m.Groups["qual"].Success && WorkQualifier().IsMatch(m.Groups["qual"].Value);
        output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + (work ? " work phone number is " : " phone number is ") + number)
        {
            Key = work ? "identifier:work_phone" : "identifier:phone",
            Structured = StructuredValue("phone", number),
            Confidence = m.Value.StartsWith("my", StringComparison.OrdinalIgnoreCase) ? 0.9 : 0.85,
            Salience = 0.6,
        });
    }

    private static void Handle(Match m, Clause c, List<Proposal> output)
    {
        var handle = m.Groups["v"].Value;
        if (NotHandles.Contains(handle))
        {
            return;
        }

        var (platform, display) = Platform(m.Groups["platform"].Value);
        var noun = m.Groups["noun"].Success ? HandleNoun(m.Groups["noun"].Value) : "handle";
        output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " " + display + " " + noun + " is " + handle)
        {
            Key = "identifier:" + platform,
            Structured = StructuredValue(platform, handle),
            Confidence = 0.9,
            Salience = 0.55,
        });
    }

    private static void Username(Match m, Clause c, List<Proposal> output)
    {
        var name = m.Groups["v"].Value;
        if (NotHandles.Contains(name))
        {
            return;
        }

        var noun = HandleNoun(m.Groups["noun"].Value);
        var on = m.Groups["platform"].Success ? m.Groups["platform"].Value : m.Groups["pre"].Success && char.IsUpper(m.Groups["pre"].Value[0]) ? m.Groups["pre"].Value : null;
        if (on is null)
        {
            var kind = noun is "nickname" or "nick" ? "nickname" : "username";
            output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " " + kind + " is " + name) { Key = "identifier:" + kind, Structured = StructuredValue(kind, name), Confidence = 0.85, Salience = 0.55 });
            return;
        }

        var (platform, display) = Platform(on);
        output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " " + display + " " + noun + " is " + name) { Key = "identifier:" + platform, Structured = StructuredValue(platform, name), Confidence = 0.85, Salience = 0.55 });
    }

    private static void AccountId(Match m, Clause c, List<Proposal> output)
    {
        var id = m.Groups["v"].Value;
        if (!id.Any(char.IsDigit))
        {
            return;
        }

        var kindWords = MemoryWords.Collapse(m.Groups["kind"].Value.ToLowerInvariant().Replace('’', '\''));
        var kind = Slug(kindWords.Replace("'s", "s", StringComparison.Ordinal)) + "_id";
        var noun = m.Groups["noun"].Value.ToLowerInvariant() is "id" or "#" or "code" ? "ID" : "number";
        output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " " + kindWords + " " + noun + " is " + id)
        {
            Key = "identifier:" + kind,
            Structured = StructuredValue(kind, id),
            Confidence = 0.9,
            Salience = 0.6,
        });
    }

    /// <summary>"Please use ana@x.org from now on": the identifier is told by its shape (an email, a phone number, a handle).</summary>
    private static void UseIdentifier(Match m, Clause c, List<Proposal> output)
    {
        var value = m.Groups["v"].Value.Trim();
        if (EmailAddress().IsMatch(value))
        {
            output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " email is " + value) { Key = "identifier:email", Structured = StructuredValue("email", value), Confidence = 0.85, Salience = 0.6 });
        }
        else if (value.StartsWith('@'))
        {
            output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " handle is " + value) { Key = "identifier:handle", Structured = StructuredValue("handle", value), Confidence = 0.8, Salience = 0.55 });
        }
        else if (value.Count(char.IsDigit) >= 7)
        {
            output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " phone number is " + value) { Key = "identifier:phone", Structured = StructuredValue("phone", value), Confidence = 0.85, Salience = 0.6 });
        }
    }

    private static void NameIs(Match m, Clause c, List<Proposal> output)
    {
        var words = m.Groups["v"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(w => char.IsUpper(w[0]) && !NotNames.Contains(w)).ToList();
        if (words.Count > 0)
        {
            var name = string.Join(' ', words);
            output.Add(new Proposal(MemoryTypes.Identifier, c.Possessive + " name is " + name) { Key = "identifier:name", Structured = StructuredValue("name", name), Confidence = 0.9, Salience = 0.6 });
        }
    }

    private static void CallMe(Match m, Clause c, List<Proposal> output)
    {
        var name = m.Groups["v"].Value;
        if (char.IsUpper(name[0]) && !NotNames.Contains(name))
        {
            output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " prefers to be called " + name) { Key = "preference:nickname", Confidence = 0.8, Salience = 0.6 });
        }
    }

    // ---- No longer --------------------------------------------------------------------------------------------------

    /// <summary>"I no longer eat meat", "I don't drink coffee anymore": the new value, replacing the old one.</summary>
    private static void NoLonger(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (Value(c, m.Groups["obj"]) is not { } what || verb is "know" or "think" or "remember" or "care")
        {
            return;
        }

        var prep = m.Groups["prep"].Success ? " " + m.Groups["prep"].Value.ToLowerInvariant() : string.Empty;
        var (type, key) = StoppedSlot(verb, prep);
        output.Add(new Proposal(type, c.Subject + " no longer " + Third(verb) + prep + " " + what) { Key = key, Replaces = what, Confidence = 0.8, Salience = 0.6 });
    }

    private static void NoLongerState(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["rest"]) is not { } state)
        {
            return;
        }

        if (IsDiet(state))
        {
            output.Add(new Proposal(MemoryTypes.Constraint, c.Subject + " is no longer " + state) { Key = "constraint:diet", Replaces = state, Confidence = 0.8, Salience = 0.8 });
        }
        else if (FanOrInto().Match(state) is { Success: true } fan && fan.Length < state.Length)
        {
            output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " is no longer " + state) { Replaces = state[fan.Length..].Trim(), Confidence = 0.8, Salience = 0.55 });
        }
        else
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is no longer " + state) { Key = state is "married" or "single" or "engaged" ? "fact:marital_status" : null, Replaces = state, Confidence = 0.75, Salience = 0.55 });
        }
    }

    private static void UsedTo(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (Value(c, m.Groups["obj"]) is not { } what || verb is "think" or "say" or "be")
        {
            return;
        }

        var prep = m.Groups["prep"].Success ? " " + m.Groups["prep"].Value.ToLowerInvariant() : string.Empty;

        // "Used to" states no current value, so it fills no slot; it only names the value to retire.
        var (type, _) = StoppedSlot(verb, prep);
        output.Add(new Proposal(type, c.Subject + " used to " + verb + prep + " " + what) { Replaces = what, Confidence = 0.75, Salience = 0.5 });
    }

    private static void Quit(Match m, Clause c, List<Proposal> output)
    {
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant()).Replace("given", "gave", StringComparison.Ordinal);
        var obj = m.Groups["obj"];
        if (QuitJob().Match(c.Text, obj.Index, obj.Length) is { Success: true } job)
        {
            var org = Value(c, job.Groups["org"]);
            output.Add(new Proposal(MemoryTypes.Fact, org is null ? c.Subject + " quit their job" : c.Subject + " no longer works at " + org) { Key = "fact:employer", Replaces = org, Confidence = 0.8, Salience = 0.6 });
            return;
        }

        if (Value(c, obj) is { } what && !QuitNotHabit().IsMatch(what))
        {
            output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " " + verb + " " + what) { Replaces = what, Confidence = 0.75, Salience = 0.55 });
        }
    }

    // ---- Assets -----------------------------------------------------------------------------------------------------

    private static void Address(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Verbatim) is { } address && address.Any(char.IsDigit))
        {
            var kind = AddressKind(MemoryWords.Split(m.Groups["qual"].Value).ToList());
            output.Add(new Proposal(MemoryTypes.Asset, c.Possessive + " " + kind + " address is " + address) { Key = "asset:" + kind + "_address", Confidence = 0.9, Salience = 0.7 });
        }
    }

    private static void ShipTo(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Verbatim) is { } address)
        {
            output.Add(new Proposal(MemoryTypes.Asset, c.Possessive + " shipping address is " + address) { Key = "asset:shipping_address", Confidence = 0.7, Salience = 0.7 });
        }
    }

    private static void Pet(Match m, Clause c, List<Proposal> output)
    {
        var det = MemoryWords.Collapse(m.Groups["det"].Value.ToLowerInvariant());
        var adjective = MemoryWords.Collapse(m.Groups["adj"].Value);
        var pet = MemoryWords.Collapse(m.Groups["pet"].Value.ToLowerInvariant());
        var name = m.Groups["name"].Success && char.IsUpper(m.Groups["name"].Value[0]) ? " named " + m.Groups["name"].Value : string.Empty;
        output.Add(new Proposal(MemoryTypes.Asset, MemoryWords.Collapse(c.Subject + " has " + det + " " + adjective + " " + pet) + name) { Confidence = 0.85, Salience = 0.55 });
        if (m.Groups["verb"].Value.ToLowerInvariant() is "adopted" or "rescued" or "got")
        {
            // "I adopted a puppy yesterday": a dated change is also an event.
            output.Add(DatedChange(MemoryWords.Collapse(c.Subject + " " + m.Groups["verb"].Value.ToLowerInvariant() + " " + det + " " + adjective + " " + pet)));
        }
    }

    private static void NamedPet(Match m, Clause c, List<Proposal> output)
    {
        var name = m.Groups["name"].Value;
        if (!char.IsUpper(name[0]) || NotNames.Contains(name))
        {
            return;
        }

        var adjective = MemoryWords.Collapse(m.Groups["adj"].Value);
        if (adjective.Equals("old", StringComparison.OrdinalIgnoreCase) || adjective.Equals("late", StringComparison.OrdinalIgnoreCase))
        {
            // "my late dog Rex" is a memory of a pet, not a pet the subject has.
            return;
        }

        var pet = m.Groups["pet"].Value.ToLowerInvariant();
        output.Add(new Proposal(MemoryTypes.Asset, MemoryWords.Collapse(c.Subject + " has " + Article(adjective.Length > 0 ? adjective : pet) + " " + adjective + " " + pet) + " named " + name) { Confidence = 0.8, Salience = 0.55 });
    }

    private static void DeviceIs(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } model || !model.Any(ch => char.IsUpper(ch) || char.IsDigit(ch)))
        {
            // "my phone is dead" says nothing lasting; "my laptop is a ThinkPad X1" names a model.
            return;
        }

        var thing = m.Groups["thing"].Value.ToLowerInvariant();
        var slot = AssetSlot(thing) ?? Slug(thing);
        var article = m.Groups["art"].Success ? m.Groups["art"].Value.Trim().ToLowerInvariant() + " " : string.Empty;
        output.Add(new Proposal(MemoryTypes.Asset, c.Possessive + " " + thing + " is " + article + model) { Key = "asset:" + slot, Confidence = 0.85, Salience = 0.5 });
    }

    private static void Trade(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["new"]) is not { } value)
        {
            return;
        }

        var old = Value(c, m.Groups["old"]) is { } o ? OldAdjective().Replace(o, string.Empty) : null;
        var slot = Slot(value) ?? (old is null ? null : Slot(old));
        output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " has " + value) { Key = slot is null ? null : "asset:" + slot, Replaces = old, Confidence = 0.8, Salience = 0.5 });
    }

    private static void Sold(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what)
        {
            var old = OldAdjective().Replace(what, string.Empty);
            var slot = Slot(old);
            output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " sold their " + what) { Key = slot is null ? null : "asset:" + slot, Replaces = old, Confidence = 0.8, Salience = 0.45 });
        }
    }

    private static void Own(Match m, Clause c, List<Proposal> output)
    {
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant().Replace('’', '\''));
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var first = what.Split(' ')[0];
        var specific = first is "a" or "an" or "the" or "their" or "two" or "three" || char.IsUpper(first[0]) || char.IsDigit(first[0]);
        var lexical = AssetNouns(what).ToList();
        var single = first is "a" or "an" or "their" or "the";
        string? key = single && Slot(what) is { } slot ? "asset:" + slot : null;
        switch (verb)
        {
            case "drive" when specific:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " drives " + what) { Key = "asset:car", Confidence = 0.85, Salience = 0.5 });
                break;
            case "ride" when specific && lexical.Count > 0:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " rides " + what) { Key = key, Confidence = 0.8, Salience = 0.5 });
                break;
            case "own" when specific:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " owns " + what) { Key = key, Confidence = 0.85, Salience = 0.5 });
                break;
            case "use" when lexical.Count > 0:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " uses " + what) { Key = key, Confidence = 0.75, Salience = 0.45 });
                break;
            case "have" or "have got" or "got" when specific && lexical.Count > 0:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " has " + what) { Key = key, Confidence = 0.8, Salience = 0.5 });
                break;
            case "bought" or "purchased" or "leased" when specific && lexical.Count > 0:
                output.Add(new Proposal(MemoryTypes.Asset, c.Subject + " " + verb + " " + what) { Key = key, Confidence = 0.8, Salience = 0.5 });
                break;
        }
    }

    // ---- Facts ------------------------------------------------------------------------------------------------------

    /// <summary>"I run a bakery", "I own a small bike shop": the business the subject runs.</summary>
    private static void Business(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } business)
        {
            var verb = m.Groups["verb"].Value.ToLowerInvariant();
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " " + Third(verb) + " " + business) { Confidence = 0.8, Salience = 0.6 });
        }
    }

    private static void TransientState(Match m, Clause c, List<Proposal> output)
    {
        var state = Pronoun().Replace(MemoryWords.Collapse(m.Groups["state"].Value.ToLowerInvariant()), w => ThirdPersonPronoun(w.Value));
        output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is " + state) { Confidence = 0.6, Salience = 0.2, Signals = [MemoryCandidateSignal.Transient] });
    }

    private static void HomeCity(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Place) is { } place)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " lives in " + place) { Key = "fact:home_city", Confidence = char.IsUpper(place[0]) ? 0.85 : 0.7, Salience = 0.6 });
            if (MovedWord().IsMatch(m.Value))
            {
                output.Add(DatedChange(c.Subject + " moved to " + place));
            }
        }
    }

    /// <summary>A change with a date in its clause ("I moved to Austin two weeks ago") is also an event; without one it is not proposed.</summary>
    private static Proposal DatedChange(string text) => new(MemoryTypes.Event, text) { Dated = true, NeedsDate = true, Confidence = 0.75, Salience = 0.5 };

    private static void Hometown(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Place) is { } place && char.IsUpper(place[0]))
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is from " + place) { Key = "fact:hometown", Confidence = 0.8, Salience = 0.5 });
        }
    }

    private static void Born(Match m, Clause c, List<Proposal> output)
    {
        var prep = m.Groups["prep"].Success ? m.Groups["prep"].Value.ToLowerInvariant() + " " : string.Empty;
        if (Value(c, m.Groups["obj"], ValueStyle.KeepDates) is not { } when)
        {
            return;
        }

        if (when.Any(char.IsDigit))
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " was born " + prep + when) { Key = "fact:birthday", Undated = true, Confidence = 0.9, Salience = 0.6 });
        }
        else if (char.IsUpper(when[0]) && prep == "in " && Value(c, m.Groups["obj"], ValueStyle.Place) is { } place)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " was born in " + place) { Key = "fact:birthplace", Confidence = 0.85, Salience = 0.5 });
        }
    }

    private static void Birthday(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.KeepDates) is not { } when)
        {
            return;
        }

        // "my birthday is tomorrow" is grounded to a calendar day; "is May 7" is kept as said.
        var text = when.Any(char.IsDigit) || MonthName().IsMatch(when)
            ? when
            : c.Dates.FirstOrDefault(d => d.Granularity == DateGranularity.Day && d.Index >= m.Groups["obj"].Index) is { } day
                ? day.Start.ToString("MMMM d", System.Globalization.CultureInfo.InvariantCulture)
                : null;
        if (text is not null)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Possessive + " birthday is " + text) { Key = "fact:birthday", Undated = true, Confidence = 0.9, Salience = 0.6 });
        }
    }

    private static void Age(Match m, Clause c, List<Proposal> output)
    {
        var age = int.Parse(m.Groups["age"].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (age is >= 1 and <= 120)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is " + m.Groups["age"].Value + " years old") { Key = "fact:age", Confidence = 0.85, Salience = 0.4 });
        }
    }

    private static void Employer(Match m, Clause c, List<Proposal> output)
    {
        var obj = m.Groups["obj"];
        var raw = obj.Value.Trim();
        if (raw.Equals("myself", StringComparison.OrdinalIgnoreCase))
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is self-employed") { Key = "fact:employer", Confidence = 0.85, Salience = 0.6 });
            return;
        }

        if (Value(c, obj) is not { } org || NotEmployer().IsMatch(org) || (m.Groups["start"].Success && !char.IsUpper(org[0])))
        {
            return;
        }

        output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " works at " + org) { Key = "fact:employer", Confidence = 0.85, Salience = 0.6 });
        if (Value(c, m.Groups["title"]) is { } title)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " works as " + Article(title) + " " + title) { Key = "fact:job_title", Confidence = 0.85, Salience = 0.6 });
        }
    }

    private static void JobTitle(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } title)
        {
            return;
        }

        var article = m.Groups["art"].Success ? AgreeingArticle(m.Groups["art"].Value, title) + " " : string.Empty;
        if (m.Groups["became"].Success && !IsProfession(title))
        {
            // "I became a mother last year" is a life fact, not a job.
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " became " + article + title) { Confidence = 0.7, Salience = 0.55 });
            return;
        }

        output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " works as " + article + title) { Key = "fact:job_title", Confidence = 0.85, Salience = 0.6 });
        if (m.Groups["became"].Success)
        {
            var promoted = m.Groups["became"].Value.Contains("promoted", StringComparison.OrdinalIgnoreCase);
            output.Add(DatedChange(c.Subject + (promoted ? " was promoted to " : " became ") + article + title));
        }

        if (Value(c, m.Groups["org"]) is { } org && !NotEmployer().IsMatch(org))
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " works at " + org) { Key = "fact:employer", Confidence = 0.8, Salience = 0.6 });
        }
    }

    private static void Marital(Match m, Clause c, List<Proposal> output)
    {
        var status = MemoryWords.Collapse(m.Groups["st"].Value.ToLowerInvariant());
        var partner = Value(c, m.Groups["obj"]);
        output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is " + status + (partner is null ? string.Empty : (status == "in a relationship" ? " with " : " to ") + partner))
        {
            Key = "fact:marital_status",
            Confidence = 0.85,
            Salience = 0.55,
        });
    }

    private static void Children(Match m, Clause c, List<Proposal> output)
    {
        var count = MemoryWords.Collapse(m.Groups["n"].Value.ToLowerInvariant());
        var kind = m.Groups["k"].Value.ToLowerInvariant();
        var adjective = MemoryWords.Collapse(m.Groups["adj"].Value.ToLowerInvariant());
        var key = kind switch
        {
            _ when kind.StartsWith("grand", StringComparison.Ordinal) => "fact:grandchildren",
            _ when kind.StartsWith("sibling", StringComparison.Ordinal) || kind.StartsWith("brother", StringComparison.Ordinal) || kind.StartsWith("sister", StringComparison.Ordinal) => null,
            _ => "fact:children",
        };
        output.Add(new Proposal(MemoryTypes.Fact, MemoryWords.Collapse(c.Subject + " has " + count + " " + adjective + " " + kind)) { Key = key, Confidence = 0.85, Salience = 0.55 });
    }

    private static void Relative(Match m, Clause c, List<Proposal> output)
    {
        var name = m.Groups["name"].Value;
        if (!char.IsUpper(name[0]) || NotNames.Contains(name))
        {
            return;
        }

        var relation = MemoryWords.Collapse(m.Groups["rel"].Value.ToLowerInvariant());
        var (text, key) = relation switch
        {
            "wife" or "husband" or "spouse" => (c.Possessive + " " + relation + " is " + name, "fact:spouse"),
            "partner" or "boyfriend" or "girlfriend" or "fiance" or "fiancé" or "fiancee" or "fiancée" => (c.Possessive + " " + relation + " is " + name, "fact:partner"),
            "mom" or "mum" or "mother" or "dad" or "father" or "boss" or "manager" => (c.Possessive + " " + relation + " is named " + name, (string?)null),
            _ => (c.Subject + " has " + Article(relation) + " " + relation + " named " + name, null),
        };
        output.Add(new Proposal(MemoryTypes.Fact, text) { Key = key, Confidence = 0.75, Salience = 0.55 });
    }

    private static void RelativeIs(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what && !NotIdentity().IsMatch(what))
        {
            var relation = MemoryWords.Collapse(m.Groups["rel"].Value.ToLowerInvariant());
            output.Add(new Proposal(MemoryTypes.Fact, c.Possessive + " " + relation + " is " + m.Groups["art"].Value.Trim().ToLowerInvariant() + " " + what) { Confidence = 0.7, Salience = 0.45 });
        }
    }

    private static void PronounsAre(Match m, Clause c, List<Proposal> output) =>
        output.Add(new Proposal(MemoryTypes.Fact, c.Possessive + " pronouns are " + MemoryWords.Collapse(m.Groups["obj"].Value.ToLowerInvariant())) { Key = "fact:pronouns", Confidence = 0.9, Salience = 0.7 });

    private static void Identify(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } identity)
        {
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " identifies as " + identity) { Confidence = 0.8, Salience = 0.65 });
        }
    }

    /// <summary>"I'm a nurse (at St. Mary's)" is a job title (and employer); "I'm a single mom" a fact.</summary>
    private static void IAmA(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what || NotIdentity().IsMatch(what))
        {
            return;
        }

        var org = Value(c, m.Groups["org"]);
        if (IsProfession(what))
        {
            // "I'm a nurse by profession" works as a nurse; the tail says how, not what.
            what = ProfessionTail().Replace(what, string.Empty);
            var article = AgreeingArticle(m.Groups["art"].Value, what);
            var student = MemoryWords.Split(what).Last() is "student" or "pupil";
            output.Add(new Proposal(MemoryTypes.Fact, c.Subject + (student ? " is " : " works as ") + article + " " + what + (student && org is not null ? " at " + org : string.Empty))
            {
                Key = "fact:job_title",
                Confidence = 0.8,
                Salience = 0.6,
            });
            if (!student && org is not null && !NotEmployer().IsMatch(org))
            {
                output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " works at " + org) { Key = "fact:employer", Confidence = 0.8, Salience = 0.6 });
            }

            return;
        }

        var tail = org is null ? string.Empty : " " + m.Groups["orgprep"].Value.ToLowerInvariant() + " " + org;
        output.Add(new Proposal(MemoryTypes.Fact, c.Subject + " is " + AgreeingArticle(m.Groups["art"].Value, what) + " " + what + tail) { Confidence = 0.6, Salience = 0.45 });
    }

    // ---- Skills -----------------------------------------------------------------------------------------------------

    private static void Skilled(Match m, Clause c, List<Proposal> output)
    {
        var adjective = MemoryWords.Collapse(m.Groups["adj"].Value.ToLowerInvariant());
        var what = Value(c, m.Groups["obj"]);
        if (what is null && adjective is not ("bilingual" or "trilingual"))
        {
            return;
        }

        var strong = adjective is "fluent" or "native" or "proficient" or "certified" or "expert" or "bilingual" or "trilingual" || adjective.Contains("expert", StringComparison.Ordinal);
        var text = what is null ? c.Subject + " is " + adjective : c.Subject + " is " + adjective + " " + m.Groups["prep"].Value.ToLowerInvariant() + " " + what;
        output.Add(new Proposal(MemoryTypes.Skill, text) { Confidence = strong ? 0.8 : 0.75, Salience = 0.5 });
    }

    /// <summary>"I trained as a chef in Lyon", "I qualified as a nurse": a trade the subject learned.</summary>
    private static void TrainedAs(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"], ValueStyle.Place) is { } trade && !NotIdentity().IsMatch(trade))
        {
            var verb = m.Groups["verb"].Value.ToLowerInvariant();
            output.Add(new Proposal(MemoryTypes.Skill, c.Subject + " " + verb + " as " + m.Groups["art"].Value.Trim().ToLowerInvariant() + " " + trade) { Confidence = 0.8, Salience = 0.55 });
        }
    }

    private static void Can(Match m, Clause c, List<Proposal> output)
    {
        // "We can make a difference!", "We can do this": a shared encouragement, not the speaker's skill.
        var what = Value(c, m.Groups["obj"]);
        if (c.Plural || (m.Groups["obj"].Success && m.Groups["obj"].Length > 0 && (what is null || AbstractObject().IsMatch(what))))
        {
            return;
        }

        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        output.Add(new Proposal(MemoryTypes.Skill, Join(c.Subject, "can " + verb, what)) { Confidence = 0.75, Salience = 0.5 });
    }

    private static void Speak(Match m, Clause c, List<Proposal> output)
    {
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        // "I know Ana" and "I speak to my mom" are not skills: the object must name a language or a technology.
        if (!MemoryWords.Split(what).Any(Skills.Contains) && !what.Split(' ').Any(w => Skills.Contains(w.ToLowerInvariant().TrimEnd(',', '.'))))
        {
            return;
        }

        output.Add(new Proposal(MemoryTypes.Skill, c.Subject + " " + Third(verb) + " " + what) { Confidence = 0.75, Salience = 0.5 });
    }

    private static void Play(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what || PlayNotSkill().IsMatch(what))
        {
            return;
        }

        var words = MemoryWords.Split(what).ToList();
        var skill = words.Count > 0 && (Instruments.Contains(words[words[0] == "the" && words.Count > 1 ? 1 : 0]) || Sports.Contains(words[0]));
        output.Add(skill
            ? new Proposal(MemoryTypes.Skill, c.Subject + " plays " + what) { Confidence = 0.75, Salience = 0.5 }
            : new Proposal(MemoryTypes.Preference, c.Subject + " plays " + what) { Confidence = 0.65, Salience = 0.45 });
    }

    private static void Learning(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what || what.StartsWith("for ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        var phrase = verb.StartsWith("stud", StringComparison.Ordinal) || verb == "to study" ? "is studying"
            : verb.StartsWith("practi", StringComparison.Ordinal) ? "is practicing"
            : verb.StartsWith("training", StringComparison.Ordinal) ? "is training in"
            : "is learning";
        output.Add(new Proposal(MemoryTypes.Skill, c.Subject + " " + phrase + " " + what) { Confidence = 0.7, Salience = 0.45 });
    }

    private static void Experience(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what)
        {
            output.Add(new Proposal(MemoryTypes.Skill, c.Subject + " has " + MemoryWords.Collapse(m.Groups["n"].Value.ToLowerInvariant()) + " of experience " + m.Groups["prep"].Value.ToLowerInvariant() + " " + what) { Confidence = 0.8, Salience = 0.5 });
        }
    }

    private static void BeenDoing(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        if (verb is "living" or "working" or "dating" or "thinking" or "feeling" or "waiting" or "trying" or "going" or "looking" or "meaning" or "wanting" or "married")
        {
            return;
        }

        var what = Value(c, m.Groups["obj"]);
        if (what is not null || !m.Groups["obj"].Success)
        {
            output.Add(new Proposal(MemoryTypes.Skill, Join(c.Subject, "has been " + verb, what) + " for " + MemoryWords.Collapse(m.Groups["dur"].Value.ToLowerInvariant())) { Confidence = 0.75, Salience = 0.5 });
        }
    }

    // ---- Preferences ------------------------------------------------------------------------------------------------

    private static void Favorite(Match m, Clause c, List<Proposal> output)
    {
        var slot = MemoryWords.Collapse(m.Groups["slot"].Value.ToLowerInvariant());
        if (Value(c, m.Groups["obj"]) is not { } what || slot.Length == 0)
        {
            return;
        }

        var be = MemoryWords.Collapse(m.Groups["be"].Value.ToLowerInvariant());
        output.Add(new Proposal(MemoryTypes.Preference, c.Possessive + " favorite " + slot + " " + (be == "are" ? "are" : "is") + " " + what) { Key = "preference:favorite_" + Slug(Singular(slot)), Confidence = 0.85, Salience = 0.55 });
    }

    private static void IsFavorite(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var slot = m.Groups["slot"].Success ? Value(c, m.Groups["slot"]) : null;
        output.Add(slot is null
            ? new Proposal(MemoryTypes.Preference, Capitalize(what) + " is " + c.Possessive + " favorite") { Confidence = 0.8, Salience = 0.5 }
            : new Proposal(MemoryTypes.Preference, c.Possessive + " favorite " + slot + " is " + what) { Key = "preference:favorite_" + Slug(Singular(slot)), Confidence = 0.85, Salience = 0.55 });
    }

    /// <summary>"I prefer tea over coffee" (and "now I prefer…", a change that replaces the other value).</summary>
    private static void Comparative(Match m, Clause c, List<Proposal> output)
    {
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        var connector = MemoryWords.Collapse(m.Groups["conn"].Value.ToLowerInvariant());
        if (ObjectEnd().IsMatch(m.Groups["new"].Value))
        {
            // "prefer a functional style, so iterators will feel natural to you": the "to" is another statement's.
            return;
        }

        if (Value(c, m.Groups["new"]) is not { } preferred || Value(c, m.Groups["old"]) is not { } other)
        {
            return;
        }

        if ((connector == "to" && (verb != "prefer" || preferred.StartsWith("to ", StringComparison.Ordinal))) || (connector == "over" && verb is "love" or "enjoy"))
        {
            // "I like to cook", "I love going to the beach": not a comparison.
            return;
        }

        var changed = m.Groups["now"].Success || NowWord().IsMatch(c.Text);
        var slot = SharedSlot(other, preferred);
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " prefers " + preferred + " over " + other)
        {
            Key = slot is null ? null : "preference:" + slot,
            Replaces = changed ? other : null,
            Confidence = 0.8,
            Salience = 0.55,
        });
    }

    private static void Fan(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what)
        {
            var phrase = MemoryWords.Collapse(m.Groups["phrase"].Value.ToLowerInvariant());
            output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " is " + phrase + " " + what) { Confidence = 0.8, Salience = 0.5 });
        }
    }

    private static void PersonType(Match m, Clause c, List<Proposal> output)
    {
        var what = MemoryWords.Collapse(m.Groups["obj"].Value);
        if (NotIdentity().IsMatch(what))
        {
            return;
        }

        var noun = m.Groups["noun"].Value.ToLowerInvariant();
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " is " + Article(what) + " " + what + " " + noun) { Confidence = 0.75, Salience = 0.5 });
    }

    private static void Dislike(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        var neg = m.Groups["neg"].Value.ToLowerInvariant();
        var phrase = neg == "never" ? "never " + Third(verb) : "does not " + verb;
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " " + phrase + " " + what) { Confidence = 0.75, Salience = 0.55 });
    }

    private static void Like(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant().Replace('’', '\''));
        var negative = verb is "hate" or "dislike" or "detest" or "despise" or "loathe" or "can't stand" or "cannot stand";
        var confidence = verb is "like" or "enjoy" or "dislike" ? 0.75 : 0.8;
        var key = verb == "prefer" && HeadNoun(what) is { } head ? "preference:" + head : null;
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " " + Third(verb) + " " + what) { Key = key, Confidence = confidence, Salience = negative ? 0.55 : 0.5 });
    }

    private static void Habit(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var frequency = MemoryWords.Collapse(m.Groups["freq"].Value.ToLowerInvariant());
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        var phrase = frequency.EndsWith(" to", StringComparison.Ordinal) ? Third(frequency) + " " + verb : frequency + " " + Third(verb);

        // "I always take almond milk" and "I switched to oat milk" fill one slot: the object's head noun.
        var key = verb is "drink" or "take" or "use" or "order" or "choose" or "pick" or "go with" && HeadNoun(what) is { } head ? "preference:" + head : null;
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " " + phrase + " " + what) { Key = key, Confidence = 0.7, Salience = 0.5 });
    }

    /// <summary>The assistant's guess, "you'd probably enjoy jazz", "you might want a standing desk": proposed so the gate can reject it visibly.</summary>
    private static void Guess(Match m, Clause c, List<Proposal> output)
    {
        if (!c.Signals.Contains(MemoryCandidateSignal.AssistantSpeculation) || Value(c, m.Groups["obj"]) is not { } what)
        {
            return;
        }

        var modal = MemoryWords.Collapse(m.Groups["modal"].Value.ToLowerInvariant().Replace('’', '\'')) is "'d" ? "would" : MemoryWords.Collapse(m.Groups["modal"].Value.ToLowerInvariant());
        output.Add(new Proposal(MemoryTypes.Preference, c.Subject + " " + modal + " " + m.Groups["verb"].Value.ToLowerInvariant() + " " + what) { Confidence = 0.5, Salience = 0.5 });
    }

    // ---- Events -----------------------------------------------------------------------------------------------------

    /// <summary>"I'm flying to Paris on Friday": a planned event, kept only with a grounded date.</summary>
    private static void Plan(Match m, Clause c, List<Proposal> output)
    {
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        var what = Value(c, m.Groups["obj"]);
        if (what is null && verb is not ("leaving" or "leave" or "getting married"))
        {
            return;
        }

        if (verb is "going" or "go" or "head" or "heading")
        {
            // "going to Paris", "going on a trip", "going hiking"; not "going to try".
            var words = (what ?? string.Empty).Split(' ');
            var ok = words.Length > 1 && words[0] is "to" or "on" or "for"
                ? words[1] is "the" or "a" or "an" or "their" || char.IsUpper(words[1][0]) || char.IsDigit(words[1][0])
                : words[0].EndsWith("ing", StringComparison.Ordinal);
            if (!ok)
            {
                return;
            }
        }

        var ing = verb.EndsWith("ing", StringComparison.Ordinal) || verb == "getting married" ? verb : Gerund(verb);
        output.Add(new Proposal(MemoryTypes.Event, Join(c.Subject, "is " + ing, what)) { Dated = true, NeedsDate = true, Confidence = 0.7, Salience = 0.45 });
    }

    private static void Appointment(Match m, Clause c, List<Proposal> output)
    {
        if (Value(c, m.Groups["obj"]) is { } what)
        {
            output.Add(new Proposal(MemoryTypes.Event, c.Subject + " has " + what) { Dated = true, NeedsDate = true, Confidence = 0.7, Salience = 0.45 });
        }
    }

    private static void Event(Match m, Clause c, List<Proposal> output)
    {
        var verb = MemoryWords.Collapse(m.Groups["verb"].Value.ToLowerInvariant());
        var perfect = m.Groups["perf"].Success ? MemoryWords.Collapse(m.Groups["perf"].Value.ToLowerInvariant().Replace('’', '\'')) : null;
        if (perfect is null && Participles.Contains(verb))
        {
            return;
        }

        // "I graduated" needs no object; "I went" with nothing worth keeping after it is no event.
        var what = Value(c, m.Groups["obj"]);
        if (verb is "had" or "got" && what is not null && what.StartsWith("to ", StringComparison.Ordinal))
        {
            // "I had to try…", "I got to see…": an obligation or a chance, not an event of its own.
            return;
        }

        if (verb == "been" && what is not null && OngoingWish().IsMatch(what))
        {
            // "I've been wanting to…", "I've been meaning to…": a wish that goes on, not something that happened.
            output.Add(new Proposal(MemoryTypes.Preference, Join(c.Subject, "has been", what)) { Confidence = 0.65, Salience = 0.45 });
            return;
        }

        if (what is null && !Intransitive.Contains(verb))
        {
            return;
        }

        var date = c.Dates.Count > 0 ? c.Dates[0] : c.SentenceDate;
        if (date is null && perfect is null && !Milestones.Contains(verb.Split(' ')[^1]) && (what is null || !RecentWord().IsMatch(m.Value)))
        {
            // "I had fun", "I saw that": without a time, a common verb is not an event worth remembering.
            return;
        }

        var phrase = perfect switch
        {
            "'ve" or "have" => "has " + verb,
            "'d" or "had" => "had " + verb,
            _ => verb,
        };
        output.Add(new Proposal(MemoryTypes.Event, Join(c.Subject, phrase, what)) { Dated = true, Confidence = date is null ? 0.6 : 0.8, Salience = 0.5 });
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private static string Join(string subject, string phrase, string? what) => what is null ? subject + " " + phrase : subject + " " + phrase + " " + what;

    /// <summary>A condition or rule, kept whole ("before 9am", "when I'm at work"): cut only at an aside.</summary>
    private static string? Condition(Clause clause, Group group, bool thirdPerson = true)
    {
        if (!group.Success)
        {
            return null;
        }

        var end = group.Index + group.Length;
        if (ConditionEnd().Match(clause.Text, group.Index, group.Length) is { Success: true } cut)
        {
            end = cut.Index;
        }

        var text = clause.Text[group.Index..end].Trim(TrimmedChars);
        if (text.Length == 0)
        {
            return null;
        }

        if (JunkValue().IsMatch(text) && !text.StartsWith("me", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return thirdPerson ? Pronoun().Replace(text, w => ThirdPersonPronoun(w.Value)) : text;
    }

    private static string Negation(string negation, string verb)
    {
        var neg = MemoryWords.Collapse(negation.ToLowerInvariant().Replace('’', '\''));
        return neg switch
        {
            "never" => "never " + Third(verb),
            "no longer" => "no longer " + Third(verb),
            "can't" or "cannot" or "can not" => "cannot " + verb,
            "won't" or "will not" => "will not " + verb,
            "try not to" => "tries not to " + verb,
            _ => "does not " + verb,
        };
    }

    private static string Severity(string match)
    {
        foreach (var word in MemoryWords.Split(match))
        {
            if (word is "highly" or "severely" or "seriously" or "mildly" or "slightly" or "deathly" or "extremely" or "very")
            {
                return word + " ";
            }
        }

        return string.Empty;
    }

    private static (string Type, string? Key) StoppedSlot(string verb, string prep) => verb switch
    {
        "live" or "reside" when prep is " in" => (MemoryTypes.Fact, "fact:home_city"),
        "work" when prep is " at" or " for" => (MemoryTypes.Fact, "fact:employer"),
        "eat" or "drink" or "smoke" or "consume" => (MemoryTypes.Constraint, null),
        "own" or "have" or "drive" or "ride" => (MemoryTypes.Asset, null),
        "play" or "speak" or "practice" or "code" => (MemoryTypes.Skill, null),
        _ => (MemoryTypes.Preference, null),
    };

    private static string AddressKind(IReadOnlyCollection<string> words) =>
        words.Contains("shipping") || words.Contains("delivery") ? "shipping"
        : words.Contains("billing") ? "billing"
        : words.Contains("work") || words.Contains("office") ? "work"
        : "home";

    /// <summary>The slot two values of a change share: "almond milk" → "oat milk" is <c>milk</c>.</summary>
    private static string? SharedSlot(string? old, string value)
    {
        var newWords = MemoryWords.Split(value).Where(w => !SlotStopWords.Contains(w) && !w.All(char.IsDigit)).ToList();
        if (newWords.Count == 0)
        {
            return null;
        }

        if (old is not null)
        {
            var oldWords = MemoryWords.Set(old);
            if (newWords.LastOrDefault(oldWords.Contains) is { } shared)
            {
                return Slug(shared);
            }

            // "from almond to oat milk": the old value left its noun to the new one.
            if (MemoryWords.Split(old).Count() == 1 && newWords.Count > 1)
            {
                return Slug(newWords[^1]);
            }
        }

        return null;
    }

    private static bool IsDiet(string text) => DietWord().IsMatch(text);

    /// <summary>The head noun of a short noun phrase ("almond milk in my coffee" → <c>milk</c>), or null when the object is no plain noun phrase.</summary>
    private static string? HeadNoun(string phrase)
    {
        var words = new List<string>();
        foreach (var word in MemoryWords.Split(phrase))
        {
            if (HeadNounEnd.Contains(word))
            {
                break;
            }

            words.Add(word);
        }

        words.RemoveAll(SlotStopWords.Contains);
        if (words.Count is 0 or > 4 || words[0] is "to" || words[0].EndsWith("ing", StringComparison.Ordinal) || words[^1].EndsWith("ly", StringComparison.Ordinal) || words.Any(w => w.Any(char.IsDigit)))
        {
            return null;
        }

        return Slug(Singular(words[^1]));
    }

    private static readonly HashSet<string> HeadNounEnd = new(StringComparer.Ordinal)
    {
        "in", "with", "for", "on", "at", "from", "when", "before", "after", "during", "every", "each", "because", "and", "or", "but", "instead", "over", "than", "to", "as", "if", "whenever", "since", "rather", "most", "all", "these", "nowadays",
    };

    private static bool IsProfession(string title)
    {
        var words = MemoryWords.Split(ProfessionTail().Replace(title, string.Empty)).ToList();
        if (words.Count == 0)
        {
            return false;
        }

        var head = words[^1];
        return Professions.Contains(head)
            || (head.Length > 5 && (head.EndsWith("ist", StringComparison.Ordinal) || head.EndsWith("ician", StringComparison.Ordinal) || head.EndsWith("ologist", StringComparison.Ordinal) || head.EndsWith("grapher", StringComparison.Ordinal)));
    }

    private static bool IsPastOrNarrative(string verb) => verb.EndsWith("ed", StringComparison.Ordinal) || NarrativeVerbs.Contains(verb);

    private static IEnumerable<string> AssetNouns(string text) => MemoryWords.Split(text).Where(w => AssetLexicon.ContainsKey(w) || AssetMakes.ContainsKey(w));

    private static string? AssetSlot(string noun)
    {
        var word = noun.ToLowerInvariant();
        return AssetLexicon.TryGetValue(word, out var slot) || AssetMakes.TryGetValue(word, out slot) ? slot : null;
    }

    /// <summary>
    /// The single-valued slot a phrase fills, or null. The thing the phrase names decides: its head (last) lexicon noun, so
    /// "a Galaxy Watch" is a watch (no slot), not a phone. A make decides only when no such noun is there, and only when
    /// nothing but a model name follows it: "a Honda Civic" and "an iPhone 15" are a car and a phone, but "a Honda
    /// generator" and "a Dell monitor" are some other thing, which must not replace the car or the laptop.
    /// </summary>
    private static string? Slot(string text)
    {
        var words = NounPhrase(text);
        if (words.FindLastIndex(w => AssetLexicon.ContainsKey(w.ToLowerInvariant())) is var noun and >= 0)
        {
            return AssetLexicon[words[noun].ToLowerInvariant()];
        }

        var make = words.FindLastIndex(w => AssetMakes.ContainsKey(w.ToLowerInvariant()));
        return make < 0 || (make < words.Count - 1 && IsCommonNoun(words[^1])) ? null : AssetMakes[words[make].ToLowerInvariant()];
    }

    /// <summary>
    /// The words of a phrase as written (case kept: it tells a model name from a common noun), up to the first word that
    /// starts a modifier after its noun ("a Honda with heated seats").
    /// </summary>
    private static List<string> NounPhrase(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                start = start < 0 ? i : start;
                continue;
            }

            if (start >= 0)
            {
                var word = text[start..i];
                if (PostNounWords.Contains(word.ToLowerInvariant()))
                {
                    break;
                }

                words.Add(word);
                start = -1;
            }
        }

        return words;
    }

    /// <summary>A lower-case word of letters is a common noun ("generator", "monitor"); model names are capitalized or numbered ("Civic", "15", "XPS").</summary>
    private static bool IsCommonNoun(string word) => word.All(char.IsLetter) && word.All(char.IsLower) && !ModelWords.Contains(word);

    /// <summary>Lower-case words that belong to a model's name rather than naming another thing.</summary>
    private static readonly HashSet<string> ModelWords = new(StringComparer.Ordinal) { "pro", "max", "plus", "mini", "air", "ultra", "lite", "hybrid", "electric", "wagon" };

    /// <summary>Words after which a phrase no longer names its thing but says more about it.</summary>
    private static readonly HashSet<string> PostNounWords = new(StringComparer.Ordinal)
    {
        "with", "that", "which", "who", "from", "for", "in", "on", "at", "and", "but", "i", "we", "since", "because", "to", "of", "by", "when", "while",
    };

    private static (string Key, string Display) Platform(string name)
    {
        var key = Slug(name.ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal).Replace(".com", string.Empty, StringComparison.Ordinal));
        return PlatformNames.TryGetValue(key, out var known) ? known : (Slug(name.Replace(".com", string.Empty, StringComparison.OrdinalIgnoreCase)), name);
    }

    private static string HandleNoun(string noun) => MemoryWords.Collapse(noun.ToLowerInvariant()) switch
    {
        "user name" or "username" => "username",
        "id" or "user id" => "ID",
        "screen name" or "screenname" => "screen name",
        var other => other,
    };

    /// <summary>"a" or "an" for the word that follows, by its sound: "an hour", "a user", "a one-off", "an MBA" are spelled against their first letter.</summary>
    private static string Article(string next)
    {
        var word = MemoryWords.Split(next).FirstOrDefault() ?? string.Empty;
        if (word.Length == 0)
        {
            return "a";
        }

        if (SilentH.Any(h => word.StartsWith(h, StringComparison.Ordinal)))
        {
            return "an";
        }

        if (ConsonantSoundVowel.Any(v => word.StartsWith(v, StringComparison.Ordinal)))
        {
            return "a";
        }

        // An initialism is read letter by letter: "an MBA", "an SRE", "a CTO".
        var first = next.TrimStart()[0];
        if (word.Length <= 4 && char.IsUpper(first) && next.TrimStart().Take(word.Length).All(char.IsUpper))
        {
            return "aefhilmnorsx".Contains(char.ToLowerInvariant(first), StringComparison.Ordinal) ? "an" : "a";
        }

        return "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";
    }

    /// <summary>
    /// The article the user wrote, corrected to the one the next word takes ("a accountant" is stored as "an accountant"),
    /// and left as it is when it is not an indefinite article ("the", "one").
    /// </summary>
    private static string AgreeingArticle(string written, string next) =>
        written.Trim().ToLowerInvariant() is "a" or "an" ? Article(next) : written.Trim().ToLowerInvariant();

    private static string Capitalize(string text) => text.Length == 0 || char.IsUpper(text[0]) ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Singular(string noun) => noun.EndsWith('s') && !noun.EndsWith("ss", StringComparison.Ordinal) && noun.Length > 3 ? noun[..^1] : noun;

    private static string Gerund(string verb) => verb switch
    {
        "run" => "running",
        "travel" => "traveling",
        _ when verb.EndsWith('e') && verb != "see" => verb[..^1] + "ing",
        _ => verb + "ing",
    };

    /// <summary>Lower-case words joined by underscores: the slot part of a key.</summary>
    private static string Slug(string text) => string.Join('_', MemoryWords.Split(text));

    private static System.Text.Json.JsonElement StructuredValue(string kind, string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", kind);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
