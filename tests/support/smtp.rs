//! A small SMTP server on loopback for the notification tests: it speaks just enough SMTP
//! (220, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepts, and
//! can be told to refuse the next few with 451.

use base64::Engine;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    /// The message as it arrived (headers and MIME parts, still encoded).
    pub raw: String,
}

impl Mail {
    /// A header's value (the first with that name), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The subject, decoded when it is an RFC 2047 encoded word.
    pub fn subject(&self) -> String {
        let raw = self.header("Subject").unwrap_or_default();
        raw.split(' ')
            .map(|word| decode_word(word).unwrap_or_else(|| word.to_owned()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Each MIME part's content type and decoded body.
    pub fn parts(&self) -> Vec<(String, String)> {
        let mut parts = Vec::new();
        let content_type = self.header("Content-Type").unwrap_or_default();
        let Some(boundary) = content_type
            .split("boundary=")
            .nth(1)
            .map(|b| format!("\r\n--{}", b.trim_matches('"')))
        else {
            return parts;
        };
        for chunk in self.raw.split(boundary.as_str()) {
            let Some((head, body)) = chunk.split_once("\r\n\r\n") else {
                continue;
            };
            let head = head.to_lowercase();
            let Some(kind) = head
                .lines()
                .find_map(|l| l.strip_prefix("content-type:"))
                .map(|v| v.trim().to_owned())
            else {
                continue;
            };
            if kind.starts_with("multipart/") {
                continue;
            }
            let decoded = if head.contains("content-transfer-encoding: base64") {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .unwrap_or_default(),
                )
                .unwrap_or_default()
            } else if head.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable(body)
            } else {
                body.to_owned()
            };
            parts.push((kind, decoded));
        }
        parts
    }

    /// The decoded plain-text part.
    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    /// The decoded HTML part.
    pub fn html(&self) -> String {
        self.part("text/html")
    }

    fn part(&self, kind: &str) -> String {
        self.parts()
            .into_iter()
            .find(|(k, _)| k.starts_with(kind))
            .map(|(_, body)| body)
            .unwrap_or_default()
    }

    /// The link after `Unsubscribe: ` in the plain text.
    pub fn unsubscribe_link(&self) -> String {
        let text = self.text();
        let at = text
            .find("Unsubscribe: ")
            .unwrap_or_else(|| panic!("an unsubscribe link in {}", self.raw))
            + "Unsubscribe: ".len();
        text[at..]
            .split_whitespace()
            .next()
            .expect("a link")
            .to_owned()
    }
}

fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut pieces = inner.splitn(3, '?');
    let (_charset, encoding, text) = (pieces.next()?, pieces.next()?, pieces.next()?);
    match encoding {
        "B" | "b" => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()?,
        )
        .ok(),
        _ => Some(quoted_printable(&text.replace('_', " "))),
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The running sink.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    refuse: Arc<AtomicUsize>,
    /// Messages offered (DATA finished), accepted or not.
    pub offered: Arc<AtomicUsize>,
}

impl Sink {
    /// Starts a sink on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let sink = Self {
            port: listener.local_addr().expect("address").port(),
            mails: Arc::default(),
            refuse: Arc::default(),
            offered: Arc::default(),
        };
        let serving = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serving.clone().converse(socket));
            }
        });
        sink
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Answers the next `count` messages with 451.
    pub fn refuse_next(&self, count: usize) {
        self.refuse.store(count, Ordering::SeqCst);
    }

    /// Every message accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("mails").clone()
    }

    /// The messages accepted for `address`.
    pub fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    /// Waits until `done` holds of the accepted messages (at most 15 s).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        for _ in 0..300 {
            let mails = self.mails();
            if done(&mails) {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "timed out waiting for {what}; got {:#?}",
            self.mails()
                .iter()
                .map(|m| (&m.to, m.subject()))
                .collect::<Vec<_>>()
        );
    }

    async fn converse(self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        let _ = write.write_all(b"220 sink ESMTP\r\n").await;
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let command = line.trim_end().to_uppercase();
            let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                b"250 sink\r\n"
            } else if command.starts_with("RCPT TO:") {
                let address = line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned();
                to.push(address);
                b"250 OK\r\n"
            } else if command.starts_with("MAIL FROM:") || command == "RSET" || command == "NOOP" {
                if command == "RSET" {
                    to.clear();
                }
                b"250 OK\r\n"
            } else if command == "DATA" {
                let _ = write.write_all(b"354 go ahead\r\n").await;
                let mut raw = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    raw.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                self.offered.fetch_add(1, Ordering::SeqCst);
                let refused = self
                    .refuse
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if refused {
                    to.clear();
                    b"451 4.3.0 try again later\r\n"
                } else {
                    self.mails.lock().expect("mails").push(Mail {
                        to: std::mem::take(&mut to),
                        raw,
                    });
                    b"250 OK queued\r\n"
                }
            } else if command == "QUIT" {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"502 not implemented\r\n"
            };
            if write.write_all(reply).await.is_err() {
                return;
            }
        }
    }
}
