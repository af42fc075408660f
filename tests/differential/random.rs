//! Random queries from a small grammar over the CRM schema: random
//! predicates (comparisons with literals drawn from the loaded data,
//! AND/OR/NOT, IS NULL, IN, BETWEEN, LIKE), random projections, and
//! optional GROUP BY with aggregates. Every query either has no ORDER BY
//! (its rows are compared as a multiset) or orders by every output column
//! (compared in order; ties are then identical rows).

use std::collections::HashMap;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A column's type, as far as the grammar cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Num,
    Text,
    Bool,
    Date,
    Ts,
}

use Kind::*;

/// The schema's columns (as in engine/schema/crm-schema.sql).
pub const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "customers",
        &[
            ("id", Int),
            ("external_id", Text),
            ("first_name", Text),
            ("last_name", Text),
            ("email", Text),
            ("phone", Text),
            ("company", Text),
            ("country", Text),
            ("city", Text),
            ("lifecycle_stage", Text),
            ("lead_source", Text),
            ("preferred_channel", Text),
            ("email_opt_in", Bool),
            ("sms_opt_in", Bool),
            ("birth_date", Date),
            ("lifetime_value", Num),
            ("created_at", Ts),
            ("updated_at", Ts),
        ],
    ),
    (
        "interactions",
        &[
            ("id", Int),
            ("customer_id", Int),
            ("channel", Text),
            ("direction", Text),
            ("kind", Text),
            ("subject", Text),
            ("notes", Text),
            ("agent", Text),
            ("outcome", Text),
            ("occurred_at", Ts),
        ],
    ),
    (
        "transactions",
        &[
            ("id", Int),
            ("customer_id", Int),
            ("product", Text),
            ("category", Text),
            ("quantity", Int),
            ("amount", Num),
            ("currency", Text),
            ("status", Text),
            ("payment_method", Text),
            ("occurred_at", Ts),
        ],
    ),
];

/// Columns with few distinct values: good GROUP BY keys.
const LOW_CARDINALITY: &[&str] = &[
    "country",
    "lifecycle_stage",
    "lead_source",
    "preferred_channel",
    "email_opt_in",
    "sms_opt_in",
    "channel",
    "direction",
    "kind",
    "outcome",
    "agent",
    "category",
    "currency",
    "status",
    "payment_method",
    "quantity",
];

/// SQL literals of values that occur in the data, per (table, column).
#[derive(Default)]
pub struct Samples {
    values: HashMap<(String, String), Vec<String>>,
}

impl Samples {
    /// Keeps `literal` as a sample of `table.column` (up to 64 distinct).
    pub fn add(&mut self, table: &str, column: &str, literal: String) {
        let v = self
            .values
            .entry((table.to_owned(), column.to_owned()))
            .or_default();
        if v.len() < 64 && !v.contains(&literal) {
            v.push(literal);
        }
    }

    fn pick(&self, rng: &mut SmallRng, table: &str, column: &str, kind: Kind) -> String {
        match self.values.get(&(table.to_owned(), column.to_owned())) {
            Some(v) if !v.is_empty() && rng.random_bool(0.97) => {
                v[rng.random_range(0..v.len())].clone()
            }
            _ => match kind {
                Int => rng.random_range(-5..3000).to_string(),
                Num => format!(
                    "{}.{:02}",
                    rng.random_range(-100..10000),
                    rng.random_range(0..100)
                ),
                Text => "'zzz'".into(),
                Bool => "TRUE".into(),
                Date => "'1990-06-15'".into(),
                Ts => "'2024-06-15 12:00:00+00'".into(),
            },
        }
    }
}

/// A column in the FROM clause of a random query.
#[derive(Clone)]
struct Col {
    table: &'static str,
    alias: &'static str,
    name: &'static str,
    kind: Kind,
    /// On the nullable side of an outer join, or a nullable column.
    low_card: bool,
}

impl Col {
    fn sql(&self) -> String {
        format!("{}.{}", self.alias, self.name)
    }
}

const FROMS: &[(&str, &[(&str, &str)])] = &[
    ("customers c", &[("customers", "c")]),
    ("interactions i", &[("interactions", "i")]),
    ("transactions t", &[("transactions", "t")]),
    (
        "customers c JOIN transactions t ON t.customer_id = c.id",
        &[("customers", "c"), ("transactions", "t")],
    ),
    (
        "customers c LEFT JOIN transactions t ON t.customer_id = c.id",
        &[("customers", "c"), ("transactions", "t")],
    ),
    (
        "customers c LEFT JOIN interactions i ON i.customer_id = c.id AND i.direction = 'inbound'",
        &[("customers", "c"), ("interactions", "i")],
    ),
    (
        "transactions t RIGHT JOIN customers c ON c.id = t.customer_id",
        &[("transactions", "t"), ("customers", "c")],
    ),
];

