//! A call's arguments and an expectation's fields as the scenario wrote them: a serde [`Deserializer`] over the
//! YAML tree, so that the engine's own types ([`imsim_engine::api::Call`], `Message`) read them, and the references
//! (`$name`, `$name.field.0`) to values kept earlier in the run.
//!
//! Errors carry the line and column of the node they are about: a type error names the value, an unknown field its
//! key, a missing field the mapping. Scalars are read as written, as everywhere in a scenario: a string parameter
//! given `007` is the string `007`, not the number 7.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::model::Location;
use super::yaml::{Node, Scalar, Value};

/// Why a node did not deserialise, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgumentError {
    /// The node the error is about, when known.
    pub at: Option<Location>,
    /// serde's message, such as ``unknown field `room`, expected `targetId` ``.
    pub message: String,
}

impl ArgumentError {
    fn located(mut self, at: Location) -> ArgumentError {
        self.at.get_or_insert(at);
        self
    }
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArgumentError {}

impl de::Error for ArgumentError {
    fn custom<T: fmt::Display>(message: T) -> ArgumentError {
        ArgumentError { at: None, message: message.to_string() }
    }
}

/// Deserialises one node of a scenario.
pub struct NodeDeserializer<'a>(pub &'a Node);

impl<'de> Deserializer<'de> for NodeDeserializer<'_> {
    type Error = ArgumentError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgumentError> {
        let node = self.0;
        let result = match &node.value {
            Value::Null => visitor.visit_unit(),
            Value::Scalar(_, Scalar::Bool(b)) => visitor.visit_bool(*b),
            Value::Scalar(text, Scalar::Int(i)) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(i), _) => visitor.visit_i64(i),
                (_, Ok(u)) => visitor.visit_u64(u),
                _ => Err(de::Error::custom(format!("{text} is out of range"))),
            },
            Value::Scalar(text, Scalar::Float) => match text.parse::<f64>() {
                Ok(x) => visitor.visit_f64(x),
                Err(_) => visitor.visit_str(text),
            },
            Value::Scalar(text, Scalar::Str) => visitor.visit_str(text),
            Value::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Value::Map(entries) => visitor.visit_map(Entries { entries: entries.iter(), value: None }),
        };
        result.map_err(|error| error.located(node.at))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgumentError> {
        match &self.0.value {
            Value::Scalar(text, _) => visitor.visit_str(text).map_err(|error: ArgumentError| error.located(self.0.at)),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgumentError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ArgumentError> {
        match &self.0.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ArgumentError> {
        match &self.0.value {
            Value::Scalar(text, _) => visitor
                .visit_enum(IntoDeserializer::<ArgumentError>::into_deserializer(text.as_str()))
                .map_err(|error: ArgumentError| error.located(self.0.at)),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = ArgumentError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, ArgumentError> {
        self.0.next().map(|node| seed.deserialize(NodeDeserializer(node))).transpose()
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = ArgumentError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ArgumentError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        seed.deserialize(NodeDeserializer(key)).map(Some).map_err(|error| error.located(key.at))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ArgumentError> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(NodeDeserializer(value))
    }
}

/// The prefix of a reference to a kept value; `$$` writes a literal `$`.
pub const REFERENCE_PREFIX: char = '$';

/// The reference a scalar holds, if it is one: `$m` gives `m`, `$page.syncTime` gives `page.syncTime`; `$$x` is the
/// text `$x`, not a reference.
pub fn reference(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar(text, Scalar::Str) => {
            text.strip_prefix(REFERENCE_PREFIX).filter(|rest| !rest.starts_with(REFERENCE_PREFIX))
        }
        _ => None,
    }
}

/// Whether `node` holds a reference anywhere.
pub fn has_references(node: &Node) -> bool {
    match &node.value {
        Value::Seq(items) => items.iter().any(has_references),
        Value::Map(entries) => entries.iter().any(|(_, value)| has_references(value)),
        _ => reference(node).is_some(),
    }
}

/// A name a scenario may keep a value under (`as: NAME`): letters, digits and `_`, not starting with a digit.
pub fn is_valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `node` with every reference replaced by the kept value it names (each at the reference's place), and `$$` by
/// `$`; an error names the first reference that does not resolve.
pub fn resolve(node: &Node, kept: &BTreeMap<String, serde_json::Value>) -> Result<Node, ArgumentError> {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|item| resolve(item, kept)).collect::<Result<_, _>>()?),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(key, value)| Ok((key.clone(), resolve(value, kept)?)))
                .collect::<Result<_, ArgumentError>>()?,
        ),
        Value::Scalar(text, Scalar::Str) if text.starts_with("$$") => Value::Scalar(text[1..].to_owned(), Scalar::Str),
        _ => match reference(node) {
            Some(path) => {
                return lookup(path, kept).map(|value| from_json(value, node.at)).map_err(|e| e.located(node.at));
            }
            None => node.value.clone(),
        },
    };
    Ok(Node { at: node.at, value })
}

