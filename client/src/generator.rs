//! The deterministic, streaming CRM data generator.
//!
//! # Determinism and streaming
//!
//! Every value is a function of `(config, table, customer id)`: each customer
//! has a *core* (stage, country, creation instant, number of interactions and
//! transactions) drawn from its own random stream `(seed, CORE, id)`, and each
//! table draws that customer's rows from another stream `(seed, table, id)`.
//! So [`Generator::interactions`] walks customers 1, 2, ... deriving only their
//! cores, never the customer rows, and any table can be generated alone, in
//! any order, or for a sub-range of customers, with identical results.
//!
//! Rows borrow their fixed-vocabulary and list-drawn text (`&'static str`,
//! `Cow::Borrowed`); interactions and transactions are produced without heap
//! allocation except for the rare decorated value (a leading/trailing space).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::iter::FusedIterator;
use std::ops::RangeInclusive;

use crate::csv::{Cents, CsvRow, Value};
use crate::rng::{Rng, Weighted};
use crate::time::{Date, MICROS_PER_DAY, MICROS_PER_SECOND, Timestamp};
use crate::vocab::{self, Country, Stage};

/// Text that is usually borrowed from the generator's static lists.
pub type Text = Cow<'static, str>;

/// What to generate. Equal configs always produce byte-identical data.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorConfig {
    /// Seed of every random stream.
    pub seed: u64,
    /// Number of customers; their ids are `1..=customers`.
    pub customers: u64,
    /// Mean number of interactions per customer (default 10). Counts vary a
    /// lot around it: some customers have none, a few several times the mean.
    pub interactions_per_customer: f64,
    /// Mean number of transactions per customer (default 4); leads and
    /// prospects have few, customers many.
    pub transactions_per_customer: f64,
    /// The reference instant: all data lies in the five years up to it.
    /// Fixed (default 2026-01-01T00:00:00Z) so that data is reproducible.
    pub now: Timestamp,
}

/// 2026-01-01 00:00:00 UTC, the default [`GeneratorConfig::now`].
pub const DEFAULT_NOW: Timestamp = Timestamp(9497 * MICROS_PER_DAY);

impl GeneratorConfig {
    /// `customers` customers from `seed`, other fields at their defaults.
    pub fn new(seed: u64, customers: u64) -> Self {
        GeneratorConfig {
            seed,
            customers,
            ..Self::default()
        }
    }
}

impl Default for GeneratorConfig {
    /// Seed 0, 1000 customers, 10 interactions and 4 transactions per
    /// customer on average, now = 2026-01-01T00:00:00Z.
    fn default() -> Self {
        GeneratorConfig {
            seed: 0,
            customers: 1000,
            interactions_per_customer: 10.0,
            transactions_per_customer: 4.0,
            now: DEFAULT_NOW,
        }
    }
}

/// A row of `customers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    pub id: i64,
    pub external_id: Option<String>,
    pub first_name: Text,
    pub last_name: Text,
    /// Unique when present, lowercase, `first.last.<id>@<example domain>`.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<Text>,
    pub country: &'static str,
    pub city: Option<Text>,
    pub lifecycle_stage: &'static str,
    pub lead_source: Option<&'static str>,
    pub preferred_channel: Option<&'static str>,
    pub email_opt_in: bool,
    pub sms_opt_in: bool,
    pub birth_date: Option<Date>,
    pub lifetime_value: Cents,
    pub created_at: Timestamp,
    /// Never before `created_at`, never after `now`.
    pub updated_at: Timestamp,
}

/// A row of `interactions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    pub id: i64,
    pub customer_id: i64,
    pub channel: &'static str,
    pub direction: &'static str,
    pub kind: &'static str,
    pub subject: Option<Text>,
    pub notes: Option<Text>,
    pub agent: Option<Text>,
    pub outcome: Option<&'static str>,
    /// Between the customer's `created_at` and `now`, inclusive.
    pub occurred_at: Timestamp,
}

