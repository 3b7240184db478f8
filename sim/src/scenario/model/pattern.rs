//! The generic match of an `expect` against a serialised event (or message): the fields a scenario lists must match
//! the value's, whatever the listener.
//!
//! - A mapping matches a map that has each of its keys, with a matching value (`{}` matches only an empty map).
//! - A sequence matches a list of exactly as many elements, each matching in order.
//! - A scalar matches a value equal to it: a string by its text, a number by value, `true`/`false`, `null` (which
//!   also matches a field left out, as every `None` field of an event is).
//! - `$name.path` equals the value kept under that name (`as: name`), deeply; `$$` writes a literal `$`.
//! - Operators, as a one-key mapping: `{ $exactly: X }` equals X deeply (a map with no other keys);
//!   `{ $contains: P }` is a list with an element matching P; `{ $sameAs: path }` equals the value at that path of
//!   the same event (`messages.0.sentTime`, a negative index counting from the end); `{ $keys: [a, b] }` is a map
//!   with exactly these keys, whatever their values (a time that varies with the seed).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde_json::Value as Json;

use super::super::arguments::{self, lookup};
use super::super::yaml::{Node, Scalar, Value};

/// What a value must be: see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Anything: a listener expect that names no field matches every event of its listener.
    Any,
    /// A map with these keys (and maybe others), each matching.
    Fields(Vec<(String, Pattern)>),
    /// A list of exactly these elements, in order.
    List(Vec<Pattern>),
    /// A scalar as written, and what YAML made of it.
    Scalar(String, ScalarKind),
    /// The kept value this path names, deeply equal.
    Reference(String),
    /// Deeply equal to this value.
    Exactly(Json),
    /// A list with an element matching this.
    Contains(Box<Pattern>),
    /// Equal to the value at this path of the same value.
    SameAs(String),
    /// A map with exactly these keys, whatever their values.
    Keys(Vec<String>),
}

/// What YAML made of a pattern's scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number,
    /// Text.
    Text,
}

/// The operators, as a one-key mapping's key.
const OPERATORS: &[&str] = &["$exactly", "$contains", "$sameAs", "$keys"];

