//! Creating the table from `template.yaml`, the one definition of its keys and indexes,
//! for the local stack, the tests and operators who create tables by hand.

use aws_sdk_dynamodb::{
    types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
        Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
    },
    Client,
};
use serde::Deserialize;

use tessera_common::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("template must declare exactly one AWS::DynamoDB::Table, found {0}")]
    TableCount(usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The table's Properties as the template states them (only what a table needs locally:
/// encryption and point-in-time recovery are properties of the AWS deployment).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    pub attribute_definitions: Vec<AttributeDef>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexDef>,
    pub time_to_live_specification: Option<TtlDef>,
    /// The stream `publish-events` reads: what the table committed, in order.
    pub stream_specification: Option<StreamDef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDef {
    pub stream_view_type: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDef {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: ProjectionDef,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDef {
    pub projection_type: String,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TtlDef {
    pub attribute_name: String,
    pub enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    resources: serde_yaml_ng::Mapping,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TableResource {
    properties: TableDefinition,
}

impl TableDefinition {
    /// The definition of the one `AWS::DynamoDB::Table` in a SAM/CloudFormation template.
    pub fn from_template(yaml: &str) -> Result<Self, ProvisionError> {
        let template: Template = serde_yaml_ng::from_str(yaml)?;
        let tables: Vec<_> = template
            .resources
            .into_iter()
            .map(|(_, resource)| resource)
            .filter(|resource| {
                resource.get("Type").and_then(|t| t.as_str()) == Some("AWS::DynamoDB::Table")
            })
            .collect();
        match <[_; 1]>::try_from(tables) {
            Ok([table]) => Ok(serde_yaml_ng::from_value::<TableResource>(table)?.properties),
            Err(tables) => Err(ProvisionError::TableCount(tables.len())),
        }
    }

    /// The table without its stream: DynamoDB Local writes every change to a stream too,
    /// which slows concurrent transactions several times over, so tables whose stream no
    /// one reads (the tests', the benchmark's) go without.
    pub fn without_stream(self) -> Self {
        TableDefinition {
            stream_specification: None,
            ..self
        }
    }

    /// Creates the table (on demand) with its indexes, TTL and stream.
    pub async fn create(&self, client: &Client, table_name: &str) -> Result<(), ProvisionError> {
        let mut request = client
            .create_table()
            .table_name(table_name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(
                self.attribute_definitions
                    .iter()
                    .map(|a| {
                        AttributeDefinition::builder()
                            .attribute_name(&a.attribute_name)
                            .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                            .build()
                    })
                    .collect::<Result<_, _>>()
                    .map_err(StoreError::from)?,
            ))
            .set_key_schema(Some(key_schema(&self.key_schema)?));
        if let Some(stream) = &self.stream_specification {
            request = request.stream_specification(
                aws_sdk_dynamodb::types::StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(aws_sdk_dynamodb::types::StreamViewType::from(
                        stream.stream_view_type.as_str(),
                    ))
                    .build()
                    .map_err(StoreError::from)?,
            );
        }
        for index in &self.global_secondary_indexes {
            let projection = Projection::builder()
                .projection_type(ProjectionType::from(
                    index.projection.projection_type.as_str(),
                ))
                .set_non_key_attributes(
                    (!index.projection.non_key_attributes.is_empty())
                        .then(|| index.projection.non_key_attributes.clone()),
                )
                .build();
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&index.index_name)
                    .set_key_schema(Some(key_schema(&index.key_schema)?))
                    .projection(projection)
                    .build()
                    .map_err(StoreError::from)?,
            );
        }
        match request.send().await {
            Ok(_) => {}
            // The table exists: most often this very request, which the SDK sent again after
            // its answer was lost (DynamoDB Local under load). Creating is idempotent.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) => {}
            Err(e) => return Err(StoreError::from(e).into()),
        }
        if let Some(ttl) = self
            .time_to_live_specification
            .as_ref()
            .filter(|t| t.enabled)
        {
            let current = client
                .describe_time_to_live()
                .table_name(table_name)
                .send()
                .await
                .map_err(StoreError::from)?;
            let status = current
                .time_to_live_description()
                .and_then(|d| d.time_to_live_status());
            if matches!(
                status,
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            ) {
                return Ok(());
            }
            let enabled = client
                .update_time_to_live()
                .table_name(table_name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(&ttl.attribute_name)
                        .enabled(true)
                        .build()
                        .map_err(StoreError::from)?,
                )
                .send()
                .await;
            match enabled {
                Ok(_) => {}
                // This very request, sent again by the SDK after its answer was lost (as
                // above): enabling is idempotent.
                Err(e)
                    if e.as_service_error()
                        .and_then(|e| e.meta().message())
                        .is_some_and(|message| message.contains("already enabled")) => {}
                Err(e) => return Err(StoreError::from(e).into()),
            }
        }
        Ok(())
    }
}

fn key_schema(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>, ProvisionError> {
    elements
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| StoreError::from(e).into())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = include_str!("../../../template.yaml");

    #[test]
    fn reads_the_table_the_store_expects_from_the_real_template() {
        let table = TableDefinition::from_template(TEMPLATE).unwrap();
        let keys: Vec<_> = table
            .key_schema
            .iter()
            .map(|k| (k.attribute_name.as_str(), k.key_type.as_str()))
            .collect();
        assert_eq!(keys, [("pk", "HASH"), ("sk", "RANGE")]);
        let index = &table.global_secondary_indexes[0];
        assert_eq!(
            index.index_name,
            tessera_common::store::keys::WORKSPACES_GSI
        );
        assert_eq!(
            table
                .time_to_live_specification
                .as_ref()
                .unwrap()
                .attribute_name,
            "expires_at"
        );
    }

    #[test]
    fn refuses_a_template_without_exactly_one_table() {
        let none = "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n";
        assert!(matches!(
            TableDefinition::from_template(none),
            Err(ProvisionError::TableCount(0))
        ));
    }
}
