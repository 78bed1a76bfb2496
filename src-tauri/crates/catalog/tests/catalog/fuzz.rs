//! Manifests as a manifest author might break them: every embedded manifest with one value
//! replaced or one key removed, anywhere, and plain garbage. Loading says what is wrong; it
//! never panics.

use proptest::prelude::*;
use serde_json::Value;
use sgen_catalog::Catalog;

/// Read once: a fuzz run asks for them a hundred thousand times.
fn manifests() -> &'static [(String, Value)] {
    static ALL: std::sync::OnceLock<Vec<(String, Value)>> = std::sync::OnceLock::new();
    ALL.get_or_init(read_manifests)
}

fn read_manifests() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests");
    let mut all: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// The value reached by following `steps` (each picks a child by index, modulo its count).
fn pick<'v>(value: &'v mut Value, steps: &[usize]) -> &'v mut Value {
    let Some((&step, rest)) = steps.split_first() else {
        return value;
    };
    let children = match &*value {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    if children == 0 {
        return value;
    }
    match value {
        Value::Object(map) => {
            let key = map.keys().nth(step % children).unwrap().clone();
            pick(map.get_mut(&key).unwrap(), rest)
        }
        Value::Array(items) => pick(&mut items[step % children], rest),
        leaf => leaf,
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        Just(Value::Array(vec![])),
        Just(Value::Object(Default::default())),
    ]
}

proptest! {
    #[test]
    fn fuzz_a_broken_manifest_is_reported_never_a_panic(
        which in any::<usize>(),
        steps in proptest::collection::vec(any::<usize>(), 0..6),
        replacement in leaf(),
        remove in any::<bool>(),
        garbage in ".{0,200}",
    ) {
        let all = manifests();
        let (file, mut manifest) = all[which % all.len()].clone();
        let target = pick(&mut manifest, &steps);
        match (remove, target) {
            (true, Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().next().unwrap().clone();
                map.remove(&key);
            }
            (_, target) => *target = replacement,
        }
        let _ = Catalog::from_sources([(file.clone(), manifest.to_string())]);
        let _ = Catalog::from_sources([(file, garbage)]);
    }
}
