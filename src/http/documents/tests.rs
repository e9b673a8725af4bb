use super::registered::{MAX_REGISTERED, MAX_REGISTERED_BYTES};
use super::*;

fn relay(documents: &[&str]) -> String {
    let object: serde_json::Map<String, serde_json::Value> = documents
        .iter()
        .map(|text| (DocumentHash::of(text).0, (*text).into()))
        .collect();
    serde_json::Value::Object(object).to_string()
}

#[test]
fn a_hash_is_the_lowercase_hex_sha256_of_the_text() {
    // `printf '{ me { id } }' | sha256sum`
    assert_eq!(
        DocumentHash::of("{ me { id } }").0,
        "c53d78fa4c9c65a93967d42316fcd207fd611c7cac40a103820a866c3e5dd8f5"
    );
    let upper = DocumentHash::of("{ me { id } }").0.to_ascii_uppercase();
    assert_eq!(
        DocumentHash::parse(&upper),
        Some(DocumentHash::of("{ me { id } }"))
    );
    assert_eq!(DocumentHash::parse("abc"), None);
    assert_eq!(DocumentHash::parse(&"g".repeat(64)), None);
}

#[test]
fn both_manifest_formats_are_read() {
    let text = "query Me { me { id } }";
    let relay = TrustedDocuments::from_json(&relay(&[text])).unwrap();
    assert_eq!(relay.len(), 1);
    let apollo = serde_json::json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": DocumentHash::of(text).0, "name": "Me", "type": "query", "body": text }],
    });
    let apollo = TrustedDocuments::from_json(&apollo.to_string()).unwrap();
    let trusted = apollo.get(&DocumentHash::of(text)).unwrap();
    assert_eq!(trusted.operation_name(None).as_deref(), Some("Me"));
}

#[test]
fn a_stale_malformed_or_unparsable_manifest_is_refused() {
    let stale = serde_json::json!({ DocumentHash::of("{ a }").0: "{ b }" }).to_string();
    let error = TrustedDocuments::from_json(&stale).unwrap_err().to_string();
    assert!(error.contains("not the SHA-256 of its document"), "{error}");
    for (manifest, why) in [
        ("[]".to_owned(), "a JSON object"),
        ("{".to_owned(), "not valid JSON"),
        ("{}".to_owned(), "no documents"),
        (r#"{"x":"{ a }"}"#.to_owned(), "not a SHA-256"),
        (
            r#"{"format":"other"}"#.to_owned(),
            "unknown manifest format",
        ),
        (
            r#"{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}"#
                .to_owned(),
            "version 2",
        ),
        (relay(&["{ a "]), "does not parse"),
    ] {
        let error = TrustedDocuments::from_json(&manifest)
            .unwrap_err()
            .to_string();
        assert!(error.contains(why), "{manifest}: {error}");
    }
}

#[test]
fn the_trusted_name_is_the_operation_run() {
    let texts = [
        "query Me { me { id } }",
        "\n  # a comment\n  subscription Feed($a: Int) { x }",
        "{ me { id } }",
        "query A { a } query B { b }",
    ];
    let trusted = TrustedDocuments::from_json(&relay(&texts)).unwrap();
    let name = |text: &str, operation: Option<&str>| {
        trusted
            .get(&DocumentHash::of(text))
            .unwrap()
            .operation_name(operation)
    };
    assert_eq!(name(texts[0], None).as_deref(), Some("Me"));
    assert_eq!(name(texts[1], None).as_deref(), Some("Feed"));
    assert_eq!(name(texts[2], None), None);
    assert_eq!(name(texts[3], Some("B")).as_deref(), Some("B"));
    assert_eq!(name(texts[3], Some("C")), None);
}

#[test]
fn registered_texts_are_bounded() {
    let registered = Registered::default();
    for i in 0..=MAX_REGISTERED {
        let text = format!("{{ a{i} }}");
        registered.register(DocumentHash::of(&text), &text);
    }
    assert!(registered.get(&DocumentHash::of("{ a0 }")).is_none());
    assert!(
        registered
            .get(&DocumentHash::of(&format!("{{ a{MAX_REGISTERED} }}")))
            .is_some()
    );
    let long = format!("{{ {} }}", "a".repeat(MAX_REGISTERED_BYTES));
    registered.register(DocumentHash::of(&long), &long);
    assert!(registered.get(&DocumentHash::of(&long)).is_none());
}
