use std::collections::BTreeMap;
use std::fmt;
use zeroize::Zeroizing;

/// A secret value: an API key, a token, a client secret. Debug and Display print a placeholder,
/// there is no Serialize, and the memory is wiped when it is dropped. [`Secret::expose`] is the
/// one way to the value, for the few places that must send it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Secrets arrive from forms and files; they are never written out the same way.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Named secret values: a connection's credential fields, or its tokens. Sealed as one blob.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct SecretFields(BTreeMap<String, Secret>);

impl SecretFields {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, name: &str, value: Secret) -> Self {
        self.0.insert(name.to_string(), value);
        self
    }

    pub fn insert(&mut self, name: &str, value: Secret) {
        self.0.insert(name.to_string(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.0.get(name)
    }

    pub fn remove(&mut self, name: &str) -> Option<Secret> {
        self.0.remove(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The plaintext that is sealed: a JSON object, wiped when dropped.
    pub(crate) fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let exposed: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        Zeroizing::new(serde_json::to_vec(&exposed).expect("a map of strings serializes"))
    }

    pub(crate) fn from_plaintext(bytes: &[u8]) -> Option<Self> {
        let map: BTreeMap<String, Secret> = serde_json::from_slice(bytes).ok()?;
        Some(SecretFields(map))
    }
}
