//! Secrets and confirmations from the terminal: a hidden prompt when stdin is a terminal, one
//! line of stdin otherwise (scripts). Secrets never come from arguments, which other users of
//! the machine can read.

use sgen_core::{CoreError, Secret};
use std::io::IsTerminal;

fn read_line(prompt: &str, hidden: bool) -> std::io::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if hidden {
            return rpassword::prompt_password(prompt);
        }
        eprint!("{prompt}");
    }
    let mut line = String::new();
    match stdin.read_line(&mut line)? {
        0 => Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "stdin ended",
        )),
        _ => Ok(line),
    }
}

pub fn read_secret(label: &str) -> Result<Secret, CoreError> {
    read_line(&format!("{label}: "), true)
        .map(|value| Secret::new(value.trim()))
        .map_err(|e| CoreError::invalid(format!("{label} was expected on stdin: {e}")))
}

/// Waits until the person (or script) says to go on.
pub fn wait_for_go_ahead(prompt: &str) -> Result<(), CoreError> {
    read_line(prompt, false)
        .map(|_| ())
        .map_err(|e| CoreError::invalid(format!("stopped waiting: {e}")))
}
