//! A call's arguments, drawn from the JSON Schema of the API table (`imsim_engine::api::Call`): whatever a method's
//! parameters are, their schema says their types, enums, optional fields and nested objects, so every method the
//! engine adds is explored with no code here. The world supplies the values that must mean something (the users,
//! groups and rooms a `targetId` names, the messages a `message` or `messageUid` parameter refers to); every so often a value is
//! drawn outside what the manual accepts (an empty or over-long ID, a negative count), so refusals are explored too.

use rand::Rng as _;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value as Json, json};

/// How deep nested objects are drawn before optional parts are left out.
const DEPTH_MAX: usize = 4;

/// What the world holds, for parameters that name something in it.
#[derive(Clone, Debug, Default)]
pub struct Pools {
    /// User IDs.
    pub users: Vec<String>,
    /// Group IDs.
    pub groups: Vec<String>,
    /// Chatroom IDs.
    pub rooms: Vec<String>,
    /// Paths of the files every device has, for the media methods (MTYPE-26).
    pub files: Vec<String>,
    /// Names of messages kept by earlier calls (`as: NAME`), for `$NAME` references.
    pub kept_messages: Vec<String>,
    /// Those of them a send made: once its result came, each names a message the server accepted (for a recall, a
    /// deletion), where a created one never does.
    pub sent_messages: Vec<String>,
}

/// Draws arguments for one method from its schema.
pub struct ArgumentDrawer<'a> {
    /// The schema's `$defs`, for `$ref`s.
    definitions: &'a Map<String, Json>,
    pools: &'a Pools,
    /// How often a value is drawn outside what the manual accepts (0 to 1).
    invalid_share: f64,
    /// The conversation type drawn last in the current object, which decides what its `targetId` names.
    conversation_type: Option<String>,
    /// A counter making texts unique.
    texts: &'a mut u64,
    /// Whether the method is about chatrooms (its `targetId` names a room).
    chatroom_method: bool,
}

