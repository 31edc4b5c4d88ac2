//! Word lists for `entities`: places, nationalities and groups (NORP), aliases, and the words the
//! value rules use (months, weekdays, number words, units, currencies). General lists, written
//! by hand; nothing here comes from a particular article.

/// Countries, major cities and regions (tokens separated by single spaces).
pub const PLACES: &[&str] = &[
    "Afghanistan", "Albania", "Algeria", "Angola", "Argentina", "Armenia", "Australia", "Austria",
    "Azerbaijan", "Bahrain", "Bangladesh", "Belarus", "Belgium", "Bolivia", "Bosnia", "Brazil",
    "Britain", "Bulgaria", "Cambodia", "Cameroon", "Canada", "Chad", "Chile", "China", "Colombia",
    "Congo", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Denmark", "Ecuador", "Egypt",
    "England", "Eritrea", "Estonia", "Ethiopia", "Europe", "Finland", "France", "Gaza", "Georgia",
    "Germany", "Ghana", "Greece", "Guatemala", "Haiti", "Honduras", "Hungary", "Iceland", "India",
    "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica", "Japan", "Jordan",
    "Kazakhstan", "Kenya", "Korea", "Kosovo", "Kuwait", "Laos", "Latvia", "Lebanon", "Libya",
    "Lithuania", "Malaysia", "Mali", "Mexico", "Moldova", "Mongolia", "Morocco", "Myanmar",
    "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger", "Nigeria", "North Korea",
    "Norway", "Oman", "Pakistan", "Palestine", "Panama", "Paraguay", "Peru", "Philippines",
    "Poland", "Portugal", "Qatar", "Romania", "Russia", "Rwanda", "Saudi Arabia", "Scotland",
    "Senegal", "Serbia", "Singapore", "Slovakia", "Slovenia", "Somalia", "South Africa",
    "South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Sweden", "Switzerland", "Syria",
    "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Tunisia", "Turkey", "Turkmenistan", "Uganda",
    "Ukraine", "United Kingdom", "United States", "Uruguay", "Uzbekistan", "Venezuela", "Vietnam",
    "Wales", "Yemen", "Zambia", "Zimbabwe", "U.S.", "U.K.", "America", "Africa", "Asia",
    "Antarctica", "Crimea", "Donbas", "Kursk", "Kyiv", "Kiev", "Moscow", "Pyongyang", "Seoul",
    "Beijing", "Tokyo", "London", "Paris", "Berlin", "Washington", "New York", "Brussels",
    "Geneva", "Vienna", "Rome", "Madrid", "Warsaw", "Tehran", "Baghdad", "Kabul", "Damascus",
    "Jerusalem", "Cairo", "Ankara", "Istanbul", "New Delhi", "Delhi", "Mumbai", "Islamabad",
    "Bangkok", "Manila", "Jakarta", "Hanoi", "Taipei", "Hong Kong", "Shanghai", "Sydney",
    "Toronto", "Ottawa", "Mexico City", "Havana", "Caracas", "Lima", "Santiago", "Buenos Aires",
    "Johannesburg", "Nairobi", "Lagos", "Kharkiv", "Odesa", "Minsk", "Tbilisi", "Baku", "Riyadh",
    "Dubai", "Doha", "Beirut", "Amman", "Gulf", "Middle East", "Latin America", "Balkans",
    "Siberia", "Caucasus", "Pacific", "Atlantic", "Mediterranean", "Baltic", "Arctic",
];