/// A row of `transactions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub id: i64,
    pub customer_id: i64,
    pub product: Text,
    pub category: &'static str,
    /// 1..=10.
    pub quantity: i32,
    /// 0.01..=5000.00.
    pub amount: Cents,
    pub currency: &'static str,
    pub status: &'static str,
    pub payment_method: Option<&'static str>,
    /// Between the customer's `created_at` and `now`, inclusive.
    pub occurred_at: Timestamp,
}

impl CsvRow for Customer {
    const TABLE: &'static str = "customers";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "country",
        "city",
        "lifecycle_stage",
        "lead_source",
        "preferred_channel",
        "email_opt_in",
        "sms_opt_in",
        "birth_date",
        "lifetime_value",
        "created_at",
        "updated_at",
    ];

    fn values(&self) -> impl Iterator<Item = Value<'_>> {
        [
            Value::Int(self.id),
            Value::opt_text(self.external_id.as_deref()),
            Value::Text(&self.first_name),
            Value::Text(&self.last_name),
            Value::opt_text(self.email.as_deref()),
            Value::opt_text(self.phone.as_deref()),
            Value::opt_text(self.company.as_deref()),
            Value::Text(self.country),
            Value::opt_text(self.city.as_deref()),
            Value::Text(self.lifecycle_stage),
            Value::opt_text(self.lead_source),
            Value::opt_text(self.preferred_channel),
            Value::Bool(self.email_opt_in),
            Value::Bool(self.sms_opt_in),
            self.birth_date.map_or(Value::Null, Value::Date),
            Value::Numeric(self.lifetime_value),
            Value::Timestamp(self.created_at),
            Value::Timestamp(self.updated_at),
        ]
        .into_iter()
    }
}

impl CsvRow for Interaction {
    const TABLE: &'static str = "interactions";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "customer_id",
        "channel",
        "direction",
        "kind",
        "subject",
        "notes",
        "agent",
        "outcome",
        "occurred_at",
    ];

    fn values(&self) -> impl Iterator<Item = Value<'_>> {
        [
            Value::Int(self.id),
            Value::Int(self.customer_id),
            Value::Text(self.channel),
            Value::Text(self.direction),
            Value::Text(self.kind),
            Value::opt_text(self.subject.as_deref()),
            Value::opt_text(self.notes.as_deref()),
            Value::opt_text(self.agent.as_deref()),
            Value::opt_text(self.outcome),
            Value::Timestamp(self.occurred_at),
        ]
        .into_iter()
    }
}

impl CsvRow for Transaction {
    const TABLE: &'static str = "transactions";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "customer_id",
        "product",
        "category",
        "quantity",
        "amount",
        "currency",
        "status",
        "payment_method",
        "occurred_at",
    ];

    fn values(&self) -> impl Iterator<Item = Value<'_>> {
        [
            Value::Int(self.id),
            Value::Int(self.customer_id),
            Value::Text(&self.product),
            Value::Text(self.category),
            Value::Int(i64::from(self.quantity)),
            Value::Numeric(self.amount),
            Value::Text(self.currency),
            Value::Text(self.status),
            Value::opt_text(self.payment_method),
            Value::Timestamp(self.occurred_at),
        ]
        .into_iter()
    }
}

// Stream kinds ("salts"). Changing one changes the data set.
const SALT_CORE: u64 = 1;
const SALT_CUSTOMER: u64 = 2;
const SALT_INTERACTION: u64 = 3;
const SALT_TRANSACTION: u64 = 4;

/// How far back customers were created.
const HISTORY_DAYS: i64 = 5 * 365 + 1;
/// Campaigns go out weekly, Tuesdays 09:00:00 UTC (2000-01-04 was a Tuesday),
/// so campaign interactions of many customers share exact instants.
const CAMPAIGN_BASE: i64 = 3 * MICROS_PER_DAY + 9 * 3600 * MICROS_PER_SECOND;
const WEEK: i64 = 7 * MICROS_PER_DAY;

