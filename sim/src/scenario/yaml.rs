//! The YAML layer: serde-saphyr reads the file into a tree where every node knows where it starts, and typed
//! accessors turn nodes into values or into a [`Problem`] that says where and what was expected.
//!
//! The tree is read generically, not through derived structs, so that every check (unknown and missing fields,
//! types, enum names, references) is made here with the exact node at hand and a message in the scenario's terms.

use std::fmt::{self, Write as _};
use std::time::Duration;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, DuplicateKeyPolicy, MessageFormatter as _, NonFiniteFloatPolicy, Spanned};

use super::model::Location;

/// Something wrong in the file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) at: Location,
    pub(crate) message: String,
}

pub(crate) type Res<T> = Result<T, Problem>;

/// A `Problem` at `at`.
pub(crate) fn fail<T>(at: Location, message: impl Into<String>) -> Res<T> {
    Err(Problem { at, message: message.into() })
}

/// A YAML node and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Where it starts in the file.
    pub at: Location,
    /// What it is.
    pub value: Value,
}

/// What a YAML node is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A scalar that is not null, with its text as written (a plain `007` stays `007`) and what YAML made of it.
    Scalar(String, Scalar),
    Seq(Vec<Node>),
    /// Entries in file order; duplicate keys are kept, for the accessors to report.
    Map(Vec<(Node, Node)>),
}

/// What YAML's core schema made of a scalar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// Another number (its text is the scalar's).
    Float,
    /// A string.
    Str,
}

/// How deep collections may nest.
const MAX_DEPTH: usize = 16;

/// Reads `text` into a tree, or reports the YAML error.
pub(crate) fn load(text: &str) -> Res<Node> {
    let options = serde_saphyr::options! {
        // Reading is recursive; a scenario nests 7 deep, and 64 levels overflow a 2 MiB stack in a debug build.
        budget: Some(budget()),
        // The accessors report duplicates, with both places.
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        // `yes`, `on` and friends stay strings.
        strict_booleans: true,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    };
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(text, options) {
        Ok(root) => Ok(Node::from_raw(root, text)),
        Err(error) => {
            let at = error.location().map_or(Location { line: 1, column: 1 }, |l| Location {
                line: l.line().max(1),
                column: l.column().max(1),
            });
            let message = match error.without_snippet() {
                serde_saphyr::Error::MultipleDocuments { .. } => {
                    "a scenario file holds exactly one YAML document; remove this `---`".to_owned()
                }
                serde_saphyr::Error::Budget { breach, .. } => budget_in_words(breach),
                inner => {
                    let text = serde_saphyr::DefaultMessageFormatter.format_message(inner);
                    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                    format!("invalid YAML: {text}")
                }
            };
            fail(at, message)
        }
    }
}

/// The reader's limits: serde-saphyr's defaults (generous for a scenario), and a shallow nesting depth.
fn budget() -> Budget {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget
}

/// A breach of the reader's budget in words, with the limit (serde-saphyr's own message is the breach's Rust debug
/// text, such as `budget breached: Nodes { nodes: 250001 }`).
fn budget_in_words(breach: &BudgetBreach) -> String {
    let limits = budget();
    let mib = |bytes: usize| bytes / (1024 * 1024);
    let too_large = |what: String| {
        format!("invalid YAML: the file is too large for a scenario: {what}; split it into several scenarios")
    };
    match breach {
        BudgetBreach::Depth { .. } => format!("invalid YAML: collections nest more than {MAX_DEPTH} deep"),
        BudgetBreach::Nodes { .. } => {
            too_large(format!("it has more than {} values, sequences and mappings", limits.max_nodes))
        }
        BudgetBreach::Events { .. } => too_large(format!(
            "it has more than {} YAML parser events (values and collection starts and ends)",
            limits.max_events
        )),
        BudgetBreach::ScalarBytes { .. } => {
            too_large(format!("its values hold more than {} MiB of text", mib(limits.max_total_scalar_bytes)))
        }
        BudgetBreach::InputBytes { .. } => {
            too_large(format!("it is longer than {} MiB", mib(limits.max_reader_input_bytes.unwrap_or(usize::MAX))))
        }
        BudgetBreach::Documents { .. } => {
            too_large(format!("it holds more than {} YAML documents", limits.max_documents))
        }
        BudgetBreach::Aliases { .. } => too_large(format!("it has more than {} aliases (*name)", limits.max_aliases)),
        BudgetBreach::Anchors { .. } => too_large(format!("it has more than {} anchors (&name)", limits.max_anchors)),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
            "invalid YAML: {aliases} aliases (*name) of {anchors} anchors (&name): more than {} aliases per anchor \
             expand into a huge document, which is refused",
            limits.alias_anchor_ratio_multiplier
        ),
        BudgetBreach::MergeKeys { .. } => {
            too_large(format!("it has more than {} merge keys (<<)", limits.max_merge_keys))
        }
        BudgetBreach::RecordedAnchorEvents { .. } | BudgetBreach::RecordedAnchorBytes { .. } => {
            "invalid YAML: its aliases (*name) repeat their anchors' contents beyond the reader's limit, which is \
             refused"
                .to_owned()
        }
        BudgetBreach::SequenceUnbalanced => {
            "invalid YAML: a sequence or mapping ends that never started (a truncated or malformed file)".to_owned()
        }
        _ => "invalid YAML: the file passes one of the YAML reader's limits on size".to_owned(),
    }
}

