//! The kill -9 tests' two halves: the child (this test binary again, running one ignored
//! test) stops dead at a fail point and says so; the parent waits for that line, then kills it
//! with SIGKILL, as a crash or a power cut would.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const REACHED: &str = "at the fail point";

/// In the child: says so and stops dead, for ever, where this is called (a fail point's
/// callback).
pub fn stop_dead() {
    println!("{REACHED}");
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// In the parent: runs the ignored test `test` of this binary with `env` until it reports its
/// fail point, kills it, and returns whether it got there.
pub fn run_and_kill(test: &str, env: &[(&str, &str)]) -> bool {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", test, "--include-ignored", "--nocapture"])
        .stdout(Stdio::piped());
    for (name, value) in env {
        child.env(name, value);
    }
    let mut child = child.spawn().unwrap();
    let reached = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(REACHED));
    child.kill().unwrap();
    child.wait().unwrap();
    reached
}
