using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>The source-generated patterns and the word lists the rules consult.</summary>
/// <remarks>Patterns match a clause rewritten in the first person (see <c>View</c>), case-insensitively.</remarks>
public sealed partial class RuleBasedMemoryExtractor
{
    // ---- Changes of value ----

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<verb>switched|switch|changed|change|moved|went|gone|converted|upgraded|migrated|transitioned|relocated)\s+(?:(?:over|back|all\s+the\s+way)\s+)?(?:(?<what>(?:my|our)\s+[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+)?from\s+(?<old>.+?)\s+(?:to|for|with)\s+(?<new>\S.*)", Options)]
    private static partial Regex TransitionPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<verb>moved|relocated)\s+(?:back\s+)?to\s+(?<new>.+?)\s+from\s+(?<old>\S.*)", Options)]
    private static partial Regex MovedToFromPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<verb>changed|updated|switched)\s+(?<what>(?:my|our)\s+[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+to\s+(?<new>\S.*)", Options)]
    private static partial Regex ChangedToPattern();

    // "I changed my number, it's 555-0178 now": the new value follows the change after a comma.
    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<verb>changed|updated|switched|replaced)\s+(?<what>(?:my|our)\s+(?:[\w'’-]+\s+){0,2}?(?:number|phone|cell|mobile|e-?mail|email\s+address|handle|username|user\s+name|address))\s*(?:[,;:]|\s[-–—])\s*(?:(?:and|so|now)\s+)?(?:(?:it['’]s|it\s+is|the\s+new\s+one\s+is|the\s+new\s+one['’]s|new\s+one\s+is|now\s+it['’]s)\s+)?(?<new>[@+\d\w].*)", Options)]
    private static partial Regex ChangedItsPattern();

    // ---- Constraints ----

    [GeneratedRegex(@"\bI(?:['’]m|\s+am|(?:['’]ve|\s+have)\s+(?:always\s+)?been|\s+was\s+(?:recently\s+|just\s+)?(?:diagnosed\s+as|found\s+to\s+be))\s+(?:(?:very|highly|severely|seriously|mildly|slightly|deathly|super|extremely|quite|a\s+(?:bit|little)|also|really|so|still|now|actually|always|definitely)\s+)*allergic\s+to\s+(?<obj>\S.*)", Options)]
    private static partial Regex AllergyPattern();

    [GeneratedRegex(@"\bI(?:['’]ve)?\s+(?:(?:also|now|still)\s+)?(?:have\s+got|have|got)\s+(?:an?\s+)?(?:(?<deg>severe|mild|serious|bad|life[\s-]threatening|slight)\s+)?(?<obj>[\w-]+(?:\s+[\w-]+){0,2}?)\s+allerg(?:y|ies)\b", Options)]
    private static partial Regex AllergyNounPattern();

    [GeneratedRegex(
        @"(?:\bI(?:['’]m|\s+am)\s+(?:(?:now|also|still|strictly|mostly|fully|completely|basically|actually)\s+)*(?:an?\s+)?(?:(?:strict|full|total|committed)\s+)?"
        + @"|\bI(?:\s+(?:(?:just|recently|finally|also)\s+)*(?:went|became|turned|tried\s+going|try\s+going)|(?:['’]ve|\s+have)\s+(?:(?:just|recently|always)\s+)?(?:gone|become|been))\s+(?:(?:fully|completely)\s+)?)"
        + @"(?<diet>vegetarian|vegan|pescatarian|pescetarian|lactose[\s-]intolerant|gluten[\s-]intolerant|celiac|coeliac|diabetic|kosher|halal|teetotal|sober|(?:on\s+)?an?\s+(?:keto|ketogenic|low[\s-]carb|paleo|gluten[\s-]free|plant[\s-]based|low[\s-]sodium|low[\s-]fat|vegan|vegetarian)\s+diet)\b",
        Options)]
    private static partial Regex DietPattern();

    [GeneratedRegex(@"\bI\s+(?<neg>don['’]t|do\s+not|never|can['’]t|cannot|can\s+not|won['’]t|will\s+not|no\s+longer|try\s+not\s+to)\s+(?:(?:ever|really|usually)\s+)?(?<verb>eat|drink|consume|touch|smoke)\b(?:\s+(?<obj>\S.*))?", Options)]
    private static partial Regex DoNotEatPattern();

    [GeneratedRegex(@"\bI\s+(?:(?:always|strictly|try\s+to|have\s+to|need\s+to|must)\s+)*avoid\s+(?<obj>\S.*)", Options)]
    private static partial Regex AvoidPattern();

    [GeneratedRegex(
        @"^(?:(?:please|and|also|oh|btw|just|so)[\s,]+)*(?<neg>never|don['’]t\s+ever|do\s+not\s+ever|don['’]t|do\s+not|avoid)\s+"
        + @"(?<verb>call(?:ing)?|e-?mail(?:ing)?|text(?:ing)?|messag(?:e|ing)|contact(?:ing)?|phon(?:e|ing)|ping(?:ing)?|schedul(?:e|ing)|book(?:ing)?|send(?:ing)?|wak(?:e|ing)|bother(?:ing)?|disturb(?:ing)?|shar(?:e|ing)|recommend(?:ing)?|suggest(?:ing)?|serv(?:e|ing)|giv(?:e|ing)|offer(?:ing)?|mention(?:ing)?|add(?:ing)?|put(?:ting)?|sign(?:ing)?|us(?:e|ing)|order(?:ing)?|spend(?:ing)?|charg(?:e|ing)|remind(?:ing)?|seat(?:ing)?|assign(?:ing)?|forward(?:ing)?|cc|includ(?:e|ing))\b(?<rest>.*)",
        Options)]
    private static partial Regex ImperativePattern();

    [GeneratedRegex(@"\bmy\s+(?:(?:total|monthly|weekly|annual|yearly|max(?:imum)?|overall|rough)\s+)?budget\s+(?:for\s+(?<for>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+)?(?:is|was\s+set\s+at|of|would\s+be|will\s+be|:)\s+(?<obj>\S.*)", Options)]
    private static partial Regex BudgetPattern();

    [GeneratedRegex(@"\bI\s+(?:can['’]t|cannot|can\s+not|don['’]t\s+want\s+to|do\s+not\s+want\s+to|won['’]t|will\s+not|want\s+to\s+only|only\s+want\s+to|can\s+only)\s+spend\s+(?:(?:more\s+than|over|above|up\s+to|at\s+most|about|around)\s+)?(?<obj>\S.*)", Options)]
    private static partial Regex SpendLimitPattern();

    [GeneratedRegex(@"\bI\s+(?:(?:really|absolutely|strictly)\s+)?(?<neg>never|don['’]t\s+ever|do\s+not\s+ever|will\s+never|would\s+never)\s+(?<verb>[a-z]+)\b(?:\s+(?<obj>\S.*))?", Options)]
    private static partial Regex NeverPattern();

    [GeneratedRegex(@"\bI\s*(?<modal>must|have\s+to|need\s+to|['’]ve\s+got\s+to|have\s+got\s+to|am\s+required\s+to|['’]m\s+required\s+to|always\s+have\s+to)\s+(?:(?:always|still)\s+)?(?<verb>[a-z]+)\b(?:\s+(?<obj>\S.*))?", Options)]
    private static partial Regex MustPattern();

    [GeneratedRegex(@"\bI\s*(?<neg>can['’]t|cannot|can\s+not|am\s+not\s+allowed\s+to|['’]m\s+not\s+allowed\s+to|am\s+unable\s+to|['’]m\s+unable\s+to|am\s+not\s+able\s+to|['’]m\s+not\s+able\s+to)\s+(?<verb>[a-z]+)\b(?:\s+(?<obj>\S.*))?", Options)]
    private static partial Regex CannotPattern();

    // ---- Identifiers ----

    [GeneratedRegex(
        @"\b(?:my\s+(?<qual>(?:(?:new|current|work|personal|school|business|primary|main|private|office|university|uni|company)\s+)*)(?:e-?mail(?:\s+address)?|address)(?:\s+(?:for|on|at)\s+(?:the\s+|my\s+)?(?<purpose>[\w-]+(?:\s+[\w-]+)?))?\s*(?:is|:|=|-|,)?\s*"
        + @"|(?:reach|contact|e-?mail|mail|write\s+to|message|find)\s+me\s+(?:at|on|via|through)\s+|I(?:['’]m|\s+am)\s+(?:reachable\s+at\s+)?)"
        + @"(?<v>" + EmailOrVaultToken + ")",
        Options)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(EmailOrVaultToken, Options)]
    private static partial Regex EmailAddress();

    // An address, or the vault token redaction put in its place ([[tok:email:…]]): a tokenized email is still an identifier.
    private const string EmailOrVaultToken = @"(?:[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|\[\[tok:email:[0-9a-z]{26}\]\])";

    [GeneratedRegex(@"^\[\[tok:phone:[0-9a-z]{26}\]\]$", Options)]
    private static partial Regex PhoneVaultToken();

    // "Please use ana@x.org from now on", "try @ana_dev instead": an identifier told by its shape.
    [GeneratedRegex(@"\b(?:please\s+)?(?:use|try|switch\s+to)\s+(?<v>[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|@\w[\w.-]*\w|\+?\(?\d[\d\s().-]{5,}\d)(?=\s+(?:from\s+now\s+on|instead|going\s+forward|now|for\s+me|from\s+here\s+on|for\s+everything)\b|\s*$)", Options)]
    private static partial Regex UseIdentifierPattern();

    [GeneratedRegex(
        @"\b(?:my\s+(?<qual>(?:(?:new|current|work|home|office|cell|mobile|personal)\s+)*)(?:phone|cell|mobile|telephone)(?:\s+(?:number|no\.?|\#))?\s*(?:is|:|=)?\s*"
        + @"|my\s+(?<qual>(?:(?:new|current|work|home|office|personal)\s+)*)number\s+is\s+"
        + @"|(?:call|text|reach|ring|whatsapp|phone)\s+me\s+(?:at|on)\s+)"
        + @"(?<v>\+?\(?\d[\d\s().-]{5,}\d)",
        Options)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(
        @"\bmy\s+(?<platform>" + Platforms + @")(?:\s+(?<noun>handle|username|user\s*name|account|id|tag|name|profile|gamertag|login))?\s*(?:is|:|=|(?:has\s+)?changed\s+to|is\s+now)\s*(?<v>@?\w[\w.-]*\w)"
        + @"|\bI(?:['’]m|\s+am)\s+(?<v>@\w[\w.-]*\w)\s+on\s+(?<platform>" + Platforms + @")\b"
        + @"|\b(?:find|follow|add)\s+me\s+on\s+(?<platform>" + Platforms + @")(?:\s+(?:as|at)\s+(?<v>@?\w[\w.-]*\w)|\s*:?\s*(?<v>@\w[\w.-]*\w))",
        Options)]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"\bmy\s+(?:(?<pre>[\w.]+)\s+)?(?<noun>user\s*name|login|user\s+id|handle|screen\s*name|gamertag|nickname|nick)(?:\s+(?:on|for|at)\s+(?:the\s+)?(?<platform>[\w.-]+(?:\s+(?:forum|forums|server|community|site|board|app|wiki|group|channel))?))?\s*(?:is|:|=|(?:has\s+)?changed\s+to|is\s+now)\s*(?<v>@?\w[\w.-]*\w)", Options)]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"\bmy\s+(?<kind>account|customer|client|employee|staff|member(?:ship)?|student|patient|loyalty|rewards|frequent[\s-]flyer|library(?:\s+card)?|policy|badge|user|subscriber|passport|license|licence|driver['’]?s\s+licen[cs]e|insurance|benefits|tax)\s+(?<noun>number|no\.?|id|\#|code|num)\s*(?:is|:|=)?\s*\#?\s*(?<v>[a-z0-9][a-z0-9-]{2,})", Options)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"\bmy\s+(?:(?:full|real|legal|first|given)\s+)?name\s+is\s+(?<v>[\p{L}'’-]+(?:\s+[\p{L}'’-]+){0,3})", Options)]
    private static partial Regex NameIsPattern();

    [GeneratedRegex(@"^(?:(?:please|you\s+can|just|and|oh)[\s,]+)*call\s+me\s+(?<v>[\p{L}'’-]+)", Options)]
    private static partial Regex CallMePattern();

    // ---- No longer ----

    [GeneratedRegex(@"\bI\s+(?:(?:really|just|honestly|actually)\s+)?no\s+longer\s+(?<verb>[a-z]+)(?:\s+(?<prep>in|at|for|with|to|on))?\s+(?<obj>\S.*)", Options)]
    private static partial Regex NoLongerPattern();

    [GeneratedRegex(@"\bI\s+(?:don['’]t|do\s+not)\s+(?:really\s+|even\s+)?(?<verb>[a-z]+)(?:\s+(?<prep>in|at|for|with|to|on))?\s+(?<obj>.+?)\s+any\s*(?:more|longer)\b", Options)]
    private static partial Regex NotAnymorePattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?:no\s+longer\s+(?<rest>\S.*)|not\s+(?<rest>.+?)\s+any\s*(?:more|longer)\b)", Options)]
    private static partial Regex NoLongerStatePattern();

    [GeneratedRegex(@"\bI\s+used\s+to\s+(?<verb>[a-z]+)(?:\s+(?<prep>in|at|for|with|to|on))?\s+(?<obj>\S.*)", Options)]
    private static partial Regex UsedToPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<verb>quit|stopped|gave\s+up(?:\s+on)?|given\s+up(?:\s+on)?)\s+(?<obj>\S.*)", Options)]
    private static partial Regex QuitPattern();

    [GeneratedRegex(@"^my\s+(?:\w+\s+)?job(?:\s+(?:at|with)\s+(?<org>\S.*))?", Options)]
    private static partial Regex QuitJob();

    [GeneratedRegex(@"^(?:by|at|to|in|for|there|here|and|because|when|on|with|talking|thinking|worrying|trying|caring|the\s+car|the\s+video|the\s+music|the\s+movie|it|that|this)\b", Options)]
    private static partial Regex QuitNotHabit();

    [GeneratedRegex(@"^(?:an?\s+)?(?:(?:big|huge|real|true)\s+)?(?:fan\s+of|into|lover\s+of)\b", Options)]
    private static partial Regex FanOrInto();

    // ---- Assets ----

    [GeneratedRegex(@"\bI\s+(?:(?:now|also|still|currently|actually|just)\s+)*(?<verb>run|own|manage|operate|co-own)\s+(?<obj>(?:a|an|my\s+own|my|the\s+family|our\s+own|our)\s+(?:[\w'’&-]+\s+){0,3}?(?:business|bakery|shop|store|restaurant|cafe|café|company|startup|start-up|studio|salon|bar|pub|clinic|practice|firm|agency|farm|bookstore|boutique|brewery|food\s+truck|gym|hotel|nonprofit|non-profit|charity|bistro|diner|deli|workshop|daycare|franchise|consultancy|winery|vineyard)\b)", Options)]
    private static partial Regex BusinessPattern();

    [GeneratedRegex(@"\bmy\s+(?<qual>(?:(?:shipping|delivery|home|billing|mailing|postal|work|office|new|current|street|permanent)\s+)*)address\s*(?:is|:|=)\s*(?<obj>\S.*)", Options)]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"\b(?:please\s+)?(?:always\s+)?(?:ship|send|deliver|mail)\s+(?:it|them|everything|things|(?:my\s+)?(?:orders?|packages?|parcels?|stuff|deliveries))\s+to\s+(?<obj>\d.*)", Options)]
    private static partial Regex ShipToPattern();

    [GeneratedRegex(@"\bI(?:['’]ve)?\s+(?:(?:also|now|still|just|recently|finally)\s+)*(?<verb>have\s+got|have|own|got|adopted|rescued)\s+(?<det>an?|two|three|four|five|\d+|one|a\s+couple\s+of)\s+(?<adj>(?:[\w-]+\s+){0,3})(?<pet>" + Pets + @")\b(?:\s*,?\s+(?:named|called)\s+(?<name>[\p{L}-]+(?:\s+and\s+[\p{L}-]+)?)|(?:\s+\S+){0,3}?\s*,\s*(?:(?:and|so)\s+)?(?:her|his|its|their)\s+names?\s+(?:is|are)\s+(?<name>[\p{L}-]+(?:\s+and\s+[\p{L}-]+)?))?", Options)]
    private static partial Regex PetPattern();

    [GeneratedRegex(@"\bmy\s+(?<adj>(?:[\w-]+\s+){0,2}?)(?<pet>dog|cat|puppy|kitten|parrot|hamster|rabbit|bunny|horse|pony|bird|turtle|tortoise|snake|lizard|gecko|ferret|retriever|labrador|poodle|terrier|beagle|bulldog|corgi|husky|shepherd|spaniel|dachshund|pug|chihuahua)(?:['’]s\s+name\s+is|\s+is\s+(?:named|called)|\s*,)?\s+(?<name>[\p{L}-]+)", Options)]
    private static partial Regex NamedPetPattern();

    [GeneratedRegex(@"\bmy\s+(?:(?:new|current|main|daily|everyday|work|personal|trusty|only)\s+)*(?<thing>" + Devices + @")\s+is\s+(?<art>(?:an?|the)\s+)?(?<obj>\S.*)", Options)]
    private static partial Regex DeviceIsPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?:traded(?:\s+in)?|swapped|replaced|exchanged)\s+my\s+(?<old>.+?)\s+(?:for|with)\s+(?<new>\S.*)", Options)]
    private static partial Regex TradePattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"sold\s+my\s+(?<obj>\S.*)", Options)]
    private static partial Regex SoldPattern();

    [GeneratedRegex(@"\bI(?:['’]ve)?\s+(?:(?:now|also|still|currently|just|recently|finally|actually)\s+)*(?<verb>drive|own|ride|use|have\s+got|have|got|bought|purchased|leased)\s+(?<obj>\S.*)", Options)]
    private static partial Regex OwnPattern();

    [GeneratedRegex(@"\b(?:old|previous|former|current|beloved|trusty)\s+", Options)]
    private static partial Regex OldAdjective();

    // ---- Facts ----

    [GeneratedRegex(
        @"\bI(?:['’]m|\s+am|\s+feel|(?:['’]ve|\s+have)\s+been|\s+was)\s+(?:(?:so|really|very|a\s+bit|a\s+little|a\s+little\s+bit|kind\s+of|super|pretty|quite|just|still|too|currently|feeling|extremely|totally|completely|incredibly|absolutely)\s+)*"
        + @"(?<state>in\s+a\s+(?:hurry|rush|meeting|bad\s+mood|good\s+mood|call)|busy|tired|exhausted|sleepy|hungry|starving|famished|knackered|wiped\s+out|drained|thirsty|sick|ill|stressed(?:\s+out)?|bored|running\s+late|late|on\s+my\s+(?:phone|way)|driving|on\s+the\s+(?:train|bus|road|go)|grumpy|distracted|anxious|nervous|sad|upset|angry|annoyed|frustrated|overwhelmed|swamped|jet[\s-]?lagged|hungover|freezing|away|out\s+of\s+(?:the\s+)?office|on\s+vacation|on\s+holiday|at\s+work|at\s+home|offline|unwell|under\s+the\s+weather|short\s+on\s+time)\b"
        + @"(?:(?<=late|meeting|call|hurry|rush|way)|(?!\s+(?:of|with|about|to|that|for)\b))",
        Options)]
    private static partial Regex TransientStatePattern();

    [GeneratedRegex(
        @"\bI\s+(?:(?:currently|now|still|also|actually|happily)\s+)*(?:live|reside)\s+in\s+(?<obj>\S.*)"
        + @"|\bI(?:['’]m|\s+am)\s+(?:(?:currently|now|still|also)\s+)*(?:living|based|residing)\s+(?:in|out\s+of)\s+(?<obj>\S.*)"
        + @"|\bI(?:['’]ve|\s+have)\s+(?:been\s+living|lived)\s+in\s+(?<obj>\S.*)"
        + @"|\bmy\s+home\s+(?:city\s+)?is\s+(?:in\s+)?(?<obj>\S.*)",
        Options)]
    private static partial Regex HomeCityPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?:moved|relocated)\s+(?:back\s+|here\s+|over\s+)?to\s+(?<obj>\S.*)", Options)]
    private static partial Regex MovedToPattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?:originally\s+)?from\s+(?<obj>\S.*)|\bI\s+(?:grew\s+up|was\s+(?:born\s+and\s+)?raised)\s+in\s+(?<obj>\S.*)|\bmy\s+home\s*town\s+is\s+(?<obj>\S.*)", Options)]
    private static partial Regex HometownPattern();

    [GeneratedRegex(@"\bI\s+was\s+born\s+(?:(?<prep>on|in)\s+)?(?<obj>\S.*)", Options)]
    private static partial Regex BornPattern();

    [GeneratedRegex(@"\bmy\s+birthday\s+(?:is|falls\s+on|was)\s+(?:on\s+)?(?<obj>\S.*)|\bmy\s+birthday['’]s\s+(?:on\s+)?(?<obj>\S.*)", Options)]
    private static partial Regex BirthdayPattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?<age>\d{1,3})(?:\s*(?:years?|yrs?)\s+old\b|\s*y/?o\b|(?=\s*$)|(?=\s+(?:and|but|now|today|this\s+year)\b))|\bI\s+(?:just\s+)?turned\s+(?<age>\d{1,3})\b", Options)]
    private static partial Regex AgePattern();

    [GeneratedRegex(
        @"\bI\s+(?:(?:currently|now|still|also|actually)\s+)*work\s+(?:at|for)\s+(?<obj>.+?)(?:\s+as\s+(?:an?\s+|the\s+)?(?<title>.+?))?\s*$"
        + @"|\bI(?:['’]m|\s+am)\s+(?:(?:currently|now|still)\s+)*(?:working|employed)\s+(?:at|for|by)\s+(?<obj>.+?)(?:\s+as\s+(?:an?\s+|the\s+)?(?<title>.+?))?\s*$"
        + @"|\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<start>joined|started\s+(?:(?:a\s+new\s+job|working)\s+)?at|got\s+(?:a\s+|the\s+)?(?:job|position|offer|role)\s+(?:at|with))\s+(?<obj>.+?)(?:\s+as\s+(?:an?\s+|the\s+)?(?<title>.+?))?\s*$",
        Options)]
    private static partial Regex EmployerPattern();

    [GeneratedRegex(
        @"\bI\s+(?:(?:currently|now|still|also|actually)\s+)*work\s+as\s+(?<art>(?:an?|the)\s+)?(?<obj>.+?)(?:\s+(?:at|for|with)\s+(?<org>.+?))?\s*$"
        + @"|\bmy\s+(?:current\s+|new\s+)?(?:job|role|title|position|job\s+title|profession|occupation)\s+is\s+(?<art>(?:an?|the)\s+)?(?<obj>.+?)(?:\s+(?:at|for)\s+(?<org>.+?))?\s*$"
        + @"|\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?<became>became|become|got\s+promoted\s+to|was\s+promoted\s+to|been\s+promoted\s+to)\s+(?<art>(?:an?|the)\s+)?(?<obj>.+?)(?:\s+(?:at|for)\s+(?<org>.+?))?\s*$",
        Options)]
    private static partial Regex JobTitlePattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?:(?:happily|recently|newly|now|still|also|just)\s+)*(?<st>married|single|divorced|engaged|widowed|separated|in\s+a\s+relationship)\b(?:\s+(?:to|with)\s+(?<obj>\S.*))?|\bI\s+" + Lead + @"got\s+(?<st>married|engaged|divorced)\b(?:\s+to\s+(?<obj>\S.*))?", Options)]
    private static partial Regex MaritalPattern();

    [GeneratedRegex(@"\bI(?:['’]ve)?\s+(?:(?:also|now)\s+)?(?:have\s+got|have|got)\s+(?<n>no|one|two|three|four|five|six|seven|eight|nine|ten|\d+|an?|twin)\s+(?<adj>(?:(?:young|little|small|grown(?:-up)?|adult|teenage|wonderful|beautiful|amazing|lovely|older|younger|big|baby|awesome|great)\s+)*)(?<k>kids?|children|child|sons?|daughters?|boys?|girls?|grandchildren|grandkids|grandsons?|granddaughters?|siblings?|brothers?|sisters?|twins|stepkids|stepchildren)\b", Options)]
    private static partial Regex ChildrenPattern();

    [GeneratedRegex(@"\bmy\s+(?<rel>wife|husband|spouse|partner|boyfriend|girlfriend|fianc[eé]e?|son|daughter|kid|child|brother|sister|mom|mum|mother|dad|father|grandma|grandmother|grandpa|grandfather|best\s+friend|friend|cousin|aunt|uncle|niece|nephew|boss|manager|roommate|twin|stepson|stepdaughter)(?:['’]s\s+name\s+is|\s+is\s+(?:named|called)|\s*,)?\s+(?<name>[\p{L}-]+)", Options)]
    private static partial Regex RelativePattern();

    [GeneratedRegex(@"\bmy\s+(?<rel>wife|husband|spouse|partner|boyfriend|girlfriend|fianc[eé]e?|son|daughter|brother|sister|mom|mum|mother|dad|father|best\s+friend|roommate|twin)\s+is\s+(?<art>an?\s+)(?<obj>\S.*)", Options)]
    private static partial Regex RelativeIsPattern();

    [GeneratedRegex(@"^(?:honest|going|off|careful|quick|sure|there\s+for|clear|frank|fair|real)\b", Options)]
    private static partial Regex NotARule();

    [GeneratedRegex(@"\bmy\s+pronouns\s+are\s+(?<obj>[a-z]+(?:\s*/\s*[a-z]+)+)", Options)]
    private static partial Regex PronounsPattern();

    [GeneratedRegex(@"\bI\s+identify\s+as\s+(?<obj>\S.*)", Options)]
    private static partial Regex IdentifyPattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?:(?:currently|now|still|also|actually|basically|technically|just|only|proudly|officially|probably|likely|clearly|obviously|surely|definitely)\s+)*(?<art>an?\s+)(?<obj>.+?)(?:\s+(?<orgprep>at|for|with)\s+(?<org>.+?))?\s*$", Options)]
    private static partial Regex IAmAPattern();

    // ---- Skills ----

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+" + Degree + @"(?<adj>fluent|proficient|experienced|skilled|good|great|excellent|decent|competent|conversational|native|an?\s+(?:expert|pro|native\s+speaker|beginner|intermediate|advanced|(?:\w+\s+)?black\s+belt)|expert|certified|trained|qualified|bilingual|trilingual)(?:\s+(?<prep>in|at|with|on)\s+(?<obj>\S.*))?", Options)]
    private static partial Regex SkilledPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+(?:(?:originally|also|actually|first|once)\s+)*(?<verb>trained|qualified)\s+as\s+(?<art>an?\s+)(?<obj>\S.*)", Options)]
    private static partial Regex TrainedAsPattern();

    // What "can" does not make a skill of: "make a difference", "make it happen", "build something".
    [GeneratedRegex(@"^(?:(?:a|an|the|some|any|real|big|huge|such|true|lasting|positive|small)\s+)*(?:difference|change|changes|impact|progress|time|sense|mistakes?|friends|things?|stuff|something|anything|everything|sure|plans?|decisions?|a\s+living|living|money|it\s+happen|it\s+work|this\s+work|happen|memories|effort|room|space|peace|amends|way|better|it|this|that|them)\b", Options)]
    private static partial Regex AbstractObject();

    [GeneratedRegex(@"^(?:any\s+)?(?:meat|animal\s+products|meat\s+(?:or|and|nor)\s+(?:fish|dairy|eggs|poultry)|(?:fish|poultry)\s+or\s+meat|meat\s+of\s+any\s+kind)$", Options)]
    private static partial Regex NoMeat();

    [GeneratedRegex(@"\bI\s+(?:can|know\s+how\s+to)\s+(?:(?:also|really|actually|even|still|now)\s+)*(?<verb>" + SkillVerbs + @")\b(?:\s+(?<obj>\S.*))?", Options)]
    private static partial Regex CanPattern();

    [GeneratedRegex(@"\bI\s+(?:(?:also|really|actually|still|now|fluently)\s+)*(?<verb>speak|know|code\s+in|program\s+in|write\s+code\s+in|sign)\s+(?<obj>\S.*)", Options)]
    private static partial Regex SpeakPattern();

    [GeneratedRegex(@"\bI\s+(?:(?:also|really|actually|still|now|often|sometimes|regularly)\s+)*play\s+(?<obj>\S.*)", Options)]
    private static partial Regex PlayPattern();

    [GeneratedRegex(@"^(?:with|around|along|it|a\s+role|dumb|hard|safe|fair|nice|the\s+victim|favorites|favourites|by|for|on|in|them|him|her)\b", Options)]
    private static partial Regex PlayNotSkill();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am|(?:['’]ve|\s+have)\s+been)\s+(?:(?:currently|now|also|still|slowly|finally|really|actively)\s+)*(?<verb>learning|studying|taking\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:class(?:es)?|course|courses|lessons?)\s+(?:in|on)|practicing|practising|training\s+in|teaching\s+myself)\s+(?<obj>\S.*)", Options)]
    private static partial Regex LearningPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)?\s+" + Lead + @"(?:started|began|begun|picked\s+up)\s+(?<verb>learning|studying|to\s+learn|to\s+study|taking\s+(?:[\w-]+\s+)?(?:lessons|classes)(?:\s+(?:in|on))?)\s+(?<obj>\S.*)", Options)]
    private static partial Regex StartedLearningPattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)\s+(?:got\s+)?(?<n>(?:(?:over|about|almost|nearly|around|more\s+than)\s+)?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty)\+?\s+years?)\s+of\s+(?:(?:professional|work|industry|hands-on)\s+)?experience\s+(?<prep>in|with|as|doing)\s+(?<obj>\S.*)", Options)]
    private static partial Regex ExperiencePattern();

    [GeneratedRegex(@"\bI(?:['’]ve|\s+have)\s+been\s+(?<verb>[a-z]+ing)\s+(?:(?<obj>.+?)\s+)?for\s+(?<dur>(?:(?:over|about|almost|nearly|more\s+than|around)\s+)?(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|several|many)\s+(?:years?|decades?))", Options)]
    private static partial Regex BeenDoingPattern();

    // ---- Preferences ----

    [GeneratedRegex(@"\bmy\s+(?:(?:all[\s-]time|absolute|personal|current|new|very|top|biggest)\s+)*(?:favou?rite|fave|fav|favou?red)\s+(?<slot>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+(?<be>is|are|has\s+to\s+be|would\s+be)\s+(?<obj>\S.*)", Options)]
    private static partial Regex FavoritePattern();

    [GeneratedRegex(@"^(?<obj>[^,]{1,60}?)(?:\s+(?:is|are)|['’]s)\s+(?:(?:definitely|probably|still|really|also|totally|easily)\s+)?my\s+(?:(?:all[\s-]time|absolute|personal|new|very|top)\s+)*(?:favou?rite|fave|fav)(?:\s+(?<slot>[\w'’-]+(?:\s+[\w'’-]+){0,3}))?", Options)]
    private static partial Regex IsFavoritePattern();

    [GeneratedRegex(@"\bI\s+(?<now>(?:now|these\s+days|nowadays)\s+)?" + Liking + @"(?<verb>prefer|like|love|enjoy)\s+(?<new>.+?)\s+(?:(?:much|way|far|a\s+lot)\s+)?(?<conn>over|to|rather\s+than|instead\s+of|more\s+than|better\s+than)\s+(?<old>\S.*)", Options)]
    private static partial Regex ComparativePattern();

    [GeneratedRegex(
        @"\bI(?:['’]m|\s+am)\s+(?<phrase>(?:(?:a|an|such\s+a|really|so|totally|very|super|huge|big|massive|also|still|not|not\s+really|kind\s+of|obviously|definitely|absolutely|true|real|die[\s-]hard|lifelong|long[\s-]time)\s+)*(?:fan|lover|enthusiast|buff|fanatic)\s+of"
        + @"|(?:(?:really|so|totally|very|super|also|still|not|not\s+really|kind\s+of|absolutely|obviously)\s+)*(?:into|obsessed\s+with|passionate\s+about|crazy\s+about|keen\s+on|fond\s+of|mad\s+about|nuts\s+about|hooked\s+on|addicted\s+to|a\s+sucker\s+for))\s+(?<obj>\S.*)",
        Options)]
    private static partial Regex FanPattern();

    [GeneratedRegex(@"\bI(?:['’]m|\s+am)\s+(?:(?:definitely|totally|more\s+of|such|really|very\s+much|kind\s+of|sort\s+of|also)\s+)*an?\s+(?:(?:big|huge|real|total|true)\s+)?(?<obj>[\w-]+(?:\s+[\w-]+)?)\s+(?<noun>lover|fan|enthusiast|addict|nut|snob|person|junkie|buff|fanatic|geek|nerd|freak)\b", Options)]
    private static partial Regex PersonTypePattern();

    [GeneratedRegex(@"\bI\s+(?:(?:really|honestly|just|actually|generally|absolutely)\s+)?(?<neg>don['’]t|do\s+not|never)\s+(?:(?:really|particularly|much|even|quite|exactly)\s+)?(?<verb>like|love|enjoy|care\s+for|prefer)\s+(?<obj>\S.*)", Options)]
    private static partial Regex DislikePattern();

    [GeneratedRegex(@"\bI\s+" + Liking + @"(?<verb>love|like|adore|enjoy|prefer|hate|dislike|detest|despise|loathe|can['’]t\s+stand|cannot\s+stand)\s+(?<obj>\S.*)", Options)]
    private static partial Regex LikePattern();

    [GeneratedRegex(@"\bI\s+(?<freq>always|usually|normally|typically|generally|mostly|often|tend\s+to|like\s+to|love\s+to|prefer\s+to)\s+(?<verb>drink|eat|order|take|use|go\s+with|choose|pick|get|wear|listen\s+to|watch|read|book|fly|sit\s+in|sit|shop\s+at|buy|cook|have|travel|start\s+my\s+day\s+with|work\s+out|run|walk|cycle|bike|go\s+for|go\s+to|spend|play|stay\s+at|stay\s+in)\s+(?<obj>\S.*)", Options)]
    private static partial Regex HabitPattern();

    [GeneratedRegex(@"\bI(?<modal>['’]d|\s+would|\s+might|\s+may|\s+will)\s+(?:(?:probably|likely|really|definitely|also|surely|certainly|totally|absolutely)\s+)*(?<verb>enjoy|like|love|prefer|want|appreciate|need)\s+(?<obj>\S.*)", Options)]
    private static partial Regex GuessPattern();

    // ---- Events ----

    // "I just finished…", "I recently watched…": told as news, an event even without a date.
    [GeneratedRegex(@"^I\s+(?:(?:also|actually|even|already|officially)\s+)*(?:just|recently|finally)\b|\b(?:recently|the\s+other\s+day|lately)\b", Options)]
    private static partial Regex RecentWord();

    [GeneratedRegex(@"\b(?:moved|relocated)\b", Options)]
    private static partial Regex MovedWord();

    [GeneratedRegex(@"^(?:wanting|meaning|dying|itching|hoping)\s+to\b", Options)]
    private static partial Regex OngoingWish();

    [GeneratedRegex(@"\bI(?:['’]m\s+(?:going|planning)\s+to|\s+am\s+(?:going|planning)\s+to|['’]ll(?:\s+be)?|\s+will(?:\s+be)?|\s+plan\s+to|['’]m|\s+am)\s+(?:(?:also|finally|probably|definitely)\s+)*(?<verb>going|heading|flying|traveling|travelling|driving|moving|visiting|attending|running|hosting|starting|getting\s+married|leaving|go|fly|travel|visit|attend|run|host|start|leave|move|head)\b\s*(?<obj>.*)", Options)]
    private static partial Regex PlanPattern();

    [GeneratedRegex(@"\bI(?:['’]ve)?\s+(?:(?:also|still)\s+)?(?:have\s+got|have|got)\s+(?<obj>(?:an?|my|the|another|two|three)\s+(?:[\w'’-]+\s+){0,3}?(?:appointment|interview|exam|test|surgery|operation|wedding|concert|recital|conference|trip|flight|meeting|party|game|match|race|marathon|presentation|talk|date|show|performance|gig|competition|tournament|class|checkup|check-up|procedure|deadline|vacation|holiday|visit|reunion|ceremony|graduation)s?\b.*)", Options)]
    private static partial Regex AppointmentPattern();

    [GeneratedRegex(@"\bI(?<perf>['’]ve|\s+have|['’]d|\s+had)?\s+(?:(?:just|finally|recently|also|actually|even|already|officially|once|first)\s+)*(?<verb>" + EventVerbs + @")\b\s*(?<obj>(?:(?!,\s*(?:my|our)\s).)*)", Options)]
    private static partial Regex EventPattern();

    // ---- Shared ----

    [GeneratedRegex(@"\b(?:work|business|school|office|university|uni|company)\b", Options)]
    private static partial Regex WorkQualifier();

    [GeneratedRegex(@"\b(?:me|my|mine|myself|I)\b", Options)]
    private static partial Regex FirstPersonWord();

    [GeneratedRegex(@"\b(?:now|these\s+days|nowadays|anymore|any\s+more)\b", Options)]
    private static partial Regex NowWord();

    [GeneratedRegex(@"\bany\s*(?:more|longer)\b", Options)]
    private static partial Regex AnymoreWord();

    [GeneratedRegex(@"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b", Options)]
    private static partial Regex MonthName();

    [GeneratedRegex(@"^(?:on\s+)?(?:an?\s+)?(?:vegetarian|vegan|pescatarian|pescetarian|keto|ketogenic|paleo|plant[\s-]based|low[\s-]carb)(?:\s+diet)?$|^(?:on\s+)?an?\s+(?:keto|ketogenic|low[\s-]carb|paleo|plant[\s-]based|vegan|vegetarian)\s+diet$", Options)]
    private static partial Regex DietWord();

    [GeneratedRegex(@"\s+(?:by\s+(?:trade|profession)|in\s+training|full[\s-]time|part[\s-]time)$", Options)]
    private static partial Regex ProfessionTail();

    [GeneratedRegex(@"^(?:home|night|nights|weekends|the\s+moment|least|all|it|this|that|the\s+office|a\s+desk|my\s+desk|their\s+desk|remote|remotely|from|a\s+time|times|first|once|length|odds|risk|best|heart|ease)\b", Options)]
    private static partial Regex NotEmployer();

    [GeneratedRegex(@"^(?:bit|little|lot|few|couple|while|moment|second|minute|sec|tad|long\s+way|mess|total\s+mess|wreck|big\s+fan|huge\s+fan|fan|part\s+of|member\s+of|kind\s+of|sort\s+of|fan\s+of|good|great|nice|bad|different|new|changed|better|happy|lucky)\b", Options)]
    private static partial Regex NotIdentity();

    // Where a condition or rule ends: only at an aside or a reason, never at "when", "if" or "before".
    [GeneratedRegex(@"(?:\s*,\s*|\s+)(?:because|cause|since\s+(?:it|that|I)|so\s+that|thanks|thank\s+you|please)\b|\s*,\s*(?:it|that|this|they|he|she|we|i|you|ok|okay|thanks|please|haha|lol|ever|and\s+(?:it|I))\b|\s+[-–—]+\s+", Options)]
    private static partial Regex ConditionEnd();

    // ---- Word lists ----

    private static readonly HashSet<string> SlotStopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "my", "their", "to", "of", "from", "and", "with", "for", "in", "on", "new", "old", "some", "regular", "normal", "plain", "whole", "just", "only",
    };

    private static readonly HashSet<string> NotHandles = new(StringComparer.OrdinalIgnoreCase)
    {
        "private", "public", "down", "gone", "deleted", "empty", "new", "old", "same", "linked", "here", "there", "below", "above", "attached", "a", "an", "the", "not", "still",
        "mostly", "pretty", "really", "very", "full", "great", "awesome", "cool", "inactive", "active", "dead", "it", "in", "on", "my", "your", "is", "also", "just",
    };

    private static readonly HashSet<string> NotConstraintVerbs = new(StringComparer.Ordinal)
    {
        "say", "admit", "tell", "go", "leave", "run", "ask", "confess", "agree", "apologize", "apologise", "wait", "finish", "check", "think", "head", "dash", "hurry", "pick",
        "grab", "find", "figure", "see", "try", "stop", "get", "sleep", "pee", "call", "rush", "jump", "hop", "start", "remember", "mention", "share", "thank", "know",
        "wrap", "look", "deal", "believe", "stand", "imagine", "help", "understand", "decide", "hear", "make", "seem", "recall", "express", "describe", "explain", "handle",
        "even", "really", "quite", "possibly", "access", "login", "log", "open", "connect", "reach", "load", "wait", "thank", "relate", "argue", "complain", "focus", "buy",
        "let", "keep", "put", "give", "send", "do", "fix", "change", "update", "cancel", "pay",
    };

    private static readonly HashSet<string> NarrativeVerbs = new(StringComparer.Ordinal)
    {
        "thought", "said", "knew", "got", "heard", "understood", "saw", "went", "did", "had", "was", "were", "made", "told", "felt", "met", "been", "meant", "learnt", "dreamt",
        "forget", "forgot", "imagine", "expect", "know", "thought", "say", "miss", "mind", "stop", "get", "seem", "hear", "understand", "give", "quit", "want", "leave",
    };

    private static readonly HashSet<string> Participles = new(StringComparer.Ordinal)
    {
        "been", "run", "written", "seen", "done", "given", "taken", "flown", "gone", "begun", "ridden", "swum",
    };

    /// <summary>Event verbs that make sense without an object ("I graduated last May").</summary>
    private static readonly HashSet<string> Intransitive = new(StringComparer.Ordinal)
    {
        "graduated", "retired", "won", "lost", "volunteered", "performed", "competed", "camped", "swam", "biked", "cycled", "hiked", "returned", "came back", "left",
        "was promoted", "was hired", "was fired", "was laid off", "was accepted", "was injured", "was discharged", "was elected", "was selected", "was nominated", "signed up",
        "been", "run",
    };

    /// <summary>Event verbs that name a milestone worth keeping even without a grounded date.</summary>
    private static readonly HashSet<string> Milestones = new(StringComparer.Ordinal)
    {
        "graduated", "retired", "won", "published", "completed", "finished", "climbed", "ran", "visited", "attended", "volunteered", "performed", "competed", "toured", "adopted",
        "enrolled", "promoted", "hired", "diagnosed", "elected", "awarded", "launched", "released", "celebrated", "hosted", "organized", "organised", "donated", "raised",
    };

    private static readonly HashSet<string> Professions = new(StringComparer.Ordinal)
    {
        "nurse", "doctor", "physician", "surgeon", "dentist", "pharmacist", "therapist", "counselor", "counsellor", "worker", "engineer", "developer", "programmer", "designer",
        "architect", "teacher", "professor", "lecturer", "tutor", "student", "researcher", "scientist", "analyst", "consultant", "accountant", "lawyer", "attorney", "paralegal",
        "judge", "manager", "director", "executive", "ceo", "cto", "cfo", "coo", "vp", "founder", "cofounder", "entrepreneur", "chef", "cook", "baker", "barista", "bartender",
        "waiter", "waitress", "cashier", "clerk", "librarian", "reporter", "editor", "writer", "author", "poet", "painter", "musician", "singer", "actor", "actress", "dancer",
        "filmmaker", "producer", "pilot", "driver", "mechanic", "electrician", "plumber", "carpenter", "firefighter", "officer", "soldier", "farmer", "gardener", "vet",
        "veterinarian", "paramedic", "midwife", "caregiver", "nanny", "secretary", "receptionist", "intern", "salesperson", "marketer", "recruiter", "banker", "translator",
        "interpreter", "coach", "trainer", "instructor", "athlete", "administrator", "admin", "technician", "freelancer", "contractor", "homemaker", "housewife", "pupil",
        "mathematician", "economist", "lead", "owner", "sre", "devops", "tester", "model", "photographer", "illustrator", "animator", "stylist", "hairdresser", "barber",
        "tailor", "butcher", "miner", "builder", "welder", "surveyor", "inspector", "detective", "guard", "sergeant", "lieutenant", "captain", "nurse-midwife", "specialist",
        "assistant", "advisor", "adviser", "planner", "coordinator", "supervisor", "representative", "agent", "broker", "auditor", "strategist", "psychologist", "psychiatrist",
    };

    private static readonly HashSet<string> Skills = new(StringComparer.Ordinal)
    {
        "english", "spanish", "french", "german", "portuguese", "italian", "mandarin", "chinese", "cantonese", "japanese", "korean", "arabic", "russian", "hindi", "urdu",
        "bengali", "punjabi", "dutch", "swedish", "norwegian", "danish", "finnish", "icelandic", "polish", "czech", "slovak", "hungarian", "romanian", "bulgarian", "greek",
        "turkish", "hebrew", "persian", "farsi", "vietnamese", "thai", "indonesian", "malay", "tagalog", "filipino", "swahili", "catalan", "basque", "galician", "ukrainian",
        "serbian", "croatian", "bosnian", "slovenian", "albanian", "estonian", "latvian", "lithuanian", "irish", "welsh", "gaelic", "latin", "esperanto", "asl", "sign",
        "yiddish", "tamil", "telugu", "marathi", "gujarati", "kannada", "malayalam", "amharic", "somali", "yoruba", "igbo", "zulu", "xhosa", "afrikaans", "creole", "quechua",
        "maori", "hawaiian", "python", "java", "javascript", "typescript", "c", "c++", "c#", "go", "golang", "rust", "ruby", "php", "swift", "kotlin", "scala", "sql", "r",
        "haskell", "elixir", "erlang", "perl", "lua", "dart", "julia", "matlab", "f#", "cobol", "fortran", "html", "css", "bash", "shell", "powershell", "react", "angular",
        "vue", "svelte", "django", "rails", "flask", "spring", ".net", "dotnet", "node", "nodejs", "docker", "kubernetes", "terraform", "aws", "azure", "gcp", "linux", "excel",
        "photoshop", "illustrator", "figma", "blender", "unity", "unreal", "git", "graphql", "pandas", "pytorch", "tensorflow", "latex", "solidity", "zig", "ocaml", "clojure",
        "lisp", "prolog", "assembly", "verilog", "vhdl", "sas", "spss", "tableau", "powerbi", "salesforce", "sap",
    };

    private static readonly HashSet<string> Instruments = new(StringComparer.Ordinal)
    {
        "guitar", "piano", "violin", "cello", "drums", "bass", "ukulele", "flute", "saxophone", "sax", "trumpet", "clarinet", "harp", "keyboard", "keyboards", "banjo",
        "mandolin", "harmonica", "trombone", "viola", "organ", "accordion", "oboe", "bagpipes", "synth",
    };

    private static readonly HashSet<string> Sports = new(StringComparer.Ordinal)
    {
        "tennis", "soccer", "football", "basketball", "baseball", "volleyball", "golf", "chess", "hockey", "rugby", "cricket", "badminton", "squash", "padel", "pickleball",
        "poker", "bridge", "table", "ping", "go", "handball", "lacrosse", "softball", "polo", "water",
    };

    /// <summary>Things people own, and the single-valued slot each fills (null: a person may have several). Makes are in <see cref="AssetMakes"/>.</summary>
    private static readonly Dictionary<string, string?> AssetLexicon = new(StringComparer.Ordinal)
    {
        ["car"] = "car", ["truck"] = "car", ["suv"] = "car", ["van"] = "car", ["tesla"] = "car", ["sedan"] = "car", ["hatchback"] = "car",
        ["laptop"] = "laptop", ["macbook"] = "laptop", ["thinkpad"] = "laptop", ["chromebook"] = "laptop", ["notebook"] = null,
        ["phone"] = "phone", ["smartphone"] = "phone", ["iphone"] = "phone", ["android"] = "phone", ["pixel"] = "phone",
        ["motorcycle"] = "motorcycle", ["motorbike"] = "motorcycle", ["bike"] = "bike", ["bicycle"] = "bike", ["ebike"] = "bike", ["scooter"] = null,
        ["tablet"] = "tablet", ["ipad"] = "tablet", ["computer"] = "computer", ["pc"] = "computer", ["desktop"] = "computer", ["mac"] = "computer", ["imac"] = "computer",
        ["kindle"] = null, ["camera"] = null, ["watch"] = null, ["smartwatch"] = null, ["console"] = null, ["ps5"] = null, ["playstation"] = null, ["xbox"] = null,
        ["tv"] = null, ["piano"] = null, ["guitar"] = null, ["violin"] = null, ["drums"] = null, ["house"] = null, ["home"] = null, ["apartment"] = null, ["flat"] = null,
        ["condo"] = null, ["cabin"] = null, ["cottage"] = null, ["boat"] = null, ["rv"] = null, ["camper"] = null, ["drone"] = null, ["garden"] = null, ["farm"] = null,
    };

    /// <summary>
    /// Makes and product lines, and the slot each names on its own: "I've got a Ford Ranger" names a car without saying
    /// "car". A maker sells more than one kind of thing ("a Honda generator", "a Dell monitor", "a Galaxy Watch"), so a make
    /// decides the slot only when the phrase names no thing of its own (see <c>Slot</c>).
    /// </summary>
    private static readonly Dictionary<string, string?> AssetMakes = new(StringComparer.Ordinal)
    {
        ["ford"] = "car", ["toyota"] = "car", ["honda"] = "car", ["subaru"] = "car", ["volvo"] = "car", ["mazda"] = "car", ["kia"] = "car", ["hyundai"] = "car",
        ["nissan"] = "car", ["chevy"] = "car", ["chevrolet"] = "car", ["bmw"] = "car", ["audi"] = "car", ["volkswagen"] = "car", ["vw"] = "car", ["jeep"] = "car",
        ["lexus"] = "car", ["porsche"] = "car", ["mercedes"] = "car", ["peugeot"] = "car", ["renault"] = "car", ["fiat"] = "car", ["skoda"] = "car", ["dodge"] = "car",
        ["mitsubishi"] = "car", ["prius"] = "car", ["rivian"] = "car", ["polestar"] = "car", ["citroen"] = "car",
        ["dell"] = "laptop", ["lenovo"] = "laptop", ["xps"] = "laptop", ["zenbook"] = "laptop", ["ultrabook"] = "laptop",
        ["galaxy"] = "phone", ["oneplus"] = "phone", ["ipod"] = null, ["vespa"] = "motorcycle", ["harley"] = "motorcycle", ["ducati"] = "motorcycle",
    };

    /// <summary>Word starts whose "h" is silent, so they take "an": "an hour", "an honest broker".</summary>
    private static readonly string[] SilentH = ["hour", "honest", "honor", "honour", "heir"];

    /// <summary>Word starts whose vowel sounds like a consonant, so they take "a": "a user", "a university", "a one-off", "a European".</summary>
    private static readonly string[] ConsonantSoundVowel = ["uni", "use", "usu", "ure", "uro", "uti", "uk", "one", "once", "eu", "ewe"];

    private static readonly Dictionary<string, (string Key, string Display)> PlatformNames = new(StringComparer.Ordinal)
    {
        ["github"] = ("github", "GitHub"), ["gitlab"] = ("gitlab", "GitLab"), ["bitbucket"] = ("bitbucket", "Bitbucket"), ["twitter"] = ("twitter", "Twitter"),
        ["instagram"] = ("instagram", "Instagram"), ["insta"] = ("instagram", "Instagram"), ["telegram"] = ("telegram", "Telegram"), ["discord"] = ("discord", "Discord"),
        ["mastodon"] = ("mastodon", "Mastodon"), ["linkedin"] = ("linkedin", "LinkedIn"), ["slack"] = ("slack", "Slack"), ["reddit"] = ("reddit", "Reddit"),
        ["tiktok"] = ("tiktok", "TikTok"), ["bluesky"] = ("bluesky", "Bluesky"), ["threads"] = ("threads", "Threads"), ["steam"] = ("steam", "Steam"), ["xbox"] = ("xbox", "Xbox"),
        ["psn"] = ("psn", "PSN"), ["playstation"] = ("psn", "PSN"), ["youtube"] = ("youtube", "YouTube"), ["twitch"] = ("twitch", "Twitch"), ["facebook"] = ("facebook", "Facebook"),
        ["snapchat"] = ("snapchat", "Snapchat"), ["skype"] = ("skype", "Skype"), ["signal"] = ("signal", "Signal"), ["whatsapp"] = ("whatsapp", "WhatsApp"),
        ["stackoverflow"] = ("stackoverflow", "Stack Overflow"), ["npm"] = ("npm", "npm"), ["dockerhub"] = ("dockerhub", "Docker Hub"), ["kaggle"] = ("kaggle", "Kaggle"),
        ["huggingface"] = ("huggingface", "Hugging Face"), ["medium"] = ("medium", "Medium"), ["substack"] = ("substack", "Substack"), ["spotify"] = ("spotify", "Spotify"),
        ["strava"] = ("strava", "Strava"), ["goodreads"] = ("goodreads", "Goodreads"), ["letterboxd"] = ("letterboxd", "Letterboxd"), ["duolingo"] = ("duolingo", "Duolingo"),
        ["lichess"] = ("lichess", "Lichess"), ["chess"] = ("chess_com", "Chess.com"),
    };
}
