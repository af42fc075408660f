//! The value lists and weights the generator draws from.
//!
//! The vocabularies of the coded columns are exactly those listed in the
//! header of `engine/schema/crm-schema.sql`. The free-text lists deliberately
//! contain values that break careless code: non-ASCII letters (Zoë, Łukasz,
//! 李), apostrophes (O'Brien), hyphens, commas and double quotes (company
//! names), a backslash, and multi-line notes.

use crate::rng::Weighted;

/// `customers.lifecycle_stage`, in schema order.
pub const LIFECYCLE_STAGES: &[&str] = &["lead", "prospect", "customer", "churned"];
/// `customers.lead_source`.
pub const LEAD_SOURCES: &[&str] = &[
    "web",
    "referral",
    "event",
    "partner",
    "ads",
    "social",
    "directory",
    "purchased_list",
];
/// `customers.preferred_channel`.
pub const PREFERRED_CHANNELS: &[&str] = &["email", "sms", "phone", "messenger"];
/// `interactions.channel`.
pub const CHANNELS: &[&str] = &["email", "phone", "meeting", "chat", "sms", "social", "web"];
/// `interactions.direction`.
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// `interactions.kind`.
pub const KINDS: &[&str] = &[
    "call",
    "email",
    "meeting",
    "support_ticket",
    "visit",
    "campaign_open",
    "campaign_click",
];
/// `interactions.outcome`.
pub const OUTCOMES: &[&str] = &[
    "resolved",
    "open",
    "escalated",
    "no_answer",
    "positive",
    "negative",
];
/// `transactions.status`.
pub const STATUSES: &[&str] = &["paid", "refunded", "pending", "failed"];
/// `transactions.currency`.
pub const CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF", "SEK"];
/// `transactions.category`.
pub const CATEGORIES: &[&str] = &[
    "shoes",
    "apparel",
    "electronics",
    "books",
    "home",
    "beauty",
    "sports",
    "toys",
    "grocery",
];
/// `transactions.payment_method` (not constrained by the schema).
pub const PAYMENT_METHODS: &[&str] = &[
    "card",
    "paypal",
    "invoice",
    "bank_transfer",
    "apple_pay",
    "klarna",
    "cash",
];

/// Lifecycle stage, with multipliers for the mean number of interactions and
/// transactions (normalised by the generator so the configured means hold).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stage {
    pub name: &'static str,
    pub interaction_factor: f64,
    pub transaction_factor: f64,
}

pub(crate) static STAGES: Weighted<Stage> = Weighted::new(&[
    (stage("lead", 0.5, 0.05), 30),
    (stage("prospect", 0.9, 0.3), 20),
    (stage("customer", 1.3, 1.8), 40),
    (stage("churned", 0.8, 1.2), 10),
]);

const fn stage(name: &'static str, i: f64, t: f64) -> Stage {
    Stage {
        name,
        interaction_factor: i,
        transaction_factor: t,
    }
}

/// Per-customer activity multiplier: a few dormant customers, many light
/// ones, a long tail of heavy ones (normalised to mean 1 by the generator).
pub(crate) static ACTIVITY: Weighted<f64> = Weighted::new(&[
    (0.0, 4),
    (0.2, 16),
    (0.5, 20),
    (1.0, 25),
    (1.5, 17),
    (2.5, 12),
    (5.0, 6),
]);

#[derive(Clone, Copy, Debug)]
pub(crate) struct Country {
    pub code: &'static str,
    pub phone_prefix: &'static str,
    pub currency: &'static str,
    pub cities: &'static [&'static str],
}

const fn country(
    code: &'static str,
    phone_prefix: &'static str,
    currency: &'static str,
    cities: &'static [&'static str],
) -> Country {
    Country {
        code,
        phone_prefix,
        currency,
        cities,
    }
}

