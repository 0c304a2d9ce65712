namespace SkMemory.Evals.Suite;

/// <content>The word pools the generator fills its templates from.</content>
public static partial class EvalDatasetGenerator
{
    private static readonly string[] FirstNames =
    [
        "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Luis", "Maya", "Nikhil", "Olga", "Priya",
        "Quinn", "Rafael", "Sofia", "Tomas", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri", "Emeka",
        "Freya", "Gabriel", "Hana", "Ivan", "Julia", "Kwame", "Lena", "Marco", "Nadia", "Oscar", "Paula", "Ravi", "Sara", "Theo", "Valeria",
    ];

    private static readonly string[] LastNames =
    [
        "Silva", "Okafor", "Novak", "Sharma", "Yilmaz", "Haddad", "Lindqvist", "Moreau", "Garcia", "Becker", "Tanaka", "Rossi", "Kowalski",
        "Nguyen", "Petrov", "Mensah", "Andersen", "Costa", "Dubois", "Fischer", "Ivanova", "Kim", "Lopez", "Murphy", "Osei", "Park", "Reyes",
    ];

    private static readonly string[] Milks = ["oat", "almond", "soy", "whole", "skim", "coconut"];

    private static readonly string[] Seats = ["aisle", "window"];

    private static readonly string[] Cuisines = ["Thai", "Ethiopian", "Mexican", "Japanese", "Lebanese", "Italian", "Korean", "Peruvian"];

    private static readonly string[] Genres = ["science fiction", "mystery", "historical fiction", "poetry", "fantasy", "biographies"];

    private static readonly string[] Airlines = ["KLM", "Lufthansa", "Delta", "Emirates", "Qantas", "Iberia", "Finnair"];

    private static readonly string[] Cars = ["Subaru Outback", "Toyota Prius", "Honda Civic", "Volvo XC60", "Ford Ranger", "Tesla Model 3", "Mazda CX-5", "Kia Niro"];

    private static readonly string[] Laptops = ["ThinkPad X1 Carbon", "MacBook Air", "Dell XPS 13", "Surface Laptop", "Framework Laptop"];

    private static readonly string[] Pets = ["dog", "cat", "parrot", "rabbit", "beagle", "corgi"];

    private static readonly string[] PetNames = ["Biscuit", "Pepper", "Mochi", "Luna", "Pixel", "Waffles", "Juniper", "Noodle"];

    private static readonly string[] Languages = ["Portuguese", "Japanese", "German", "Swahili", "Korean", "Arabic", "Polish", "Turkish"];

    private static readonly string[] Instruments = ["cello", "piano", "guitar", "violin", "drums", "saxophone"];

    private static readonly string[] Allergens = ["peanuts", "shellfish", "penicillin", "sesame", "latex", "tree nuts"];

    private static readonly string[] AvoidedFoods = ["pork", "beef", "gluten", "dairy", "eggs"];

    private static readonly string[] Cities = ["Lisbon", "Toronto", "Nairobi", "Osaka", "Krakow", "Denver", "Melbourne", "Valencia", "Tallinn", "Montreal"];

    private static readonly string[] Jobs = ["nurse", "software engineer", "pharmacist", "architect", "teacher", "data analyst", "paramedic", "accountant"];

    private static readonly string[] Employers = ["Globex", "Initech", "Hooli", "Vandelay Industries", "Acme Labs", "Stark Logistics"];

    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] Races = ["Berlin Marathon", "Chicago Marathon", "Lisbon Half Marathon", "Tokyo Marathon"];

    private static readonly string[] Words = ["Maple", "Harbor", "Falcon", "Copper", "Tulip", "Granite", "Orbit", "Saffron", "Willow", "Cobalt"];

    private static readonly string[] Transients =
    [
        "I'm in a hurry today, so let's keep this quick.",
        "I'm so tired right now, long day.",
        "I want pizza tonight, honestly.",
        "I'm running late for a meeting.",
        "I'm on my phone at the moment, sorry for typos.",
        "Feeling a bit stressed today.",
    ];
}
