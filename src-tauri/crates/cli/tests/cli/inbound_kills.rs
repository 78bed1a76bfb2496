//! kill -9 while the listener takes a stream of events (issue 13): every event that was
//! answered 2xx is in the database after the kill, and the file is whole. `SGEN_INBOUND_KILLS`
//! rounds (20 in a test run), each killing `events listen` at a different moment while four
//! clients send it Stripe-signed events over keep-alive connections.

use super::events::connection_of;
use super::lifecycle::{cli_with_stdin, seeded_data_dir};
use sgen_core::inbound::signing::sign_as_stripe;
use sgen_core::Secret;
use sgen_store::Connection;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

const SECRET: &str = "whsec_inbound_kill_test";

/// Event `id` as Stripe sends it, as raw HTTP/1.1.
fn request(connection: &str, address: &str, id: &str) -> Vec<u8> {
    let body = format!(r#"{{"id":"{id}","object":"event","type":"charge.refunded"}}"#);
    let path = format!("/in/{connection}");
    let signed = sign_as_stripe(
        &path,
        body.into_bytes(),
        chrono_now_s(),
        &Secret::new(SECRET),
    );
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\n",
        signed.body.len()
    );
    for (name, value) in &signed.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    [head.into_bytes(), signed.body].concat()
}

fn chrono_now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The answer's status, or None when the connection broke (the listener was killed).
fn answer_status(reader: &mut BufReader<TcpStream>) -> Option<u16> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let status = line.get(9..12)?.parse().ok()?;
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(status)
}

#[test]
#[ignore = "needs the Secret Service: run inside scripts/with-keyring.sh"]
fn every_event_answered_2xx_survives_a_kill_9() {
    let rounds: u64 = std::env::var("SGEN_INBOUND_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let dir = seeded_data_dir();
    let data = dir.path();
    let stripe = connection_of(data, "stripe");
    let secret = ["events", "secret", "--connection", &stripe];
    assert!(cli_with_stdin(data, &secret, &format!("{SECRET}\n"))
        .status
        .success());

    let mut acknowledged = Vec::new();
    for round in 0..rounds {
        let mut listener = Command::new(env!("CARGO_BIN_EXE_sgen-integrations-cli"))
            .arg("--data-dir")
            .arg(data)
            .args(["events", "listen", "--port", "0", "--json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut printed = String::new();
        let mut stdout = BufReader::new(listener.stdout.take().unwrap());
        // The JSON object, pretty-printed over a few lines.
        while !printed.trim_end().ends_with('}') {
            assert!(stdout.read_line(&mut printed).unwrap() > 0, "no address");
        }
        let listening: serde_json::Value = serde_json::from_str(printed.trim()).unwrap();
        let address = listening["listening"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .trim_end_matches("/in/")
            .to_string();

        let answered: Vec<String> = std::thread::scope(|s| {
            let clients: Vec<_> = (0..4)
                .map(|client| {
                    let (address, stripe) = (&address, &stripe);
                    s.spawn(move || {
                        let stream = TcpStream::connect(address.as_str()).unwrap();
                        let mut reader = BufReader::new(stream);
                        let mut mine = Vec::new();
                        // Until the kill breaks the connection.
                        for n in 0.. {
                            let id = format!("evt_kill_{round}_{client}_{n}");
                            let sent = reader.get_mut().write_all(&request(stripe, address, &id));
                            match (sent, answer_status(&mut reader)) {
                                (Ok(()), Some(200)) => mine.push(id),
                                (Ok(()), Some(other)) => panic!("{id} answered {other}"),
                                _ => break,
                            }
                        }
                        mine
                    })
                })
                .collect();
            // Kill it at a different moment each round: 30 to 400 ms into the stream.
            std::thread::sleep(Duration::from_millis(30 + round * 7_919 % 370));
            listener.kill().unwrap();
            listener.wait().unwrap();
            clients
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect()
        });
        acknowledged.extend(answered);

        let db = Connection::open(data.join("sgen.sqlite3")).unwrap();
        let integrity: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        let mut present = db
            .prepare("SELECT 1 FROM inbound_events WHERE vendor_event_id = ?1")
            .unwrap();
        for id in &acknowledged {
            assert!(
                present.exists([id]).unwrap(),
                "round {round}: {id} was answered 200 and is not stored"
            );
        }
    }
    eprintln!(
        "{rounds} kills: {} events answered 200, every one stored",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() as u64 > rounds * 10,
        "the listener took too few events to mean anything: {}",
        acknowledged.len()
    );
}
