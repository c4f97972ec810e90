//! Records as Tessera stored them before meters had items of their own (issue 28): the
//! limits, counters and today's counts on the token's record, no `meter_id`, no meter item.
//! What a table written by an earlier version holds, for the tests of the way forward.

use aws_sdk_dynamodb::types::AttributeValue;
use tessera_common::{
    store::{keys, records::AccessToken, Item},
    AppState,
};

/// Turns `token` (as the store reads it) into the old shape: its meter's attributes move
/// onto its record, with `changes` (attribute, value) applied; the record and lookup lose
/// their meter id; the meter's item goes when `delete_meter` (a successor by reroll shares
/// it otherwise).
pub async fn make_old_shape(
    state: &AppState,
    token: &AccessToken,
    changes: &[(&str, AttributeValue)],
    delete_meter: bool,
) {
    let client = state.store.client();
    let table = state.store.table_name();
    let meter_key = tessera_common::store::meters::meter_key(token.meter_id());
    let mut attributes: Item = client
        .get_item()
        .table_name(table)
        .set_key(Some(meter_key.clone()))
        .consistent_read(true)
        .send()
        .await
        .expect("read the meter")
        .item
        .expect("the token has a meter");
    attributes.remove("pk");
    attributes.remove("sk");
    for (name, value) in changes {
        attributes.insert((*name).to_owned(), value.clone());
    }
    let mut update = client
        .update_item()
        .table_name(table)
        .key(
            "pk",
            AttributeValue::S(keys::workspace_pk(&token.workspace_id)),
        )
        .key(
            "sk",
            AttributeValue::S(keys::access_token_sk(&token.name, &token.id)),
        );
    let mut sets = Vec::new();
    for (i, (name, value)) in attributes.into_iter().enumerate() {
        sets.push(format!("#a{i} = :a{i}"));
        update = update
            .expression_attribute_names(format!("#a{i}"), name)
            .expression_attribute_values(format!(":a{i}"), value);
    }
    update
        .update_expression(format!("SET {} REMOVE meter_id", sets.join(", ")))
        .send()
        .await
        .expect("move the meter onto the record");
    client
        .update_item()
        .table_name(table)
        .key("pk", AttributeValue::S(keys::lookup_pk(&token.digest)))
        .key("sk", AttributeValue::S(keys::LOOKUP_SK.to_owned()))
        .update_expression("REMOVE meter_id")
        .send()
        .await
        .expect("the lookup names no meter");
    if delete_meter {
        client
            .delete_item()
            .table_name(table)
            .set_key(Some(meter_key))
            .send()
            .await
            .expect("delete the meter");
    }
}
