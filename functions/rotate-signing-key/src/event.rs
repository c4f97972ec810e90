//! `Signing Key Rotated` (issue 29): written once a rotation's last step made the new key
//! current, as an entry of the stack's own audit log (`stack`, of no workspace: it goes to
//! the bus, not to webhooks), with a mark keyed by the new key's `kid`, so a step Secrets
//! Manager retries, or the operator's rotation, tells of it once.

use std::time::{Duration, SystemTime};

use aws_sdk_secretsmanager::Client;
use serde::Serialize;
use tessera_common::{
    audit::system_entry,
    events::{Event, STACK_SCOPE},
    rotation::RotationError,
    store::{keys, Keyed, Store},
    StoreError,
};

#[derive(Serialize)]
struct Told {}

/// Tells of the rotation that made `kid` current (its predecessor: `AWSPREVIOUS`), in
/// `store`'s table at `at`.
pub async fn record_rotation(
    (store, at, retention): (&Store, SystemTime, Duration),
    client: &Client,
    secret_id: &str,
    kid: &str,
    actor: &str,
) -> Result<(), RotationError> {
    let meta = client
        .describe_secret()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|err| RotationError::SecretsManager(err.to_string()))?;
    let previous = meta.version_ids_to_stages().and_then(|versions| {
        versions
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == "AWSPREVIOUS"))
            .map(|(version, _)| version.clone())
    });
    let entry = system_entry(
        actor,
        (
            STACK_SCOPE,
            "signing_key.rotate",
            format!("signing_key:{kid}"),
        ),
        previous.as_ref().map(|p| format!("previous {p}")),
        at,
        retention,
    )
    .with_event(Event::of_signing_key_rotation(kid, previous.as_deref()));
    let mark = Keyed::new(keys::signing_key_pk(kid), "ROTATED".to_owned(), Told {});
    match store
        .transact(vec![store.put_new(&mark)?, store.audit_put(&entry)?])
        .await
    {
        Ok(()) | Err(StoreError::Conflict) => Ok(()),
        Err(err) => Err(err.into()),
    }
}
