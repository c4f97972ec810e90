//! The SeaTable-side commands: users, bases, memberships, API tokens, share links.

use serde_json::{json, Value};
use tessera_admin::seatable_admin;
use tessera_admin::store::WorkspaceStore;
use tessera_common::{
    limits,
    store::records::{Base, MemberPermission, TokenPermission},
    Quotas, Store,
};
use tessera_seatable::tokens as seatable_tokens;

use crate::{
    cli::{
        ApiTokenCommand, BaseArg, BaseCommand, MemberCommand, ShareLinkCommand, UserCommand,
        UserTokenCommand,
    },
    Failure,
};

async fn existing_base(store: &Store, base: &BaseArg) -> Result<Base, Failure> {
    store
        .base(&base.workspace_id, &base.base)
        .await?
        .ok_or_else(|| {
            format!(
                "workspace {} has no base named {:?}",
                base.workspace_id, base.base
            )
            .into()
        })
}

fn token_permission(text: &str) -> TokenPermission {
    TokenPermission::parse(text).expect("clap allows only r and rw")
}

pub async fn user(store: impl Fn(String) -> Store, command: UserCommand) -> Result<Value, Failure> {
    Ok(match command {
        UserCommand::Create { table, name } => {
            let (user, token) =
                seatable_admin::create_user(&store(table.table_name), &name).await?;
            json!({
                "message": format!("created user {} ({name}). The auth token is shown only now: keep it safe.", user.id),
                "user_id": user.id,
                "name": user.name,
                "auth_token": token.expose(),
            })
        }
        UserCommand::Token(UserTokenCommand::Rotate { table, user_id }) => {
            let (user, token) =
                seatable_admin::rotate_user_token(&store(table.table_name), &user_id).await?;
            json!({
                "message": format!("rotated the auth token of user {}; the old one no longer works. The new one is shown only now.", user.id),
                "user_id": user.id,
                "name": user.name,
                "auth_token": token.expose(),
            })
        }
        UserCommand::Disable { table, user_id } => {
            let user = seatable_admin::disable_user(&store(table.table_name), &user_id).await?;
            json!({
                "message": format!("disabled user {} ({}): their auth token and temporary API tokens no longer work.", user.id, user.name),
                "user_id": user.id,
                "name": user.name,
                "disabled": true,
            })
        }
        UserCommand::Enable { table, user_id } => {
            let (user, token) =
                seatable_admin::enable_user(&store(table.table_name), &user_id).await?;
            json!({
                "message": format!("enabled user {} with a new auth token, shown only now.", user.id),
                "user_id": user.id,
                "name": user.name,
                "auth_token": token.expose(),
            })
        }
    })
}

pub async fn base(store: impl Fn(String) -> Store, command: BaseCommand) -> Result<Value, Failure> {
    let BaseCommand::Create {
        table,
        workspace_id,
        name,
        owner_id,
    } = command;
    let store = store(table.table_name);
    if !limits::valid_base_name(&name) {
        return Err(format!(
            "a base name is 1 to {} characters ({} bytes), without '/' or control characters",
            limits::MAX_SEATABLE_NAME_CHARS,
            limits::MAX_NAME_BYTES
        )
        .into());
    }
    if store.workspace(&workspace_id).await?.is_none() {
        return Err(format!("workspace {workspace_id} does not exist").into());
    }
    if store.user(&owner_id).await?.is_none() {
        return Err(format!("user {owner_id} does not exist").into());
    }
    let base = seatable_admin::create_base(&store, &workspace_id, &name, &owner_id)
        .await
        .map_err(|err| match err {
            tessera_common::StoreError::Conflict => {
                format!("workspace {workspace_id} already has a base named {name:?}").into()
            }
            other => Failure::from(other),
        })?;
    Ok(json!({
        "message": format!("created base {name:?} in workspace {workspace_id}"),
        "workspace_id": tessera_common::limits::workspace_id_json(&base.workspace_id),
        "dtable_name": base.name,
        "dtable_uuid": base.dtable_uuid,
        "owner_id": base.owner_id,
    }))
}

