//! A webhook receiver on loopback, started by a test: it keeps every request and answers
//! each as the test's script says.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `webhook-id` header.
    pub fn id(&self) -> &str {
        self.header("webhook-id")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// Whether one of the `webhook-signature` entries is the Standard Webhooks signature of
    /// this request under `secret`, computed here independently of the server's code.
    pub fn signed_by(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .expect("base64");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
        let content = format!(
            "{}.{}.{}",
            self.id(),
            self.header("webhook-timestamp"),
            self.body
        );
        mac.update(content.as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signatures().contains(&expected.as_str())
    }

    /// The space-separated entries of `webhook-signature`.
    pub fn signatures(&self) -> Vec<&str> {
        self.header("webhook-signature").split(' ').collect()
    }
}

/// How the receiver answers a request.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// A status with a `Retry-After` of this many seconds.
    RetryAfter(u16, u64),
    /// A redirect to this path of the receiver.
    Redirect(&'static str),
    /// Never answers.
    Hang,
}

type Script = Box<dyn Fn(usize, &Received) -> Answer + Send + Sync>;

/// The receiver: its URL, and what it got.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// A receiver answering 204 to everything.
    pub async fn start() -> Self {
        Self::answering(|_, _| Answer::Status(204)).await
    }

    /// A receiver answering the `n`-th request (from 0) as `script` says.
    pub async fn answering(
        script: impl Fn(usize, &Received) -> Answer + Send + Sync + 'static,
    ) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(Box::new(script));
        let (kept, answers) = (received.clone(), script.clone());
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let (kept, answers) = (kept.clone(), answers.clone());
            async move { answer(kept, answers, uri, headers, body).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { url, received }
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("requests").clone()
    }

    /// Waits until `done` holds for the requests so far (at most `limit`), and returns them.
    pub async fn wait_until(
        &self,
        limit: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let received = self.received();
            if done(&received) || Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until at least `count` requests came.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        self.wait_until(Duration::from_secs(30), |r| r.len() >= count)
            .await
    }
}

async fn answer(
    kept: Arc<Mutex<Vec<Received>>>,
    script: Arc<Script>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Received {
        at: Instant::now(),
        path: uri.path().to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let answer = {
        let mut kept = kept.lock().expect("requests");
        let answer = script(kept.len(), &request);
        kept.push(request);
        answer
    };
    let status = |code: u16| StatusCode::from_u16(code).expect("a status");
    match answer {
        Answer::Status(code) => (status(code), "answered by the test receiver").into_response(),
        Answer::RetryAfter(code, seconds) => (
            status(code),
            [("retry-after", seconds.to_string())],
            "later",
        )
            .into_response(),
        Answer::Redirect(path) => (StatusCode::FOUND, [("location", path)], "").into_response(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::NO_CONTENT.into_response()
        }
    }
}
