use super::*;

fn route(method: &str, path: &str) -> Route {
    Route {
        function: "F".into(),
        code_uri: "functions/f".into(),
        method: method.into(),
        path: path.into(),
        authorizer: None,
    }
}

#[test]
fn matches_literal_paths_by_method() {
    let r = route("POST", "/accessTokens");
    assert_eq!(r.matches("POST", "/accessTokens"), Some(BTreeMap::new()));
    assert_eq!(r.matches("GET", "/accessTokens"), None);
    assert_eq!(r.matches("POST", "/accessTokens/"), None);
    assert_eq!(r.matches("POST", "/accesstokens"), None);
}

#[test]
fn captures_decoded_path_parameters() {
    let r = route(
        "GET",
        "/api/v2.1/workspace/{workspace_id}/dtable/{dtable_name}/access-token/",
    );
    let params = r
        .matches(
            "GET",
            "/api/v2.1/workspace/7/dtable/My%20Base/access-token/",
        )
        .unwrap();
    assert_eq!(params["workspace_id"], "7");
    assert_eq!(params["dtable_name"], "My Base");
    assert_eq!(
        r.matches("GET", "/api/v2.1/workspace//dtable/x/access-token/"),
        None
    );
}

#[test]
fn the_most_specific_route_wins_whatever_the_order() {
    let routes = [
        (route("ANY", "/{proxy+}"), "greedy"),
        (route("GET", "/items/{id}"), "param"),
        (route("GET", "/items/new"), "literal"),
        (route("ANY", "/items/new"), "literal, any method"),
    ];
    for order in [routes.to_vec(), routes.iter().rev().cloned().collect()] {
        let pick = |method, path| pick(&order, method, path).map(|(_, name, _)| *name);
        assert_eq!(pick("GET", "/items/new"), Some("literal"));
        assert_eq!(pick("POST", "/items/new"), Some("literal, any method"));
        assert_eq!(pick("GET", "/items/7"), Some("param"));
        assert_eq!(pick("GET", "/other/a/b"), Some("greedy"));
    }
    let (_, _, params) = pick(&routes, "DELETE", "/a/b%20c").unwrap();
    assert_eq!(params["proxy"], "a/b c");
}

#[test]
fn reads_routes_and_authorizers_from_a_template() {
    let yaml = r#"
Parameters:
  CacheSeconds: { Type: Number, Default: 7 }
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Ref Name }
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Tokens:
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: { Headers: [Authorization], ReauthorizeEvery: !Ref CacheSeconds }
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/auth }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      Events:
        Api: { Type: HttpApi, Properties: { Method: get, Path: /x, Auth: { Authorizer: Tokens } } }
        Timer: { Type: Schedule, Properties: { Schedule: rate(1 day) } }
"#;
    let api = api_from_template(yaml).unwrap();
    assert_eq!(
        api.routes,
        [Route {
            function: "Fn".into(),
            code_uri: "functions/fn".into(),
            method: "GET".into(),
            path: "/x".into(),
            authorizer: Some("Tokens".into()),
        }]
    );
    let tokens = &api.authorizers["Tokens"];
    assert_eq!(tokens.function, "AuthFn");
    assert_eq!(tokens.code_uri, "functions/auth");
    assert_eq!(tokens.identity_headers, ["authorization"]);
    assert_eq!(tokens.reauthorize_every, Duration::from_secs(7));

    let undeclared = yaml.replace("Authorizer: Tokens", "Authorizer: Nope");
    assert!(matches!(
        api_from_template(&undeclared),
        Err(TemplateError::Authorizer { .. })
    ));
}
