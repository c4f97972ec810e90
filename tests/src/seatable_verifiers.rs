//! SeaTable's own JWT verifiers, run as separate programs: PyJWT as dtable-events calls it
//! (`jwt.decode(token, key, algorithms=["HS256"])`) and Node's `jsonwebtoken.verify(token,
//! key)`. `make test` installs both (`infra/scripts/install.sh`).

use std::{
    collections::BTreeMap,
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verifier {
    PyJwt,
    NodeJsonwebtoken,
}

impl Verifier {
    pub const ALL: [Verifier; 2] = [Verifier::PyJwt, Verifier::NodeJsonwebtoken];

    fn command(self) -> Command {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let tools = root.join(".tessera/tools");
        let (program, script) = match self {
            Verifier::PyJwt => (tools.join("venv/bin/python"), "pyjwt_verify.py"),
            Verifier::NodeJsonwebtoken => (PathBuf::from("node"), "node_verify.js"),
        };
        let mut command = Command::new(program);
        command
            .arg(root.join("tests/verifiers").join(script))
            .env("NODE_PATH", tools.join("verifiers/node_modules"));
        command
    }
}

/// One token's outcome under a verifier.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub error: Option<String>,
    pub claims: Value,
}

/// Verifies each named token with `key` under `verifier`, whose clock runs `clock_offset`
/// seconds off the issuer's (negative: behind).
pub fn verify(
    verifier: Verifier,
    key: &str,
    clock_offset: i64,
    tokens: &BTreeMap<String, String>,
) -> BTreeMap<String, Outcome> {
    let mut child = verifier
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| {
            panic!("{verifier:?} did not start ({err}); run `make test`, which installs it")
        });
    let request = json!({ "key": key, "clock_offset": clock_offset, "tokens": tokens });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{verifier:?} failed: {output:?}");
    let answers: BTreeMap<String, Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{verifier:?} printed no JSON ({err}): {output:?}"));
    answers
        .into_iter()
        .map(|(name, answer)| {
            let outcome = Outcome {
                ok: answer["ok"] == json!(true),
                error: answer["error"].as_str().map(str::to_owned),
                claims: answer["claims"].clone(),
            };
            (name, outcome)
        })
        .collect()
}
