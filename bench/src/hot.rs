//! The hot-token simulation (issue 28): one token verified by many processes at once, each
//! a container with its own state, as fast as they go for a while. The counting proxy
//! records which partition keys the verifications read and write; the report says how much
//! of the traffic the hottest key takes, and what that share comes to at 10,000
//! verifications a second against DynamoDB's per-partition limits (3,000 read units and
//! 1,000 write units a second; a token's lookup and meter items are under 4 KB and 1 KB,
//! so each read or write of them is one unit).

use std::{
    collections::BTreeMap,
    fmt::Write,
    time::{Duration, Instant},
};

use serde::Serialize;

use crate::{
    counting_proxy::{KeyCounts, KeyUse},
    measure::{read_event, start, status_of, Options, Proxies, RunError},
    plan::Subject,
};

/// The rate the report projects the hottest key's share to.
pub const TARGET_PER_SEC: f64 = 10_000.0;
const PARTITION_READS_PER_SEC: f64 = 3_000.0;
const PARTITION_WRITES_PER_SEC: f64 = 1_000.0;

/// What one simulation did.
#[derive(Debug, Clone, Serialize)]
pub struct HotRun {
    pub label: String,
    pub processes: usize,
    pub seconds: f64,
    pub verifications: u64,
    /// The verify API's `code` (or the status, for another answer) of each verification.
    pub codes: BTreeMap<String, u64>,
    /// Item reads and writes by partition key, during the run.
    pub keys: KeyCounts,
}

/// The verify API's `code` in a function's answer, else its status.
fn code_of(body: &hyper::body::Bytes, error: bool) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|answer| answer["body"].as_str().map(str::to_owned))
        .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok())
        .and_then(|body| body["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| status_of(body, error))
}

/// Starts `processes` of the subject with `env`, drives each with the subject's event as
/// fast as it answers for `duration`, and counts what they did.
pub async fn drive(
    subject: &Subject,
    proxies: &Proxies,
    options: &Options<'_>,
    processes: usize,
    duration: Duration,
    env: &[(String, String)],
) -> Result<HotRun, RunError> {
    let event = read_event(&subject.event)?;
    let mut running = Vec::with_capacity(processes);
    for i in 0..processes {
        let one = Subject {
            group: format!("{}-{i}", subject.group),
            ..subject.clone()
        };
        let mut process = start(&one, options, Some(proxies), env).await?;
        process.ready(&one.label(), options.timeout).await?;
        running.push((one.label(), process));
    }
    let before = proxies.dynamodb.keys();
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = running
        .into_iter()
        .map(|(label, mut process)| {
            let (event, timeout) = (event.clone(), options.timeout);
            tokio::spawn(async move {
                let mut codes: BTreeMap<String, u64> = BTreeMap::new();
                while Instant::now() < deadline {
                    process.api.push(event.clone());
                    let (_, body, error) = process.answer_body(&label, timeout).await?;
                    *codes.entry(code_of(&body, error)).or_default() += 1;
                    process.ready(&label, timeout).await?;
                }
                let _ = process.child.kill().await;
                Ok::<_, RunError>(codes)
            })
        })
        .collect();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        let done = task
            .await
            .map_err(|err| RunError::Io(std::io::Error::other(err)))??;
        for (code, n) in done {
            *codes.entry(code).or_default() += n;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = proxies.dynamodb.keys();
    let keys = after
        .into_iter()
        .map(|(key, used)| {
            let was = before.get(&key).copied().unwrap_or_default();
            let used = KeyUse {
                reads: used.reads - was.reads,
                writes: used.writes - was.writes,
            };
            (key, used)
        })
        .filter(|(_, used)| used.reads + used.writes > 0)
        .collect();
    Ok(HotRun {
        label: subject.group.clone(),
        processes,
        seconds,
        verifications: codes.values().sum(),
        codes,
        keys,
    })
}

/// The hottest key by `count` and its share of all of them: `(key, its count, share)`.
fn hottest(keys: &KeyCounts, count: impl Fn(&KeyUse) -> u64) -> Option<(&str, u64, f64)> {
    let total: u64 = keys.values().map(&count).sum();
    let (key, used) = keys.iter().max_by_key(|(_, used)| count(used))?;
    (total > 0).then(|| (key.as_str(), count(used), count(used) as f64 / total as f64))
}

/// A key as the report names it: the kind of item, without the ids.
fn kind_of(key: &str) -> String {
    match key.split_once('#') {
        Some(("METER", rest)) if rest.contains('#') => "METER#<id>#<shard>".into(),
        Some((kind, _)) => format!("{kind}#…"),
        None => key.to_owned(),
    }
}

/// The report's table: one row per run.
pub fn markdown(runs: &[HotRun]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| scenario | processes | verifications/s here | codes | item reads / writes per verification | hottest key: reads (share) | hottest key: writes (share) | that key at {:.0}/s: reads/s, writes/s |",
        TARGET_PER_SEC
    );
    let _ = writeln!(out, "|---|---:|---:|---|---:|---|---|---|");
    for run in runs {
        let n = run.verifications.max(1) as f64;
        let reads: u64 = run.keys.values().map(|k| k.reads).sum();
        let writes: u64 = run.keys.values().map(|k| k.writes).sum();
        let describe = |hot: Option<(&str, u64, f64)>| match hot {
            Some((key, _, share)) => format!("{} ({:.1}%)", kind_of(key), share * 100.0),
            None => "–".into(),
        };
        let hot_reads = hottest(&run.keys, |k| k.reads);
        let hot_writes = hottest(&run.keys, |k| k.writes);
        let at_target = |hot: Option<(&str, u64, f64)>, limit: f64| match hot {
            Some((_, count, _)) => {
                let rate = count as f64 / n * TARGET_PER_SEC;
                let verdict = if rate <= limit { "within" } else { "over" };
                format!("{rate:.0} ({verdict} {limit:.0})")
            }
            None => "0".into(),
        };
        let codes = run
            .codes
            .iter()
            .map(|(code, k)| format!("{code}×{k}"))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {:.2} / {:.2} | {} | {} | {}, {} |",
            run.label,
            run.processes,
            n / run.seconds,
            codes,
            reads as f64 / n,
            writes as f64 / n,
            describe(hot_reads),
            describe(hot_writes),
            at_target(hot_reads, PARTITION_READS_PER_SEC),
            at_target(hot_writes, PARTITION_WRITES_PER_SEC),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hottest_key_and_its_share_at_the_target_rate() {
        let keys = KeyCounts::from([
            (
                "TOKEN#abc".to_owned(),
                KeyUse {
                    reads: 100,
                    writes: 0,
                },
            ),
            (
                "METER#t".to_owned(),
                KeyUse {
                    reads: 25,
                    writes: 25,
                },
            ),
            (
                "METER#t#1".to_owned(),
                KeyUse {
                    reads: 25,
                    writes: 75,
                },
            ),
        ]);
        assert_eq!(hottest(&keys, |k| k.writes), Some(("METER#t#1", 75, 0.75)));
        let run = HotRun {
            label: "hot".into(),
            processes: 2,
            seconds: 1.0,
            verifications: 100,
            codes: BTreeMap::from([("VALID".to_owned(), 100)]),
            keys,
        };
        let table = markdown(&[run]);
        // 100 reads of the lookup per 100 verifications: 10,000 a second, over 3,000;
        // 75 writes of one shard: 7,500 a second, over 1,000.
        assert!(table.contains("TOKEN#… (66.7%)"), "{table}");
        assert!(
            table.contains("10000 (over 3000), 7500 (over 1000)"),
            "{table}"
        );
    }
}
