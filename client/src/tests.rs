//! Tests of the generator as a whole: determinism, streaming consistency,
//! integrity, vocabularies, edge values and the CSV/SQL renderings.

use std::collections::{HashMap, HashSet};

use crate::vocab;
use crate::*;

/// A PostgreSQL-CSV parser, independent of the writer: `None` for an empty
/// unquoted field (NULL), `Some` otherwise; quoted fields may contain commas,
/// doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<Option<String>>> {
    let b = text.as_bytes();
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let field = if b[i] == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let close = i + text[i..].find('"').expect("unterminated quoted field");
                s.push_str(&text[i..close]);
                i = close + 1;
                if b.get(i) != Some(&b'"') {
                    break;
                }
                s.push('"');
                i += 1;
            }
            Some(s)
        } else {
            let end = text[i..].find([',', '\n']).map_or(b.len(), |n| i + n);
            let s = &text[i..end];
            assert!(!s.contains('"'), "stray quote in unquoted field {s:?}");
            i = end;
            (!s.is_empty()).then(|| s.to_owned())
        };
        row.push(field);
        match b.get(i) {
            Some(b',') => i += 1, // another field follows, possibly empty
            Some(b'\n') | None => {
                rows.push(std::mem::take(&mut row));
                i += 1;
            }
            Some(c) => panic!("unexpected byte {c} after a field"),
        }
    }
    rows
}

fn csv_string<R: CsvRow>(rows: impl Iterator<Item = R>, header: bool) -> String {
    let mut out = Vec::new();
    write_csv(rows, &mut out, header).unwrap();
    String::from_utf8(out).expect("CSV is UTF-8")
}

/// The row's values as the strings a CSV reader should recover.
fn expected_fields<R: CsvRow>(row: &R) -> Vec<Option<String>> {
    row.values()
        .map(|v| {
            let mut out = Vec::new();
            match v {
                Value::Null => None,
                Value::Text(s) => Some(s.to_owned()),
                other => {
                    write_csv_value(other, &mut out).unwrap();
                    Some(String::from_utf8(out).unwrap())
                }
            }
        })
        .collect()
}

fn generator(seed: u64, customers: u64) -> Generator {
    Generator::new(GeneratorConfig::new(seed, customers))
}

fn all_csv(g: &Generator) -> [String; 3] {
    [
        csv_string(g.customers(), true),
        csv_string(g.interactions(), true),
        csv_string(g.transactions(), true),
    ]
}

#[test]
fn same_config_gives_identical_csv_and_other_seeds_differ() {
    let a = all_csv(&generator(7, 300));
    let b = all_csv(&generator(7, 300));
    assert_eq!(a, b);
    let c = all_csv(&generator(8, 300));
    for (x, y) in a.iter().zip(&c) {
        assert_ne!(x, y);
    }
    // A different `now` moves every timestamp.
    let mut config = GeneratorConfig::new(7, 300);
    config.now = Timestamp(config.now.0 - MICROS_PER_DAY_FOR_TESTS);
    assert_ne!(all_csv(&Generator::new(config))[0], a[0]);
}

const MICROS_PER_DAY_FOR_TESTS: i64 = 86_400_000_000;

#[test]
fn output_is_pinned() {
    // The data set is part of other tests and benchmarks: it must not change
    // by accident. Update the hashes only for a deliberate change.
    fn fnv(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }
    let [c, i, t] = all_csv(&generator(0, 200));
    let hashes = [fnv(&c), fnv(&i), fnv(&t)];
    assert_eq!(hashes, PINNED, "{hashes:#x?}");
}

const PINNED: [u64; 3] = [
    0x2c48_f390_dfb2_d6d5,
    0xc766_b89b_2b68_aae7,
    0x2139_c1bc_2b0d_4dc8,
];