static LEAD_SOURCES: Weighted<&str> = Weighted::new(&[
    ("web", 30),
    ("referral", 15),
    ("event", 10),
    ("partner", 10),
    ("ads", 15),
    ("social", 10),
    ("directory", 5),
    ("purchased_list", 5),
]);
static PREFERRED_CHANNELS: Weighted<&str> =
    Weighted::new(&[("email", 50), ("sms", 15), ("phone", 25), ("messenger", 10)]);
static KINDS: Weighted<&str> = Weighted::new(&[
    ("call", 20),
    ("email", 25),
    ("meeting", 8),
    ("support_ticket", 12),
    ("visit", 5),
    ("campaign_open", 20),
    ("campaign_click", 10),
]);
static TICKET_CHANNELS: Weighted<&str> = Weighted::new(&[
    ("chat", 30),
    ("email", 30),
    ("web", 15),
    ("phone", 15),
    ("social", 5),
    ("sms", 5),
]);
static OUTCOMES: Weighted<&str> = Weighted::new(&[
    ("resolved", 25),
    ("open", 15),
    ("escalated", 5),
    ("no_answer", 10),
    ("positive", 30),
    ("negative", 15),
]);
static CALL_OUTCOMES: Weighted<&str> = Weighted::new(&[
    ("no_answer", 30),
    ("resolved", 20),
    ("positive", 25),
    ("negative", 15),
    ("open", 10),
]);
static TICKET_OUTCOMES: Weighted<&str> = Weighted::new(&[
    ("resolved", 55),
    ("open", 20),
    ("escalated", 20),
    ("negative", 5),
]);
static CAMPAIGN_OUTCOMES: Weighted<&str> = Weighted::new(&[("positive", 60), ("negative", 40)]);
static QUANTITIES: Weighted<i32> = Weighted::new(&[
    (1, 50),
    (2, 20),
    (3, 10),
    (4, 6),
    (5, 5),
    (6, 3),
    (7, 2),
    (8, 2),
    (9, 1),
    (10, 1),
]);
static STATUSES: Weighted<&str> =
    Weighted::new(&[("paid", 80), ("refunded", 8), ("pending", 7), ("failed", 5)]);
static PAYMENT_METHODS: Weighted<&str> = Weighted::new(&[
    ("card", 45),
    ("paypal", 20),
    ("invoice", 10),
    ("bank_transfer", 8),
    ("apple_pay", 7),
    ("klarna", 5),
    ("cash", 5),
]);
const LTV_TIES: &[i64] = &[10_000, 25_000, 99_999, 100_000, 4_999, 50_000, 1];
const AMOUNT_MAX: i64 = 500_000;

/// What every table needs to know about a customer, from stream `(seed, CORE, id)`.
#[derive(Clone, Copy, Debug)]
struct Core {
    stage: Stage,
    country: Country,
    created_at: Timestamp,
    interactions: u64,
    transactions: u64,
}

/// The data generator; cheap to create, immutable, shareable across threads.
#[derive(Clone, Debug)]
pub struct Generator {
    config: GeneratorConfig,
    /// Divisors that make the configured means hold despite the stage and
    /// activity multipliers.
    interaction_norm: f64,
    transaction_norm: f64,
    birth_first: i64,
    birth_last: i64,
}

impl Generator {
    /// # Panics
    ///
    /// If a mean is negative or not finite, or `customers` exceeds `i64::MAX`.
    pub fn new(config: GeneratorConfig) -> Self {
        for (name, mean) in [
            (
                "interactions_per_customer",
                config.interactions_per_customer,
            ),
            (
                "transactions_per_customer",
                config.transactions_per_customer,
            ),
        ] {
            assert!(
                mean.is_finite() && mean >= 0.0,
                "{name} must be finite and non-negative, got {mean}"
            );
        }
        assert!(
            i64::try_from(config.customers).is_ok(),
            "customers must fit in a BIGINT id"
        );
        let activity = vocab::ACTIVITY.mean(|a| a);
        Generator {
            interaction_norm: activity * vocab::STAGES.mean(|s| s.interaction_factor),
            transaction_norm: activity * vocab::STAGES.mean(|s| s.transaction_factor),
            birth_first: i64::from(Date::from_ymd(1940, 1, 1).expect("valid").0),
            birth_last: i64::from(Date::from_ymd(2007, 12, 31).expect("valid").0),
            config,
        }
    }

