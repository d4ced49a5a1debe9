//! A section whose keys are partly the front end's and partly a method's:
//! `[compare]` (the run's own keys, then R did's options for
//! [`crate::methods::did::options::DidOptions`]) and `[qca]` (a study file's
//! `data`, `case` and `lang`, then [`crate::methods::qca::spec::Qca`]).
//!
//! The section is read as a TOML table, the front end's keys taken out and
//! deserialised into its own type, and the rest into the method's, each with
//! `deny_unknown_fields` (serde cannot combine `flatten` with it). A key
//! neither takes is an error that names it and every key the section takes,
//! so a method's new option is one field in the method's type: its key
//! follows.

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;

/// A section split between the front end's keys (`own`) and a method's.
#[derive(Debug, Clone, PartialEq)]
pub struct Section<Own, Method> {
    pub own: Own,
    pub method: Method,
}

impl<Own: Default, Method: Default> Default for Section<Own, Method> {
    fn default() -> Self {
        Section {
            own: Own::default(),
            method: Method::default(),
        }
    }
}

impl<'de, Own: DeserializeOwned, Method: DeserializeOwned> Deserialize<'de>
    for Section<Own, Method>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut rest = toml::Table::deserialize(d)?;
        let (own_keys, method_keys) = (keys_of::<Own>(), keys_of::<Method>());
        if let Some(k) = rest
            .keys()
            .find(|k| !own_keys.contains(&k.as_str()) && !method_keys.contains(&k.as_str()))
        {
            let mut all: Vec<&str> = own_keys.iter().chain(method_keys).copied().collect();
            all.sort_unstable();
            return Err(de::Error::custom(format!(
                "unknown field `{k}`, expected one of {}",
                all.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut own = toml::Table::new();
        for k in own_keys {
            if let Some(v) = rest.remove(*k) {
                own.insert(k.to_string(), v);
            }
        }
        Ok(Section {
            own: toml::Value::Table(own)
                .try_into()
                .map_err(de::Error::custom)?,
            method: toml::Value::Table(rest)
                .try_into()
                .map_err(de::Error::custom)?,
        })
    }
}

/// The keys a struct deriving `Deserialize` takes (its fields as serde
/// names them), asked of the derive itself: a deserializer that records the
/// field list serde hands to `deserialize_struct`.
pub fn keys_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut keys = None;
    let _ = T::deserialize(Probe(&mut keys));
    keys.unwrap_or(&[])
}

struct Probe<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("keys recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Own {
        #[serde(default)]
        data: Option<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    struct Method {
        draws: u32,
        #[serde(skip)]
        hidden: u32,
    }

    #[derive(Debug, Deserialize)]
    struct File {
        s: Section<Own, Method>,
    }

    #[test]
    fn keys_are_asked_of_the_derive() {
        assert_eq!(keys_of::<Own>(), ["data"]);
        // A skipped field is no key.
        assert_eq!(keys_of::<Method>(), ["draws"]);
    }

    #[test]
    fn each_side_gets_its_keys() {
        let f: File = toml::from_str("[s]\ndata = 'x.csv'\ndraws = 9\n").unwrap();
        assert_eq!(f.s.own.data.as_deref(), Some("x.csv"));
        assert_eq!(f.s.method.draws, 9);
    }

    #[test]
    fn a_key_neither_takes_is_named_with_every_key_there_is() {
        let e = toml::from_str::<File>("[s]\ndrasw = 9\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `drasw`, expected one of `data`, `draws`"),
            "{e}"
        );
        let e = toml::from_str::<File>("[s]\nhidden = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `hidden`"), "{e}");
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let e = toml::from_str::<File>("[s]\ndraws = 'many'\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("draws"), "{e}");
    }
}