pub(crate) static COUNTRIES: Weighted<Country> = Weighted::new(&[
    (
        country(
            "DE",
            "+49",
            "EUR",
            &[
                "Berlin",
                "Hamburg",
                "München",
                "Köln",
                "Frankfurt am Main",
                "Düsseldorf",
                "Stuttgart",
                "Leipzig",
                "Halle (Saale)",
            ],
        ),
        19,
    ),
    (
        country(
            "US",
            "+1",
            "USD",
            &[
                "New York",
                "San Francisco",
                "Los Angeles",
                "Chicago",
                "Austin",
                "Salt Lake City",
                "Winston-Salem",
            ],
        ),
        15,
    ),
    (
        country(
            "GB",
            "+44",
            "GBP",
            &[
                "London",
                "Manchester",
                "Edinburgh",
                "Bristol",
                "Milton Keynes",
            ],
        ),
        10,
    ),
    (
        country(
            "FR",
            "+33",
            "EUR",
            &[
                "Paris",
                "Lyon",
                "Marseille",
                "Saint-Étienne",
                "Aix-en-Provence",
            ],
        ),
        8,
    ),
    (
        country(
            "AT",
            "+43",
            "EUR",
            &["Wien", "Graz", "Linz", "Salzburg", "Sankt Pölten"],
        ),
        4,
    ),
    (
        country(
            "CH",
            "+41",
            "CHF",
            &["Zürich", "Genève", "Basel", "Bern", "La Chaux-de-Fonds"],
        ),
        4,
    ),
    (
        country(
            "NL",
            "+31",
            "EUR",
            &["Amsterdam", "Rotterdam", "Den Haag", "'s-Hertogenbosch"],
        ),
        4,
    ),
    (
        country(
            "ES",
            "+34",
            "EUR",
            &[
                "Madrid",
                "Barcelona",
                "Sevilla",
                "A Coruña",
                "Las Palmas de Gran Canaria",
            ],
        ),
        4,
    ),
    (
        country(
            "IT",
            "+39",
            "EUR",
            &["Roma", "Milano", "Napoli", "Torino", "Reggio nell'Emilia"],
        ),
        4,
    ),
    (
        country(
            "PL",
            "+48",
            "EUR",
            &["Warszawa", "Kraków", "Łódź", "Wrocław", "Gdańsk"],
        ),
        4,
    ),
    (
        country(
            "SE",
            "+46",
            "SEK",
            &["Stockholm", "Göteborg", "Malmö", "Uppsala"],
        ),
        3,
    ),
    (
        country(
            "BE",
            "+32",
            "EUR",
            &["Bruxelles", "Antwerpen", "Gent", "Liège"],
        ),
        3,
    ),
    (
        country(
            "CA",
            "+1",
            "USD",
            &["Toronto", "Montréal", "Vancouver", "St. John's"],
        ),
        3,
    ),
    (
        country("DK", "+45", "EUR", &["København", "Aarhus", "Odense"]),
        2,
    ),
    (
        country("NO", "+47", "EUR", &["Oslo", "Bergen", "Tromsø"]),
        2,
    ),
    (
        country("IE", "+353", "EUR", &["Dublin", "Cork", "Galway"]),
        2,
    ),
    (
        country(
            "BR",
            "+55",
            "USD",
            &["São Paulo", "Rio de Janeiro", "Belo Horizonte"],
        ),
        2,
    ),
    (country("JP", "+81", "USD", &["東京", "大阪", "Kyoto"]), 2),
    (
        country("IN", "+91", "USD", &["Mumbai", "New Delhi", "Bengaluru"]),
        2,
    ),
    (
        country("AU", "+61", "USD", &["Sydney", "Melbourne", "Brisbane"]),
        2,
    ),
    (
        country("CN", "+86", "USD", &["北京", "上海", "Shenzhen"]),
        1,
    ),
]);

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Lukas",
    "Zoë",
    "Łukasz",
    "José",
    "Marie",
    "Jean-Luc",
    "Anne-Marie",
    "Mohammed",
    "Fatima",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Sofia",
    "Mateo",
    "Hannah",
    "Jonas",
    "Léa",
    "Chloé",
    "Björn",
    "Søren",
    "Åsa",
    "Ingrid",
    "Giulia",
    "Francesco",
    "Siobhán",
    "Seán",
    "Priya",
    "Arjun",
    "伟",
    "芳",
    "Yuki",
    "Hiroshi",
    "Chinedu",
    "Ngozi",
    "Oğuz",
    "Ümit",
    "Zoe",
    "Max",
    "D'Arcy",
    "Anna",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "García",
    "Martínez",
    "Rodríguez",
    "O'Brien",
    "O'Connor",
    "Dubois",
    "Lefèvre",
    "Rossi",
    "Russo",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Andersson",
    "Johansson",
    "Nielsen",
    "Jensen",
    "van der Berg",
    "de Vries",
    "Nguyen",
    "李",
    "王",
    "张",
    "Tanaka",
    "Suzuki",
    "Okafor",
    "Patel",
    "Sharma",
    "Smith-Jones",
    "Müller-Lüdenscheidt",
    "Ó Súilleabháin",
    "Müller",
];

