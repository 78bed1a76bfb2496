//! The loopback listener the browser returns to: `http://127.0.0.1:{port}/callback/{slug}`,
//! bound to loopback only, answering until the one valid callback arrives, the flow is
//! cancelled, or its time is up. A callback with the wrong path, a wrong or missing `state`, or
//! another issuer is refused and the listener keeps waiting, so nobody but the browser that was
//! sent to the vendor can finish (or end) the flow. Pages it shows load nothing and send no
//! referrer.

use super::callback::{Awaited, Callback, Verdict};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

pub(crate) struct CallbackListener {
    listener: TcpListener,
    slug: String,
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

    /// Serves callbacks until one carries `state` (and `issuer`, when given).
    pub(crate) fn wait(self, awaited: &Awaited<'_>) -> Callback {
        loop {
            if let Some(ended) = awaited.given_up() {
                return ended;
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(done) = self.answer(stream, awaited) {
                        return done;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn answer(&self, mut stream: TcpStream, awaited: &Awaited<'_>) -> Option<Callback> {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut request_line = String::new();
        BufReader::new(&stream).read_line(&mut request_line).ok()?;
        let target = request_line.split_whitespace().nth(1).unwrap_or("");
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