#[test]
fn tables_stream_independently_and_by_range() {
    let g = generator(3, 400);
    let customers: Vec<Customer> = g.customers().collect();
    assert_eq!(customers.len(), 400);
    assert_eq!(g.customers().len(), 400);
    for c in &customers {
        assert_eq!(g.customer(c.id).as_ref(), Some(c));
    }
    assert_eq!(g.customer(0), None);
    assert_eq!(g.customer(401), None);

    let interactions: Vec<Interaction> = g.interactions().collect();
    let transactions: Vec<Transaction> = g.transactions().collect();
    assert_eq!(interactions.len() as u64, g.interaction_count());
    assert_eq!(transactions.len() as u64, g.transaction_count());

    // Any split into customer ranges reproduces the whole, ids included.
    for split in [1, 2, 57, 200, 399, 400] {
        let left: Vec<_> = g.interactions_in(i64::MIN..=split).collect();
        let right: Vec<_> = g.interactions_in(split + 1..=i64::MAX).collect();
        assert_eq!([left, right].concat(), interactions, "split {split}");
        let left: Vec<_> = g.transactions_in(1..=split).collect();
        let right: Vec<_> = g.transactions_in(split + 1..=400).collect();
        assert_eq!([left, right].concat(), transactions, "split {split}");
        let left: Vec<_> = g.customers_in(0..=split).collect();
        let right: Vec<_> = g.customers_in(split + 1..=1000).collect();
        assert_eq!([left, right].concat(), customers, "split {split}");
    }
    #[allow(clippy::reversed_empty_ranges)] // deliberately empty
    let empty = 5..=4;
    assert_eq!(g.interactions_in(empty).count(), 0);
    assert_eq!(g.customers_in(500..=600).count(), 0);

    // A larger population leaves the first customers' data unchanged.
    let bigger = generator(3, 800);
    assert_eq!(bigger.customers().take(400).collect::<Vec<_>>(), customers);
    assert_eq!(
        bigger.interactions_in(1..=400).collect::<Vec<_>>(),
        interactions
    );
}

#[test]
fn empty_and_degenerate_configs() {
    let g = generator(1, 0);
    assert_eq!(g.customers().count(), 0);
    assert_eq!(g.interactions().count(), 0);
    assert_eq!(g.transactions().count(), 0);
    assert_eq!(
        csv_string(g.customers(), true),
        format!("{}\n", Customer::COLUMNS.join(","))
    );

    let mut config = GeneratorConfig::new(1, 100);
    config.interactions_per_customer = 0.0;
    config.transactions_per_customer = 0.5;
    let g = Generator::new(config);
    assert_eq!(g.interactions().count(), 0);
    let n = g.transactions().count();
    assert!((20..=90).contains(&n), "{n} transactions");
}

#[test]
#[should_panic(expected = "interactions_per_customer")]
fn nan_mean_is_rejected() {
    Generator::new(GeneratorConfig {
        interactions_per_customer: f64::NAN,
        ..GeneratorConfig::default()
    });
}

#[test]
fn integrity_and_invariants() {
    let config = GeneratorConfig::new(11, 3000);
    let now = config.now;
    let g = Generator::new(config);
    let customers: Vec<Customer> = g.customers().collect();
    let created: HashMap<i64, Timestamp> = customers.iter().map(|c| (c.id, c.created_at)).collect();

    let mut emails = HashSet::new();
    let birth_min = Date::from_ymd(1940, 1, 1).unwrap();
    let birth_max = Date::from_ymd(2007, 12, 31).unwrap();
    let five_years_ago = Timestamp(now.0 - (5 * 365 + 2) * MICROS_PER_DAY_FOR_TESTS);
    for (i, c) in customers.iter().enumerate() {
        assert_eq!(c.id, i as i64 + 1);
        if let Some(e) = &c.email {
            assert!(emails.insert(e.clone()), "duplicate email {e}");
            assert_eq!(e, &e.to_lowercase());
            assert!(e.ends_with(&format!(".{}@{}", c.id, e.split('@').nth(1).unwrap())));
            assert!(!e.contains(' '));
        }
        assert!(!c.first_name.trim().is_empty() && !c.last_name.trim().is_empty());
        assert!(
            five_years_ago <= c.created_at && c.created_at < now,
            "{c:?}"
        );
        assert!(c.created_at <= c.updated_at && c.updated_at <= now, "{c:?}");
        if let Some(b) = c.birth_date {
            assert!(birth_min <= b && b <= birth_max);
        }
        assert!(c.lifetime_value.0 >= -5_000 && c.lifetime_value.0 <= 999_999_999_999);
    }

    for (table, rows) in [
        (
            "interactions",
            g.interactions()
                .map(|r| (r.id, r.customer_id, r.occurred_at))
                .collect::<Vec<_>>(),
        ),
        (
            "transactions",
            g.transactions()
                .map(|r| (r.id, r.customer_id, r.occurred_at))
                .collect(),
        ),
    ] {
        assert!(!rows.is_empty());
        let mut last_customer = 0;
        for (i, &(id, customer_id, at)) in rows.iter().enumerate() {
            assert_eq!(id, i as i64 + 1, "{table} ids are dense");
            assert!(
                (1..=3000).contains(&customer_id),
                "{table}: dangling {customer_id}"
            );
            assert!(customer_id >= last_customer, "{table} grouped by customer");
            last_customer = customer_id;
            assert!(
                created[&customer_id] <= at && at <= now,
                "{table} row {id} at {at}"
            );
        }
    }

    for t in g.transactions() {
        assert!((1..=10).contains(&t.quantity));
        assert!((1..=500_000).contains(&t.amount.0), "{t:?}");
    }
}

