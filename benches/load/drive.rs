//! Load drivers: closed loop (N connections, each sending as fast as answers come back) and
//! open loop (a fixed rate, whatever the latency). Every answer is checked: a run with an
//! error panics instead of reporting a fast number.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Latencies of one run and how long it lasted.
pub struct Run {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`-th percentile (nearest rank), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted
            .get(rank.saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// What to send.
#[derive(Clone)]
pub struct Request {
    pub endpoint: String,
    pub token: String,
    pub body: Arc<Vec<u8>>,
    pub mutation: bool,
}

impl Request {
    async fn send(&self, http: &reqwest::Client) -> Duration {
        let started = Instant::now();
        let (status, bytes) = self.answer(http).await;
        let elapsed = started.elapsed();
        check(status, &bytes, self.mutation);
        elapsed
    }

    /// Sends the request once and returns the answer's status and body, unchecked.
    pub async fn answer(&self, http: &reqwest::Client) -> (reqwest::StatusCode, axum::body::Bytes) {
        let response = http
            .post(&self.endpoint)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(self.body.as_ref().clone())
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.bytes().await.expect("body"))
    }
}

/// Panics unless the answer is HTTP 200 with data, no errors and (for a mutation) no user
/// errors.
fn check(status: reqwest::StatusCode, body: &[u8], mutation: bool) {
    let text = String::from_utf8_lossy(body);
    let ok = status == reqwest::StatusCode::OK
        && text.starts_with("{\"data\"")
        && !text.contains("\"errors\":")
        && (!mutation || text.contains("\"userErrors\":[]"));
    assert!(ok, "failed request ({status}): {text}");
}

/// `connections` clients, each with one connection, sending back to back for `duration`.
pub async fn closed_loop(request: &Request, connections: usize, duration: Duration) -> Run {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let http = client();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    latencies.push(request.send(&http).await);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    Run {
        latencies,
        elapsed: started.elapsed(),
    }
}

/// Like [`closed_loop`], each connection taking the `requests` in turn (from its own offset,
/// so every kind runs at every moment). Returns the run and how many mutations were sent.
pub async fn closed_loop_mix(
    requests: &[Request],
    connections: usize,
    duration: Duration,
) -> (Run, usize) {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..connections)
        .map(|offset| {
            let requests = requests.to_vec();
            tokio::spawn(async move {
                let http = client();
                let (mut latencies, mut mutations) = (Vec::new(), 0);
                for request in requests.iter().cycle().skip(offset) {
                    if Instant::now() >= deadline {
                        break;
                    }
                    latencies.push(request.send(&http).await);
                    mutations += usize::from(request.mutation);
                }
                (latencies, mutations)
            })
        })
        .collect();
    let (mut latencies, mut mutations) = (Vec::new(), 0);
    for worker in workers {
        let (some, sent) = worker.await.expect("worker");
        latencies.extend(some);
        mutations += sent;
    }
    let run = Run {
        latencies,
        elapsed: started.elapsed(),
    };
    (run, mutations)
}

/// Requests started at a fixed `rate` per second for `duration`, each on its own task. Each
/// latency counts from when the request was due, so a request the busy machine starts late is
/// not reported as fast (no coordinated omission).
pub async fn fixed_rate(request: &Request, rate: u32, duration: Duration) -> Run {
    let http = client();
    let started = Instant::now();
    let period = Duration::from_secs(1) / rate;
    let mut ticks = tokio::time::interval(period);
    let mut sent = Vec::new();
    for n in 0.. {
        let due = started + period * n;
        if due - started >= duration {
            break;
        }
        ticks.tick().await;
        let (request, http) = (request.clone(), http.clone());
        sent.push(tokio::spawn(async move {
            request.send(&http).await;
            due.elapsed()
        }));
    }
    let mut latencies = Vec::new();
    for task in sent {
        latencies.push(task.await.expect("request task"));
    }
    Run {
        latencies,
        elapsed: started.elapsed(),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