    pub fn config(&self) -> &GeneratorConfig {
        &self.config
    }

    /// All customers, ids `1..=customers` in order.
    pub fn customers(&self) -> Customers<'_> {
        self.customers_in(1..=self.last_id())
    }

    /// The customers with ids in `ids` (clipped to `1..=customers`), in order;
    /// identical to the matching part of [`Generator::customers`].
    pub fn customers_in(&self, ids: RangeInclusive<i64>) -> Customers<'_> {
        let (next, end) = self.clip(ids);
        Customers {
            generator: self,
            next,
            end,
        }
    }

    /// Customer `id`, or `None` if `id` is not in `1..=customers`.
    pub fn customer(&self, id: i64) -> Option<Customer> {
        (1..=self.last_id())
            .contains(&id)
            .then(|| self.make_customer(id))
    }

    /// All interactions: ids dense from 1, grouped by customer in customer id
    /// order (a customer may have none).
    pub fn interactions(&self) -> Interactions<'_> {
        self.interactions_in(1..=self.last_id())
    }

    /// The interactions of the customers in `ids` (clipped to
    /// `1..=customers`), with the same ids as in [`Generator::interactions`].
    /// Finding the first id costs one core derivation per earlier customer
    /// (tens of nanoseconds each), so ranges suit parallel loading.
    pub fn interactions_in(&self, ids: RangeInclusive<i64>) -> Interactions<'_> {
        let (next, end) = self.clip(ids);
        Interactions(Cursor::new(self, next, end, Child::Interactions))
    }

    /// All transactions: ids dense from 1, grouped by customer in customer id
    /// order.
    pub fn transactions(&self) -> Transactions<'_> {
        self.transactions_in(1..=self.last_id())
    }

    /// The transactions of the customers in `ids`, with the same ids as in
    /// [`Generator::transactions`].
    pub fn transactions_in(&self, ids: RangeInclusive<i64>) -> Transactions<'_> {
        let (next, end) = self.clip(ids);
        Transactions(Cursor::new(self, next, end, Child::Transactions))
    }

    /// The number of rows [`Generator::interactions`] yields, computed from
    /// the customer cores alone (much cheaper than generating the rows).
    pub fn interaction_count(&self) -> u64 {
        (1..=self.last_id())
            .map(|id| self.core(id).interactions)
            .sum()
    }

    /// The number of rows [`Generator::transactions`] yields.
    pub fn transaction_count(&self) -> u64 {
        (1..=self.last_id())
            .map(|id| self.core(id).transactions)
            .sum()
    }

    fn last_id(&self) -> i64 {
        self.config.customers as i64
    }

    /// `(first, last)` of `ids` within `1..=customers`; empty when first > last.
    fn clip(&self, ids: RangeInclusive<i64>) -> (i64, i64) {
        ((*ids.start()).max(1), (*ids.end()).min(self.last_id()))
    }

    fn core(&self, id: i64) -> Core {
        let mut r = Rng::stream(self.config.seed, SALT_CORE, id as u64);
        let stage = vocab::STAGES.pick(&mut r);
        let country = vocab::COUNTRIES.pick(&mut r);
        // Skewed towards recent sign-ups: the minimum of two uniform offsets.
        let span = (HISTORY_DAYS * MICROS_PER_DAY) as u64;
        let back = r.below(span).min(r.below(span)) as i64;
        let mut created = self.config.now.0.saturating_sub(1).saturating_sub(back);
        match r.below(10) {
            0..=5 => {}
            6..=8 => created -= created.rem_euclid(MICROS_PER_SECOND),
            // Midnight: many customers share these instants.
            _ => created -= created.rem_euclid(MICROS_PER_DAY),
        }
        let activity = vocab::ACTIVITY.pick(&mut r);
        let mean_i = self.config.interactions_per_customer * activity * stage.interaction_factor
            / self.interaction_norm;
        let mean_t = self.config.transactions_per_customer * activity * stage.transaction_factor
            / self.transaction_norm;
        // Binomial(4m, 1/4): mean m, integer-only (reproducible everywhere).
        let interactions = r.binomial_quarter((mean_i * 4.0).round() as u64);
        let transactions = r.binomial_quarter((mean_t * 4.0).round() as u64);
        Core {
            stage,
            country,
            created_at: Timestamp(created),
            interactions,
            transactions,
        }
    }

    fn make_customer(&self, id: i64) -> Customer {
        let core = self.core(id);
        let now = self.config.now.0;
        let r = &mut Rng::stream(self.config.seed, SALT_CUSTOMER, id as u64);
        let first = r.choose(vocab::FIRST_NAMES);
        let last = r.choose(vocab::LAST_NAMES);
        let external_id = match r.below(100) {
            0..=29 => None,
            30 => Some(String::new()),
            _ => Some(format!("SF-{:08}", r.below(100_000_000))),
        };
        let email = if r.chance(8, 100) {
            None
        } else {
            Some(email_address(
                first,
                last,
                id,
                r.choose(vocab::EMAIL_DOMAINS),
            ))
        };
        let phone = match r.below(100) {
            0..=19 => None,
            20 => Some(String::new()),
            _ => Some(format!(
                "{} {} {}",
                core.country.phone_prefix,
                r.range_i64(20, 999),
                r.range_i64(100_000, 99_999_999)
            )),
        };
        let company = match r.below(100) {
            0..=54 => None,
            55 => Some(Cow::Borrowed("")),
            _ => Some(pick_decorated(r, vocab::COMPANIES)),
        };
        let city = match r.below(100) {
            0..=9 => None,
            10 => Some(Cow::Borrowed("")),
            _ => Some(pick_decorated(r, core.country.cities)),
        };
        let lead_source = (!r.chance(1, 10)).then(|| LEAD_SOURCES.pick(r));
        let preferred_channel = (!r.chance(1, 10)).then(|| PREFERRED_CHANNELS.pick(r));
        let email_opt_in = r.chance(60, 100);
        let sms_opt_in = r.chance(30, 100);
        let birth_date =
            (!r.chance(1, 4)).then(|| Date(r.range_i64(self.birth_first, self.birth_last) as i32));
        let zero_percent = match core.stage.name {
            "lead" | "prospect" => 85,
            _ => 15,
        };
        let lifetime_value = if r.chance(1, 50_000) {
            999_999_999_999 // NUMERIC(12,2)'s maximum
        } else if r.chance(1, 5_000) {
            123_456_789
        } else if r.chance(1, 1_000) {
            -r.range_i64(1, 5_000) // net refunds
        } else if r.below(100) < zero_percent {
            0
        } else if r.chance(15, 100) {
            r.choose(LTV_TIES)
        } else {
            let max = 5_000_000;
            1 + r.below(max).min(r.below(max)).min(r.below(max)) as i64
        };
        let first_name = decorate(r, first);
        let last_name = decorate(r, last);
        let updated_at = if r.chance(3, 10) {
            core.created_at
        } else {
            Timestamp(r.range_i64(core.created_at.0, now.max(core.created_at.0)))
        };
        Customer {
            id,
            external_id,
            first_name,
            last_name,
            email,
            phone,
            company,
            country: core.country.code,
            city,
            lifecycle_stage: core.stage.name,
            lead_source,
            preferred_channel,
            email_opt_in,
            sms_opt_in,
            birth_date,
            lifetime_value: Cents(lifetime_value),
            created_at: core.created_at,
            updated_at,
        }
    }

    fn make_interaction(&self, c: &mut CustomerState, id: i64) -> Interaction {
        let r = &mut c.rng;
        let (lo, hi) = (c.created_at.0, self.config.now.0.max(c.created_at.0));
        let kind = KINDS.pick(r);
        let campaign = kind.starts_with("campaign_");
        let (mut channel, direction, subjects, subject_null_percent) = match kind {
            "call" => (
                "phone",
                coin(r, "inbound", "outbound"),
                vocab::CALL_SUBJECTS,
                60,
            ),
            "email" => (
                if r.chance(95, 100) { "email" } else { "web" },
                coin(r, "inbound", "outbound"),
                vocab::EMAIL_SUBJECTS,
                5,
            ),
            "meeting" => (
                if r.chance(7, 10) { "meeting" } else { "web" },
                if r.chance(7, 10) {
                    "outbound"
                } else {
                    "inbound"
                },
                vocab::MEETING_SUBJECTS,
                10,
            ),
            "support_ticket" => (
                TICKET_CHANNELS.pick(r),
                if r.chance(85, 100) {
                    "inbound"
                } else {
                    "outbound"
                },
                vocab::TICKET_SUBJECTS,
                5,
            ),
            "visit" => (
                if r.chance(8, 10) { "web" } else { "meeting" },
                "inbound",
                vocab::VISIT_SUBJECTS,
                30,
            ),
            _ => ("email", "outbound", vocab::CAMPAIGN_SUBJECTS, 2),
        };
        if !campaign && r.chance(1, 100) {
            channel = r.choose(vocab::CHANNELS); // data is never perfectly consistent
        }
        let subject = if r.below(100) < subject_null_percent {
            None
        } else {
            Some(pick_maybe_empty(r, subjects))
        };
        // Campaign events are automatic and rarely annotated.
        let notes_null_percent = if campaign { 90 } else { 35 };
        let notes = match r.below(100) {
            n if n < notes_null_percent => None,
            n if n < notes_null_percent + 4 => Some(Cow::Borrowed(r.choose(vocab::LONG_NOTES))),
            n if n < notes_null_percent + 5 => Some(Cow::Borrowed("")),
            _ => Some(pick_decorated(r, vocab::SHORT_NOTES)),
        };
        let agent = if campaign || r.chance(1, 10) {
            None
        } else {
            Some(pick_maybe_empty(r, vocab::AGENTS))
        };
        let outcome = if r.chance(1, 5) {
            None
        } else {
            Some(match kind {
                "call" => CALL_OUTCOMES.pick(r),
                "support_ticket" => TICKET_OUTCOMES.pick(r),
                "campaign_open" | "campaign_click" => CAMPAIGN_OUTCOMES.pick(r),
                _ => OUTCOMES.pick(r),
            })
        };
        let occurred_at = if campaign {
            campaign_instant(r, lo, hi, kind == "campaign_click")
        } else {
            event_instant(r, lo, hi, c.prev, 50)
        };
        c.prev = Some(occurred_at);
        Interaction {
            id,
            customer_id: c.customer_id,
            channel,
            direction,
            kind,
            subject,
            notes,
            agent,
            outcome,
            occurred_at,
        }
    }

    fn make_transaction(&self, c: &mut CustomerState, id: i64) -> Transaction {
        let r = &mut c.rng;
        let (lo, hi) = (c.created_at.0, self.config.now.0.max(c.created_at.0));
        let (category, products) = vocab::PRODUCTS.pick(r);
        let (product, price) = r.choose(products);
        let quantity = QUANTITIES.pick(r);
        let amount = match r.below(100) {
            0..=64 => price * i64::from(quantity),
            65..=82 => (price * i64::from(quantity) * 9 + 5) / 10, // 10% off
            83..=94 => 1 + r.below(AMOUNT_MAX as u64).min(r.below(AMOUNT_MAX as u64)) as i64,
            95..=96 => 1,
            97 => AMOUNT_MAX - 1,
            _ => AMOUNT_MAX,
        }
        .clamp(1, AMOUNT_MAX);
        let currency = if r.chance(9, 10) {
            c.currency
        } else {
            r.choose(vocab::CURRENCIES)
        };
        let status = STATUSES.pick(r);
        let payment_method = (!r.chance(1, 10)).then(|| PAYMENT_METHODS.pick(r));
        let product = decorate(r, product);
        let occurred_at = event_instant(r, lo, hi, c.prev, 60);
        c.prev = Some(occurred_at);
        Transaction {
            id,
            customer_id: c.customer_id,
            product,
            category,
            quantity,
            amount: Cents(amount),
            currency,
            status,
            payment_method,
            occurred_at,
        }
    }
}