#[test]
fn vocabularies_are_respected() {
    let g = generator(5, 2000);
    let set = |items: &[&'static str]| items.iter().copied().collect::<HashSet<_>>();
    let countries: HashSet<_> = vocab::COUNTRIES.items().map(|c| c.code).collect();
    assert!(countries.len() >= 20);
    let mut seen_stages = HashSet::new();
    for c in g.customers() {
        assert!(countries.contains(c.country));
        assert!(set(vocab::LIFECYCLE_STAGES).contains(c.lifecycle_stage));
        seen_stages.insert(c.lifecycle_stage);
        if let Some(s) = c.lead_source {
            assert!(set(vocab::LEAD_SOURCES).contains(s));
        }
        if let Some(s) = c.preferred_channel {
            assert!(set(vocab::PREFERRED_CHANNELS).contains(s));
        }
    }
    assert_eq!(seen_stages, set(vocab::LIFECYCLE_STAGES));

    let (mut kinds, mut channels, mut outcomes) = (HashSet::new(), HashSet::new(), HashSet::new());
    let (mut calls, mut calls_by_phone) = (0u32, 0u32);
    for i in g.interactions() {
        assert!(set(vocab::CHANNELS).contains(i.channel), "{i:?}");
        assert!(set(vocab::DIRECTIONS).contains(i.direction));
        assert!(set(vocab::KINDS).contains(i.kind));
        if i.kind.starts_with("campaign_") {
            assert_eq!(
                (i.channel, i.direction, &i.agent),
                ("email", "outbound", &None)
            );
        }
        if i.kind == "call" {
            calls += 1;
            calls_by_phone += u32::from(i.channel == "phone");
        }
        if let Some(o) = i.outcome {
            assert!(set(vocab::OUTCOMES).contains(o));
            outcomes.insert(o);
        }
        kinds.insert(i.kind);
        channels.insert(i.channel);
    }
    // Channel follows kind, with about 1% noise.
    assert!(
        calls > 1000 && calls_by_phone * 100 >= calls * 97,
        "{calls_by_phone}/{calls}"
    );
    assert_eq!(kinds, set(vocab::KINDS));
    assert_eq!(channels, set(vocab::CHANNELS));
    assert_eq!(outcomes, set(vocab::OUTCOMES));

    let (mut categories, mut statuses, mut currencies) =
        (HashSet::new(), HashSet::new(), HashSet::new());
    for t in g.transactions() {
        assert!(set(vocab::CATEGORIES).contains(t.category));
        assert!(set(vocab::STATUSES).contains(t.status));
        assert!(set(vocab::CURRENCIES).contains(t.currency));
        if let Some(p) = t.payment_method {
            assert!(set(vocab::PAYMENT_METHODS).contains(p));
        }
        categories.insert(t.category);
        statuses.insert(t.status);
        currencies.insert(t.currency);
    }
    assert_eq!(categories, set(vocab::CATEGORIES));
    assert_eq!(statuses, set(vocab::STATUSES));
    assert_eq!(currencies, set(vocab::CURRENCIES));
}

/// Fraction of `items` satisfying `f`.
fn share<T>(items: &[T], f: impl Fn(&T) -> bool) -> f64 {
    items.iter().filter(|x| f(x)).count() as f64 / items.len() as f64
}

#[test]
fn distributions_are_roughly_as_specified() {
    let g = generator(21, 10_000);
    let cs: Vec<Customer> = g.customers().collect();
    let near = |x: f64, target: f64, tol: f64| (x - target).abs() <= tol;
    assert!(near(share(&cs, |c| c.country == "DE"), 0.19, 0.02));
    assert!(near(share(&cs, |c| c.country == "US"), 0.15, 0.02));
    assert!(near(share(&cs, |c| c.email.is_none()), 0.08, 0.015));
    assert!(near(share(&cs, |c| c.email_opt_in), 0.60, 0.03));
    assert!(near(share(&cs, |c| c.birth_date.is_none()), 0.25, 0.03));
    assert!(near(share(&cs, |c| c.lead_source.is_none()), 0.10, 0.02));
    assert!(near(
        share(&cs, |c| c.preferred_channel.is_none()),
        0.10,
        0.02
    ));
    assert!(near(share(&cs, |c| c.lifetime_value.0 == 0), 0.45, 0.08));
    assert!(share(&cs, |c| c.created_at == c.updated_at) > 0.2);

    let interactions = g.interaction_count() as f64 / 10_000.0;
    let transactions = g.transaction_count() as f64 / 10_000.0;
    assert!(near(interactions, 10.0, 0.5), "{interactions}");
    assert!(near(transactions, 4.0, 0.3), "{transactions}");
    let mut per_customer = vec![0u32; 10_001];
    let small = generator(21, 2000);
    let is: Vec<Interaction> = small.interactions().collect();
    for i in &is {
        per_customer[i.customer_id as usize] += 1;
    }
    let zero = per_customer[1..=2000].iter().filter(|&&n| n == 0).count();
    assert!(
        (10..400).contains(&zero),
        "{zero} customers without interactions"
    );
    assert!(per_customer.iter().any(|&n| n >= 40), "heavy users exist");
    assert!(near(share(&is, |i| i.outcome.is_none()), 0.20, 0.03));
    let ts: Vec<Transaction> = small.transactions().collect();
    assert!(near(share(&ts, |t| t.status == "paid"), 0.80, 0.03));
    assert!(near(share(&ts, |t| t.payment_method.is_none()), 0.10, 0.03));
}

#[test]
fn edge_values_are_present() {
    let g = generator(2, 5000);
    let cs: Vec<Customer> = g.customers().collect();
    let any = |f: &dyn Fn(&Customer) -> bool| cs.iter().any(f);
    let text = |o: &Option<Text>| o.as_deref().map(str::to_owned);
    assert!(any(&|c| c.company.as_deref() == Some("")), "empty company");
    assert!(any(&|c| c.city.as_deref() == Some("")), "empty city");
    assert!(any(&|c| c.phone.as_deref() == Some("")), "empty phone");
    assert!(
        any(&|c| c.external_id.as_deref() == Some("")),
        "empty external id"
    );
    assert!(any(
        &|c| text(&c.company).is_some_and(|s| s.contains(',') && !s.contains('"'))
    ));
    assert!(any(&|c| text(&c.company).is_some_and(|s| s.contains('"'))));
    assert!(any(
        &|c| text(&c.city).is_some_and(|s| s.contains(' ') && s.trim() == s)
    ));
    assert!(any(&|c| c.first_name.starts_with(' ')
        || c.last_name.ends_with(' ')
        || c.first_name.ends_with(' ')
        || c.last_name.starts_with(' ')));
    assert!(any(&|c| text(&c.company).is_some_and(|s| s != s.trim())));
    assert!(any(&|c| c.last_name == "O'Brien"));
    assert!(any(&|c| c.first_name == "Zoë"));
    assert!(any(&|c| c.first_name == "Łukasz"));
    assert!(any(&|c| c.last_name == "李"));
    assert!(any(&|c| c.last_name.contains('-')));
    assert!(any(&|c| c
        .email
        .as_deref()
        .is_some_and(|e| e.contains("o'brien"))));
    assert!(any(&|c| c.lifetime_value.0 < 0), "negative lifetime value");
    assert!(
        any(&|c| c.lifetime_value.0 >= 100_000_000),
        "large lifetime value"
    );
    assert!(any(&|c| c
        .birth_date
        .is_some_and(|d| d.to_ymd().1 == 2 && d.to_ymd().2 == 29)));
    let mut values = HashMap::new();
    for c in &cs {
        *values.entry(c.lifetime_value).or_insert(0) += 1;
    }
    assert!(
        values.iter().any(|(v, &n)| v.0 > 0 && n > 10),
        "tied lifetime values"
    );
    let mut created = HashMap::new();
    for c in &cs {
        *created.entry(c.created_at).or_insert(0) += 1;
    }
    assert!(created.values().any(|&n| n > 1), "tied created_at");
    assert!(cs.iter().any(|c| c.created_at.0 % 1_000_000 != 0));
    assert!(
        cs.iter().any(|c| c.created_at.micros_of_day() == 0),
        "midnight"
    );

    let is: Vec<Interaction> = generator(2, 1000).interactions().collect();
    let notes = |f: &dyn Fn(&str) -> bool| is.iter().any(|i| i.notes.as_deref().is_some_and(f));
    assert!(notes(&|n| n.contains('\n')));
    assert!(notes(&|n| n.contains("\r\n")));
    assert!(notes(&|n| n.len() >= 450));
    assert!(notes(&|n| n.is_empty()));
    assert!(is.iter().any(|i| i.subject.as_deref() == Some("")));
    assert!(is.iter().any(|i| i.agent.as_deref() == Some("")));
    let mut at = HashMap::new();
    for i in &is {
        *at.entry(i.occurred_at).or_insert(0) += 1;
    }
    assert!(at.values().any(|&n| n >= 5), "campaign instants are shared");
    let ties_within_customer = is
        .windows(2)
        .any(|w| w[0].customer_id == w[1].customer_id && w[0].occurred_at == w[1].occurred_at);
    assert!(ties_within_customer);

    let ts: Vec<Transaction> = generator(2, 1000).transactions().collect();
    assert!(ts.iter().any(|t| t.amount.0 == 1));
    assert!(ts.iter().any(|t| t.amount.0 == 500_000));
    assert!(ts.iter().any(|t| t.product.contains('"')));
    assert!(ts.iter().any(|t| t.product.contains(',')));
    let mut amounts = HashMap::new();
    for t in &ts {
        *amounts.entry(t.amount).or_insert(0) += 1;
    }
    assert!(amounts.values().any(|&n| n > 10), "tied amounts");
}

#[test]
fn csv_round_trips_through_an_independent_parser() {
    fn check<R: CsvRow>(rows: Vec<R>) {
        let text = csv_string(rows.iter(), true);
        let parsed = parse_csv(&text);
        assert_eq!(parsed.len(), rows.len() + 1);
        let header: Vec<Option<String>> = R::COLUMNS.iter().map(|c| Some(c.to_string())).collect();
        assert_eq!(parsed[0], header);
        for (row, fields) in rows.iter().zip(&parsed[1..]) {
            assert_eq!(fields.len(), R::COLUMNS.len());
            assert_eq!(fields, &expected_fields(row));
        }
    }
    let g = generator(9, 1500);
    check(g.customers().collect());
    check(g.interactions().collect());
    check(g.transactions().collect());

    // Without a header, the row count is returned.
    let mut out = Vec::new();
    assert_eq!(
        write_csv(g.transactions(), &mut out, false).unwrap(),
        g.transaction_count()
    );
    assert_eq!(
        parse_csv(std::str::from_utf8(&out).unwrap()).len() as u64,
        g.transaction_count()
    );
}

#[test]
fn not_null_columns_are_never_null_in_csv() {
    const NOT_NULL: [(&str, &[&str]); 3] = [
        (
            "customers",
            &[
                "id",
                "first_name",
                "last_name",
                "country",
                "lifecycle_stage",
                "email_opt_in",
                "sms_opt_in",
                "lifetime_value",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "interactions",
            &[
                "id",
                "customer_id",
                "channel",
                "direction",
                "kind",
                "occurred_at",
            ],
        ),
        (
            "transactions",
            &[
                "id",
                "customer_id",
                "product",
                "category",
                "quantity",
                "amount",
                "currency",
                "status",
                "occurred_at",
            ],
        ),
    ];
    let g = generator(4, 1000);
    for (table, text) in [Customer::TABLE, Interaction::TABLE, Transaction::TABLE]
        .into_iter()
        .zip(all_csv(&g))
    {
        let rows = parse_csv(&text);
        let header: Vec<String> = rows[0].iter().map(|f| f.clone().unwrap()).collect();
        let not_null = NOT_NULL.iter().find(|(t, _)| *t == table).unwrap().1;
        let mut nulls_seen = vec![false; header.len()];
        for row in &rows[1..] {
            for (i, field) in row.iter().enumerate() {
                if field.is_none() {
                    assert!(
                        !not_null.contains(&header[i].as_str()),
                        "{table}.{} NULL",
                        header[i]
                    );
                    nulls_seen[i] = true;
                }
            }
        }
        // Every nullable column does contain NULLs.
        for (i, name) in header.iter().enumerate() {
            assert_eq!(
                nulls_seen[i],
                !not_null.contains(&name.as_str()),
                "{table}.{name}"
            );
        }
    }
}

#[test]
fn sql_rendering() {
    let c = Customer {
        id: 7,
        external_id: None,
        first_name: "Zoë".into(),
        last_name: "O'Brien".into(),
        email: Some("zoë.o'brien.7@example.com".into()),
        phone: Some(String::new()),
        company: Some("\"Best\" GmbH".into()),
        country: "IE",
        city: Some(" Cork".into()),
        lifecycle_stage: "lead",
        lead_source: None,
        preferred_channel: Some("email"),
        email_opt_in: true,
        sms_opt_in: false,
        birth_date: Some(Date::from_ymd(2000, 2, 29).unwrap()),
        lifetime_value: Cents(-50),
        created_at: Timestamp(500_000),
        updated_at: Timestamp(86_400_000_000),
    };
    assert_eq!(
        c.sql_tuple(),
        "(7, NULL, 'Zoë', 'O''Brien', 'zoë.o''brien.7@example.com', '', '\"Best\" GmbH', \
         'IE', ' Cork', 'lead', NULL, 'email', TRUE, FALSE, '2000-02-29', -0.50, \
         '2000-01-01 00:00:00.5+00', '2000-01-02 00:00:00+00')"
    );
    let stmt = insert_statement([&c, &c]).unwrap();
    assert!(stmt.starts_with("INSERT INTO customers (id, external_id, first_name, "));
    assert!(stmt.ends_with("'2000-01-02 00:00:00+00');"));
    assert_eq!(stmt.matches("(7, NULL").count(), 2);
    assert_eq!(insert_statement::<Customer>([]), None);

    let mut line = Vec::new();
    c.write_csv(&mut line).unwrap();
    assert_eq!(
        String::from_utf8(line).unwrap(),
        "7,,Zoë,O'Brien,zoë.o'brien.7@example.com,\"\",\"\"\"Best\"\" GmbH\",IE,\" Cork\",\
         lead,,email,t,f,2000-02-29,-0.50,2000-01-01 00:00:00.5+00,2000-01-02 00:00:00+00\n"
    );

    // Every generated row renders as a tuple with one literal per column.
    for t in generator(1, 50).transactions() {
        let tuple = t.sql_tuple();
        assert!(tuple.starts_with('(') && tuple.ends_with(')'));
    }
}

#[test]
fn parser_self_check() {
    let rows = parse_csv("a,,\"\",\"x,y\"\n\"q\"\"q\",\"l1\nl2\",\n");
    assert_eq!(
        rows,
        vec![
            vec![Some("a".into()), None, Some("".into()), Some("x,y".into())],
            vec![Some("q\"q".into()), Some("l1\nl2".into()), None],
        ]
    );
}
