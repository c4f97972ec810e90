//! Issuing a base's API tokens and share links, shared by the handlers and the CLI.

use crate::{
    audit::Auditor,
    error::ApiError,
    limits,
    seatable::invalid,
    store::{
        records::{ApiToken, Base, ShareLink, TokenPermission},
        Store, StoreError,
    },
    token::{new_id, NewToken, TokenKind},
};

/// Share links live at most this long (and `expire_days` must be 1 or more).
pub const MAX_EXPIRE_DAYS: u64 = 3650;

/// Creates a base's API token, with SeaTable's errors for a bad or taken app name and a
/// 400 when the base has `max_per_base` tokens already.
pub async fn create_api_token(
    store: &Store,
    auditor: &Auditor,
    base: &Base,
    app_name: &str,
    permission: TokenPermission,
    generated_by: &str,
    max_per_base: u32,
) -> Result<(ApiToken, NewToken), ApiError> {
    if !limits::valid_app_name(app_name) {
        return Err(invalid("app_name"));
    }
    let token = NewToken::generate(TokenKind::ApiToken);
    let record = ApiToken {
        dtable_uuid: base.dtable_uuid.clone(),
        workspace_id: base.workspace_id.clone(),
        dtable_name: base.name.clone(),
        app_name: app_name.to_owned(),
        permission,
        generated_by: generated_by.to_owned(),
        generated_at: auditor.clock().now_rfc3339(),
        last_access: None,
        digest: token.digest().clone(),
    };
    match store.create_api_token(&record, max_per_base, auditor).await {
        Ok(()) => Ok((record, token)),
        Err(StoreError::Conflict) => Err(ApiError::bad_request("api token already exist.")),
        Err(StoreError::QuotaReached { max }) => Err(ApiError::bad_request(format!(
            "api token quota exceeded: a base has at most {max} api tokens."
        ))),
        Err(err) => Err(err.into()),
    }
}

/// Creates a share link of a base, expiring after `expire_days` if given.
pub async fn create_share_link(
    store: &Store,
    auditor: &Auditor,
    base: &Base,
    created_by: &str,
    permission: TokenPermission,
    expire_days: Option<u64>,
) -> Result<(ShareLink, NewToken), StoreError> {
    let token = NewToken::generate(TokenKind::ShareLink);
    let link = ShareLink {
        id: new_id(),
        dtable_uuid: base.dtable_uuid.clone(),
        workspace_id: base.workspace_id.clone(),
        dtable_name: base.name.clone(),
        permission,
        created_by: created_by.to_owned(),
        created_at: auditor.clock().now_rfc3339(),
        expires_at: expire_days.map(|days| auditor.clock().now_secs() + days * 24 * 3600),
        digest: token.digest().clone(),
    };
    store.create_share_link(&link, auditor).await?;
    Ok((link, token))
}