/// Nationality and group words (NORP) with the place or group they belong to, for grouping.
pub const NATIONALITIES: &[(&str, &str)] = &[
    ("Afghan", "Afghanistan"), ("Albanian", "Albania"), ("Algerian", "Algeria"),
    ("American", "United States"), ("Americans", "United States"), ("Arab", "Arab"),
    ("Arabs", "Arab"), ("Argentine", "Argentina"), ("Armenian", "Armenia"),
    ("Australian", "Australia"), ("Austrian", "Austria"), ("Belarusian", "Belarus"),
    ("Belgian", "Belgium"), ("Bosnian", "Bosnia"), ("Brazilian", "Brazil"),
    ("British", "Britain"), ("Bulgarian", "Bulgaria"), ("Canadian", "Canada"),
    ("Chilean", "Chile"), ("Chinese", "China"), ("Colombian", "Colombia"),
    ("Croatian", "Croatia"), ("Cuban", "Cuba"), ("Czech", "Czech Republic"), ("Danish", "Denmark"),
    ("Dutch", "Netherlands"), ("Egyptian", "Egypt"), ("English", "England"),
    ("Estonian", "Estonia"), ("Ethiopian", "Ethiopia"), ("European", "Europe"),
    ("Europeans", "Europe"), ("Filipino", "Philippines"), ("Finnish", "Finland"),
    ("French", "France"), ("Georgian", "Georgia"), ("German", "Germany"), ("Germans", "Germany"),
    ("Greek", "Greece"), ("Hungarian", "Hungary"), ("Indian", "India"),
    ("Indonesian", "Indonesia"), ("Iranian", "Iran"), ("Iranians", "Iran"), ("Iraqi", "Iraq"),
    ("Iraqis", "Iraq"), ("Irish", "Ireland"), ("Israeli", "Israel"), ("Israelis", "Israel"),
    ("Italian", "Italy"), ("Japanese", "Japan"), ("Jordanian", "Jordan"), ("Kenyan", "Kenya"),
    ("Korean", "Korea"), ("Koreans", "Korea"), ("Kurdish", "Kurds"), ("Kurds", "Kurds"),
    ("Latvian", "Latvia"), ("Lebanese", "Lebanon"), ("Libyan", "Libya"),
    ("Lithuanian", "Lithuania"), ("Malaysian", "Malaysia"), ("Mexican", "Mexico"),
    ("Moroccan", "Morocco"), ("Nigerian", "Nigeria"), ("North Korean", "North Korea"),
    ("North Koreans", "North Korea"), ("Norwegian", "Norway"), ("Pakistani", "Pakistan"),
    ("Palestinian", "Palestine"), ("Palestinians", "Palestine"), ("Peruvian", "Peru"),
    ("Polish", "Poland"), ("Portuguese", "Portugal"), ("Romanian", "Romania"),
    ("Russian", "Russia"), ("Russians", "Russia"), ("Saudi", "Saudi Arabia"),
    ("Scottish", "Scotland"), ("Serbian", "Serbia"), ("Serb", "Serbia"), ("Serbs", "Serbia"),
    ("Slovak", "Slovakia"), ("Somali", "Somalia"), ("South African", "South Africa"),
    ("South Korean", "South Korea"), ("South Koreans", "South Korea"), ("Soviet", "Soviet Union"),
    ("Spanish", "Spain"), ("Sudanese", "Sudan"), ("Swedish", "Sweden"), ("Swiss", "Switzerland"),
    ("Syrian", "Syria"), ("Syrians", "Syria"), ("Taiwanese", "Taiwan"), ("Thai", "Thailand"),
    ("Turkish", "Turkey"), ("Ukrainian", "Ukraine"), ("Ukrainians", "Ukraine"),
    ("Venezuelan", "Venezuela"), ("Vietnamese", "Vietnam"), ("Welsh", "Wales"),
    ("Yemeni", "Yemen"), ("Asian", "Asia"), ("African", "Africa"), ("Latino", "Latino"),
    ("Hispanic", "Hispanic"), ("Muslim", "Muslim"), ("Muslims", "Muslim"),
    ("Christian", "Christian"), ("Christians", "Christian"), ("Catholic", "Catholic"),
    ("Catholics", "Catholic"), ("Protestant", "Protestant"), ("Jewish", "Jewish"),
    ("Jews", "Jewish"), ("Hindu", "Hindu"), ("Hindus", "Hindu"), ("Buddhist", "Buddhist"),
    ("Sunni", "Sunni"), ("Shia", "Shia"), ("Shiite", "Shia"), ("Democrat", "Democrat"),
    ("Democrats", "Democrat"), ("Republican", "Republican"), ("Republicans", "Republican"),
    ("Communist", "Communist"), ("Communists", "Communist"), ("Conservative", "Conservative"),
    ("Conservatives", "Conservative"), ("Socialist", "Socialist"),
];

