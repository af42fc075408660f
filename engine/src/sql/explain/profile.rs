//! [`Profile`]: what EXPLAIN ANALYZE measures while a statement runs —
//! per plan operator the rows it produced, how often it ran and the time
//! spent in it (children included, as PostgreSQL counts), and notes an
//! operator leaves about how it found its rows.
//!
//! Operators are known by the address of their node in the plan EXPLAIN
//! shows. The executor runs a prepared copy of a plan (subqueries bound
//! to the statement), so [`Profile::alias`] maps the copy's nodes to the
//! shown ones while the copy's operators are built.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::sql::error::SqlResult;
use crate::sql::plan::Plan;
use crate::types::Value;

type Rows = Box<dyn Iterator<Item = SqlResult<Vec<Value>>> + Send>;

/// What one operator did, over all its runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeStats {
    pub loops: u64,
    pub rows: u64,
    /// Time until each run's first row, summed over runs.
    pub first: Duration,
    pub total: Duration,
}

/// A node's identity: its address in the shown plan.
type Key = usize;

fn addr(p: &Plan) -> Key {
    std::ptr::from_ref(p) as Key
}

#[derive(Default)]
struct State {
    /// Nodes of the shown plan, with their inputs' keys (a root may be
    /// moved or copied before it runs: its value finds it then).
    shown: HashMap<Key, Vec<Key>>,
    roots: Vec<(Plan, Key)>,
    /// Prepared copies' nodes → shown nodes.
    aliases: HashMap<Key, Key>,
    stats: HashMap<Key, NodeStats>,
    notes: HashMap<Key, Vec<String>>,
    /// Notes on how a subquery ran (an id set built, keys looked up),
    /// found by the subquery's plan: the one run is a prepared copy.
    subquery_notes: Vec<(Plan, String)>,
    /// UPDATE/DELETE: the rows their scan read and kept, and its time.
    dml_scan: Option<(u64, u64, Duration)>,
}

/// Measurements of one EXPLAIN ANALYZE.
#[derive(Default)]
pub struct Profile {
    state: Mutex<State>,
}