/// `first.last.<id>@domain`, lowercase, without spaces. Names contain no `.`
/// or `@`, so the id after the last dot makes every address unique.
fn email_address(first: &str, last: &str, id: i64, domain: &str) -> String {
    let mut s = String::with_capacity(first.len() + last.len() + domain.len() + 24);
    for part in [first, last] {
        for ch in part.chars().filter(|c| !c.is_whitespace()) {
            s.extend(ch.to_lowercase());
        }
        s.push('.');
    }
    write!(s, "{id}@{domain}").expect("writing to a String");
    s
}

/// `s`, or once in 200 times `s` with a leading or trailing space.
fn decorate(r: &mut Rng, s: &'static str) -> Text {
    if r.chance(1, 200) {
        Cow::Owned(if r.chance(1, 2) {
            format!(" {s}")
        } else {
            format!("{s} ")
        })
    } else {
        Cow::Borrowed(s)
    }
}

/// A uniform pick from `items`, [decorated](decorate).
fn pick_decorated(r: &mut Rng, items: &[&'static str]) -> Text {
    let s = r.choose(items);
    decorate(r, s)
}

/// A uniform pick from `items`, or once in 100 times the empty string (not
/// NULL).
fn pick_maybe_empty(r: &mut Rng, items: &[&'static str]) -> Text {
    let s = r.choose(items);
    Cow::Borrowed(if r.chance(1, 100) { "" } else { s })
}

fn coin(r: &mut Rng, a: &'static str, b: &'static str) -> &'static str {
    if r.chance(1, 2) { a } else { b }
}

/// An instant in `lo..=hi`: with 3% probability the previous one of the same
/// customer (exact ties), otherwise uniform, truncated to whole seconds with
/// `whole_second_percent` probability (never below `lo`).
fn event_instant(
    r: &mut Rng,
    lo: i64,
    hi: i64,
    prev: Option<Timestamp>,
    whole_second_percent: u64,
) -> Timestamp {
    if let Some(prev) = prev
        && r.chance(3, 100)
    {
        return prev;
    }
    let mut t = r.range_i64(lo, hi);
    if r.below(100) < whole_second_percent {
        t -= t.rem_euclid(MICROS_PER_SECOND);
    }
    Timestamp(t.max(lo))
}

/// A campaign interaction: at or shortly after a weekly send slot in
/// `lo..=hi`, often exactly at the slot (ties across customers).
fn campaign_instant(r: &mut Rng, lo: i64, hi: i64, click: bool) -> Timestamp {
    let t = r.range_i64(lo, hi);
    let weeks = (t - CAMPAIGN_BASE + WEEK - 1).div_euclid(WEEK);
    let mut slot = CAMPAIGN_BASE + weeks * WEEK;
    if slot > hi {
        slot -= WEEK;
    }
    let (exact_percent, max_delay_days) = if click { (30, 3) } else { (50, 2) };
    if slot < lo {
        return Timestamp((t - t.rem_euclid(MICROS_PER_SECOND)).max(lo));
    }
    let delay = if r.below(100) < exact_percent {
        0
    } else {
        r.range_i64(1, max_delay_days * 86_400) * MICROS_PER_SECOND
    };
    Timestamp((slot + delay).min(hi))
}

/// Per-customer state of an interaction or transaction stream.
#[derive(Clone, Debug)]
struct CustomerState {
    customer_id: i64,
    created_at: Timestamp,
    currency: &'static str,
    rng: Rng,
    prev: Option<Timestamp>,
}

/// Which per-customer child table a [`Cursor`] generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Child {
    Interactions,
    Transactions,
}