/// Short aliases: every name on one line names the same entity (compared case-sensitively after
/// removing periods and spaces, so `U.S.` matches `US`).
pub const ALIASES: &[&[&str]] = &[
    &["DPRK", "North Korea", "Democratic People's Republic of Korea"],
    &["ROK", "South Korea", "Republic of Korea"],
    &["US", "USA", "United States", "United States of America", "America"],
    &["UK", "United Kingdom", "Britain", "Great Britain"],
    &["UN", "United Nations"],
    &["EU", "European Union"],
    &["USSR", "Soviet Union"],
    &["PRC", "China", "People's Republic of China"],
    &["UAE", "United Arab Emirates"],
    &["NATO", "North Atlantic Treaty Organization"],
];

/// Month names and their abbreviations.
pub const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.",
    "Sep.", "Sept.", "Oct.", "Nov.", "Dec.", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec",
];

/// Day names.
pub const WEEKDAYS: &[&str] = &[
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon.", "Tue.",
    "Tues.", "Wed.", "Thu.", "Thurs.", "Fri.", "Sat.", "Sun.",
];

/// Words that make a relative date after `last`, `next`, `this`, `coming`, `past`.
pub const PERIODS: &[&str] = &[
    "week", "weeks", "month", "months", "year", "years", "weekend", "decade", "decades",
    "century", "day", "days", "summer", "winter", "spring", "autumn", "fall", "quarter",
];

/// Words that stand alone as dates.
pub const DATE_WORDS: &[&str] = &["today", "yesterday", "tomorrow", "tonight"];

/// Number words below a hundred.
pub const SMALL_NUMBERS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "dozen",
];

/// Scale words that follow a number (`10 million`).
pub const SCALES: &[&str] = &["hundred", "thousand", "million", "billion", "trillion"];

/// Plural counts that stand alone (`millions of shells`).
pub const VAGUE_COUNTS: &[&str] = &[
    "dozens", "hundreds", "thousands", "millions", "billions", "tens", "scores",
];

/// Words before a number that belong to it (`some 10,000`, `more than 1,000`).
pub const APPROX: &[&str] = &[
    "some", "nearly", "almost", "roughly", "approximately", "around", "over", "only", "just",
];

/// Two-word approximators (`more than`).
pub const APPROX2: &[(&str, &str)] = &[
    ("more", "than"), ("fewer", "than"), ("less", "than"), ("at", "least"), ("up", "to"),
    ("as", "many"), ("as", "much"), ("at", "most"),
];

/// Units of measure: a number followed by one of these is a QUANTITY.
pub const UNITS: &[&str] = &[
    "km", "kilometers", "kilometres", "kilometer", "kilometre", "miles", "mile", "meters",
    "metres", "meter", "metre", "feet", "foot", "inches", "inch", "yards", "kg", "kilograms",
    "kilogram", "grams", "gram", "tons", "tonnes", "ton", "tonne", "pounds", "lbs", "litres",
    "liters", "gallons", "barrels", "acres", "hectares", "degrees", "mph", "cm", "mm", "mg",
    "megawatts", "MW", "GW", "bpd",
];

/// Time units for rates (`per day`).
pub const RATE_UNITS: &[&str] = &["day", "week", "month", "year", "hour", "minute", "second"];

/// Currency words after a number (`5 million dollars`).
pub const CURRENCY_WORDS: &[&str] = &[
    "dollars", "dollar", "euros", "euro", "pounds sterling", "yen", "yuan", "rupees", "rubles",
    "roubles", "francs", "won", "cents", "pesos", "marks", "hryvnias",
];

/// Currency symbols and codes before a number.
pub const CURRENCY_PREFIXES: &[&str] = &[
    "$", "US$", "€", "£", "¥", "₩", "₹", "₽", "C$", "A$", "HK$", "USD", "EUR", "GBP", "JPY",
];