/// Reserved example domains only, so no generated address is real.
pub(crate) const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "web.example",
    "posteo.example",
    "firma.example",
];

pub(crate) const COMPANIES: &[&str] = &[
    "Smith, Jones & Co",
    "\"Best\" GmbH",
    "Müller & Söhne KG",
    "Acme Corporation",
    "Globex Ltd",
    "Initech",
    "Umbrella Holdings, Inc.",
    "O'Hara Logistics",
    "Ærø Shipping ApS",
    "Δέλτα Α.Ε.",
    "株式会社サンプル",
    "Schulz \"Die Bäcker\" GmbH & Co. KG",
    "Widgets-R-Us",
    "Nordic Fish AB",
    "Café Central",
    "Lorem Ipsum S.à r.l.",
    "Data; Analytics Ltd",
    "Back\\slash Consulting",
    "100% Organic Ltd",
    "Under_score Partners",
    "Acme Corporation",
    "Initech",
];

pub(crate) const AGENTS: &[&str] = &[
    "Anna Schmidt",
    "Bob O'Neil",
    "Carla Gómez",
    "Dmitri Ivanov",
    "Eva Nováková",
    "Frank Li",
    "Greta Løvås",
    "Hiro Tanaka",
    "support-bot",
];

pub(crate) const EMAIL_SUBJECTS: &[&str] = &[
    "Re: Your order",
    "Question about invoice #4711",
    "Rückfrage zur Lieferung",
    "Demande de devis",
    "Follow-up",
    "Welcome!",
    "Password reset",
    "Beschwerde: Ware beschädigt",
    "Your \"VIP\" status",
    "Quote, revised",
    "RE: RE: FW: contract",
    "100% satisfied?",
];

pub(crate) const CAMPAIGN_SUBJECTS: &[&str] = &[
    "Spring Sale 2025",
    "Black Friday: up to 50% off",
    "Newsletter January",
    "Summer Sale",
    "Product launch: Trail Runner X",
    "We miss you, come back!",
    "Your personal offer",
];

pub(crate) const TICKET_SUBJECTS: &[&str] = &[
    "Cannot log in",
    "Refund request",
    "Wrong size delivered",
    "App crashes on start",
    "Lieferung fehlt",
    "Invoice address, wrong",
];

pub(crate) const CALL_SUBJECTS: &[&str] = &["Callback", "Intro call", "Renewal", "Complaint"];
pub(crate) const MEETING_SUBJECTS: &[&str] = &[
    "Quarterly review",
    "Demo",
    "Onboarding",
    "Contract negotiation",
];
pub(crate) const VISIT_SUBJECTS: &[&str] =
    &["/pricing", "/checkout", "/products/shoes", "Store visit"];

pub(crate) const SHORT_NOTES: &[&str] = &[
    "Customer satisfied.",
    "Left voicemail.",
    "Wants a callback next week.",
    "Asked for a discount, offered 10%.",
    "Kunde ist zufrieden.",
    "Escalated to 2nd level.",
    "Sent brochure, price list and terms",
    "Said: \"call me later\"",
    "Line one\nLine two",
    "Follow up in Q3.",
    "Prefers German; speaks English too.",
    "Path C:\\Users\\export.csv attached",
];