impl Pattern {
    /// The pattern `node` writes; an error for a malformed operator.
    pub fn from_node(node: &Node) -> Result<Pattern, (super::Location, String)> {
        Ok(match &node.value {
            Value::Null => Pattern::Scalar("null".to_owned(), ScalarKind::Null),
            Value::Scalar(text, scalar) => match arguments::reference(node) {
                Some(path) => Pattern::Reference(path.to_owned()),
                None => {
                    let kind = match scalar {
                        Scalar::Bool(b) => ScalarKind::Bool(*b),
                        Scalar::Int(_) | Scalar::Float => ScalarKind::Number,
                        Scalar::Str => ScalarKind::Text,
                    };
                    let text = if kind == ScalarKind::Text && text.starts_with("$$") { &text[1..] } else { text };
                    Pattern::Scalar(text.to_owned(), kind)
                }
            },
            Value::Seq(items) => Pattern::List(items.iter().map(Pattern::from_node).collect::<Result<_, _>>()?),
            Value::Map(entries) => {
                let key_text = |key: &Node| match &key.value {
                    Value::Scalar(text, _) => Ok(text.clone()),
                    _ => Err((key.at, "a pattern's keys are plain names".to_owned())),
                };
                if let [(key, value)] = entries.as_slice() {
                    let name = key_text(key)?;
                    if name.starts_with('$') && !name.starts_with("$$") {
                        return operator(&name, key, value);
                    }
                }
                let mut fields = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let name = key_text(key)?;
                    if OPERATORS.contains(&name.as_str()) {
                        return Err((key.at, format!("{name} is an operator: write it alone, as {{ {name}: ... }}")));
                    }
                    let name =
                        name.strip_prefix('$').filter(|rest| rest.starts_with('$')).map_or(name.clone(), str::to_owned);
                    fields.push((name, Pattern::from_node(value)?));
                }
                Pattern::Fields(fields)
            }
        })
    }

    /// Whether `actual` matches, with `whole` the value the match started from (for `$sameAs`) and `kept` the run's
    /// kept values; if not, where and how it differs (`messages.1.text: expected "b", found "c"`).
    pub fn check(&self, actual: &Json, whole: &Json, kept: &BTreeMap<String, Json>) -> Result<(), String> {
        self.check_at(actual, whole, kept, "")
    }

    fn check_at(&self, actual: &Json, whole: &Json, kept: &BTreeMap<String, Json>, path: &str) -> Result<(), String> {
        let differs = |expected: String| {
            let place = if path.is_empty() { String::new() } else { format!("{path}: ") };
            Err(format!("{place}expected {expected}, found {}", render(actual)))
        };
        let child = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
        match self {
            Pattern::Any => Ok(()),
            Pattern::Fields(fields) => {
                let Json::Object(map) = actual else { return differs(self.to_string()) };
                if fields.is_empty() && !map.is_empty() {
                    return differs("{} (an empty map)".to_owned());
                }
                for (key, pattern) in fields {
                    match map.get(key) {
                        Some(value) => pattern.check_at(value, whole, kept, &child(key))?,
                        // A field that is `None` is left out of the serialised event: `null` matches its absence.
                        None if matches!(pattern, Pattern::Scalar(_, ScalarKind::Null)) => {}
                        None => return Err(format!("{}: missing (the value has {})", child(key), keys(map))),
                    }
                }
                Ok(())
            }
            Pattern::List(items) => {
                let Json::Array(values) = actual else { return differs(self.to_string()) };
                for (index, (pattern, value)) in items.iter().zip(values).enumerate() {
                    pattern.check_at(value, whole, kept, &child(&index.to_string()))?;
                }
                if items.len() != values.len() {
                    return differs(format!("{} elements", items.len()));
                }
                Ok(())
            }
            Pattern::Scalar(text, kind) => {
                let equal = match (kind, actual) {
                    (ScalarKind::Null, Json::Null) => true,
                    (ScalarKind::Bool(b), Json::Bool(a)) => a == b,
                    (ScalarKind::Number, Json::Number(n)) => {
                        n.to_string() == *text || text.parse::<f64>().ok() == n.as_f64()
                    }
                    (_, Json::String(s)) => s == text,
                    _ => false,
                };
                if equal { Ok(()) } else { differs(self.to_string()) }
            }
            Pattern::Reference(reference) => {
                let expected = lookup(reference, kept).map_err(|error| error.message)?;
                if expected == actual { Ok(()) } else { differs(format!("${reference} = {}", render(expected))) }
            }
            Pattern::Exactly(expected) => {
                if expected == actual {
                    Ok(())
                } else {
                    differs(render(expected))
                }
            }
            Pattern::Contains(pattern) => {
                let Json::Array(values) = actual else { return differs(self.to_string()) };
                if values.iter().any(|value| pattern.check_at(value, whole, kept, path).is_ok()) {
                    Ok(())
                } else {
                    differs(self.to_string())
                }
            }
            Pattern::Keys(keys) => {
                let Json::Object(map) = actual else { return differs(self.to_string()) };
                let mut expected: Vec<&str> = keys.iter().map(String::as_str).collect();
                expected.sort_unstable();
                let mut found: Vec<&str> = map.keys().map(String::as_str).collect();
                found.sort_unstable();
                if found == expected { Ok(()) } else { differs(self.to_string()) }
            }
            Pattern::SameAs(reference) => {
                let kept_whole = BTreeMap::from([(String::new(), whole.clone())]);
                let expected = lookup(&format!(".{reference}"), &kept_whole)
                    .map_err(|_| format!("{path}: $sameAs {reference}: no such field in {}", render(whole)))?;
                if expected == actual { Ok(()) } else { differs(format!("{reference} = {}", render(expected))) }
            }
        }
    }

    /// The top-level keys a `Fields` pattern names.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Pattern::Fields(fields) => fields.iter().map(|(key, _)| key.as_str()).collect(),
            _ => Vec::new(),
        }
    }
}