impl Profile {
    /// A profile of `plan`'s operators.
    pub fn new(plan: Option<&Plan>) -> Arc<Profile> {
        let profile = Profile::default();
        if let Some(plan) = plan {
            let mut s = profile.lock();
            s.roots.push((plan.clone(), addr(plan)));
            register(plan, &mut s);
        }
        Arc::new(profile)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while measuring leaves numbers, not broken invariants.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shown node `p` stands for, if any.
    pub fn key(&self, p: &Plan) -> Option<Key> {
        let s = self.lock();
        let a = addr(p);
        if s.shown.contains_key(&a) {
            return Some(a);
        }
        s.aliases.get(&a).copied()
    }

    /// While `prepared` (a copy of `plan`) runs, its nodes count for
    /// `plan`'s shown nodes.
    pub fn alias(&self, plan: &Plan, prepared: &Plan) {
        let mut s = self.lock();
        let root = match s.shown.contains_key(&addr(plan)) {
            true => Some(addr(plan)),
            false => s.roots.iter().find(|(r, _)| r == plan).map(|(_, k)| *k),
        };
        let Some(root) = root else {
            return;
        };
        let mut pairs = vec![(root, prepared)];
        while let Some((key, p)) = pairs.pop() {
            s.aliases.insert(addr(p), key);
            let inputs = s.shown.get(&key).cloned().unwrap_or_default();
            let copies = children(p);
            if inputs.len() == copies.len() {
                pairs.extend(inputs.into_iter().zip(copies));
            }
        }
    }

    /// Ends what [`Self::alias`] began (the copy's addresses may be reused).
    pub fn unalias(&self, prepared: &Plan) {
        let mut s = self.lock();
        let mut stack = vec![prepared];
        while let Some(p) = stack.pop() {
            s.aliases.remove(&addr(p));
            stack.extend(children(p));
        }
    }

    /// Wraps an operator's rows to count them and the time spent in it;
    /// `setup` is the time its construction took.
    pub fn measure(self: &Arc<Self>, key: Key, rows: Rows, setup: Duration) -> Rows {
        Box::new(Measured {
            profile: self.clone(),
            key,
            rows,
            produced: 0,
            first: None,
            spent: setup,
            flushed: false,
        })
    }

    /// Adds a note to the shown node `p` stands for.
    pub fn note(&self, p: &Plan, note: String) {
        if let Some(key) = self.key(p) {
            let mut s = self.lock();
            let notes = s.notes.entry(key).or_default();
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }

    /// Adds a note on how the subquery whose plan equals `plan` ran.
    pub fn note_subquery(&self, plan: &Plan, note: String) {
        let mut s = self.lock();
        if !s
            .subquery_notes
            .iter()
            .any(|(p, n)| *n == note && p == plan)
        {
            s.subquery_notes.push((plan.clone(), note));
        }
    }

    /// The notes on how the subquery of `plan` ran.
    pub fn subquery_notes_of(&self, plan: &Plan) -> Vec<String> {
        let s = self.lock();
        s.subquery_notes
            .iter()
            .filter(|(p, _)| p == plan)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// What UPDATE or DELETE's scan read and kept, and its time.
    pub fn dml_scan(&self, read: u64, kept: u64, time: Duration) {
        self.lock().dml_scan = Some((read, kept, time));
    }

    pub fn stats_of(&self, p: &Plan) -> Option<NodeStats> {
        self.lock().stats.get(&addr(p)).copied()
    }

    pub fn notes_of(&self, p: &Plan) -> Vec<String> {
        self.lock().notes.get(&addr(p)).cloned().unwrap_or_default()
    }

    pub fn dml(&self) -> Option<(u64, u64, Duration)> {
        self.lock().dml_scan
    }
}

fn register(p: &Plan, s: &mut State) {
    s.shown
        .insert(addr(p), children(p).into_iter().map(addr).collect());
    for c in children(p) {
        register(c, s);
    }
}

/// A node's input plans, in order.
pub fn children(p: &Plan) -> Vec<&Plan> {
    match p {
        Plan::Single
        | Plan::Scan { .. }
        | Plan::IndexScan { .. }
        | Plan::Values { .. }
        | Plan::WorkTable { .. } => Vec::new(),
        Plan::Filter { input, .. }
        | Plan::Project { input, .. }
        | Plan::Aggregate { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Window { input, .. }
        | Plan::Distinct { input }
        | Plan::DistinctOn { input, .. }
        | Plan::Limit { input, .. } => vec![input],
        Plan::Join { left, right, .. } | Plan::SetOperation { left, right, .. } => {
            vec![left, right]
        }
        Plan::RecursiveUnion {
            anchor, recursive, ..
        } => vec![anchor, recursive],
    }
}

/// An operator's rows, counted and timed.
struct Measured {
    profile: Arc<Profile>,
    key: Key,
    rows: Rows,
    produced: u64,
    first: Option<Duration>,
    spent: Duration,
    flushed: bool,
}

impl Measured {
    fn flush(&mut self) {
        if std::mem::replace(&mut self.flushed, true) {
            return;
        }
        let mut s = self.profile.lock();
        let st = s.stats.entry(self.key).or_default();
        st.loops += 1;
        st.rows += self.produced;
        st.first += self.first.unwrap_or(self.spent);
        st.total += self.spent;
    }
}

impl Iterator for Measured {
    type Item = SqlResult<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = Instant::now();
        let row = self.rows.next();
        self.spent += start.elapsed();
        match &row {
            Some(Ok(_)) => {
                self.produced += 1;
                if self.first.is_none() {
                    self.first = Some(self.spent);
                }
            }
            _ => self.flush(),
        }
        row
    }
}

impl Drop for Measured {
    fn drop(&mut self) {
        self.flush();
    }
}
