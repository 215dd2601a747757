//! Code tables: ordered `code: label` maps whose codes or Chinese labels users may type.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A YAML mapping kept in file order, refusing duplicate keys (YAML itself would keep the last).
#[derive(Debug, Clone)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<T> Ordered<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of codes")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Ordered(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v: Vec<(String, T)> = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    if v.iter().any(|(x, _)| *x == k) {
                        return Err(de::Error::custom(format!("'{k}' is listed twice")));
                    }
                    let val = m.next_value()?;
                    v.push((k, val));
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// Anything with a Chinese label that users may type instead of the code, and perhaps
/// other names for it (aliases) that forms and sheets use.
pub trait Labelled {
    fn label(&self) -> &str;
    fn aliases(&self) -> &[String] {
        &[]
    }
}

impl Labelled for String {
    fn label(&self) -> &str {
        self
    }
}

/// A code's label, written `code: 标签` or `code: { label: 标签, aliases: [别名, ...] }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub label: String,
    pub aliases: Vec<String>,
}

impl Labelled for Label {
    fn label(&self) -> &str {
        &self.label
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum L {
            Plain(String),
            Full {
                label: String,
                #[serde(default)]
                aliases: Vec<String>,
            },
        }
        match L::deserialize(d) {
            Ok(L::Plain(label)) => Ok(Label {
                label,
                aliases: Vec::new(),
            }),
            Ok(L::Full { label, aliases }) => Ok(Label { label, aliases }),
            Err(_) => Err(de::Error::custom(
                "write a label (`code: 标签`) or `{ label: 标签, aliases: [别名] }`",
            )),
        }
    }
}

/// A table of codes: `what` names it in messages ("department", "flag", ...).
pub struct CodeTable<'a, T> {
    pub what: &'static str,
    pub table: &'a Ordered<T>,
}

impl<T: Labelled> CodeTable<'_, T> {
    /// The code for what a user typed: the code itself or its label.
    pub fn resolve(&self, input: &str) -> Result<String, String> {
        let t = input.trim();
        if let Some((k, _)) = self.table.0.iter().find(|(k, _)| k == t) {
            return Ok(k.clone());
        }
        if let Some((k, _)) = self
            .table
            .0
            .iter()
            .find(|(_, v)| v.label() == t || v.aliases().iter().any(|a| a.trim() == t))
        {
            return Ok(k.clone());
        }
        let lower = t.to_lowercase().replace('_', "-");
        if let Some((k, _)) = self.table.0.iter().find(|(k, _)| *k == lower) {
            return Ok(k.clone());
        }
        Err(format!(
            "unknown {} '{}'; valid: {}",
            self.what,
            t,
            self.choices()
        ))
    }

    pub fn choices(&self) -> String {
        self.table
            .0
            .iter()
            .map(|(k, v)| format!("{k} ({})", v.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn label<'b>(&'b self, code: &'b str) -> &'b str {
        self.table.get(code).map(|v| v.label()).unwrap_or(code)
    }
}
