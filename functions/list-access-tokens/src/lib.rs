//! GET /accessTokens: every access token of the caller's workspace, as a bare JSON array
//! of the seed's `{name, description, userId}` with `id`, `createdAt`, `expiresAt`, `scopes`,
//! `lastUsedAt`, the usage control (`enabled`, `ratelimit`, `credits` with what remains now,
//! `meta`, `externalId`) and, for a token rerolled and in its grace period, `rerolledTo`.
//! Never the token or its digest. `?externalId=` keeps the tokens of one owner. A listing
//! larger than one Lambda response comes in pages (`page`): `?cursor=` and `?limit=`.

mod page;

use lambda_http::{
    http::{header::LINK, HeaderValue, StatusCode},
    Body, Request, Response,
};
use tessera_common::{
    http::{json_response, query_param},
    lambda::Function,
    store::{keys, records::AccessToken},
    ApiError, AppState,
};
use tessera_rudderstack::{self as rudderstack, ListedToken};

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    rudderstack::respond(list(state, &req).await)
}

async fn list(state: &AppState, req: &Request) -> Result<Response<Body>, ApiError> {
    let caller = rudderstack::authenticate(&state.store, req.headers()).await?;
    let now = state.clock.now_secs();
    let external_id = query_param(req, "externalId");
    let limit = query_param(req, "limit");
    let paging = page::Paging::parse(query_param(req, "cursor").as_deref(), limit.as_deref())?;
    let records = state.store.access_tokens(&caller.workspace_id).await?;
    let entries: Vec<(String, ListedToken)> = records
        .iter()
        // A rerolled token whose grace is over waits only to be purged.
        .filter(|token| !token.grace_ended(now))
        .filter(|token| external_id.is_none() || token.external_id == external_id)
        .map(|token| {
            let sk = keys::access_token_sk(&token.name, &token.id);
            (
                sk,
                ListedToken::new(with_balance_of_successor(token, &records), now),
            )
        })
        .collect();
    let (tokens, next) = page::page(entries, &paging);
    let mut response = json_response(StatusCode::OK, &tokens);
    if let Some(after) = next {
        // A relative reference: it keeps the path and any stage prefix it was asked by.
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("cursor", &page::cursor_after(&after));
        if let Some(limit) = &limit {
            query.append_pair("limit", limit);
        }
        if let Some(external_id) = &external_id {
            query.append_pair("externalId", external_id);
        }
        let link = format!("<?{}>; rel=\"next\"", query.finish());
        response.headers_mut().insert(
            LINK,
            HeaderValue::from_str(&link).expect("a query string is a valid header value"),
        );
    }
    Ok(response)
}

/// A token rerolled in issue 26 to 28 spends its successor's limits: it shows their balance
/// (one rerolled since shares its successor's meter, which the store read with it).
fn with_balance_of_successor(token: &AccessToken, records: &[AccessToken]) -> AccessToken {
    let mut holder = token;
    // A chain of rerolls is at most as long as the workspace has tokens.
    for _ in 0..records.len() {
        let next = holder
            .successor_digest
            .as_ref()
            .and(holder.rerolled_to.as_ref())
            .and_then(|id| records.iter().find(|record| &record.id == id));
        match next {
            Some(next) => holder = next,
            None => break,
        }
    }
    AccessToken {
        ratelimit: holder.ratelimit,
        rl_window: holder.rl_window,
        rl_count: holder.rl_count,
        credits_remaining: holder.credits_remaining,
        credits_refill: holder.credits_refill,
        credits_period: holder.credits_period,
        ..token.clone()
    }
}

#[cfg(test)]
mod tests;