pub async fn member(
    store: impl Fn(String) -> Store,
    command: MemberCommand,
) -> Result<Value, Failure> {
    match command {
        MemberCommand::Grant {
            table,
            workspace_id,
            user_id,
            permission,
        } => {
            let permission = match permission.as_str() {
                "r" => MemberPermission::R,
                "rw" => MemberPermission::Rw,
                _ => MemberPermission::Admin,
            };
            let store = store(table.table_name);
            if store.user(&user_id).await?.is_none() {
                return Err(format!("user {user_id} does not exist").into());
            }
            if store.workspace(&workspace_id).await?.is_none() {
                return Err(format!("workspace {workspace_id} does not exist").into());
            }
            seatable_admin::grant(&store, &workspace_id, &user_id, permission).await?;
            Ok(json!({
                "message": format!("user {user_id} has {permission:?} in workspace {workspace_id}"),
                "workspace_id": tessera_common::limits::workspace_id_json(&workspace_id),
                "user_id": user_id,
                "permission": permission,
            }))
        }
        MemberCommand::Revoke {
            table,
            workspace_id,
            user_id,
        } => {
            if !seatable_admin::revoke(&store(table.table_name), &workspace_id, &user_id).await? {
                return Err(
                    format!("user {user_id} is not a member of workspace {workspace_id}").into(),
                );
            }
            Ok(
                json!({ "message": format!("revoked user {user_id} from workspace {workspace_id}"), "revoked": true }),
            )
        }
    }
}

pub async fn api_token(
    store: impl Fn(String) -> Store,
    command: ApiTokenCommand,
) -> Result<Value, Failure> {
    let ApiTokenCommand::Create {
        table,
        base,
        app_name,
        permission,
        generated_by,
    } = command;
    let store = store(table.table_name);
    let base = existing_base(&store, &base).await?;
    let (record, token) = seatable_tokens::create_api_token(
        &store,
        &seatable_admin::operator(),
        &base,
        &app_name,
        token_permission(&permission),
        &generated_by,
        Quotas::from_env()?.api_tokens_per_base,
    )
    .await
    .map_err(|err| err.public_message())?;
    Ok(json!({
        "message": format!("created API token {app_name:?} of base {:?}. It is shown only now: keep it safe.", base.name),
        "app_name": record.app_name,
        "permission": record.permission,
        "dtable_uuid": record.dtable_uuid,
        "api_token": token.expose(),
    }))
}

pub async fn share_link(
    store: impl Fn(String) -> Store,
    command: ShareLinkCommand,
) -> Result<Value, Failure> {
    match command {
        ShareLinkCommand::Create {
            table,
            base,
            user_id,
            permission,
            expire_days,
        } => {
            let store = store(table.table_name);
            let base = existing_base(&store, &base).await?;
            create_share_link(&store, &base, user_id, &permission, expire_days).await
        }
        ShareLinkCommand::List { table, base } => {
            let store = store(table.table_name);
            let base = existing_base(&store, &base).await?;
            let links = store.share_links_of_base(&base.dtable_uuid).await?;
            let now = tessera_common::clock::now_secs();
            let listed: Vec<Value> = links
                .iter()
                .map(|link| {
                    json!({
                        "id": link.id,
                        "created_by": link.created_by,
                        "permission": link.permission,
                        "is_custom": link.is_custom,
                        "is_expired": link.is_expired(now),
                        "expires_at": link.expires_at,
                    })
                })
                .collect();
            Ok(json!({
                "message": format!("base {:?} has {} links", base.name, listed.len()),
                "links": listed,
            }))
        }
        ShareLinkCommand::Revoke {
            table,
            base,
            link_id,
        } => {
            let store = store(table.table_name);
            let base = existing_base(&store, &base).await?;
            let link = store
                .share_links_of_base(&base.dtable_uuid)
                .await?
                .into_iter()
                .find(|link| link.id == link_id)
                .ok_or_else(|| format!("base {:?} has no link {link_id}", base.name))?;
            store
                .revoke_share_link(
                    &link,
                    tessera_common::clock::now_secs(),
                    &seatable_admin::operator(),
                    tessera_common::events::LinkRoute::ShareLink,
                )
                .await?;
            Ok(json!({
                "message": format!("revoked link {link_id}; it no longer works."),
                "id": link_id,
                "revoked": true,
            }))
        }
    }
}

async fn create_share_link(
    store: &Store,
    base: &Base,
    user_id: String,
    permission: &str,
    expire_days: Option<u64>,
) -> Result<Value, Failure> {
    if expire_days.is_some_and(|days| !(1..=seatable_tokens::MAX_EXPIRE_DAYS).contains(&days)) {
        return Err(format!(
            "--expire-days must be 1 to {}",
            seatable_tokens::MAX_EXPIRE_DAYS
        )
        .into());
    }
    let (link, token) = seatable_tokens::create_share_link(
        store,
        &seatable_admin::operator(),
        base,
        &user_id,
        seatable_tokens::NewLink {
            permission: token_permission(permission),
            expire_days,
            custom_token: None,
            route: tessera_common::events::LinkRoute::ShareLink,
        },
        Quotas::from_env()?.share_links_per_base,
    )
    .await
    .map_err(|err| err.public_message())?;
    Ok(json!({
        "message": format!("created share link {} of base {:?}. Its token is shown only now.", link.id, base.name),
        "id": link.id,
        "dtable_uuid": link.dtable_uuid,
        "expires_at": link.expires_at,
        "share_link_token": token.expose(),
    }))
}
