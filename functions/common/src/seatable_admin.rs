//! Operations on users, bases, memberships, API tokens and share links, shared by the
//! handlers, the operator CLI and the tests.

use crate::{
    clock::{now_rfc3339, now_secs},
    error::ApiError,
    store::{
        records::{ApiToken, Base, Member, MemberPermission, ShareLink, TokenPermission, User},
        Store, StoreError,
    },
    token::{new_id, new_uuid_hex, NewToken, TokenKind},
};

const MAX_APP_NAME_CHARS: usize = 255;
/// Share links live at most this long (and `expire_days` must be 1 or more).
pub const MAX_EXPIRE_DAYS: u64 = 3650;

/// Creates a user; the auth token exists in plain text only in the returned value.
pub async fn create_user(store: &Store, name: &str) -> Result<(User, NewToken), StoreError> {
    let token = NewToken::generate(TokenKind::UserAuthToken);
    let user = User {
        id: new_id(),
        name: name.to_owned(),
        digest: token.digest().clone(),
        created_at: now_rfc3339(),
    };
    store.create_user(&user).await?;
    Ok((user, token))
}

/// Creates a base owned by `owner_id`; `Conflict` if the workspace has one with that name.
pub async fn create_base(
    store: &Store,
    workspace_id: &str,
    name: &str,
    owner_id: &str,
) -> Result<Base, StoreError> {
    let base = Base {
        workspace_id: workspace_id.to_owned(),
        name: name.to_owned(),
        dtable_uuid: new_uuid_hex(),
        owner_id: owner_id.to_owned(),
        created_at: now_rfc3339(),
    };
    store.create_base(&base).await?;
    if store.member(workspace_id, owner_id).await?.is_none() {
        grant(store, workspace_id, owner_id, MemberPermission::Admin).await?;
    }
    Ok(base)
}

pub async fn grant(
    store: &Store,
    workspace_id: &str,
    user_id: &str,
    permission: MemberPermission,
) -> Result<(), StoreError> {
    store
        .put_member(&Member {
            workspace_id: workspace_id.to_owned(),
            user_id: user_id.to_owned(),
            permission,
        })
        .await
}

/// An app name as SeaTable accepts it: not blank, not too long, and usable as one
/// path segment of `.../api-tokens/<app_name>/`.
pub fn valid_app_name(app_name: &str) -> bool {
    !app_name.trim().is_empty()
        && app_name.chars().count() <= MAX_APP_NAME_CHARS
        && !app_name.chars().any(|c| c.is_control() || c == '/')
}

/// Creates a base's API token, with SeaTable's errors for a bad or taken app name.
pub async fn create_api_token(
    store: &Store,
    base: &Base,
    app_name: &str,
    permission: TokenPermission,
    generated_by: &str,
) -> Result<(ApiToken, NewToken), ApiError> {
    if !valid_app_name(app_name) {
        return Err(ApiError::bad_request("app_name invalid."));
    }
    let token = NewToken::generate(TokenKind::ApiToken);
    let record = ApiToken {
        dtable_uuid: base.dtable_uuid.clone(),
        workspace_id: base.workspace_id.clone(),
        dtable_name: base.name.clone(),
        app_name: app_name.to_owned(),
        permission,
        generated_by: generated_by.to_owned(),
        generated_at: now_rfc3339(),
        last_access: None,
        digest: token.digest().clone(),
    };
    match store.create_api_token(&record).await {
        Ok(()) => Ok((record, token)),
        Err(StoreError::Conflict) => Err(ApiError::bad_request("api token already exist.")),
        Err(err) => Err(err.into()),
    }
}

/// Creates a share link of a base, expiring after `expire_days` if given.
pub async fn create_share_link(
    store: &Store,
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
        created_at: now_rfc3339(),
        expires_at: expire_days.map(|days| now_secs() + days * 24 * 3600),
        digest: token.digest().clone(),
    };
    store.create_share_link(&link).await?;
    Ok((link, token))
}