impl Child {
    fn count(self, core: &Core) -> u64 {
        match self {
            Child::Interactions => core.interactions,
            Child::Transactions => core.transactions,
        }
    }
    fn salt(self) -> u64 {
        match self {
            Child::Interactions => SALT_INTERACTION,
            Child::Transactions => SALT_TRANSACTION,
        }
    }
}

/// Walks customers `next_customer..=end`, yielding `child.count(core)` row
/// slots for each.
#[derive(Clone, Debug)]
struct Cursor<'g> {
    generator: &'g Generator,
    child: Child,
    /// Next customer to start.
    next_customer: i64,
    end: i64,
    /// Rows of the current customer not yet yielded.
    remaining: u64,
    /// Id of the next row.
    next_id: i64,
    state: Option<CustomerState>,
}

impl<'g> Cursor<'g> {
    fn new(generator: &'g Generator, first: i64, end: i64, child: Child) -> Self {
        let before: u64 = (1..first.min(end.saturating_add(1)))
            .map(|id| child.count(&generator.core(id)))
            .sum();
        Cursor {
            generator,
            child,
            next_customer: first,
            end,
            remaining: 0,
            next_id: before as i64 + 1,
            state: None,
        }
    }

    /// Advances to the next row's customer; `None` at the end.
    fn advance(&mut self) -> Option<(&mut CustomerState, i64)> {
        while self.remaining == 0 {
            if self.next_customer > self.end {
                self.state = None;
                return None;
            }
            let id = self.next_customer;
            self.next_customer += 1;
            let core = self.generator.core(id);
            self.remaining = self.child.count(&core);
            self.state = Some(CustomerState {
                customer_id: id,
                created_at: core.created_at,
                currency: core.country.currency,
                rng: Rng::stream(self.generator.config.seed, self.child.salt(), id as u64),
                prev: None,
            });
        }
        self.remaining -= 1;
        let id = self.next_id;
        self.next_id += 1;
        Some((self.state.as_mut().expect("set while remaining > 0"), id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let more_customers = self.next_customer <= self.end;
        let remaining = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (remaining, (!more_customers).then_some(remaining))
    }
}

/// Iterator over customers, from [`Generator::customers`].
#[derive(Clone, Debug)]
pub struct Customers<'g> {
    generator: &'g Generator,
    next: i64,
    end: i64,
}

impl Iterator for Customers<'_> {
    type Item = Customer;

    fn next(&mut self) -> Option<Customer> {
        if self.next > self.end {
            return None;
        }
        let id = self.next;
        self.next += 1;
        Some(self.generator.make_customer(id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from((self.end - self.next + 1).max(0)).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Customers<'_> {}
impl FusedIterator for Customers<'_> {}

/// Iterator over interactions, from [`Generator::interactions`].
#[derive(Clone, Debug)]
pub struct Interactions<'g>(Cursor<'g>);

impl Iterator for Interactions<'_> {
    type Item = Interaction;

    fn next(&mut self) -> Option<Interaction> {
        let generator = self.0.generator;
        let (state, id) = self.0.advance()?;
        Some(generator.make_interaction(state, id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl FusedIterator for Interactions<'_> {}

/// Iterator over transactions, from [`Generator::transactions`].
#[derive(Clone, Debug)]
pub struct Transactions<'g>(Cursor<'g>);

impl Iterator for Transactions<'_> {
    type Item = Transaction;

    fn next(&mut self) -> Option<Transaction> {
        let generator = self.0.generator;
        let (state, id) = self.0.advance()?;
        Some(generator.make_transaction(state, id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl FusedIterator for Transactions<'_> {}