pub struct RandomQueries<'a> {
    rng: SmallRng,
    samples: &'a Samples,
}

impl<'a> RandomQueries<'a> {
    pub fn new(seed: u64, samples: &'a Samples) -> Self {
        RandomQueries {
            rng: SmallRng::seed_from_u64(seed),
            samples,
        }
    }

    /// The next random query.
    pub fn query(&mut self) -> String {
        let (from, tables) = FROMS[self.rng.random_range(0..FROMS.len())];
        let cols: Vec<Col> = tables
            .iter()
            .flat_map(|(table, alias)| {
                let (_, columns) = TABLES.iter().find(|(t, _)| t == table).expect("table");
                columns.iter().map(move |(name, kind)| Col {
                    table,
                    alias,
                    name,
                    kind: *kind,
                    low_card: LOW_CARDINALITY.contains(name),
                })
            })
            .collect();
        let mut sql = String::from("SELECT ");
        let grouped = self.rng.random_bool(0.4);
        let mut outputs = 0;
        let mut having = None;
        let mut group_by = Vec::new();
        let mut distinct = false;
        if grouped {
            let keys: Vec<&Col> = cols.iter().filter(|c| c.low_card).collect();
            let nkeys = self.rng.random_range(0..=2);
            let mut items = Vec::new();
            for _ in 0..nkeys {
                let c = keys[self.rng.random_range(0..keys.len())];
                let e = if self.rng.random_bool(0.8) {
                    c.sql()
                } else {
                    self.scalar(c)
                };
                if !group_by.contains(&e) {
                    group_by.push(e.clone());
                    items.push(e);
                }
            }
            for _ in 0..self.rng.random_range(1..=3) {
                items.push(self.aggregate(&cols));
            }
            if self.rng.random_bool(0.35) {
                having = Some(self.having(&cols));
            }
            outputs = items.len();
            sql.push_str(&items.join(", "));
        } else {
            if self.rng.random_bool(0.12) {
                distinct = true;
                sql.push_str("DISTINCT ");
            }
            let n = self.rng.random_range(1..=4);
            let mut items = Vec::new();
            for _ in 0..n {
                let c = &cols[self.rng.random_range(0..cols.len())];
                // DISTINCT over the wide notes column only makes big sorts.
                let e = if self.rng.random_bool(0.6) {
                    c.sql()
                } else {
                    self.scalar(c)
                };
                items.push(e);
            }
            outputs += items.len();
            sql.push_str(&items.join(", "));
        }
        let select_list = sql.clone();
        sql.push_str(" FROM ");
        sql.push_str(from);
        if self.rng.random_bool(0.85) {
            let p = self.predicate(&cols, 0);
            sql.push_str(" WHERE ");
            sql.push_str(&p);
        }
        // Sometimes a set operation with the same select list and FROM
        // and another WHERE (not with DISTINCT, GROUP BY or HAVING).
        if !grouped && !distinct && self.rng.random_bool(0.15) {
            let op = [
                "UNION",
                "UNION ALL",
                "INTERSECT",
                "INTERSECT ALL",
                "EXCEPT",
                "EXCEPT ALL",
            ][self.rng.random_range(0..6)];
            let p = self.predicate(&cols, 0);
            sql = format!("{sql} {op} {select_list} FROM {from} WHERE {p}");
        }
        if !group_by.is_empty() {
            sql.push_str(" GROUP BY ");
            sql.push_str(&group_by.join(", "));
        }
        if let Some(h) = having {
            sql.push_str(" HAVING ");
            sql.push_str(&h);
        }
        let ordered = self.rng.random_bool(0.5);
        if ordered {
            let keys: Vec<String> = (1..=outputs)
                .map(|i| {
                    let dir = ["", " DESC", " ASC NULLS FIRST", " DESC NULLS LAST"]
                        [self.rng.random_range(0..4)];
                    format!("{i}{dir}")
                })
                .collect();
            sql.push_str(" ORDER BY ");
            sql.push_str(&keys.join(", "));
            if self.rng.random_bool(0.4) {
                // Not LIMIT 0: PostgreSQL then evaluates nothing, and an
                // expression that overflows on some row errs on crmdb only.
                sql.push_str(&format!(" LIMIT {}", self.rng.random_range(1..30)));
                if self.rng.random_bool(0.3) {
                    sql.push_str(&format!(" OFFSET {}", self.rng.random_range(0..10)));
                }
            }
        }
        sql
    }

