//! A plan as EXPLAIN's lines: one node per operator, indented as a tree
//! the way PostgreSQL prints it (`->  ` before each input), each with its
//! details (`Filter:`, `Index Cond:`, `Group Key:` …) and, after EXPLAIN
//! ANALYZE, what it did (`actual time=… rows=… loops=…`).

use std::collections::HashMap;

use crate::catalog::{Catalog, TableDef, TableId};
use crate::sql::expr::Expr;
use crate::sql::index_aggregate;
use crate::sql::plan::{JoinKind, Plan, SetOp};
use crate::sql::subquery::Subquery;
use crate::types::SessionTimeZone;

use super::profile::{NodeStats, Profile};
use super::show::Shower;

/// One printed operator.
#[derive(Debug, Default)]
pub struct Node {
    pub title: String,
    pub details: Vec<String>,
    /// The residual condition checked on the node's rows, and after
    /// EXPLAIN ANALYZE how many rows it removed.
    pub filter: Option<String>,
    pub removed: Option<u64>,
    /// What EXPLAIN ANALYZE learnt of how the operator found its rows.
    pub notes: Vec<String>,
    /// `(actual …)` or `(never executed)` after EXPLAIN ANALYZE.
    pub stats: Option<String>,
    pub children: Vec<Node>,
    /// A labelled child (`SubPlan 1`) printed without an arrow.
    pub label: bool,
}

impl Node {
    pub fn new(title: impl Into<String>) -> Node {
        Node {
            title: title.into(),
            ..Node::default()
        }
    }

    /// The node's lines, PostgreSQL's way: the root at column 0, its
    /// details 2 further in, each input as `->  ` at its parent's detail
    /// indent.
    pub fn lines(&self, out: &mut Vec<String>) {
        self.write(0, false, out);
    }

    fn write(&self, indent: usize, arrow: bool, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        let head = if arrow { "->  " } else { "" };
        let mut line = format!("{pad}{head}{}", self.title);
        if let Some(s) = &self.stats {
            line.push_str("  ");
            line.push_str(s);
        }
        out.push(line);
        let text = indent + head.len();
        let detail = " ".repeat(text + 2);
        for d in &self.details {
            out.push(format!("{detail}{d}"));
        }
        if let Some(f) = &self.filter {
            out.push(format!("{detail}Filter: {f}"));
        }
        if let Some(n) = self.removed {
            out.push(format!("{detail}Rows Removed by Filter: {n}"));
        }
        for d in &self.notes {
            out.push(format!("{detail}{d}"));
        }
        for c in &self.children {
            if c.label {
                c.write(text + 2, false, out);
            } else {
                c.write(text + 2, true, out);
            }
        }
    }
}

/// How to render.
pub struct Render<'a> {
    pub catalog: &'a Catalog,
    pub time_zone: &'a SessionTimeZone,
    /// After EXPLAIN ANALYZE: what each operator did.
    pub profile: Option<&'a Profile>,
    pub use_indexes: bool,
    /// Show times (EXPLAIN (ANALYZE, TIMING off) does not).
    pub timing: bool,
    /// Show each node's output columns (VERBOSE).
    pub verbose: bool,
    pub subplans: usize,
    work_tables: HashMap<usize, Vec<String>>,
    /// Inside a subquery: its operators are not measured one by one.
    in_subplan: bool,
}

impl<'a> Render<'a> {
    pub fn new(catalog: &'a Catalog, time_zone: &'a SessionTimeZone) -> Self {
        Render {
            catalog,
            time_zone,
            profile: None,
            use_indexes: true,
            timing: true,
            verbose: false,
            subplans: 0,
            work_tables: HashMap::new(),
            in_subplan: false,
        }
    }