/// What `$NAME.messageUId` gives for a kept message the server never accepted (MSG-6: the UID is set once it did),
/// as the SDK's message object has it: the empty string, which every method taking a UID refuses with -101.
static NO_MESSAGE_UID: serde_json::Value = serde_json::Value::String(String::new());

/// The value `path` (`name`, then `.field` or `.index` steps; a negative index counts from the end) names.
pub fn lookup<'a>(
    path: &str,
    kept: &'a BTreeMap<String, serde_json::Value>,
) -> Result<&'a serde_json::Value, ArgumentError> {
    let mut steps = path.split('.');
    let name = steps.next().unwrap_or_default();
    let mut value = kept.get(name).ok_or_else(|| {
        let known: Vec<&str> = kept.keys().map(String::as_str).filter(|key| is_valid_name(key)).collect();
        let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
        de::Error::custom(format!("${name}: nothing is kept under that name (kept so far: {known})"))
    })?;
    for step in steps {
        let next = match value {
            serde_json::Value::Object(map) => map.get(step),
            serde_json::Value::Array(items) => step.parse::<i64>().ok().and_then(|index| {
                let index = if index < 0 { items.len() as i64 + index } else { index };
                usize::try_from(index).ok().and_then(|index| items.get(index))
            }),
            _ => None,
        };
        let unsent_message = matches!(value, serde_json::Value::Object(map) if map.contains_key("messageType"));
        let next = next.or((step == "messageUId" && unsent_message).then_some(&NO_MESSAGE_UID));
        value = next.ok_or_else(|| de::Error::custom(format!("${path}: {step:?} is not in the kept value")))?;
    }
    Ok(value)
}

/// A JSON value as a node at `at`.
pub fn from_json(value: &serde_json::Value, at: Location) -> Node {
    let scalar = |text: String, kind| Value::Scalar(text, kind);
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => scalar(b.to_string(), Scalar::Bool(*b)),
        serde_json::Value::Number(n) => match n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)) {
            Some(i) => scalar(n.to_string(), Scalar::Int(i)),
            None => scalar(n.to_string(), Scalar::Float),
        },
        serde_json::Value::String(s) => scalar(s.clone(), Scalar::Str),
        serde_json::Value::Array(items) => Value::Seq(items.iter().map(|item| from_json(item, at)).collect()),
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(key, value)| (Node { at, value: scalar(key.clone(), Scalar::Str) }, from_json(value, at)))
                .collect(),
        ),
    };
    Node { at, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept message the server never accepted gives an empty UID; any other missing field is still an error.
    #[test]
    fn an_unsent_message_has_an_empty_uid_and_nothing_else_is_invented() {
        let kept: BTreeMap<String, serde_json::Value> = [
            ("failed".to_owned(), serde_json::json!({ "messageType": "text", "text": "hi" })),
            ("sent".to_owned(), serde_json::json!({ "messageType": "text", "messageUId": "U1" })),
            ("entries".to_owned(), serde_json::json!({ "k": "v" })),
        ]
        .into();
        assert_eq!(lookup("failed.messageUId", &kept).unwrap(), &serde_json::json!(""));
        assert_eq!(lookup("sent.messageUId", &kept).unwrap(), &serde_json::json!("U1"));
        assert!(lookup("failed.sentTime", &kept).is_err(), "only the UID has a meaning when absent");
        assert!(lookup("entries.messageUId", &kept).is_err(), "not a message");
    }
}
