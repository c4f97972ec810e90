//! What to measure: one line per subject, tab-separated:
//! `group  implementation  event-file  command...` (the command split on spaces).
//! Lines that start with `#` are comments. Subjects of one group are compared.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// What the subject does (a Tessera function's name; `hello-world` for the baseline).
    pub group: String,
    /// `rust`, `python` or `baseline`.
    pub implementation: String,
    pub event: PathBuf,
    pub command: Vec<String>,
}

impl Subject {
    pub fn label(&self) -> String {
        format!("{} ({})", self.group, self.implementation)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("plan line {line}: {reason}")]
pub struct PlanError {
    pub line: usize,
    pub reason: String,
}

pub fn parse(text: &str) -> Result<Vec<Subject>, PlanError> {
    let mut subjects = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let error = |reason: &str| PlanError {
            line: index + 1,
            reason: reason.to_owned(),
        };
        let [group, implementation, event, command] = fields[..] else {
            return Err(error(
                "expected 4 tab-separated fields: group, implementation, event, command",
            ));
        };
        let command: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        if command.is_empty() {
            return Err(error("the command is empty"));
        }
        subjects.push(Subject {
            group: group.to_owned(),
            implementation: implementation.to_owned(),
            event: PathBuf::from(event),
            command,
        });
    }
    Ok(subjects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_subjects_and_skips_comments() {
        let plan = "# comment\n\nlist\trust\tevents/a.json\ttarget/release/list --flag\n";
        let subjects = parse(plan).unwrap();
        assert_eq!(subjects.len(), 1);
        assert_eq!(subjects[0].group, "list");
        assert_eq!(subjects[0].command, ["target/release/list", "--flag"]);
    }

    #[test]
    fn a_short_line_says_which() {
        let err = parse("ok\trust\te.json\tcmd\nbad\trust\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
