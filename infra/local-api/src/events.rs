//! The events pipeline of a deployed stack, locally (`make dev`, and the tests): the
//! table's stream (DynamoDB Local's) read as Lambda's DynamoDB event source reads it,
//! through publish-events' own code to the bus (the emulator's EventBridge), a rule to the
//! webhook queue (the emulator's SQS), and that queue worked through deliver-webhooks' own
//! code as Lambda's SQS event source works it.

use std::{collections::BTreeMap, time::Duration};

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use deliver_webhooks::Deliverer;
use tessera_common::{
    queue::{MessageAttributes, QueueEvent, QueueMessage},
    stream::{StreamChange, StreamEvent, StreamRecord},
    AppState, Store,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Reads a table's stream from its start, each call what was written since the last.
pub struct StreamReader {
    client: aws_sdk_dynamodbstreams::Client,
    arn: String,
    /// Each shard's next iterator; `None` once a closed shard is read to its end.
    shards: BTreeMap<String, Option<String>>,
}

impl StreamReader {
    /// The stream of `store`'s table (which must have one).
    pub async fn of(sdk: &aws_config::SdkConfig, store: &Store) -> Result<Self, Error> {
        let table = store
            .client()
            .describe_table()
            .table_name(store.table_name())
            .send()
            .await?
            .table
            .ok_or("the table is not described")?;
        let arn = table
            .latest_stream_arn
            .ok_or_else(|| format!("table {} has no stream", store.table_name()))?;
        Ok(StreamReader {
            client: aws_sdk_dynamodbstreams::Client::new(sdk),
            arn,
            shards: BTreeMap::new(),
        })
    }

    /// Every record written since the last read (the first: since the stream began),
    /// oldest first, as one batch.
    pub async fn read(&mut self) -> Result<StreamEvent, Error> {
        self.find_new_shards().await?;
        let mut records = Vec::new();
        for iterator in self.shards.values_mut() {
            while let Some(current) = iterator.take() {
                let out = self
                    .client
                    .get_records()
                    .shard_iterator(current)
                    .send()
                    .await?;
                let page = out.records.unwrap_or_default();
                let empty = page.is_empty();
                records.extend(page.into_iter().filter_map(|record| {
                    let change = record.dynamodb?;
                    Some(StreamRecord {
                        event_name: record
                            .event_name
                            .map(|name| name.as_str().to_owned())
                            .unwrap_or_default(),
                        dynamodb: StreamChange {
                            new_image: change.new_image.map(serde_dynamo::Item::from),
                            sequence_number: change.sequence_number.unwrap_or_default(),
                        },
                    })
                }));
                *iterator = out.next_shard_iterator;
                // An open shard answers an iterator forever: the rest is for the next read.
                if empty {
                    break;
                }
            }
        }
        records.sort_by_key(|r| r.dynamodb.sequence_number.parse::<u128>().unwrap_or(0));
        Ok(StreamEvent { records })
    }

    async fn find_new_shards(&mut self) -> Result<(), Error> {
        let shards = self
            .client
            .describe_stream()
            .stream_arn(&self.arn)
            .send()
            .await?
            .stream_description
            .and_then(|description| description.shards)
            .unwrap_or_default();
        for shard in shards {
            let id = shard.shard_id.unwrap_or_default();
            if self.shards.contains_key(&id) {
                continue;
            }
            let iterator = self
                .client
                .get_shard_iterator()
                .stream_arn(&self.arn)
                .shard_id(&id)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await?
                .shard_iterator;
            self.shards.insert(id, iterator);
        }
        Ok(())
    }
}

/// The bus, the webhook queue and the rule between them, made if missing (as the template
/// makes them): the queue's URL.
pub async fn ensure_bus_and_queue(
    sdk: &aws_config::SdkConfig,
    bus: &str,
    queue: &str,
) -> Result<String, Error> {
    let events = aws_sdk_eventbridge::Client::new(sdk);
    if events.describe_event_bus().name(bus).send().await.is_err() {
        events.create_event_bus().name(bus).send().await?;
    }
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let url = sqs
        .create_queue()
        .queue_name(queue)
        .send()
        .await?
        .queue_url
        .ok_or("no queue URL")?;
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or("no queue ARN")?;
    let rule = format!("{queue}-rule");
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(bus)
        .event_pattern(r#"{"source": ["tessera"]}"#)
        .send()
        .await?;
    events
        .put_targets()
        .rule(&rule)
        .event_bus_name(bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("webhook-deliveries")
                .arn(arn)
                .build()?,
        )
        .send()
        .await?;
    Ok(url)
}

/// One receive from the queue handed to `deliver`, as Lambda's SQS event source does: the
/// messages it did not name as failed are deleted. How many messages it handled.
pub async fn work_queue_once(
    state: &AppState,
    deliverer: &Deliverer,
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
) -> Result<usize, Error> {
    let out = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await?;
    let messages: Vec<QueueMessage> = out
        .messages
        .unwrap_or_default()
        .into_iter()
        .map(|message| QueueMessage {
            message_id: message.message_id.unwrap_or_default(),
            receipt_handle: message.receipt_handle.unwrap_or_default(),
            body: message.body.unwrap_or_default(),
            attributes: MessageAttributes {
                approximate_receive_count: message.attributes.and_then(|attributes| {
                    attributes
                        .get(&MessageSystemAttributeName::ApproximateReceiveCount)
                        .cloned()
                }),
            },
        })
        .collect();
    if messages.is_empty() {
        return Ok(0);
    }
    let answer = deliver_webhooks::deliver(
        state,
        deliverer,
        QueueEvent {
            records: messages.clone(),
        },
    )
    .await;
    for message in &messages {
        let failed = answer
            .batch_item_failures
            .iter()
            .any(|f| f.item_identifier == message.message_id);
        if !failed {
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(&message.receipt_handle)
                .send()
                .await?;
        }
    }
    Ok(messages.len())
}

/// Runs the pipeline until the process ends: the stream polled every second and published,
/// the queue worked. Prints each event published; a failure is printed and tried again.
pub async fn run(
    state: AppState,
    sdk: aws_config::SdkConfig,
    queue_url: String,
    deliverer: Deliverer,
) {
    let publishing = async {
        let mut reader = loop {
            match StreamReader::of(&sdk, &state.store).await {
                Ok(reader) => break reader,
                Err(err) => {
                    eprintln!("events: the table's stream is not readable yet: {err}");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        };
        let mut pending: Vec<StreamRecord> = Vec::new();
        loop {
            match reader.read().await {
                Ok(batch) => pending.extend(batch.records),
                Err(err) => eprintln!("events: reading the stream failed: {err}"),
            }
            if !pending.is_empty() {
                let batch = StreamEvent {
                    records: std::mem::take(&mut pending),
                };
                let answer = publish_events::publish(&sdk, batch.clone()).await;
                let retry_from = answer
                    .batch_item_failures
                    .first()
                    .map(|f| f.item_identifier.clone());
                for record in &batch.records {
                    if Some(&record.dynamodb.sequence_number) == retry_from.as_ref() {
                        break;
                    }
                    if let Some(event) = publish_events::event_of(record) {
                        println!("events: {} published to the bus", event.detail_type);
                    }
                }
                // As Lambda retries a stream batch: from the first record not published on.
                if let Some(from) = retry_from {
                    pending = batch
                        .records
                        .into_iter()
                        .skip_while(|r| r.dynamodb.sequence_number != from)
                        .collect();
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    let delivering = async {
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        loop {
            if let Err(err) = work_queue_once(&state, &deliverer, &sqs, &queue_url).await {
                eprintln!("events: working the webhook queue failed: {err}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    };
    tokio::join!(publishing, delivering);
}
