//! The Markdown tables `make bench` prints and docs/performance.md keeps.

use std::{collections::BTreeMap, fmt::Write};

use serde::Serialize;

use crate::{
    counting_proxy::{Counts, READ_UNITS_MILLI, WRITE_UNITS_MILLI},
    measure::{CallSample, RunSample},
    plan::Subject,
    stats::Summary,
};

/// Everything measured of one subject.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectResult {
    pub group: String,
    pub implementation: String,
    pub runs: Vec<RunSample>,
    pub calls: Option<CallSample>,
    pub error: Option<String>,
}

impl SubjectResult {
    pub fn new(subject: &Subject) -> Self {
        SubjectResult {
            group: subject.group.clone(),
            implementation: subject.implementation.clone(),
            runs: Vec::new(),
            calls: None,
            error: None,
        }
    }

    fn summary(&self, value: impl Fn(&RunSample) -> f64) -> Option<Summary> {
        Summary::of(&self.runs.iter().map(value).collect::<Vec<_>>())
    }

    fn warm_samples(&self) -> Vec<f64> {
        self.runs
            .iter()
            .flat_map(|r| r.warm_ms.iter().copied())
            .collect()
    }

    fn statuses(&self) -> String {
        let mut all: BTreeMap<&str, u32> = BTreeMap::new();
        for run in &self.runs {
            for (status, n) in &run.statuses {
                *all.entry(status).or_default() += n;
            }
        }
        all.iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn cold(&self) -> Option<Summary> {
        self.summary(|r| r.cold_ms)
    }
    fn cpu(&self) -> Option<Summary> {
        self.summary(|r| r.cpu_per_warm_ms)
    }
    fn rss(&self) -> Option<Summary> {
        self.summary(|r| r.peak_rss_kib as f64 / 1024.0)
    }
}

/// `12.3 (11.9–13.0)`
fn cell(summary: Option<Summary>, decimals: usize) -> String {
    match summary {
        Some(s) => format!(
            "{:.d$} ({:.d$}–{:.d$})",
            s.median,
            s.min,
            s.max,
            d = decimals
        ),
        None => "–".into(),
    }
}

fn ratio(numerator: Option<Summary>, denominator: Option<Summary>) -> String {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d.median > 0.0 => format!("{:.1}x", n.median / d.median),
        _ => "–".into(),
    }
}

