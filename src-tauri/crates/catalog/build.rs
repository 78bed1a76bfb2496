//! Embeds every `manifests/*.json` file, so adding a connector is adding a file.
use std::{env, fs, path::Path};

fn main() {
    // Read at run time: `env!` would bake in the path this script was compiled at, and a shared
    // target directory reuses the compiled script for clones at other paths.
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("manifests");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("manifests/ exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = String::from("pub(crate) const EMBEDDED_MANIFESTS: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs"),
        out,
    )
    .unwrap();
}