/// The tree as serde-saphyr hands it over.
enum RawNode {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawNode>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawNode, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }

    fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
        Ok(i128::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }

    fn visit_char<E>(self, v: char) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawNode, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawNode, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(RawNode::Map(entries))
    }
}

impl Node {
    fn from_raw(raw: Spanned<RawNode>, source: &str) -> Node {
        let at = Location { line: raw.referenced.line().max(1), column: raw.referenced.column().max(1) };
        // The text as written, for scalars YAML turned into something else. An alias's text is its anchor's.
        let written = |fallback: String| {
            let span = raw.defined.span();
            let start = span.byte_offset().and_then(|o| usize::try_from(o).ok());
            let len = span.byte_len().and_then(|l| usize::try_from(l).ok());
            start
                .zip(len)
                .and_then(|(start, len)| source.get(start..start.checked_add(len)?))
                .filter(|text| !text.is_empty() && !text.starts_with(['!', '&', '*']))
                .map_or(fallback, str::to_owned)
        };
        let value = match raw.value {
            RawNode::Null => Value::Null,
            RawNode::Bool(b) => Value::Scalar(written(b.to_string()), Scalar::Bool(b)),
            RawNode::Int(i) => Value::Scalar(written(i.to_string()), Scalar::Int(i)),
            RawNode::Float(x) => Value::Scalar(written(x.to_string()), Scalar::Float),
            RawNode::Str(s) => Value::Scalar(s, Scalar::Str),
            RawNode::Seq(items) => Value::Seq(items.into_iter().map(|item| Node::from_raw(item, source)).collect()),
            RawNode::Map(entries) => Value::Map(
                entries.into_iter().map(|(k, v)| (Node::from_raw(k, source), Node::from_raw(v, source))).collect(),
            ),
        };
        Node { at, value }
    }

    /// What the node is, for "found ..." in messages.
    pub(crate) fn found(&self) -> String {
        match &self.value {
            Value::Null => "nothing (null)".to_owned(),
            Value::Scalar(text, Scalar::Bool(_)) => format!("boolean {text}"),
            Value::Scalar(text, Scalar::Int(_)) => format!("integer {text}"),
            Value::Scalar(text, Scalar::Float) => format!("number {text}"),
            Value::Scalar(text, Scalar::Str) => format!("string {text:?}"),
            Value::Seq(_) => "a sequence".to_owned(),
            Value::Map(_) => "a mapping".to_owned(),
        }
    }

    pub(crate) fn expected<T>(&self, what: &str, expected: &str) -> Res<T> {
        fail(self.at, format!("{what}: expected {expected}, found {}", self.found()))
    }

    /// A scalar's text as written: `user: 007` is the user `007`.
    pub(crate) fn text(&self, what: &str) -> Res<String> {
        match &self.value {
            Value::Scalar(text, _) => Ok(text.clone()),
            _ => self.expected(what, "a string"),
        }
    }

    /// An integer that fits `T`, described as `range` in messages.
    pub(crate) fn int<T: TryFrom<i128>>(&self, what: &str, range: &str) -> Res<T> {
        match &self.value {
            Value::Scalar(text, Scalar::Int(i)) => match T::try_from(*i) {
                Ok(v) => Ok(v),
                Err(_) => fail(self.at, format!("{what}: {text} is out of range; expected {range}")),
            },
            // An integer too large even for i128.
            Value::Scalar(text, Scalar::Float) if text.bytes().all(|b| b.is_ascii_digit() || b"+-_".contains(&b)) => {
                fail(self.at, format!("{what}: {text} is out of range; expected {range}"))
            }
            _ => self.expected(what, range),
        }
    }

    pub(crate) fn bool(&self, what: &str) -> Res<bool> {
        match &self.value {
            Value::Scalar(_, Scalar::Bool(b)) => Ok(*b),
            _ => self.expected(what, "true or false"),
        }
    }

