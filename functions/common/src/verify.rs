//! Verification of a presented access token, for the API Gateway authorizer to build on.

use crate::{
    store::{records::TokenLookup, Store, StoreError},
    token::{PresentedToken, TokenKind},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccessToken {
    pub workspace_id: String,
    pub token_id: String,
}

/// `Some` when `presented` is a live access token, in at most one GetItem: a malformed
/// token or one with a wrong checksum is refused without touching DynamoDB.
pub async fn verify_access_token(
    store: &Store,
    presented: &str,
) -> Result<Option<VerifiedAccessToken>, StoreError> {
    let Some(token) =
        PresentedToken::parse(presented).filter(|t| t.kind() == TokenKind::AccessToken)
    else {
        return Ok(None);
    };
    Ok(match store.lookup(token.digest()).await? {
        Some(TokenLookup::AccessToken {
            workspace_id,
            token_id,
        }) => Some(VerifiedAccessToken {
            workspace_id,
            token_id,
        }),
        _ => None,
    })
}
