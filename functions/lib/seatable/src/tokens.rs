//! Issuing a base's API tokens and share links, shared by the handlers and the CLI.

use crate::invalid;
use tessera_common::{
    audit::Auditor,
    error::ApiError,
    events::LinkRoute,
    limits,
    store::{
        records::{ApiToken, Base, ShareLink, TokenLookup, TokenPermission},
        Store, StoreError,
    },
    token::{new_id, NewToken, PresentedToken, TokenDigest, TokenKind},
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
    if app_name == limits::TEMP_API_TOKEN_APP_NAME {
        return Err(ApiError::bad_request(format!(
            "app_name {app_name} is reserved."
        )));
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

/// What a new link is to be.
#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    pub permission: TokenPermission,
    pub expire_days: Option<u64>,
    /// A custom name as its token (external links), already checked by
    /// `limits::valid_custom_link_token`; `None` generates one.
    pub custom_token: Option<&'a str>,
    /// The route that makes it, which names its events.
    pub route: LinkRoute,
}

/// A link's token as its creator sees it, once: generated (a `NewToken`), or the custom
/// name they chose.
pub enum LinkToken {
    Generated(NewToken),
    Custom(String),
}

impl LinkToken {
    pub fn expose(&self) -> &str {
        match self {
            LinkToken::Generated(token) => token.expose(),
            LinkToken::Custom(name) => name,
        }
    }
}

/// Creates a link of a base (a seed share link or an external link: one record), with
/// SeaTable's errors for a custom token already taken and a quota message when the base
/// holds `max_per_base` links.
pub async fn create_share_link(
    store: &Store,
    auditor: &Auditor,
    base: &Base,
    created_by: &str,
    new: NewLink<'_>,
    max_per_base: u32,
) -> Result<(ShareLink, LinkToken), ApiError> {
    let token = match new.custom_token {
        Some(name) => LinkToken::Custom(name.to_owned()),
        None => LinkToken::Generated(NewToken::generate(TokenKind::ShareLink)),
    };
    let link = ShareLink {
        id: new_id(),
        dtable_uuid: base.dtable_uuid.clone(),
        workspace_id: base.workspace_id.clone(),
        dtable_name: base.name.clone(),
        permission: new.permission,
        created_by: created_by.to_owned(),
        created_at: auditor.clock().now_rfc3339(),
        expires_at: new
            .expire_days
            .map(|days| auditor.clock().now_secs() + days * 24 * 3600),
        digest: TokenDigest::of(token.expose()),
        is_custom: new.custom_token.is_some(),
    };
    match store
        .create_share_link(&link, max_per_base, auditor, new.route)
        .await
    {
        Ok(()) => Ok((link, token)),
        Err(StoreError::Conflict) => Err(ApiError::bad_request(
            "This URL already exists, please try another URL",
        )),
        Err(StoreError::QuotaReached { max }) => Err(ApiError::bad_request(format!(
            "share link quota exceeded: a base has at most {max} share and external links."
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The digest a presented link token is stored under: a generated share-link token (its
/// format and checksum checked) or a custom external-link name; `None` for anything else,
/// which no link can have.
pub fn link_token_digest(token: &str) -> Option<TokenDigest> {
    match PresentedToken::parse(token) {
        Some(presented) if presented.kind() == TokenKind::ShareLink => {
            Some(presented.digest().clone())
        }
        Some(_) => None,
        None => limits::valid_custom_link_token(token).then(|| TokenDigest::of(token)),
    }
}

/// The live link a presented token names, whoever created it; `None` for an unknown,
/// revoked or malformed token.
pub async fn link_by_token(store: &Store, token: &str) -> Result<Option<ShareLink>, StoreError> {
    let Some(digest) = link_token_digest(token) else {
        return Ok(None);
    };
    match store.lookup(&digest).await? {
        Some(TokenLookup::ShareLink {
            link_id,
            created_by,
            revoked: false,
            ..
        }) => store.share_link(&created_by, &link_id).await,
        _ => Ok(None),
    }
}
