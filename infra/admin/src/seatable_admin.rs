//! Operator actions on users, bases and memberships (the `admin` feature: the CLI and
//! the tests; no function can create users or bases).

use crate::store::SeaTableStore;
use tessera_common::{
    audit::Auditor,
    clock::now_rfc3339,
    limits,
    store::{
        records::{Base, Member, MemberPermission, User},
        Store, StoreError,
    },
    token::{new_id, new_uuid_hex, NewToken, TokenKind},
};

/// Who these actions are, in the audit log: the operator, through tessera-admin.
pub fn operator() -> Auditor {
    Auditor::operator(tessera_common::clock::system())
}

/// Revokes a user's membership of a workspace; `false` if there was none.
pub async fn revoke(store: &Store, workspace_id: &str, user_id: &str) -> Result<bool, StoreError> {
    store
        .delete_member(workspace_id, user_id, &operator())
        .await
}

/// Characters of a username (what JWTs call the user, e.g. an email address).
pub const MAX_USERNAME_CHARS: usize = 254;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a username is 1 to {MAX_USERNAME_CHARS} characters without control characters")]
    InvalidName,
    #[error("a user named {0:?} exists already (usernames are unique, whatever their case)")]
    NameTaken(String),
    #[error("user {0} does not exist")]
    NoSuchUser(String),
    #[error("user {0} is disabled")]
    Disabled(String),
    #[error("user {0} is not disabled")]
    NotDisabled(String),
    #[error("user {0} was changed meanwhile; try again")]
    Changed(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for UserError {
    fn from(err: StoreError) -> Self {
        UserError::Store(err)
    }
}

/// Creates a user; the auth token exists in plain text only in the returned value.
pub async fn create_user(store: &Store, name: &str) -> Result<(User, NewToken), UserError> {
    if !limits::valid_name(name, MAX_USERNAME_CHARS) {
        return Err(UserError::InvalidName);
    }
    let token = NewToken::generate(TokenKind::UserAuthToken);
    let user = User {
        id: new_id(),
        name: name.to_owned(),
        digest: token.digest().clone(),
        created_at: now_rfc3339(),
        disabled: false,
        revoked_before: None,
    };
    match store.create_user(&user, &operator()).await {
        Ok(()) => Ok((user, token)),
        Err(StoreError::Conflict) => Err(UserError::NameTaken(name.to_owned())),
        Err(err) => Err(err.into()),
    }
}

async fn existing_user(store: &Store, user_id: &str) -> Result<User, UserError> {
    store
        .user(user_id)
        .await?
        .ok_or_else(|| UserError::NoSuchUser(user_id.to_owned()))
}

/// Replaces a user's auth token; the old one stops working at once.
pub async fn rotate_user_token(
    store: &Store,
    user_id: &str,
) -> Result<(User, NewToken), UserError> {
    let user = existing_user(store, user_id).await?;
    if user.disabled {
        return Err(UserError::Disabled(user.id));
    }
    let token = NewToken::generate(TokenKind::UserAuthToken);
    match store
        .rotate_user_token(&user, token.digest(), &operator())
        .await
    {
        Ok(()) => Ok((
            User {
                digest: token.digest().clone(),
                ..user
            },
            token,
        )),
        Err(StoreError::Conflict) => Err(UserError::Changed(user.id)),
        Err(err) => Err(err.into()),
    }
}

/// Disables a user: their auth token stops working at once, and the temporary API tokens
/// issued to them are refused from then on. Disabling a disabled user changes nothing.
pub async fn disable_user(store: &Store, user_id: &str) -> Result<User, UserError> {
    let user = existing_user(store, user_id).await?;
    if user.disabled {
        return Ok(user);
    }
    match store.disable_user(&user, &operator()).await {
        Ok(()) => Ok(User {
            disabled: true,
            ..user
        }),
        Err(StoreError::Conflict) => Err(UserError::Changed(user.id)),
        Err(err) => Err(err.into()),
    }
}

/// Enables a disabled user with a new auth token (the old one stays dead).
pub async fn enable_user(store: &Store, user_id: &str) -> Result<(User, NewToken), UserError> {
    let user = existing_user(store, user_id).await?;
    if !user.disabled {
        return Err(UserError::NotDisabled(user.id));
    }
    let token = NewToken::generate(TokenKind::UserAuthToken);
    match store.enable_user(&user, token.digest(), &operator()).await {
        Ok(()) => Ok((
            User {
                digest: token.digest().clone(),
                disabled: false,
                ..user
            },
            token,
        )),
        Err(StoreError::Conflict) => Err(UserError::Changed(user.id)),
        Err(err) => Err(err.into()),
    }
}

/// Creates a base owned by `owner_id`, who is its admin (as its owner, not as a member
/// of the workspace: owning one base grants nothing on the others). `Conflict` if the
/// workspace has a base with that name.
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
    store.create_base(&base, &operator()).await?;
    Ok(base)
}

pub async fn grant(
    store: &Store,
    workspace_id: &str,
    user_id: &str,
    permission: MemberPermission,
) -> Result<(), StoreError> {
    store
        .put_member(
            &Member {
                workspace_id: workspace_id.to_owned(),
                user_id: user_id.to_owned(),
                permission,
            },
            &operator(),
        )
        .await
}
