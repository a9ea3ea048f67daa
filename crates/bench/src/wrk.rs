//! Running wrk (Debian package `wrk`) and reading its report.

use anyhow::{Context, bail};
use std::process::Command;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
}

/// Loads `url` with `connections` for `seconds`, sending `headers`.
pub fn run(url: &str, connections: u32, seconds: u32, headers: &[String]) -> anyhow::Result<Run> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        "2",
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    let out = cmd
        .arg(url)
        .output()
        .context("run wrk (install the Debian package wrk)")?;
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

fn parse(report: &str) -> anyhow::Result<Run> {
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut non_2xx = 0;
    for line in report.lines() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().ok();
        } else if let Some(v) = t.strip_prefix("50%") {
            p50 = duration_ms(v.trim());
        } else if let Some(v) = t.strip_prefix("99%") {
            p99 = duration_ms(v.trim());
        } else if let Some(v) = t.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = v.trim().parse().unwrap_or(0);
        }
    }
    match (rps, p50, p99) {
        (Some(requests_per_s), Some(p50_ms), Some(p99_ms)) => Ok(Run {
            requests_per_s,
            p50_ms,
            p99_ms,
            non_2xx,
        }),
        _ => bail!("could not read wrk's report:\n{report}"),
    }
}

/// "1.23ms", "456.00us", "1.02s" as milliseconds.
fn duration_ms(v: &str) -> Option<f64> {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    num.trim().parse::<f64>().ok().map(|x| x * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_reports() {
        let report = "  Latency Distribution\n     50%  612.00us\n     75%    1.10ms\n     90%    2.00ms\n     99%    4.50ms\n  120000 requests in 10.00s, 1.00GB read\nRequests/sec:  12000.50\nTransfer/sec:    100.00MB\n";
        let run = parse(report).unwrap();
        assert_eq!(run.requests_per_s, 12000.5);
        assert!((run.p50_ms - 0.612).abs() < 1e-9);
        assert_eq!(run.p99_ms, 4.5);
        assert!(parse("garbage").is_err());
    }
}
