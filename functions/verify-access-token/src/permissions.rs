//! Permission queries: names joined by `AND` and `OR`, grouped by parentheses (`AND` binds
//! tighter), e.g. `docs.read AND (billing.read OR admin)`. A token's scopes are its
//! permissions; a scope ending in `.*` grants every permission under it (`docs.*` grants
//! `docs.read` and `docs.drafts.write`, not `docs`). Queries are bounded: 1000
//! characters and 10 levels of parentheses.

use tessera_common::limits;

pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_DEPTH: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Permission(String),
    And(Vec<Query>),
    Or(Vec<Query>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Name(String),
    And,
    Or,
    Open,
    Close,
}

/// Why a query is malformed, and at which character (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("permissions: {reason} at character {at}")]
pub struct QueryError {
    pub reason: String,
    pub at: usize,
}

fn error(reason: impl Into<String>, at: usize) -> QueryError {
    QueryError {
        reason: reason.into(),
        at,
    }
}

fn tokens(text: &str) -> Result<Vec<(Token, usize)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push((Token::Open, i + 1));
                i += 1;
            }
            ')' => {
                out.push((Token::Close, i + 1));
                i += 1;
            }
            _ if is_name_char(c) => {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.as_str() {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    _ if limits::valid_scope(&word) => Token::Name(word),
                    _ => {
                        return Err(error(
                            format!(
                                "{word:?} is not a permission name (at most {} characters)",
                                limits::MAX_SCOPE_CHARS
                            ),
                            start + 1,
                        ))
                    }
                };
                out.push((token, start + 1));
            }
            _ => return Err(error(format!("unexpected {c:?}"), i + 1)),
        }
    }
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '/' | '*' | '-')
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(token, _)| token)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(_, at)| *at)
    }

    fn or(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut terms = vec![self.and(depth)?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            terms.push(self.and(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Query::Or(terms)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut terms = vec![self.atom(depth)?];
        while self.peek() == Some(&Token::And) {
            self.next += 1;
            terms.push(self.atom(depth)?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Query::And(terms)
        })
    }

    fn atom(&mut self, depth: usize) -> Result<Query, QueryError> {
        let at = self.position();
        match self.tokens.get(self.next).map(|(token, _)| token.clone()) {
            Some(Token::Name(name)) => {
                self.next += 1;
                Ok(Query::Permission(name))
            }
            Some(Token::Open) => {
                if depth == MAX_DEPTH {
                    return Err(error(
                        format!("more than {MAX_DEPTH} levels of parentheses"),
                        at,
                    ));
                }
                self.next += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(error("expected \")\"", self.position()));
                }
                self.next += 1;
                Ok(inner)
            }
            Some(Token::And | Token::Or) => Err(error(
                "expected a permission name or \"(\", not an operator",
                at,
            )),
            Some(Token::Close) => Err(error("expected a permission name or \"(\", not \")\"", at)),
            None => Err(error("expected a permission name or \"(\"", at)),
        }
    }
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let length = text.chars().count();
        if length > MAX_QUERY_CHARS {
            return Err(error(
                format!("longer than {MAX_QUERY_CHARS} characters"),
                MAX_QUERY_CHARS + 1,
            ));
        }
        let mut parser = Parser {
            tokens: tokens(text)?,
            next: 0,
            end: length + 1,
        };
        let query = parser.or(0)?;
        if parser.next < parser.tokens.len() {
            return Err(error("expected AND, OR or the end", parser.position()));
        }
        Ok(query)
    }

    /// Whether `scopes` grant what the query asks.
    pub fn allows(&self, scopes: &[String]) -> bool {
        match self {
            Query::Permission(name) => scopes.iter().any(|scope| grants(scope, name)),
            Query::And(terms) => terms.iter().all(|term| term.allows(scopes)),
            Query::Or(terms) => terms.iter().any(|term| term.allows(scopes)),
        }
    }
}

fn grants(scope: &str, permission: &str) -> bool {
    scope == permission
        || scope
            .strip_suffix('*')
            .filter(|prefix| prefix.ends_with('.'))
            .is_some_and(|prefix| permission.starts_with(prefix) && permission.len() > prefix.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(query: &str, scopes: &[&str]) -> bool {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        Query::parse(query).unwrap().allows(&scopes)
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(
            Query::parse("a OR b AND c").unwrap(),
            Query::Or(vec![
                Query::Permission("a".into()),
                Query::And(vec![
                    Query::Permission("b".into()),
                    Query::Permission("c".into())
                ]),
            ])
        );
        assert!(allows("a OR b AND c", &["a"]));
        assert!(!allows("(a OR b) AND c", &["a"]));
        assert!(allows("(a OR b) AND c", &["b", "c"]));
    }

    #[test]
    fn a_wildcard_scope_grants_what_is_under_it() {
        assert!(allows("docs.read", &["docs.*"]));
        assert!(allows("docs.drafts.write", &["docs.*"]));
        assert!(!allows("docs", &["docs.*"]));
        assert!(!allows("docsx.read", &["docs.*"]));
        assert!(!allows("docs.read", &["docs.write"]));
        // `*` in a query is a name like any other, not a wildcard.
        assert!(!allows("docs.*", &["docs.read"]));
        assert!(allows("docs.*", &["docs.*"]));
    }

    #[test]
    fn malformed_queries_say_where() {
        for (query, at, says) in [
            ("", 1, "expected a permission name"),
            ("a AND", 6, "expected a permission name"),
            ("a b", 3, "expected AND, OR or the end"),
            ("(a OR b", 8, "expected \")\""),
            ("a) ", 2, "expected AND, OR or the end"),
            ("AND a", 1, "not an operator"),
            ("a & b", 3, "unexpected '&'"),
            ("a OR ()", 7, "not \")\""),
        ] {
            let err = Query::parse(query).unwrap_err();
            assert_eq!(err.at, at, "{query:?}: {err}");
            assert!(err.to_string().contains(says), "{query:?}: {err}");
        }
    }

    #[test]
    fn queries_are_bounded() {
        let ten = format!("{}a{}", "(".repeat(10), ")".repeat(10));
        assert!(Query::parse(&ten).is_ok());
        let eleven = format!("{}a{}", "(".repeat(11), ")".repeat(11));
        assert!(Query::parse(&eleven).unwrap_err().reason.contains("levels"));
        let long = vec!["a"; 501].join(" OR ");
        assert!(long.len() > MAX_QUERY_CHARS);
        assert!(Query::parse(&long).unwrap_err().reason.contains("longer"));
        let too_long_name = "a".repeat(limits::MAX_SCOPE_CHARS + 1);
        assert!(Query::parse(&too_long_name).is_err());
    }

    proptest::proptest! {
        #[test]
        fn properties_no_query_panics(query in ".{0,200}") {
            let _ = Query::parse(&query).map(|q| q.allows(&["a".into(), "b.*".into()]));
        }
    }
}