pub(crate) const LONG_NOTES: &[&str] = &[
    concat!(
        "Call summary:\n",
        "- Customer reported that the last delivery arrived two days late and the box was damaged.\n",
        "- Items inside were fine, but the customer wants a partial refund or a voucher.\n",
        "- Offered a 15% voucher for the next order; customer said they would think about it, ",
        "and asked whether \"express shipping\" is included for loyal customers.\n",
        "- Also asked about our return policy for sale items, explained the 30-day window.\n",
        "Next steps: send voucher code by email, check with logistics why the parcel was delayed, ",
        "call back on Friday between 10:00 and 12:00.",
    ),
    concat!(
        "Meeting notes (on site, Müller & Söhne KG):\n\n",
        "Attendees: purchasing lead, CFO, two people from IT. They evaluate three vendors, ",
        "decision expected by the end of the quarter. Main concerns: data migration from their ",
        "old system, GDPR, price per seat, and integration with their ERP.\n",
        "They liked the reporting demo, especially the cohort view; asked for a sandbox.\n",
        "Action items: 1) send proposal with volume pricing, 2) arrange a call with our ",
        "solutions engineer, 3) share the security whitepaper, 4) ask about their timeline, ",
        "budget owner and who signs.",
    ),
    concat!(
        "Ticket history\r\n",
        "2025-01-03: customer cannot log in after password reset; reset link expired.\r\n",
        "2025-01-04: sent a new link, customer reports the page shows an error, ",
        "screenshot attached (\"Something went wrong, code 500\").\r\n",
        "2025-01-06: engineering found a bug with e-mail addresses containing an apostrophe, ",
        "such as o'brien@example.com, fix deployed.\r\n",
        "2025-01-07: customer confirmed login works again. Closing the ticket, ",
        "offered a goodwill voucher because it took almost a week. Customer was friendly ",
        "throughout and rated the support 4/5.",
    ),
];

/// A product: name and list price in cents.
pub(crate) type Product = (&'static str, i64);

/// Categories (weighted) with their products.
pub(crate) static PRODUCTS: Weighted<(&str, &[Product])> = Weighted::new(&[
    (
        (
            "shoes",
            &[
                ("Trail Runner X", 8990),
                ("Oxford Classic", 12900),
                ("Sneaker \"Retro\"", 5999),
                ("Flip-Flops, 2 pairs", 999),
                ("Winter Boot", 14950),
            ],
        ),
        12,
    ),
    (
        (
            "apparel",
            &[
                ("T-Shirt Basic", 1299),
                ("Hoodie \"Logo\"", 4900),
                ("Jeans Slim", 7995),
                ("Socks, 3-pack", 750),
                ("Rain Jacket", 11900),
            ],
        ),
        20,
    ),
    (
        (
            "electronics",
            &[
                ("USB-C Cable 1m", 999),
                ("Wireless Headphones", 19900),
                ("Smartphone Case", 1990),
                ("4K Monitor 27\"", 34900),
                ("Laptop Stand", 3999),
                ("Gaming Laptop", 249_900),
            ],
        ),
        15,
    ),
    (
        (
            "books",
            &[
                ("Cookbook \"Simple\"", 2490),
                ("Crime Novel", 1199),
                ("Children's Atlas", 1995),
                ("Systems Programming Primer", 4499),
                ("Poetry, Collected", 1500),
            ],
        ),
        10,
    ),
    (
        (
            "home",
            &[
                ("Coffee Mug", 890),
                ("Bed Linen 200x220", 5900),
                ("Desk Lamp", 3450),
                ("Vacuum Cleaner", 24900),
            ],
        ),
        12,
    ),
    (
        (
            "beauty",
            &[
                ("Lip Balm", 349),
                ("Face Cream 50ml", 2495),
                ("Shampoo", 595),
                ("Perfume \"Nuit\" 100ml", 8900),
            ],
        ),
        10,
    ),
    (
        (
            "sports",
            &[
                ("Yoga Mat", 2990),
                ("Football Size 5", 2499),
                ("Tennis Racket", 11900),
                ("Dumbbells 2×5kg", 3900),
            ],
        ),
        8,
    ),
    (
        (
            "toys",
            &[
                ("Building Blocks 500 pcs", 4999),
                ("Plush Bear", 1499),
                ("Puzzle 1000 pcs", 1299),
                ("Remote Car", 6900),
            ],
        ),
        6,
    ),
    (
        (
            "grocery",
            &[
                ("Coffee Beans 1kg", 1690),
                ("Olive Oil 0.75l", 949),
                ("Dark Chocolate", 199),
                ("Green Tea, 20 bags", 329),
                ("Sample Sachet", 1),
            ],
        ),
        7,
    ),
]);