fn operator(name: &str, key: &Node, value: &Node) -> Result<Pattern, (super::Location, String)> {
    Ok(match name {
        "$exactly" => Pattern::Exactly(to_json(value)),
        "$contains" => Pattern::Contains(Box::new(Pattern::from_node(value)?)),
        "$keys" => match &value.value {
            Value::Seq(items) => Pattern::Keys(
                items
                    .iter()
                    .map(|item| match &item.value {
                        Value::Scalar(text, _) => Ok(text.clone()),
                        _ => Err((item.at, "$keys: expected plain key names".to_owned())),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err((value.at, "$keys: expected a list of key names, like [lisi, wangwu]".into())),
        },
        "$sameAs" => match &value.value {
            Value::Scalar(text, _) => Pattern::SameAs(text.clone()),
            _ => return Err((value.at, "$sameAs: expected a path of the same event, like messages.0.sentTime".into())),
        },
        other => {
            return Err((
                key.at,
                format!("unknown operator {other}; expected one of {} ($$ writes a literal $)", OPERATORS.join(", ")),
            ));
        }
    })
}

/// A node as JSON, scalars typed as YAML read them.
fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Scalar(_, Scalar::Bool(b)) => Json::Bool(*b),
        Value::Scalar(text, Scalar::Int(i)) => {
            i64::try_from(*i).map(Json::from).unwrap_or_else(|_| Json::String(text.clone()))
        }
        Value::Scalar(text, Scalar::Float) => {
            text.parse::<f64>().map(Json::from).unwrap_or_else(|_| Json::String(text.clone()))
        }
        Value::Scalar(text, Scalar::Str) => Json::String(text.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| {
                    let key = match &key.value {
                        Value::Scalar(text, _) => text.clone(),
                        _ => String::new(),
                    };
                    (key, to_json(value))
                })
                .collect(),
        ),
    }
}

fn keys(map: &serde_json::Map<String, Json>) -> String {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    if keys.is_empty() { "no fields".to_owned() } else { keys.join(", ") }
}

/// A JSON value as the trace and failure messages show it: `{targetId: "r1", count: 2}`, `["a", "b"]`, `"text"`
/// (strings longer than 64 characters by their start and length).
pub fn render(value: &Json) -> String {
    let mut out = String::new();
    render_into(&mut out, value);
    out
}

fn render_into(out: &mut String, value: &Json) {
    match value {
        Json::String(text) => out.push_str(&abbreviated(text)),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(out, item);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{key}: ");
                render_into(out, item);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Texts longer than this are shown by their length and first characters, so that a 4097-character value does not
/// make a 4 KiB trace line.
const SHOWN_CHARS_MAX: usize = 64;

/// `text` quoted, or, when long, its first characters quoted and its length.
pub fn abbreviated(text: &str) -> String {
    let length = text.chars().count();
    if length <= SHOWN_CHARS_MAX {
        return format!("{text:?}");
    }
    let start: String = text.chars().take(16).collect();
    format!("{start:?}...({length} chars)")
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Fields(fields) => {
                f.write_str("{")?;
                for (i, (key, pattern)) in fields.iter().enumerate() {
                    write!(f, "{}{key}: {pattern}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("}")
            }
            Pattern::List(items) => {
                f.write_str("[")?;
                for (i, pattern) in items.iter().enumerate() {
                    write!(f, "{}{pattern}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("]")
            }
            Pattern::Any => f.write_str("any"),
            Pattern::Scalar(text, ScalarKind::Text) => f.write_str(&abbreviated(text)),
            Pattern::Scalar(text, _) => f.write_str(text),
            Pattern::Reference(path) => write!(f, "${path}"),
            Pattern::Exactly(value) => write!(f, "{{$exactly: {}}}", render(value)),
            Pattern::Contains(pattern) => write!(f, "{{$contains: {pattern}}}"),
            Pattern::Keys(keys) => write!(f, "{{$keys: [{}]}}", keys.join(", ")),
            Pattern::SameAs(path) => write!(f, "{{$sameAs: {path}}}"),
        }
    }
}