    fn table(&self, id: TableId) -> Option<&'a TableDef> {
        self.catalog.table(id).map(|d| &**d)
    }

    fn table_name(&self, id: TableId) -> String {
        self.table(id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| format!("table {id:?}"))
    }

    /// Column names of a table's rows (`table.col` under a join).
    pub fn table_columns(&self, id: TableId, qualify: bool) -> Vec<String> {
        let Some(def) = self.table(id) else {
            return Vec::new();
        };
        def.columns
            .iter()
            .map(|c| match qualify {
                true => format!("{}.{}", def.name, c.name),
                false => c.name.clone(),
            })
            .collect()
    }

    /// Shows expressions over `names`, collecting their subqueries as
    /// children of `node`.
    pub fn show<T>(
        &mut self,
        node: &mut Node,
        names: &[String],
        outer: &[Vec<String>],
        f: impl FnOnce(&mut Shower) -> T,
    ) -> T {
        let mut shower = Shower {
            names,
            outer,
            time_zone: self.time_zone,
            subplans: Vec::new(),
            first_subplan: self.subplans + 1,
        };
        let out = f(&mut shower);
        let subs = std::mem::take(&mut shower.subplans);
        self.subplans += subs.len();
        let mut inner_outer = outer.to_vec();
        inner_outer.push(names.to_vec());
        for (i, s) in subs.into_iter().enumerate() {
            node.children
                .push(self.subplan(&s, shower.first_subplan + i, &inner_outer));
        }
        out
    }

    fn subplan(&mut self, s: &Subquery, n: usize, outer: &[Vec<String>]) -> Node {
        let was = std::mem::replace(&mut self.in_subplan, true);
        let (mut child, _) = self.plan(&s.plan, outer, false);
        self.in_subplan = was;
        if let Some(profile) = self.profile {
            child.notes.extend(profile.subquery_notes_of(&s.plan));
        }
        let mut label = Node::new(format!("SubPlan {n}"));
        label.label = true;
        label.children.push(child);
        label
    }

    /// `(actual …)` for a plan node after EXPLAIN ANALYZE.
    fn stats(&self, p: &Plan) -> Option<String> {
        let profile = self.profile?;
        if self.in_subplan {
            return None;
        }
        Some(match profile.stats_of(p) {
            None => "(never executed)".into(),
            Some(s) => self.actual(&s),
        })
    }

    pub fn actual(&self, s: &NodeStats) -> String {
        let loops = s.loops.max(1);
        let rows = (s.rows as f64 / loops as f64).round() as u64;
        if self.timing {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / loops as f64;
            format!(
                "(actual time={:.3}..{:.3} rows={rows} loops={})",
                ms(s.first),
                ms(s.total),
                s.loops
            )
        } else {
            format!("(actual rows={rows} loops={})", s.loops)
        }
    }

    fn notes(&self, p: &Plan, node: &mut Node) {
        if let Some(profile) = self.profile
            && !self.in_subplan
        {
            node.notes.extend(profile.notes_of(p));
        }
    }

    /// The node for `p` and the names of its output columns.
    pub fn plan(&mut self, p: &Plan, outer: &[Vec<String>], qualify: bool) -> (Node, Vec<String>) {
        let (mut node, names) = self.operator(p, outer, qualify);
        if !matches!(p, Plan::Filter { .. } | Plan::Project { .. }) {
            node.stats = self.stats(p);
            self.notes(p, &mut node);
        }
        if self.verbose && !matches!(p, Plan::Project { .. }) {
            node.details
                .insert(0, format!("Output: {}", names.join(", ")));
        }
        (node, names)
    }

    fn operator(&mut self, p: &Plan, outer: &[Vec<String>], qualify: bool) -> (Node, Vec<String>) {
        match p {
            Plan::Single => (Node::new("Result"), Vec::new()),
            Plan::Scan { table } => (
                Node::new(format!("Seq Scan on {}", self.table_name(*table))),
                self.table_columns(*table, qualify),
            ),
            Plan::IndexScan { table, index } => {
                let names = self.table_columns(*table, qualify);
                let name = self.table_name(*table);
                let mut node;
                if self.use_indexes {
                    node = Node::new(format!("Bitmap Heap Scan on {name}"));
                    let bare = self.table_columns(*table, false);
                    let tree = self.bitmap_tree(*table, index, &bare, outer);
                    node.children.push(tree);
                } else {
                    node = Node::new(format!("Seq Scan on {name}"));
                    let f = self.show(&mut node, &names, outer, |s| s.expr(index));
                    node.filter = Some(f);
                }
                (node, names)
            }
            Plan::Values { rows } => {
                let width = rows.first().map_or(0, Vec::len);
                let node = Node::new("Values Scan on \"*VALUES*\"");
                (node, (1..=width).map(|i| format!("column{i}")).collect())
            }
            Plan::Filter { input, predicate } => {
                let (mut node, names) = self.plan(input, outer, qualify);
                // Without bitmap scans an index scan's condition is part
                // of the filter.
                let both;
                let predicate = match &**input {
                    Plan::IndexScan { index, .. } if !self.use_indexes => {
                        node.filter = None;
                        both = Expr::And(index.clone().boxed(), predicate.clone().boxed());
                        &both
                    }
                    _ => predicate,
                };
                let f = self.show(&mut node, &names, outer, |s| s.expr(predicate));
                node.filter = Some(f);
                if let Some(profile) = self.profile
                    && !self.in_subplan
                {
                    let mine = profile.stats_of(p);
                    node.stats = Some(match mine {
                        Some(s) => self.actual(&s),
                        None => "(never executed)".into(),
                    });
                    if let (Some(mine), Some(theirs)) = (mine, profile.stats_of(input)) {
                        let loops = mine.loops.max(1);
                        node.removed = Some(theirs.rows.saturating_sub(mine.rows) / loops);
                    }
                    node.notes.extend(profile.notes_of(p));
                }
                (node, names)
            }
            Plan::Project { input, exprs } => {
                let (mut node, names) = self.plan(input, outer, qualify);
                let shown = self.show(&mut node, &names, outer, |s| {
                    exprs.iter().map(|e| s.expr(e)).collect::<Vec<_>>()
                });
                if self.verbose {
                    node.details.retain(|d| !d.starts_with("Output: "));
                    node.details
                        .insert(0, format!("Output: {}", shown.join(", ")));
                }
                (node, shown)
            }
            Plan::Join {
                left,
                right,
                kind,
                equi,
                on,
                ..
            } => {
                let (l, lnames) = self.plan(left, outer, true);
                let (r, rnames) = self.plan(right, outer, true);
                let kind_name = match kind {
                    JoinKind::Inner => "",
                    JoinKind::Left => " Left",
                    JoinKind::Right => " Right",
                    JoinKind::Full => " Full",
                };
                let mut node = if equi.is_empty() {
                    Node::new(format!("Nested Loop{kind_name}"))
                } else {
                    Node::new(format!("Hash{kind_name} Join"))
                };
                if !kind_name.is_empty() && equi.is_empty() {
                    node.title.push_str(" Join");
                }
                let mut names = lnames.clone();
                names.extend(rnames.iter().cloned());
                if !equi.is_empty() {
                    let conds: Vec<String> = equi
                        .iter()
                        .map(|(a, b)| {
                            let a = self.show(&mut node, &lnames, outer, |s| s.expr(a));
                            let b = self.show(&mut node, &rnames, outer, |s| s.expr(b));
                            format!("({a} = {b})")
                        })
                        .collect();
                    let cond = match conds.len() {
                        1 => conds[0].clone(),
                        _ => format!("({})", conds.join(" AND ")),
                    };
                    node.details.push(format!("Hash Cond: {cond}"));
                }
                if let Some(on) = on {
                    let f = self.show(&mut node, &names, outer, |s| s.expr(on));
                    node.details.push(format!("Join Filter: {f}"));
                }
                node.children.insert(0, r);
                node.children.insert(0, l);
                (node, names)
            }
            Plan::Aggregate {
                input, keys, aggs, ..
            } => self.aggregate(input, keys, aggs, outer, qualify),
            Plan::Sort { input, keys } => {
                let (child, names) = self.plan(input, outer, qualify);
                let mut node = Node::new("Sort");
                let k = self.show(&mut node, &names, outer, |s| s.sort_keys(keys));
                node.details.push(format!("Sort Key: {k}"));
                node.children.insert(0, child);
                (node, names)
            }
            Plan::Window { input, calls } => {
                let (child, mut names) = self.plan(input, outer, qualify);
                let mut node = Node::new("WindowAgg");
                for c in calls {
                    let func = format!("{:?}", c.func).to_lowercase();
                    let args = self.show(&mut node, &names.clone(), outer, |s| s.list(&c.args));
                    names.push(format!("{func}({args}) OVER (?)"));
                }
                node.children.insert(0, child);
                (node, names)
            }
            Plan::Distinct { input } => {
                let (child, names) = self.plan(input, outer, qualify);
                let mut node = Node::new("HashAggregate");
                node.details
                    .push(format!("Group Key: {}", names.join(", ")));
                node.children.push(child);
                (node, names)
            }
            Plan::DistinctOn { input, keys } => {
                let (child, names) = self.plan(input, outer, qualify);
                let mut node = Node::new("Unique");
                let k = self.show(&mut node, &names, outer, |s| s.list(keys));
                node.details.push(format!("Distinct On: {k}"));
                node.children.insert(0, child);
                (node, names)
            }
            Plan::Limit { input, .. } => {
                let (child, names) = self.plan(input, outer, qualify);
                let mut node = Node::new("Limit");
                node.children.push(child);
                (node, names)
            }
            Plan::SetOperation {
                op,
                all,
                left,
                right,
            } => {
                let (l, names) = self.plan(left, outer, qualify);
                let (r, _) = self.plan(right, outer, qualify);
                let title = match (op, all) {
                    (SetOp::Union, true) => "Append".to_owned(),
                    (op, all) => format!("HashSetOp {:?}{}", op, if *all { " All" } else { "" }),
                };
                let mut node = Node::new(title);
                node.children = vec![l, r];
                (node, names)
            }
            Plan::RecursiveUnion {
                id,
                anchor,
                recursive,
                ..
            } => {
                let (a, names) = self.plan(anchor, outer, qualify);
                self.work_tables.insert(*id, names.clone());
                let (r, _) = self.plan(recursive, outer, qualify);
                let mut node = Node::new("Recursive Union");
                node.children = vec![a, r];
                (node, names)
            }
            Plan::WorkTable { id } => (
                Node::new("WorkTable Scan"),
                self.work_tables.get(id).cloned().unwrap_or_default(),
            ),
        }
    }

    fn aggregate(
        &mut self,
        input: &Plan,
        keys: &[Expr],
        aggs: &[crate::sql::functions::aggregate::AggCall],
        outer: &[Vec<String>],
        qualify: bool,
    ) -> (Node, Vec<String>) {
        let bitmap = match input {
            Plan::Scan { table } | Plan::IndexScan { table, .. } if self.use_indexes => self
                .table(*table)
                .filter(|def| index_aggregate::answerable(def, keys, aggs))
                .map(|def| (def, *table)),
            _ => None,
        };
        let (mut node, input_names) = match bitmap {
            Some((def, table)) => {
                let mut node = Node::new(format!("Bitmap Aggregate on {}", def.name));
                if let Plan::IndexScan { index, .. } = input {
                    let bare = self.table_columns(table, false);
                    let tree = self.bitmap_tree(table, index, &bare, outer);
                    node.children.push(tree);
                }
                (node, self.table_columns(table, qualify))
            }
            None => {
                let (child, names) = self.plan(input, outer, qualify);
                let title = if keys.is_empty() {
                    "Aggregate"
                } else {
                    "HashAggregate"
                };
                let mut node = Node::new(title);
                node.children.push(child);
                (node, names)
            }
        };
        let (key_names, agg_names) = self.show(&mut node, &input_names, outer, |s| {
            let k: Vec<String> = keys.iter().map(|e| s.expr(e)).collect();
            let a: Vec<String> = aggs.iter().map(|a| s.aggregate(a)).collect();
            (k, a)
        });
        if !keys.is_empty() {
            node.details
                .push(format!("Group Key: {}", key_names.join(", ")));
        }
        if bitmap.is_some() {
            node.details
                .push(format!("Aggregates: {}", agg_names.join(", ")));
            node.details
                .push("Segment Rows Read: none (value bitmaps and bit-sliced indexes)".into());
        }
        let mut names = key_names;
        names.extend(agg_names);
        (node, names)
    }

    /// The bitmap algebra of an index scan's condition: a `Bitmap Index
    /// Scan` on the index of each column it reads, combined by
    /// `BitmapAnd`, `BitmapOr` and `BitmapNot`.
    fn bitmap_tree(
        &mut self,
        table: TableId,
        e: &Expr,
        names: &[String],
        outer: &[Vec<String>],
    ) -> Node {
        let mut columns = Vec::new();
        e.visit(&mut |x| {
            if let Expr::Column(c) = x
                && !columns.contains(c)
            {
                columns.push(*c);
            }
        });
        let combine = |title: &str, parts: Vec<&Expr>, me: &mut Self| {
            let mut node = Node::new(title);
            for part in parts {
                let child = me.bitmap_tree(table, part, names, outer);
                node.children.push(child);
            }
            node
        };
        match e {
            _ if columns.len() == 1 => {
                let index = self.index_name(table, columns[0]);
                let mut node = Node::new(format!("Bitmap Index Scan on {index}"));
                let cond = self.show(&mut node, names, outer, |s| s.expr(e));
                node.details.push(format!("Index Cond: {cond}"));
                node
            }
            Expr::And(..) => combine("BitmapAnd", flatten(e, true), self),
            Expr::Or(..) => combine("BitmapOr", flatten(e, false), self),
            Expr::Not(inner) => combine("BitmapNot", vec![&**inner], self),
            _ => {
                let mut node = Node::new("Bitmap Index Scan");
                let cond = self.show(&mut node, names, outer, |s| s.expr(e));
                node.details.push(format!("Index Cond: {cond}"));
                node
            }
        }
    }

    /// The index that answers column `c`: a single-column one if there is
    /// one, else the first that covers it.
    fn index_name(&self, table: TableId, c: usize) -> String {
        let Some(def) = self.table(table) else {
            return "?".into();
        };
        let Some(id) = def.columns.get(c).map(|col| col.id) else {
            return "?".into();
        };
        let covering = def.indexes.iter().filter(|i| i.columns.contains(&id));
        covering
            .clone()
            .find(|i| i.columns.len() == 1)
            .or_else(|| covering.clone().next())
            .map(|i| i.name.clone())
            .unwrap_or_else(|| "?".into())
    }
}

