use super::*;
use async_graphql::parser::parse_query;
use serde_json::json;

fn checked(query: &str, variables: serde_json::Value) -> ServerResult<()> {
    let document = parse_query(query).expect("the test document parses");
    check(&document, &Variables::from_json(variables))
}

fn refused_for(query: &str, variables: serde_json::Value) -> (String, u64) {
    let error = checked(query, variables).expect_err("the document is refused");
    let extensions = error.extensions.expect("extensions");
    let key = [
        "size",
        "rootFields",
        "aliases",
        "depth",
        "directives",
        "nesting",
    ]
    .into_iter()
    .find(|key| extensions.get(key).is_some())
    .expect("the figure that is over its limit");
    let figure = match extensions.get(key) {
        Some(Value::Number(n)) => n.as_u64().expect("a whole number"),
        other => panic!("not a number: {other:?}"),
    };
    (key.to_owned(), figure)
}

/// `levels` fragments, each spreading the previous one twice, under one field.
fn fan_out(levels: usize) -> String {
    let mut document = format!("query {{ viewer {{ ...F{levels} }} }}\n");
    document.push_str("fragment F0 on Viewer { role }\n");
    for level in 1..=levels {
        let previous = level - 1;
        document.push_str(&format!(
            "fragment F{level} on Viewer {{ ...F{previous} ...F{previous} }}\n"
        ));
    }
    document
}

#[test]
fn a_fan_out_is_sized_as_if_every_spread_were_expanded() {
    // Each level doubles the level below and adds its own two spreads.
    let (key, size) = refused_for(&fan_out(20), json!({}));
    assert_eq!(key, "size");
    let expected = (1u64 << 20) + 2 * ((1u64 << 20) - 1) + 1 + 1;
    assert_eq!(size, expected);
}

#[test]
fn spreads_nested_past_the_limit_are_refused() {
    let (key, figure) = refused_for(&fan_out(31), json!({}));
    assert_eq!(
        key, "nesting",
        "31 levels of spreads under a field nest past 32"
    );
    assert_eq!(figure, MAX_NESTING as u64 + 1);
}

#[test]
fn counts_saturate_rather_than_overflow() {
    // 16 spreads at each of 29 levels: 16^29 = 2^116 fields, more than a u64 holds.
    let mut document = "query { viewer { ...F29 } }\nfragment F0 on Viewer { role }\n".to_owned();
    for level in 1..=29 {
        let spreads = format!("...F{} ", level - 1).repeat(16);
        document.push_str(&format!("fragment F{level} on Viewer {{ {spreads} }}\n"));
    }
    assert_eq!(
        refused_for(&document, json!({})),
        ("size".to_owned(), u64::MAX)
    );
}

#[test]
fn a_fragment_that_spreads_itself_is_refused() {
    let error = checked(
        "query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }",
        json!({}),
    )
    .expect_err("a cycle");
    assert!(
        error.message.contains("spreads itself"),
        "{}",
        error.message
    );
}

#[test]
fn depth_aliases_and_root_fields_are_counted_through_fragments() {
    let deep = "query { ...A } fragment A on Query { viewer { tenant { ...B } } } \
                fragment B on Tenant { id }";
    assert!(checked(deep, json!({})).is_ok());
    let mut nested = "id".to_owned();
    for _ in 0..15 {
        nested = format!("tenant {{ {nested} }}");
    }
    let too_deep = format!("query {{ viewer {{ ...A }} }} fragment A on Viewer {{ {nested} }}");
    assert_eq!(refused_for(&too_deep, json!({})), ("depth".to_owned(), 17));
    let aliases: String = (0..16).map(|i| format!("a{i}: role ")).collect();
    let twice = format!("query {{ viewer {{ ...A ...A }} }} fragment A on Viewer {{ {aliases} }}");
    assert_eq!(refused_for(&twice, json!({})), ("aliases".to_owned(), 32));
    let roots: String = (0..11)
        .map(|i| format!("v{i}: viewer {{ role }} "))
        .collect();
    let spread = format!("query {{ ...A ...A }} fragment A on Query {{ {roots} }}");
    assert_eq!(refused_for(&spread, json!({})).0, "rootFields");
}

#[test]
fn directives_are_counted_at_every_spread() {
    let directives = "@include(if: true) ".repeat(30);
    let query =
        format!("query {{ viewer {{ ...A ...A }} }} fragment A on Viewer {{ role {directives} }}");
    assert_eq!(
        refused_for(&query, json!({})),
        ("directives".to_owned(), 60)
    );
}

#[test]
fn large_variable_values_count_towards_the_size() {
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    assert!(checked(query, json!({ "ids": vec!["x"; 100] })).is_ok());
    let (key, _) = refused_for(query, json!({ "ids": vec!["x"; 20_000] }));
    assert_eq!(key, "size");
}

#[test]
fn the_graphiql_introspection_query_is_within_every_limit() {
    assert!(checked(INTROSPECTION, json!({})).is_ok());
}

/// The introspection query GraphiQL and graphql-js send.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;
