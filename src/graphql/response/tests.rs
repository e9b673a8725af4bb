use super::*;
use async_graphql::{PathSegment, ServerError, Value};
use serde_json::json;

fn completion() -> Completion {
    Completion::new(&crate::graphql::sdl()).expect("the schema's SDL reads")
}

/// Completes `data` (as async-graphql might have left it) for `query`, with `errors` at
/// their paths; returns the data as JSON text, whose key order is the response's.
fn completed(query: &str, data: serde_json::Value, errors: &[&[&str]]) -> String {
    let document = async_graphql::parser::parse_query(query).expect("parses");
    let mut response = Response::new(Value::from_json(data).expect("a value"));
    response.errors = errors
        .iter()
        .map(|path| {
            let mut error = ServerError::new("failed", None);
            error.path = path
                .iter()
                .map(|step| match step.parse::<usize>() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Field((*step).to_owned()),
                })
                .collect();
            error
        })
        .collect();
    completion().complete(&document, None, &Variables::default(), &mut response);
    serde_json::to_string(&response.data).expect("JSON")
}

#[test]
fn keys_come_in_selection_order_whatever_order_they_finished_in() {
    let query = "{ viewer { role tenant { slug name id } } incidents(first: 2) { totalCount nodes { title reference id } } }";
    let reversed = json!({
        "incidents": { "nodes": [{ "id": "b", "reference": "INC-2", "title": "B" }, { "id": "a", "reference": "INC-1", "title": "A" }], "totalCount": 2 },
        "viewer": { "tenant": { "id": "t", "name": "Acme", "slug": "acme" }, "role": "ADMIN" },
    });
    assert_eq!(
        completed(query, reversed, &[]),
        r#"{"viewer":{"role":"ADMIN","tenant":{"slug":"acme","name":"Acme","id":"t"}},"incidents":{"totalCount":2,"nodes":[{"title":"B","reference":"INC-2","id":"b"},{"title":"A","reference":"INC-1","id":"a"}]}}"#
    );
}

#[test]
fn fragments_merge_into_the_position_of_a_keys_first_selection() {
    let query = "query { viewer { ...Who role } } fragment Who on Viewer { tenant { id } role }";
    let data = json!({ "viewer": { "role": "VIEWER", "tenant": { "id": "t" } } });
    assert_eq!(
        completed(query, data, &[]),
        r#"{"viewer":{"tenant":{"id":"t"},"role":"VIEWER"}}"#
    );
}

#[test]
fn mutation_fields_come_in_selection_order() {
    let query = "mutation { b: serviceCreate(input: { name: \"B\" }) { userErrors { code } service { name } } a: serviceCreate(input: { name: \"A\" }) { service { name } } }";
    let data = json!({ "a": { "service": { "name": "A" } }, "b": { "service": { "name": "B" }, "userErrors": [] } });
    assert_eq!(
        completed(query, data, &[]),
        r#"{"b":{"userErrors":[],"service":{"name":"B"}},"a":{"service":{"name":"A"}}}"#
    );
}

#[test]
fn a_field_that_errored_is_present_and_null() {
    let query = "{ incidents(first: 1) { nodes { title summary reference } } }";
    let data = json!({ "incidents": { "nodes": [{ "reference": "INC-1", "title": "T" }] } });
    assert_eq!(
        completed(query, data, &[&["incidents", "nodes", "0", "summary"]]),
        r#"{"incidents":{"nodes":[{"title":"T","summary":null,"reference":"INC-1"}]}}"#
    );
}

#[test]
fn a_non_null_field_that_errored_nulls_its_nearest_nullable_parent() {
    // `readiness` and `postMortem` are non-null, so the null reaches the list item.
    let query = "query($ids: [ID!]!) { viewer { role } nodes(ids: $ids) { ... on Incident { title postMortem { status readiness { ready } } } } }";
    let data = json!({
        "nodes": [{ "title": "T", "postMortem": { "status": "DRAFT" }, TYPE_PROBE: "Incident" }],
        "viewer": { "role": "ADMIN" },
    });
    assert_eq!(
        completed(query, data, &[&["nodes", "0", "postMortem", "readiness"]]),
        r#"{"viewer":{"role":"ADMIN"},"nodes":[null]}"#
    );
    // `incident` is non-null too, so there the null reaches `data` itself.
    let query = "query($id: ID!) { viewer { role } incident(id: $id) { postMortem { readiness { ready } } } }";
    let data = json!({ "incident": { "postMortem": {} }, "viewer": { "role": "ADMIN" } });
    assert_eq!(
        completed(query, data, &[&["incident", "postMortem", "readiness"]]),
        "null"
    );
}

#[test]
fn an_object_whose_every_field_failed_is_an_object_of_nulls() {
    // async-graphql answers such an object as null; its fields are nullable, so it is not.
    let query = "{ incidents(first: 1) { nodes { summary } } }";
    let data = json!({ "incidents": { "nodes": [null] } });
    assert_eq!(
        completed(query, data, &[&["incidents", "nodes", "0", "summary"]]),
        r#"{"incidents":{"nodes":[{"summary":null}]}}"#
    );
}

#[test]
fn interface_values_take_the_fragments_of_their_own_type() {
    let query = "query($id: ID!) { node(id: $id) { ... on Client { name } id ... on Incident { title id reference } } }";
    let mut document = async_graphql::parser::parse_query(query).expect("parses");
    completion().probe(&mut document);
    let probed = format!("{document:?}");
    assert!(
        probed.contains(TYPE_PROBE),
        "the executed document asks for the type"
    );
    let data = json!({ "node": { "reference": "INC-1", "id": "i", "title": "T", TYPE_PROBE: "Incident" } });
    assert_eq!(
        completed(query, data, &[]),
        r#"{"node":{"id":"i","title":"T","reference":"INC-1"}}"#
    );
}

#[test]
fn skipped_selections_are_left_out() {
    let query = "{ viewer { role @skip(if: true) tenant @include(if: true) { id } } }";
    let data = json!({ "viewer": { "tenant": { "id": "t" } } });
    assert_eq!(
        completed(query, data, &[]),
        r#"{"viewer":{"tenant":{"id":"t"}}}"#
    );
}