    pub(crate) fn seq(&self, what: &str, expected: &str) -> Res<&[Node]> {
        match &self.value {
            Value::Seq(items) => Ok(items),
            _ => self.expected(what, expected),
        }
    }

    /// A duration: a whole number and a unit, `ms`, `s`, `m` or `h`.
    pub(crate) fn duration(&self, what: &str) -> Res<Duration> {
        let Value::Scalar(text, _) = &self.value else {
            return self.expected(what, &format!("a duration ({DURATION_FORM})"));
        };
        parse_duration(text).map_err(|why| Problem { at: self.at, message: format!("{what}: {why}") })
    }

    /// A name from a fixed list, such as an enum's manual names.
    pub(crate) fn choice<T: Copy>(&self, what: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Res<T> {
        let names = || all.iter().map(|&v| name(v)).collect::<Vec<_>>().join(", ");
        let Value::Scalar(text, _) = &self.value else {
            return self.expected(what, &format!("one of {}", names()));
        };
        if let Some(&v) = all.iter().find(|&&v| name(v) == text) {
            return Ok(v);
        }
        let mut message = format!("{what}: unknown value {text:?}; expected one of {}", names());
        if let Some(&v) = all.iter().find(|&&v| name(v).eq_ignore_ascii_case(text)) {
            let _ = write!(message, " (names are case-sensitive: did you mean {}?)", name(v));
        }
        fail(self.at, message)
    }

    /// A mapping's entries with their keys' text, in file order, after checking no key is there twice.
    /// `place` completes messages (`in devices`), `noun` names a key (`field`, `device`).
    pub(crate) fn entries(&self, what: &str, place: &str, noun: &str) -> Res<Vec<Entry<'_>>> {
        let Value::Map(pairs) = &self.value else {
            return self.expected(what, "a mapping");
        };
        let mut entries: Vec<Entry<'_>> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Value::Scalar(name, _) = &key.value else {
                return fail(key.at, format!("{what}: keys must be plain names, found {}", key.found()));
            };
            if let Some(first) = entries.iter().find(|e| e.key == name) {
                return fail(
                    key.at,
                    format!(
                        "duplicate {noun} {name:?} {place} (first at line {}, column {})",
                        first.key_at.line, first.key_at.column
                    ),
                );
            }
            entries.push(Entry { key: name, key_at: key.at, value });
        }
        Ok(entries)
    }

    /// A mapping with a fixed set of optional and required fields.
    pub(crate) fn fields(&self, what: &str, place: &str, allowed: &[&str]) -> Res<Fields<'_>> {
        let entries = self.entries(what, place, "field")?;
        if let Some(unknown) = entries.iter().find(|e| !allowed.contains(&e.key)) {
            return fail(
                unknown.key_at,
                format!("unknown field {:?} {place}; expected one of {}", unknown.key, allowed.join(", ")),
            );
        }
        Ok(Fields { at: self.at, place: place.to_owned(), entries })
    }
}

/// One entry of a mapping.
pub(crate) struct Entry<'a> {
    pub(crate) key: &'a str,
    pub(crate) key_at: Location,
    pub(crate) value: &'a Node,
}

/// A mapping whose keys have been checked against a list of fields.
pub(crate) struct Fields<'a> {
    at: Location,
    place: String,
    pub(crate) entries: Vec<Entry<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, name: &str) -> Option<&'a Node> {
        self.entry(name).map(|e| e.value)
    }

    pub(crate) fn entry(&self, name: &str) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.key == name)
    }

    pub(crate) fn require(&self, name: &str) -> Res<&'a Node> {
        match self.get(name) {
            Some(node) => Ok(node),
            None => fail(self.at, format!("missing required field {name:?} {}", self.place)),
        }
    }
}

/// How a duration is written, for messages.
pub const DURATION_FORM: &str = "a whole number followed by ms, s, m or h, like 250ms, 10s, 2m or 1h";

/// A duration as scenarios (and `imsim run --timeout`) write it: a whole number and a unit, `ms`, `s`, `m` or `h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => 0,
    };
    if number.is_empty() || unit_ms == 0 {
        let why = if unit.is_empty() && !number.is_empty() { " (no unit)" } else { "" };
        return Err(format!("invalid duration {text:?}{why}; expected {DURATION_FORM}"));
    }
    match number.parse::<u64>().ok().and_then(|n| n.checked_mul(unit_ms)) {
        Some(ms) => Ok(Duration::from_millis(ms)),
        None => Err(format!("duration {text:?} is too large")),
    }
}