fn calls(counts: &Counts) -> String {
    if counts.is_empty() {
        return "0".into();
    }
    counts
        .iter()
        .filter(|(op, _)| !op.contains('.'))
        .map(|(op, n)| format!("{n} {op}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The read and write units DynamoDB said a request consumed, when they were measured.
pub fn units(counts: &Counts) -> Option<(f64, f64)> {
    let milli = |key: &str| counts.get(key).map(|n| *n as f64 / 1000.0);
    match (milli(READ_UNITS_MILLI), milli(WRITE_UNITS_MILLI)) {
        (None, None) => None,
        (reads, writes) => Some((reads.unwrap_or(0.0), writes.unwrap_or(0.0))),
    }
}

/// On-demand prices (us-east-1), per million requests, for a warm request's units (as
/// DynamoDB measured them; else estimated from its calls) and its measured duration: HTTP API $1.00 per million requests (an authorizer runs inside a
/// request already counted), Lambda arm64 128 MB $0.20 per million plus $0.0000000017 per
/// billed ms, DynamoDB $0.125 per million read units (one per consistent read of up to
/// 4 KB) and $0.625 per million write units (two per transactional item of up to 1 KB,
/// one per plain write), Secrets Manager $0.05 per 10,000 calls.
pub fn cost_per_million(group: &str, warm_ms: f64, counts: &Counts) -> f64 {
    let n = |op: &str| counts.get(op).copied().unwrap_or(0) as f64;
    let (reads, writes) = units(counts).unwrap_or_else(|| {
        (
            n("GetItem") + n("Query") + n("BatchGetItem"),
            2.0 * n("TransactWriteItems.items") + n("PutItem") + n("UpdateItem") + n("DeleteItem"),
        )
    });
    let api = if group.contains("authorizer") {
        0.0
    } else {
        1.00
    };
    let lambda = 0.20 + warm_ms.ceil().max(1.0) * 0.0017;
    let secrets = n("GetSecretValue") * 5.0;
    api + lambda + reads * 0.125 + writes * 0.625 + secrets
}

pub fn markdown(results: &[SubjectResult], cold_runs: usize, warm: usize) -> String {
    let mut out = String::new();
    let baseline = results.iter().find(|r| r.implementation == "baseline");
    let _ = writeln!(
        out,
        "Medians of {cold_runs} cold starts (min–max), {warm} warm invocations after each.\n"
    );
    let _ = writeln!(out, "| handler | implementation | cold start ms | CPU per warm invocation ms | peak RSS MiB | cold ÷ hello | CPU ÷ hello | RSS ÷ hello |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    let compared: Vec<&str> = {
        let mut groups: Vec<&str> = results
            .iter()
            .filter(|r| r.implementation == "python")
            .map(|r| r.group.as_str())
            .collect();
        groups.dedup();
        groups
    };
    let row = |out: &mut String, r: &SubjectResult| {
        let base = |f: fn(&SubjectResult) -> Option<Summary>| {
            baseline.map_or("–".into(), |b| ratio(f(r), f(b)))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.group,
            r.implementation,
            cell(r.cold(), 1),
            cell(r.cpu(), 2),
            cell(r.rss(), 1),
            base(SubjectResult::cold),
            base(SubjectResult::cpu),
            base(SubjectResult::rss),
        );
    };
    if let Some(b) = baseline {
        row(&mut out, b);
    }
    for group in &compared {
        for r in results.iter().filter(|r| &r.group == group) {
            row(&mut out, r);
        }
        let rust = results
            .iter()
            .find(|r| &r.group == group && r.implementation == "rust");
        let python = results
            .iter()
            .find(|r| &r.group == group && r.implementation == "python");
        if let (Some(rust), Some(python)) = (rust, python) {
            let _ = writeln!(
                out,
                "| {group} | **Python ÷ Tessera** | **{}** | **{}** | **{}** | | | |",
                ratio(python.cold(), rust.cold()),
                ratio(python.cpu(), rust.cpu()),
                ratio(python.rss(), rust.rss()),
            );
        }
    }
    let _ = writeln!(out, "\nEvery function (Rust), on its event:\n");
    let _ = writeln!(out, "| function | statuses | init ms | cold start ms | warm p50 / p99 ms | CPU per warm invocation ms | peak RSS MiB | AWS calls at init | AWS calls per request (a warm one, or the first when only it succeeds) | DynamoDB read / write units per request | $ per million requests |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|");
    for r in results.iter().filter(|r| r.implementation != "python") {
        if let Some(error) = &r.error {
            let _ = writeln!(out, "| {} | FAILED: {error} | | | | | | | | | |", r.group);
            continue;
        }
        let warm = r.warm_samples();
        let p50 = Summary::quantile(&warm, 0.5).unwrap_or(f64::NAN);
        let p99 = Summary::quantile(&warm, 0.99).unwrap_or(f64::NAN);
        let (init_calls, request_calls, request_units, cost) = match &r.calls {
            Some(c) => {
                let (counts, first) = c.per_request();
                let mark = if first { " (first request)" } else { "" };
                (
                    calls(&c.init),
                    format!("{}{mark}", calls(counts)),
                    units(counts).map_or("–".into(), |(r, w)| format!("{r:.1} / {w:.1}")),
                    format!("{:.2}", cost_per_million(&r.group, p50, counts)),
                )
            }
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {p50:.2} / {p99:.2} | {} | {} | {init_calls} | {request_calls} | {request_units} | {cost} |",
            r.group,
            r.statuses(),
            cell(r.summary(|s| s.init_ms), 1),
            cell(r.cold(), 1),
            cell(r.cpu(), 2),
            cell(r.rss(), 1),
        );
    }
    for r in results
        .iter()
        .filter(|r| r.implementation == "python" && r.error.is_some())
    {
        let _ = writeln!(
            out,
            "\n{} (python) FAILED: {}",
            r.group,
            r.error.as_deref().unwrap_or("")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_counts_each_price_once() {
        let counts = Counts::from([
            ("GetItem".to_owned(), 1),
            ("TransactWriteItems".to_owned(), 1),
            ("TransactWriteItems.items".to_owned(), 3),
        ]);
        // 1.00 API + 0.20 + 2 ms * 0.0017 + 1 read * 0.125 + 6 write units * 0.625
        let cost = cost_per_million("create-access-token", 1.2, &counts);
        assert!(
            (cost - (1.0 + 0.2 + 0.0034 + 0.125 + 3.75)).abs() < 1e-9,
            "{cost}"
        );
        let authorizer = cost_per_million("authorizer", 0.4, &Counts::new());
        assert!((authorizer - 0.2017).abs() < 1e-9, "{authorizer}");
        // Measured units take the estimate's place: a 3 KB item's update is 3 write units.
        let measured = Counts::from([
            ("UpdateItem".to_owned(), 1),
            (WRITE_UNITS_MILLI.to_owned(), 3000),
            (READ_UNITS_MILLI.to_owned(), 1000),
        ]);
        let cost = cost_per_million("authorizer", 0.4, &measured);
        assert!(
            (cost - (0.2017 + 0.125 + 3.0 * 0.625)).abs() < 1e-9,
            "{cost}"
        );
    }
}
