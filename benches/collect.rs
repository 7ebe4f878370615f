//! Benchmark of `vetted collect`'s fetch layer: `cargo bench --bench collect`.
//!
//! 50 evidence URLs on a local HTTPS server (wiremock behind the tests' TLS
//! front) that answers each after 200 ms, fetched through the real
//! `HttpFetcher` at concurrency 8. The ideal is ceil(50 / 8) x 0.2 s = 1.4 s;
//! the target is within 1.3 times that. Prints the median of five runs.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use url::Url;
use vetted::evidence::collect::{Collector, Job, Quiet, fetch_all};
use vetted::evidence::fetch::HttpFetcher;
use wiremock::{Mock, MockServer, ResponseTemplate};

const URLS: usize = 50;
const CONCURRENCY: usize = 8;
const DELAY: Duration = Duration::from_millis(200);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok").set_delay(DELAY))
            .mount(&server)
            .await;
        let front = support::tls_front(*server.address()).await;
        let jobs: Vec<Job> = (0..URLS)
            .map(|i| Job {
                collector: Collector::Website,
                url: Url::parse(&front.url(&format!("/evidence/{i}"))).unwrap(),
                body: true,
                repository: None,
            })
            .collect();
        let mut runs = Vec::new();
        for _ in 0..5 {
            // A fresh client each run, so connection set-up is measured too.
            let fetcher = HttpFetcher::new(front.options()).unwrap();
            let start = Instant::now();
            let results = fetch_all(&fetcher, jobs.clone(), CONCURRENCY, &mut Quiet).await;
            runs.push(start.elapsed());
            assert!(results.iter().all(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200)));
        }
        runs.sort();
        let median = runs[runs.len() / 2];
        let ideal = DELAY * URLS.div_ceil(CONCURRENCY) as u32;
        let ratio = median.as_secs_f64() / ideal.as_secs_f64();
        println!(
            "collect: {URLS} URLs x {DELAY:?} at concurrency {CONCURRENCY}: median {median:.3?} (runs {runs:.3?}); ideal {ideal:?}; {ratio:.3}x ideal (target <= 1.3x): {}",
            if ratio <= 1.3 { "met" } else { "MISSED" }
        );
    });
}
