//! A front matter value in a form `postcard` can write and read back exactly: a tagged
//! mirror of `serde_json::Value` (`postcard` is not self-describing, so the value's own
//! `Deserialize`, which asks for any type, cannot read it). Numbers keep their kind
//! (unsigned, signed, float) and bits, so a value read back equals the value written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// `serde_json::Value`, tagged.
#[derive(Serialize, Deserialize)]
enum Tagged {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    String(String),
    Array(Vec<Tagged>),
    Object(Vec<(String, Tagged)>),
}

impl From<&Value> for Tagged {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Tagged::Null,
            Value::Bool(b) => Tagged::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Tagged::Unsigned(u),
                (None, Some(i), _) => Tagged::Signed(i),
                (None, None, f) => Tagged::Float(f.unwrap_or(f64::NAN)),
            },
            Value::String(s) => Tagged::String(s.clone()),
            Value::Array(items) => Tagged::Array(items.iter().map(Tagged::from).collect()),
            Value::Object(map) => Tagged::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Tagged::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Tagged> for Value {
    fn from(tagged: Tagged) -> Self {
        match tagged {
            Tagged::Null => Value::Null,
            Tagged::Bool(b) => Value::Bool(b),
            Tagged::Unsigned(u) => Value::Number(u.into()),
            Tagged::Signed(i) => Value::Number(i.into()),
            // A value parsed from YAML holds only finite floats; a non-finite one has no
            // JSON number and reads back as null, as `serde_json` itself would make it.
            Tagged::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Tagged::String(s) => Value::String(s),
            Tagged::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Tagged::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, Value::from(v)))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

pub(super) fn serialize<S: Serializer>(value: &Value, serializer: S) -> Result<S::Ok, S::Error> {
    Tagged::from(value).serialize(serializer)
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    Tagged::deserialize(deserializer).map(Value::from)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Holder(#[serde(with = "super")] serde_json::Value);

    #[test]
    fn every_kind_of_value_reads_back_equal() {
        let value = json!({
            "b": [true, false, null],
            "n": [0, 18446744073709551615u64, -9223372036854775808i64, 0.1, -2.5e300],
            "s": "tēxt",
            "o": {"z": {"y": []}, "a": {}},
        });
        let bytes = postcard::to_stdvec(&Holder(value.clone())).unwrap();
        let back: Holder = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.0, value);
        assert_eq!(back.0.to_string(), value.to_string());
    }
}
