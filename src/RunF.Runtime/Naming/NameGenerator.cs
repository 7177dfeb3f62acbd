namespace RunF.Runtime.Naming;

/// <summary>
/// Container names in Docker's style, adjective_surname ("focused_lovelace"): easy to read in
/// logs and `runf ps`, and used as the hostname. Uniqueness is enforced by the state directory.
/// </summary>
public static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
        "blissful", "bold", "brave", "busy", "charming", "clever", "compassionate", "competent",
        "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted", "dreamy",
        "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting",
        "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant",
        "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful",
        "hungry", "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen",
        "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying",
        "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful",
        "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed",
        "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic",
        "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled",
        "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful",
        "zealous", "zen",
    ];

    private static readonly string[] Surnames =
    [
        "agnesi", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bell", "bohr",
        "booth", "borg", "bose", "brattain", "carson", "cerf", "chandrasekhar", "clarke", "conway",
        "cori", "cray", "curie", "darwin", "davinci", "dijkstra", "easley", "einstein", "elion",
        "engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin",
        "galileo", "gauss", "germain", "goldberg", "goodall", "hamilton", "hawking", "heisenberg",
        "hertz", "hodgkin", "hopper", "hypatia", "jackson", "johnson", "joliot", "kalam", "kepler",
        "khorana", "kilby", "knuth", "lamarr", "lamport", "leakey", "leavitt", "liskov", "lovelace",
        "lumiere", "maxwell", "mayer", "mccarthy", "mcclintock", "meitner", "mendel", "mirzakhani",
        "morse", "napier", "newton", "nobel", "noether", "pascal", "pasteur", "perlman", "pike",
        "planck", "poincare", "ramanujan", "ride", "ritchie", "rosalind", "sammet", "shannon",
        "shockley", "sinoussi", "stallman", "swirles", "tesla", "thompson", "torvalds", "turing",
        "varahamihira", "volhard", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak",
        "wright", "yalow", "yonath",
    ];

    public static string Next() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Surnames[Random.Shared.Next(Surnames.Length)]}";
}
