use super::{Price, Pricing};
use async_graphql::Variables;
use async_graphql_value::ConstValue;

fn pricing() -> Pricing {
    Pricing::new(&crate::graphql::sdl()).expect("the schema's SDL parses")
}

fn price(query: &str, variables: serde_json::Value) -> Price {
    let document = async_graphql::parser::parse_query(query).expect("the document parses");
    pricing().requested(&document, None, &Variables::from_json(variables))
}

fn requests_and_cost(query: &str) -> (u64, u64) {
    let price = price(query, serde_json::json!({}));
    (price.requests, price.cost)
}

#[test]
fn a_query_without_connections_costs_one_point() {
    assert_eq!(requests_and_cost("{ viewer { id } }"), (0, 1));
    assert_eq!(requests_and_cost("{ __schema { types { name } } }"), (0, 1));
}

#[test]
fn each_connection_is_one_request_per_item_of_the_connections_around_it() {
    // 1 for incidents, then 100 timelines: 101 requests, 1.01 points.
    let query = "{ incidents(first: 100) { nodes { timeline(first: 50) { nodes { id } } } } }";
    assert_eq!(requests_and_cost(query), (101, 1));
    // 1 + 100 timelines + 100 feedback lists: 201 requests, 2 points.
    let query = "{ incidents(first: 100) { nodes { timeline(first: 5) { totalCount } \
                 feedback(last: 5) { totalCount } } } }";
    assert_eq!(requests_and_cost(query), (201, 2));
}

#[test]
fn nested_connections_multiply_and_the_cost_rounds_to_the_nearest_point() {
    // 1 incident list, 100 post-mortems' share links, 100 timelines: 201 requests.
    let query = "{ incidents(first: 100) { nodes { postMortem { shareLinks(first: 100) { \
                 totalCount } } timeline(first: 1) { totalCount } } } }";
    assert_eq!(requests_and_cost(query), (201, 2));
    // 1 + 70 + 70 + 70 = 211 requests, three connections under 70 incidents: 2.11 points.
    // 1 + 85 × 2 = 171 requests: 1.71 points, rounded to 2; 1 + 30 × 2 = 61: 0.61, to 1.
    let three = "{ incidents(first: 70) { nodes { postMortem { shareLinks { totalCount } } \
                 timeline { totalCount } feedback { totalCount } } } }";
    assert_eq!(requests_and_cost(three), (211, 2));
    let two = |n: u64| {
        format!(
            "{{ incidents(last: {n}) {{ nodes {{ timeline {{ totalCount }} feedback {{ totalCount }} }} }} }}"
        )
    };
    assert_eq!(requests_and_cost(&two(85)), (171, 2));
    assert_eq!(requests_and_cost(&two(30)), (61, 1));
}

#[test]
fn a_connection_without_a_page_size_counts_the_default_page() {
    let default = crate::repo::DEFAULT_PAGE_SIZE;
    let query = "{ incidents { nodes { timeline { totalCount } } } }";
    assert_eq!(requests_and_cost(query).0, 1 + default);
}

#[test]
fn page_sizes_come_from_variables_and_stay_within_the_page_limit() {
    let query =
        "query($n: Int) { incidents(first: $n) { nodes { timeline(first: 1) { totalCount } } } }";
    assert_eq!(price(query, serde_json::json!({ "n": 40 })).requests, 41);
    // `first: 5000` is refused when it runs; it is priced as the largest page.
    let query = "{ incidents(first: 5000) { nodes { timeline(first: 1) { totalCount } } } }";
    assert_eq!(requests_and_cost(query).0, 101);
}

#[test]
fn fragments_count_where_they_are_spread() {
    let query = "query { a: incidents(first: 10) { ...lists } b: incidents(first: 20) { ...lists } } \
                 fragment lists on IncidentConnection { nodes { ... on Incident { timeline(first: 1) { totalCount } } } }";
    assert_eq!(requests_and_cost(query).0, (1 + 10) + (1 + 20));
}

#[test]
fn a_mutation_costs_five_points() {
    let query = "mutation { clientCreate(input: { name: \"x\" }) { client { id } } }";
    assert_eq!(requests_and_cost(query).1, 5);
}

#[test]
fn the_actual_cost_counts_the_connections_the_response_holds() {
    let query = "{ incidents(first: 100) { nodes { timeline(first: 50) { totalCount } } } }";
    let document = async_graphql::parser::parse_query(query).expect("the document parses");
    let timelines = (0..3)
        .map(|_| serde_json::json!({ "timeline": { "totalCount": 2 } }))
        .collect::<Vec<_>>();
    let data = ConstValue::from_json(serde_json::json!({ "incidents": { "nodes": timelines } }))
        .expect("JSON converts");
    // 1 incident list and 3 timelines of the 101 the document might have needed.
    assert_eq!(pricing().actual(&document, None, &data), 1);
    let data =
        ConstValue::from_json(serde_json::json!({ "incidents": null })).expect("JSON converts");
    assert_eq!(pricing().actual(&document, None, &data), 1);
}

#[test]
fn selections_count_each_time_they_are_written() {
    // Each spread of the fragment is priced where it is written: 1 + 100 × 2 × 3.
    let query = "{ incidents(first: 100) { nodes { ...lists ...lists ...lists } } } \
                 fragment lists on Incident { timeline(first: 1) { totalCount } \
                 feedback(first: 1) { totalCount } }";
    assert_eq!(requests_and_cost(query), (601, 6));
}
