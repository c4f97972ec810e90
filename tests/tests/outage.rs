//! Faults under load, through the local API: DynamoDB Local is killed while requests run
//! (every answer a well-formed 503 with Retry-After, in time, never a 500 or a hang), then
//! restarted on its data (the same API recovers, and every token acknowledged before the
//! fault still verifies, every token deleted before it does not); then Secrets Manager
//! becomes unreachable (JWTs are still issued from the cached key for the stale window, then
//! 503, and again once it is back).

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use tessera_admin::provision::TableDefinition;
use tessera_common::{
    audit::DEFAULT_RETENTION,
    clock::SystemClock,
    config::sdk_config,
    store::records::Role,
    token::{new_id, random_base62},
    verify::verify_access_token,
    AppState, Quotas, Store,
};
use tessera_jwt::signing_key::{CachePolicy, SigningKeys};
use tessera_test_support::{base, test_settings, workspace, ManualClock};
use tessera_tests::{
    outage::{DiskDynamoDb, SwitchableProxy},
    LocalApi, TEMPLATE,
};

/// One request's status, body, Retry-After and time.
struct Answer {
    status: u16,
    body: Value,
    retry_after: Option<String>,
    took: Duration,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let started = Instant::now();
    let response = request.send().await.expect("the local API answers");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        retry_after,
        took: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_answers_503_then_recovers_and_loses_no_token() {
    let mut db = DiskDynamoDb::start().await;
    let moto = std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER").expect("the test stack");
    let mut secrets =
        SwitchableProxy::to(moto.trim_start_matches("http://").parse().unwrap()).await;
    let sdk = sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(db.endpoint())
            .build(),
    );
    let secretsmanager = aws_sdk_secretsmanager::Client::from_conf(
        aws_sdk_secretsmanager::config::Builder::from(&sdk)
            .endpoint_url(secrets.endpoint())
            .build(),
    );
    let table = format!("outage-{}", new_id());
    // Provisioning is no request path: the SDK's own timeouts (a cold on-disk DynamoDB
    // Local takes longer than a request's 1.5 s to create its first table).
    let provisioning = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(
            &aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await,
        )
        .endpoint_url(db.endpoint())
        .build(),
    );
    TableDefinition::from_template(TEMPLATE)
        .unwrap()
        .create(&provisioning, &table)
        .await
        .unwrap();
    let secret_id = format!("outage-{}", new_id());
    secretsmanager
        .create_secret()
        .name(&secret_id)
        .secret_string(random_base62(64))
        .send()
        .await
        .unwrap();
    let clock = ManualClock::new();
    let state = AppState {
        store: Store::new(dynamodb, table),
        seatable: test_settings(),
        signing: Some(Arc::new(SigningKeys::new(
            secretsmanager,
            secret_id,
            CachePolicy::DEFAULT,
            clock.shared(),
        ))),
        webhook_key: None,
        quotas: Quotas::DEFAULT,
        clock: clock.shared(),
        audit_retention: DEFAULT_RETENTION,
        max_access_token_lifetime: Duration::from_secs(365 * 24 * 3600),
        verification_cache: Duration::ZERO,
    };
    let api = LocalApi::start_with(state).await;
    let ws = workspace(&api.state.store, Role::Admin).await;
    let b = base(&api.state.store, "Hello").await;
    let auth = ws.basic_auth();
    let exchange_url = api.url(&format!(
        "/api/v2.1/workspace/{}/dtable/Hello/access-token/",
        b.base.workspace_id
    ));
    let exchange = || {
        api.client
            .get(&exchange_url)
            .header("Authorization", b.writer.auth())
    };
    let create = |name: &str| {
        api.client
            .post(api.url("/accessTokens"))
            .header("Authorization", &auth)
            .json(&json!({ "name": name }))
    };
    let mut by_status: BTreeMap<&str, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut count = |phase, status| {
        *by_status
            .entry(phase)
            .or_default()
            .entry(status)
            .or_default() += 1
    };

    // Before: tokens created (acknowledged with 200), some deleted.
    let mut acknowledged = Vec::new();
    let mut deleted = Vec::new();
    for i in 0..30 {
        let answer = send(create(&format!("t{i}"))).await;
        count("before", answer.status);
        // Only what was acknowledged with 200 is owed (a cold start may be slow: 503).
        assert!([200, 503].contains(&answer.status), "{}", answer.body);
        if answer.status != 200 {
            continue;
        }
        let token = answer.body["data"]["token"].as_str().unwrap().to_owned();
        if i % 5 == 0 {
            let gone = send(
                api.client
                    .delete(api.url(&format!("/accessTokens?name=t{i}")))
                    .header("Authorization", &auth),
            )
            .await;
            count("before", gone.status);
            match gone.status {
                200 => deleted.push(token),
                503 => {} // its outcome is unknown: checked neither way
                other => panic!("delete answered {other}"),
            }
        } else {
            acknowledged.push(token);
        }
        let exchanged = send(exchange()).await;
        count("before", exchanged.status);
        assert!([200, 503].contains(&exchanged.status), "{}", exchanged.body);
    }
    assert!(
        acknowledged.len() >= 10,
        "too few tokens acknowledged before the fault"
    );

    // DynamoDB Local dies: every answer is a 503 in its family's shape, in time.
    db.kill();
    let mut slowest = Duration::ZERO;
    for i in 0..6 {
        for (family, request) in [
            ("rudderstack", create(&format!("during-{i}"))),
            (
                "rudderstack",
                api.client
                    .get(api.url("/accessTokens"))
                    .header("Authorization", &auth),
            ),
            (
                // The console's sign-in asks who the token is: it too must say 503.
                "rudderstack",
                api.client
                    .get(api.url("/workspace"))
                    .header("Authorization", &auth),
            ),
            ("seatable", exchange()),
        ] {
            let answer = send(request).await;
            count("outage", answer.status);
            slowest = slowest.max(answer.took);
            assert_eq!(answer.status, 503, "{family}: {}", answer.body);
            assert!(answer.retry_after.is_some(), "{family}: no Retry-After");
            let shaped = match family {
                "rudderstack" => {
                    answer.body["success"] == false && answer.body["error"].is_string()
                }
                _ => answer.body["error_msg"].is_string(),
            };
            assert!(shaped, "{family}: {}", answer.body);
            assert!(
                answer.took < Duration::from_secs(5),
                "{family} took {:?}",
                answer.took
            );
        }
    }

    // It comes back on its data; the same API recovers.
    db.restart().await;
    let mut recovered = false;
    for _ in 0..20 {
        let answer = send(
            api.client
                .get(api.url("/accessTokens"))
                .header("Authorization", &auth),
        )
        .await;
        count("after", answer.status);
        if answer.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        recovered,
        "the API did not recover after DynamoDB came back"
    );
    let mut lost = 0;
    for token in &acknowledged {
        if verify_access_token(&api.state.store, &SystemClock, token)
            .await
            .unwrap()
            .is_none()
        {
            lost += 1;
        }
    }
    let mut revived = 0;
    for token in &deleted {
        if verify_access_token(&api.state.store, &SystemClock, token)
            .await
            .unwrap()
            .is_some()
        {
            revived += 1;
        }
    }
    assert_eq!((lost, revived), (0, 0), "tokens lost, deleted tokens alive");

    // Secrets Manager becomes unreachable: the cached key serves through the stale window.
    secrets.off().await;
    let policy = CachePolicy::DEFAULT;
    clock.advance(policy.refresh + Duration::from_secs(1));
    let answer = send(exchange()).await;
    count("secrets-outage", answer.status);
    assert_eq!(answer.status, 200, "stale key: {}", answer.body);
    clock.advance(policy.stale_for);
    let answer = send(exchange()).await;
    count("secrets-outage", answer.status);
    assert_eq!(answer.status, 503, "past the stale window: {}", answer.body);
    assert!(answer.retry_after.is_some());
    secrets.on().await;
    clock.advance(policy.min_fetch_interval);
    let answer = send(exchange()).await;
    count("secrets-back", answer.status);
    assert_eq!(answer.status, 200, "recovered: {}", answer.body);

    println!(
        "outage: requests by phase and status {by_status:?}; slowest answer during the outage \
         {slowest:?}; {} acknowledged tokens checked afterwards, {lost} lost; {} deleted tokens \
         checked, {revived} alive",
        acknowledged.len(),
        deleted.len()
    );
}