impl<'a> ArgumentDrawer<'a> {
    /// A drawer for `method` over `definitions`, naming things from `pools`, with `invalid_share` of values out of
    /// range.
    pub fn new(
        method: &str,
        definitions: &'a Map<String, Json>,
        pools: &'a Pools,
        invalid_share: f64,
        texts: &'a mut u64,
    ) -> ArgumentDrawer<'a> {
        let chatroom_method = method.contains("ChatRoom");
        ArgumentDrawer { definitions, pools, invalid_share, conversation_type: None, texts, chatroom_method }
    }

    /// The parameters of one method's variant of the `Call` schema (an object schema with `method` among its
    /// properties), without `method`.
    pub fn parameters(&mut self, variant: &Json, rng: &mut ChaCha8Rng) -> Map<String, Json> {
        let mut drawn = match self.object(variant, rng, 0) {
            Json::Object(map) => map,
            _ => Map::new(),
        };
        drawn.remove("method");
        drawn
    }

    fn value(&mut self, name: &str, schema: &Json, rng: &mut ChaCha8Rng, depth: usize) -> Json {
        if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            let target = reference.rsplit('/').next().unwrap_or_default();
            return match self.definitions.get(target) {
                Some(definition) => self.value(name, &definition.clone(), rng, depth),
                None => Json::Null,
            };
        }
        if name == "message" && !self.pools.kept_messages.is_empty() && rng.random_bool(0.8) {
            let pool = if self.pools.sent_messages.is_empty() || rng.random_bool(0.5) {
                &self.pools.kept_messages
            } else {
                &self.pools.sent_messages
            };
            let kept = pool.choose(rng).cloned().unwrap_or_default();
            return Json::String(format!("${kept}"));
        }
        if let Some(choices) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Json::as_array)
            && schema.get("properties").is_none()
        {
            let non_null: Vec<&Json> = choices.iter().filter(|choice| !is_null(choice)).collect();
            if non_null.len() < choices.len() && rng.random_bool(0.5) {
                return Json::Null;
            }
            return match non_null.choose(rng) {
                Some(choice) => self.value(name, &(*choice).clone(), rng, depth),
                None => Json::Null,
            };
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(choices) = schema.get("enum").and_then(Json::as_array) {
            // A member named `invalid` is one the manual reserves: drawn only as an invalid value.
            let valid: Vec<&Json> = choices.iter().filter(|choice| choice.as_str() != Some("invalid")).collect();
            let choice = if valid.len() < choices.len() && rng.random_bool(self.invalid_share) {
                Json::String("invalid".into())
            } else {
                valid.choose(rng).map(|choice| (*choice).clone()).unwrap_or(Json::Null)
            };
            if name == "conversationType" {
                self.conversation_type = choice.as_str().map(str::to_owned);
            }
            return choice;
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(one)) => vec![one.as_str()],
            Some(Json::Array(several)) => several.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        if types.contains(&"null") && rng.random_bool(0.5) {
            return Json::Null;
        }
        match types.iter().find(|kind| **kind != "null").copied() {
            Some("object") => self.object(schema, rng, depth),
            Some("array") => {
                let items = schema.get("items").cloned().unwrap_or(Json::Null);
                let count = rng.random_range(0..=3);
                Json::Array((0..count).map(|_| self.value(name, &items, rng, depth + 1)).collect())
            }
            Some("string") => Json::String(self.string(name, rng)),
            Some("integer") => json!(self.integer(name, schema, rng)),
            Some("number") => json!(self.number(schema, rng)),
            Some("boolean") => Json::Bool(rng.random_bool(0.5)),
            _ => Json::Null,
        }
    }

    /// An object: its required properties always, its optional ones now and then (never past [`DEPTH_MAX`]), and
    /// one branch of a `oneOf` beside its properties (a tagged content) merged in.
    fn object(&mut self, schema: &Json, rng: &mut ChaCha8Rng, depth: usize) -> Json {
        let required: Vec<&str> =
            schema.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect();
        let mut object = Map::new();
        let saved = self.conversation_type.take();
        if let Some(properties) = schema.get("properties").and_then(Json::as_object) {
            for (name, property) in properties {
                let optional = !required.contains(&name.as_str());
                if optional && (depth >= DEPTH_MAX || rng.random_bool(0.7)) {
                    continue;
                }
                let value = self.value(name, property, rng, depth + 1);
                object.insert(name.clone(), value);
            }
        } else if let Some(values) = schema.get("additionalProperties").filter(|values| values.is_object()) {
            for _ in 0..rng.random_range(1..=3) {
                let key = self.string("key", rng);
                let value = self.value("value", values, rng, depth + 1);
                object.insert(key, value);
            }
        }
        if let Some(branches) = schema.get("oneOf").and_then(Json::as_array)
            && schema.get("properties").is_some()
            && let Some(branch) = branches.choose(rng)
            && let Json::Object(fields) = self.object(branch, rng, depth)
        {
            object.extend(fields);
        }
        self.conversation_type = saved;
        Json::Object(object)
    }

    fn string(&mut self, name: &str, rng: &mut ChaCha8Rng) -> String {
        if rng.random_bool(self.invalid_share) {
            return if rng.random_bool(0.5) { String::new() } else { "x".repeat(65) };
        }
        let pools = self.pools;
        let pick = |pool: &[String], rng: &mut ChaCha8Rng| pool.choose(rng).cloned();
        let named = match name {
            "targetId" => match self.conversation_type.as_deref() {
                Some("group") => pick(&pools.groups, rng),
                Some("chatroom") => pick(&pools.rooms, rng),
                None if self.chatroom_method => pick(&pools.rooms, rng),
                _ => pick(&pools.users, rng),
            },
            "userId" | "userIdList" | "userIds" => pick(&pools.users, rng),
            "key" | "keys" => Some(format!("k{}", rng.random_range(1..=3))),
            // A message the server accepted, by reference: its UID once its send's result came.
            "messageUid" => pick(&pools.sent_messages, rng).map(|kept| format!("${kept}.messageUId")),
            "path" | "thumbnailPath" => pick(&pools.files, rng),
            _ => None,
        };
        named.unwrap_or_else(|| {
            *self.texts += 1;
            format!("t{}", self.texts)
        })
    }

    /// A whole number within the schema's `minimum` and `maximum` (0 to 100 without them), or, as an invalid draw,
    /// just past one of them.
    fn number(&self, schema: &Json, rng: &mut ChaCha8Rng) -> f64 {
        let minimum = schema.get("minimum").and_then(Json::as_f64);
        let maximum = schema.get("maximum").and_then(Json::as_f64);
        if rng.random_bool(self.invalid_share) {
            match (minimum, maximum) {
                (Some(minimum), _) if rng.random_bool(0.5) => return minimum - 1.0,
                (_, Some(maximum)) => return maximum + 1.0,
                _ => {}
            }
        }
        // Whole numbers keep the scenario's YAML short; the bounds of the API table are whole too.
        let (low, high) = (minimum.unwrap_or(0.0).ceil() as i64, maximum.unwrap_or(100.0).floor() as i64);
        rng.random_range(low..=high.max(low)) as f64
    }

    fn integer(&self, name: &str, schema: &Json, rng: &mut ChaCha8Rng) -> i64 {
        let unsigned = schema.get("minimum").and_then(Json::as_i64).is_some_and(|minimum| minimum >= 0);
        let invalid = rng.random_bool(self.invalid_share);
        let choices: &[i64] = match name {
            _ if invalid && !unsigned => &[-1, -100],
            _ if invalid => &[0, 1_000_000],
            "count" | "messageCount" => &[1, 5, 10, 20, 50],
            "messageId" => &[1, 2, 3, 5, 8, 13],
            "sentTime" | "timestamp" | "recordTime" => &[0],
            "timeout" => &[0, 5],
            _ => &[0, 1, 10],
        };
        choices.choose(rng).copied().unwrap_or(0)
    }
}

fn is_null(schema: &Json) -> bool {
    schema.get("type").and_then(Json::as_str) == Some("null")
}
