//! Times the normaliser natively on a large generated body: `cargo run --release --example normalize_bench [jobs]`.
use std::time::Instant;
use yunxiao_pipeline_jobs::core::normalize::normalize_success;

fn main() {
    let count: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut body = String::from(r#"{"requestId":"R","success":true,"errorCode":"","errorMessage":"","jobs":["#);
    for i in 0..count {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"jobName":"部署到生产环境 {i}","identifier":"deploy_prod_{i}","lastJobId":{},"lastJobParams":"{{\"branch\":\"release/{i}\",\"env\":\"prod\",\"replicas\":3,\"tags\":[\"a\",\"b\"]}}"}}"#,
            1_000_000 + i
        ));
    }
    body.push_str("]}");
    let start = Instant::now();
    let mut total = 0;
    for _ in 0..5 {
        total += normalize_success(body.as_bytes(), 200, None).map(|n| n.job_count).unwrap_or(0);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / 5.0;
    println!(
        "{count} jobs, {} bytes: {ms:.1} ms per normalisation ({:.0} MB/s), {total}",
        body.len(),
        body.len() as f64 / ms / 1000.0
    );
}