/// The operands of a chain of ANDs (or ORs).
fn flatten(e: &Expr, and: bool) -> Vec<&Expr> {
    match (e, and) {
        (Expr::And(a, b), true) | (Expr::Or(a, b), false) => {
            let mut out = flatten(a, and);
            out.extend(flatten(b, and));
            out
        }
        _ => vec![e],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_indent_as_postgresql_prints_them() {
        let mut leaf = Node::new("Seq Scan on t");
        leaf.filter = Some("(a = 1)".into());
        leaf.removed = Some(3);
        let mut sort = Node::new("Sort");
        sort.details.push("Sort Key: a".into());
        sort.children.push(leaf);
        let mut sub = Node::new("SubPlan 1");
        sub.label = true;
        sub.children.push(Node::new("Result"));
        let mut root = Node::new("Limit");
        root.stats = Some("(actual rows=1 loops=1)".into());
        root.children = vec![sort, sub];
        let mut out = Vec::new();
        root.lines(&mut out);
        assert_eq!(
            out,
            [
                "Limit  (actual rows=1 loops=1)",
                "  ->  Sort",
                "        Sort Key: a",
                "        ->  Seq Scan on t",
                "              Filter: (a = 1)",
                "              Rows Removed by Filter: 3",
                "  SubPlan 1",
                "    ->  Result",
            ]
        );
    }
}