    /// An expression over one column.
    fn scalar(&mut self, c: &Col) -> String {
        let x = c.sql();
        let choices: &[&str] = match c.kind {
            Int => &["{x} + 1", "{x} * 3", "{x} % 7", "abs({x} - 1000)", "-{x}"],
            Num => &[
                "{x} * 2",
                "round({x}, 1)",
                "{x} + 0.5",
                "abs({x})",
                "trunc({x})",
                "{x} / 4",
            ],
            Text => &[
                "upper({x})",
                "lower({x})",
                "length({x})",
                "substr({x}, 2, 3)",
                "{x} || '-x'",
                "coalesce({x}, '(none)')",
                "btrim({x})",
                "left({x}, 2)",
                "nullif({x}, '')",
            ],
            Bool => &["NOT {x}", "{x} IS TRUE", "coalesce({x}, false)"],
            Date => &[
                "{x} + 7",
                "extract(year FROM {x})",
                "date_part('month', {x})",
                "{x} - DATE '2000-01-01'",
            ],
            Ts => &[
                "date_trunc('month', {x})",
                "extract(hour FROM {x})",
                "CAST({x} AS date)",
                "date_part('dow', {x})",
            ],
        };
        choices[self.rng.random_range(0..choices.len())].replace("{x}", &x)
    }

    fn aggregate(&mut self, cols: &[Col]) -> String {
        let c = &cols[self.rng.random_range(0..cols.len())];
        let x = c.sql();
        let mut options = vec![
            "count(*)".to_owned(),
            format!("count({x})"),
            format!("count(DISTINCT {x})"),
        ];
        match c.kind {
            Int | Num => {
                options.push(format!("sum({x})"));
                options.push(format!("avg({x})"));
                options.push(format!("min({x})"));
                options.push(format!("max({x})"));
            }
            Text | Date | Ts => {
                options.push(format!("min({x})"));
                options.push(format!("max({x})"));
            }
            Bool => {
                options.push(format!("bool_and({x})"));
                options.push(format!("bool_or({x})"));
            }
        }
        options.swap_remove(self.rng.random_range(0..options.len()))
    }

    fn having(&mut self, cols: &[Col]) -> String {
        let op = ["<", ">", ">=", "<>", "="][self.rng.random_range(0..5)];
        let numeric: Vec<Col> = cols
            .iter()
            .filter(|c| matches!(c.kind, Int | Num))
            .cloned()
            .collect();
        let c = cols[self.rng.random_range(0..cols.len())].clone();
        match self.rng.random_range(0..4) {
            0 => format!("count(*) {op} {}", self.rng.random_range(0..50)),
            1 => format!(
                "count(DISTINCT {}) {op} {}",
                c.sql(),
                self.rng.random_range(0..20)
            ),
            2 => {
                let n = &numeric[self.rng.random_range(0..numeric.len())];
                let l = self.samples.pick(&mut self.rng, n.table, n.name, n.kind);
                let f = ["sum", "min", "max", "avg"][self.rng.random_range(0..4)];
                format!("{f}({}) {op} {l}", n.sql())
            }
            _ if c.kind == Bool => format!("bool_or({})", c.sql()),
            _ => {
                let l = self.samples.pick(&mut self.rng, c.table, c.name, c.kind);
                format!("max({}) {op} {l}", c.sql())
            }
        }
    }

