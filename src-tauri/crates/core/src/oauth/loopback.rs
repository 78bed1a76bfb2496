//! The loopback listener the browser returns to: `http://127.0.0.1:{port}/callback/{slug}`,
//! bound to loopback only, answering until the one valid callback arrives, the flow is
//! cancelled, or its time is up. A callback with the wrong path, a wrong or missing `state`, or
//! another issuer is refused and the listener keeps waiting, so nobody but the browser that was
//! sent to the vendor can finish (or end) the flow. Pages it shows load nothing and send no
//! referrer.

use super::callback::{Awaited, Callback, Verdict};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

/// A request's head (request line and headers) may be this long, and must have arrived this
/// soon after the connection was accepted; a browser sends it at once.
const HEAD_LIMIT: usize = 16 * 1024;
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Connections being read at once; more are closed at once (the browser's is among the first).
const READERS: usize = 16;
/// How often the accept loop looks at the flow: a cancel or deadline closes the port this soon.
const TICK: Duration = Duration::from_millis(20);

pub(crate) struct CallbackListener {
    listener: TcpListener,
    slug: String,
}

/// A connection whose request head was read (or given up on) by its reader thread.
struct Arrived {
    stream: TcpStream,
    /// The request target (`/callback/…?…`), or None when the head was too long, too slow or
    /// not HTTP.
    target: Option<String>,
}

impl CallbackListener {
    pub(crate) fn bind(slug: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        Ok(CallbackListener {
            listener,
            slug: slug.to_string(),
        })
    }

    pub(crate) fn redirect_uri(&self) -> String {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        format!("http://127.0.0.1:{port}/callback/{}", self.slug)
    }

    /// Serves callbacks until one carries `state` (and `issuer`, when given). Each connection
    /// is read on a thread of its own, so a client that trickles bytes or sends nothing holds
    /// only itself; the loop answers what has arrived and closes the port (returning drops the
    /// listener) within a tick of a cancel or the deadline.
    pub(crate) fn wait(self, awaited: &Awaited<'_>) -> Callback {
        let (arrivals, arrived) = mpsc::channel();
        let mut reading = 0usize;
        loop {
            if let Some(ended) = awaited.given_up() {
                return ended;
            }
            while let Ok(request) = arrived.try_recv() {
                reading -= 1;
                if let Some(done) = self.answer(request, awaited) {
                    return done;
                }
            }
            match self.listener.accept() {
                Ok((stream, _)) if reading < READERS => {
                    reading += 1;
                    read_head_apart(stream, arrivals.clone());
                }
                // Too many at once: this one is closed unread.
                Ok(_) => {}
                // Nothing to accept: wait a tick, or less if a reader is done meanwhile.
                Err(_) => {
                    if let Ok(request) = arrived.recv_timeout(TICK) {
                        reading -= 1;
                        if let Some(done) = self.answer(request, awaited) {
                            return done;
                        }
                    }
                }
            }
        }
    }

    fn answer(&self, request: Arrived, awaited: &Awaited<'_>) -> Option<Callback> {
        let Arrived { mut stream, target } = request;
        // A client that reads nothing cannot hold the loop: a page is far smaller than a
        // socket's buffer, and the write gives up after this.
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let Some(target) = target else {
            respond(
                &mut stream,
                "400 Bad Request",
                "Not understood",
                "This address expects one short request.",
            );
            return None;
        };
        let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok();
        let Some(url) = url.filter(|u| u.path() == format!("/callback/{}", self.slug)) else {
            respond(
                &mut stream,
                "404 Not Found",
                "Nothing here",
                "This address expects one thing only.",
            );
            return None;
        };
        let (status, title, text) = match awaited.judge(&url) {
            Verdict::WrongState => (
                "400 Bad Request",
                "Not this sign-in",
                "This sign-in was not started here, or it has already finished.",
            ),
            Verdict::WrongIssuer => (
                "400 Bad Request",
                "Wrong sign-in server",
                "The answer came from another server than the one the app asked.",
            ),
            Verdict::Incomplete => return None,
            Verdict::Ends(ended) => {
                let title = match ended {
                    Callback::Refused(_) => "Access was not granted",
                    _ => "Signed in",
                };
                respond(
                    &mut stream,
                    "200 OK",
                    title,
                    "You can close this tab and return to SGEN Integrations.",
                );
                return Some(ended);
            }
        };
        respond(&mut stream, status, title, text);
        None
    }
}

/// Reads a request's head on a thread of its own, within the size and time bounds, and hands
/// it to the accept loop.
fn read_head_apart(stream: TcpStream, arrivals: Sender<Arrived>) {
    std::thread::spawn(move || {
        let target = read_target(&stream);
        // The loop may have ended (the flow did): then the connection just closes.
        let _ = arrivals.send(Arrived { stream, target });
    });
}

/// The request target of the head on `stream`, if a whole head arrives within the bounds.
fn read_target(mut stream: &TcpStream) -> Option<String> {
    let deadline = Instant::now() + HEAD_DEADLINE;
    stream.set_nonblocking(false).ok()?;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.checked_duration_since(Instant::now())?;
        stream.set_read_timeout(Some(left)).ok()?;
        let n = stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
        head.extend_from_slice(&chunk[..n]);
        if head.len() > HEAD_LIMIT {
            return None;
        }
    }
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_string)
}

fn respond(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:16px system-ui,sans-serif;max-width:30rem;margin:4rem auto}}</style></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Referrer-Policy: no-referrer\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{SocketAddr, UdpSocket};
    use std::sync::atomic::AtomicBool;
    use std::time::Instant;

    fn port(listener: &CallbackListener) -> u16 {
        listener.listener.local_addr().unwrap().port()
    }

    fn refused(address: SocketAddr) -> bool {
        TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err()
    }

    #[test]
    fn the_deadline_closes_the_port_within_a_second_while_a_client_trickles() {
        let listener = CallbackListener::bind("hubspot").unwrap();
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port(&listener)));
        let mut trickler = TcpStream::connect(address).unwrap();
        let deadline = Instant::now() + Duration::from_millis(300);
        let waiting = std::thread::spawn(move || {
            let cancelled = AtomicBool::new(false);
            let awaited = Awaited {
                state: "s",
                issuer: None,
                deadline,
                cancelled: &cancelled,
            };
            listener.wait(&awaited)
        });
        while Instant::now() < deadline + Duration::from_secs(1) && !waiting.is_finished() {
            let _ = trickler.write_all(b"G");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(waiting.join().unwrap(), Callback::TimedOut);
        assert!(
            refused(address),
            "the port is still open a second after the deadline"
        );
    }

    /// Bound to 127.0.0.1: from this computer's other addresses, nothing answers.
    #[test]
    fn the_listener_answers_on_loopback_only() {
        let listener = CallbackListener::bind("hubspot").unwrap();
        assert!(listener.listener.local_addr().unwrap().ip().is_loopback());
        // The address this computer would send from (no packet is sent to find it).
        let probe = UdpSocket::bind("0.0.0.0:0").unwrap();
        if probe.connect("192.0.2.1:9").is_ok() {
            let own = probe.local_addr().unwrap().ip();
            if !own.is_loopback() && !own.is_unspecified() {
                assert!(refused(SocketAddr::new(own, port(&listener))), "{own}");
            }
        }
    }
}
