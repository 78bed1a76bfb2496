//! Gives each of the app's commands an `allow-…` permission, so the capability file grants
//! exactly the ones the window uses. The command list is written once, in `commands::handler()`'s
//! `generate_handler!`; this reads it from there, and hands it to the tests (`SGEN_COMMANDS`),
//! which check that the capability file and `ui/src/ipc` name the same commands.

const HANDLER: &str = "src/commands/mod.rs";

fn main() {
    println!("cargo:rerun-if-changed={HANDLER}");
    let commands = registered_commands();
    println!("cargo:rustc-env=SGEN_COMMANDS={}", commands.join(","));
    let commands: &'static [&'static str] = Vec::leak(commands);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}

/// The names in `generate_handler![module::name, …]`.
fn registered_commands() -> Vec<&'static str> {
    let source = String::leak(std::fs::read_to_string(HANDLER).expect("the command handler"));
    let list = source
        .split_once("generate_handler![")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .expect("a generate_handler![…] list in src/commands/mod.rs");
    list.split(',')
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| path.rsplit("::").next().unwrap_or(path))
        .collect()
}
