//! JSON Schema for the API's types, generated from their definitions: the
//! [`api_struct!`](crate::api_struct) macro declares a type and writes its
//! schema from the same field list, so the two cannot drift apart.

use serde_json::{json, Value};

/// A type that has a JSON Schema.
pub trait Schema {
    /// The schema, inline.
    fn schema() -> Value;
    /// The component name, for types described once and referred to.
    fn name() -> Option<&'static str> {
        None
    }
    /// What a field of this type says: a reference for named types, the
    /// schema itself otherwise.
    fn reference() -> Value {
        match Self::name() {
            Some(n) => json!({ "$ref": format!("#/components/schemas/{n}") }),
            None => Self::schema(),
        }
    }
}

macro_rules! primitive {
    ($($t:ty => $s:expr),* $(,)?) => {
        $(impl Schema for $t {
            fn schema() -> Value {
                $s
            }
        })*
    };
}

primitive! {
    String => json!({ "type": "string" }),
    bool => json!({ "type": "boolean" }),
    u8 => json!({ "type": "integer", "minimum": 0, "maximum": 255 }),
    u16 => json!({ "type": "integer", "minimum": 0, "maximum": 65535 }),
    u32 => json!({ "type": "integer", "minimum": 0, "maximum": 4294967295u64 }),
    u64 => json!({ "type": "integer", "minimum": 0 }),
}

impl<T: Schema> Schema for Option<T> {
    fn schema() -> Value {
        json!({ "anyOf": [T::reference(), { "type": "null" }] })
    }
}

impl<T: Schema> Schema for Vec<T> {
    fn schema() -> Value {
        json!({ "type": "array", "items": T::reference() })
    }
}

/// Declares an API type: the struct (serialisable both ways) and its
/// JSON Schema — an object whose properties are the fields, each
/// described by its doc comment, all required (absent values are `null`),
/// nothing else allowed.
#[macro_export]
macro_rules! api_struct {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                pub $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                pub $field: $ty,
            )*
        }

        impl $crate::schema::Schema for $name {
            fn name() -> Option<&'static str> {
                Some(stringify!($name))
            }
            fn schema() -> serde_json::Value {
                let mut props = serde_json::Map::new();
                $(
                    let mut s = <$ty as $crate::schema::Schema>::reference();
                    let d = concat!($($fdoc, " ",)* "").split_whitespace().collect::<Vec<_>>().join(" ");
                    if !d.is_empty() {
                        // A reference takes no siblings in older readers:
                        // wrap it.
                        if s.get("$ref").is_some() {
                            s = serde_json::json!({ "allOf": [s] });
                        }
                        s["description"] = serde_json::Value::String(d);
                    }
                    props.insert(stringify!($field).to_string(), s);
                )*
                let d = concat!($($doc, " ",)* "").split_whitespace().collect::<Vec<_>>().join(" ");
                serde_json::json!({
                    "type": "object",
                    "description": d,
                    "properties": props,
                    "required": [$(stringify!($field)),*],
                    "additionalProperties": false,
                })
            }
        }
    };
}