    fn predicate(&mut self, cols: &[Col], depth: u32) -> String {
        if depth < 2 {
            match self.rng.random_range(0..10) {
                0..=1 => {
                    let a = self.predicate(cols, depth + 1);
                    let b = self.predicate(cols, depth + 1);
                    return format!("({a} AND {b})");
                }
                2 => {
                    let a = self.predicate(cols, depth + 1);
                    let b = self.predicate(cols, depth + 1);
                    return format!("({a} OR {b})");
                }
                3 => {
                    let a = self.predicate(cols, depth + 1);
                    return format!("NOT ({a})");
                }
                _ => {}
            }
        }
        let c = cols[self.rng.random_range(0..cols.len())].clone();
        let x = c.sql();
        let lit = |this: &mut Self| this.samples.pick(&mut this.rng, c.table, c.name, c.kind);
        if c.kind == Bool {
            return match self.rng.random_range(0..4) {
                0 => x,
                1 => format!("NOT {x}"),
                2 => format!("{x} IS NULL"),
                _ => format!("{x} = {}", lit(self)),
            };
        }
        match self.rng.random_range(0..15) {
            0 => format!("{x} IS NULL"),
            1 => format!("{x} IS NOT NULL"),
            2 => {
                let (a, b) = (lit(self), lit(self));
                let not = if self.rng.random_bool(0.2) {
                    "NOT "
                } else {
                    ""
                };
                format!("{x} {not}BETWEEN {a} AND {b}")
            }
            3 => {
                let n = self.rng.random_range(1..=4);
                let mut items: Vec<String> = (0..n).map(|_| lit(self)).collect();
                if self.rng.random_bool(0.15) {
                    items.push("NULL".into());
                }
                let not = if self.rng.random_bool(0.2) {
                    "NOT "
                } else {
                    ""
                };
                format!("{x} {not}IN ({})", items.join(", "))
            }
            4 if c.kind == Text => {
                let l = lit(self);
                let op = ["LIKE", "ILIKE", "NOT LIKE"][self.rng.random_range(0..3)];
                format!("{x} {op} {}", like_pattern(&l, &mut self.rng))
            }
            5 if c.kind == Int => format!("{x} % {} = 0", self.rng.random_range(2..6)),
            6 if c.kind == Ts => format!(
                "extract(year FROM {x}) {} {}",
                ["=", "<", ">="][self.rng.random_range(0..3)],
                self.rng.random_range(2021..2027)
            ),
            7 => format!(
                "{x} IS {}DISTINCT FROM {}",
                if self.rng.random_bool(0.5) {
                    "NOT "
                } else {
                    ""
                },
                lit(self)
            ),
            8 => {
                // Against another column of the same kind.
                let same: Vec<&Col> = cols
                    .iter()
                    .filter(|o| o.kind == c.kind && o.name != c.name)
                    .collect();
                match same.as_slice() {
                    [] => format!("{x} IS NOT NULL"),
                    s => {
                        let o = s[self.rng.random_range(0..s.len())].sql();
                        let op = ["=", "<>", "<", ">="][self.rng.random_range(0..4)];
                        format!("{x} {op} {o}")
                    }
                }
            }
            9 | 10 => {
                // An expression over the column against a literal of its type.
                let e = self.scalar(&c);
                let op = ["=", "<>", "<", ">"][self.rng.random_range(0..4)];
                let number = self.rng.random_range(-10..2030).to_string();
                let l = if e.starts_with("length(") {
                    self.rng.random_range(0..20).to_string()
                } else if e.starts_with("CAST(") {
                    "'2024-05-01'".into()
                } else if matches!(c.kind, Text | Date)
                    && !e.contains("extract")
                    && !e.contains("date_part")
                    && !e.contains(" - DATE")
                    || e.starts_with("date_trunc")
                {
                    lit(self)
                } else {
                    number
                };
                format!("{e} {op} {l}")
            }
            11 => format!(
                "coalesce({x}, {}) {} {}",
                lit(self),
                ["=", "<", ">="][self.rng.random_range(0..3)],
                lit(self)
            ),
            _ => {
                let op = ["=", "<>", "<", "<=", ">", ">="][self.rng.random_range(0..6)];
                format!("{x} {op} {}", lit(self))
            }
        }
    }
}

/// A LIKE pattern from a quoted text literal: a prefix, suffix or infix of
/// it with `%`, sometimes with `_`.
fn like_pattern(literal: &str, rng: &mut SmallRng) -> String {
    let Some(inner) = literal
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
    else {
        return "'%'".into();
    };
    let chars: Vec<char> = inner.chars().collect();
    if chars.is_empty() {
        return "'%'".into();
    }
    let take = rng.random_range(1..=chars.len().min(3));
    let piece = |cs: &[char]| -> String {
        let s: String = cs.iter().collect();
        // Keep quote doubling intact: never split a '' pair.
        if s.matches('\'').count() % 2 == 1 {
            s.replace('\'', "''")
        } else {
            s
        }
    };
    match rng.random_range(0..4) {
        0 => format!("'{}%'", piece(&chars[..take])),
        1 => format!("'%{}'", piece(&chars[chars.len() - take..])),
        2 => format!("'%{}%'", piece(&chars[..take])),
        _ => format!(
            "'_{}%'",
            piece(&chars[1.min(chars.len())..(1 + take).min(chars.len())])
        ),
    }
}
