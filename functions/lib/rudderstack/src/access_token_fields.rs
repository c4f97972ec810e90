//! The fields of an access token that POST /accessTokens and PATCH /accessTokens/{id}
//! accept, each checked with a 400 that names it (usage control's are in `usage`).

use tessera_common::{
    clock::secs_from_rfc3339,
    error::ApiError,
    limits::{self, MAX_ACCESS_TOKEN_NAME_CHARS as MAX_NAME_CHARS},
    AppState,
};

pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// `name`: not blank, no control characters, at most 100 characters.
pub fn name(name: String) -> Result<String, ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::bad_request("name must not be empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "name must not contain control characters",
        ));
    }
    if !limits::valid_name(&name, MAX_NAME_CHARS) {
        return Err(ApiError::bad_request(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name)
}

/// `description`: at most 1000 characters.
pub fn description(description: String) -> Result<String, ApiError> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_request(format!(
            "description must be at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(description)
}

/// `scopes`: as given, without repeats, each checked., without repeats, each checked.
pub fn scopes(mut scopes: Vec<String>) -> Result<Vec<String>, ApiError> {
    if let Some(bad) = scopes.iter().find(|s| !limits::valid_scope(s)) {
        return Err(ApiError::bad_request(format!(
            "scope {bad:?} is invalid: 1 to {} of A-Z a-z 0-9 : . _ / * -",
            limits::MAX_SCOPE_CHARS
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    scopes.retain(|scope| seen.insert(scope.clone()));
    if scopes.len() > limits::MAX_SCOPES {
        return Err(ApiError::bad_request(format!(
            "scopes must be at most {} strings",
            limits::MAX_SCOPES
        )));
    }
    Ok(scopes)
}

/// `expiresAt`: RFC 3339, in the future, within the deployment's longest lifetime.
pub fn expiry(text: &str, state: &AppState) -> Result<u64, ApiError> {
    let at = secs_from_rfc3339(text).ok_or_else(|| {
        ApiError::bad_request("expiresAt must be an RFC 3339 date-time, e.g. 2027-01-31T00:00:00Z")
    })?;
    let now = state.clock.now_secs();
    let longest = state.max_access_token_lifetime.as_secs();
    if at <= now {
        return Err(ApiError::bad_request("expiresAt must be in the future"));
    }
    if at > now + longest {
        return Err(ApiError::bad_request(format!(
            "expiresAt must be within {} days",
            longest / 86400
        )));
    }
    Ok(at)
}
