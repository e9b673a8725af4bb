use super::*;
use chrono::TimeZone;

const STRICT: AddressPolicy = AddressPolicy {
    allow_private: false,
};
const NO_JITTER: Backoff = Backoff {
    scale: 1.0,
    jitter: 0.0,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
}

fn failed(code: u16) -> Response {
    Response::Status {
        code,
        retry_after: None,
    }
}

#[test]
fn only_public_unicast_addresses_are_public() {
    let not_public = [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "2001:db8::1",
        "ff02::1",
        "198.18.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::1",
    ];
    for address in not_public {
        assert!(!is_public(address.parse().unwrap()), "{address}");
    }
    for address in [
        "93.184.215.14",
        "8.8.8.8",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
    ] {
        assert!(is_public(address.parse().unwrap()), "{address}");
    }
}

#[test]
fn urls_must_be_https_without_credentials_to_a_public_host() {
    let refused = [
        "http://hooks.example.com/in",
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://user:secret@hooks.example.com/in",
        "https://token@hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://[::1]/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:10.0.0.1]/in",
        "not a url",
        "/relative",
    ];
    for url in refused {
        let error = endpoint_url("url", url, STRICT).expect_err(url);
        assert_eq!(error.code, FieldErrorCode::Invalid, "{url}");
    }
    let long = format!("https://hooks.example.com/{}", "a".repeat(URL_MAX));
    assert_eq!(
        endpoint_url("url", &long, STRICT).unwrap_err().code,
        FieldErrorCode::TooLong
    );
    assert!(endpoint_url("url", "https://hooks.example.com/in?x=1", STRICT).is_ok());
}

#[test]
fn allowing_private_addresses_allows_http_to_loopback_but_never_credentials() {
    let open = AddressPolicy {
        allow_private: true,
    };
    assert!(endpoint_url("url", "http://127.0.0.1:9000/hook", open).is_ok());
    assert!(endpoint_url("url", "http://a:b@127.0.0.1:9000/hook", open).is_err());
    assert!(endpoint_url("url", "gopher://127.0.0.1/", open).is_err());
}

#[test]
fn success_delivers_and_gone_disables() {
    let next = |code| after_attempt(failed(code), 0, None, now(), NO_JITTER);
    assert_eq!(next(200), Next::Delivered);
    assert_eq!(next(204), Next::Delivered);
    assert!(matches!(next(410), Next::Disable(_)));
    assert!(matches!(next(500), Next::RetryAt(_)));
    assert!(matches!(next(302), Next::RetryAt(_)));
}

#[test]
fn failures_follow_the_schedule_then_give_up() {
    for (failures, pause) in RETRY_SCHEDULE.iter().enumerate() {
        let next = after_attempt(Response::None, failures as u32, None, now(), NO_JITTER);
        let expected = now() + TimeDelta::from_std(*pause).unwrap();
        assert_eq!(next, Next::RetryAt(expected), "failure {failures}");
    }
    let exhausted = after_attempt(Response::None, 7, None, now(), NO_JITTER);
    assert_eq!(exhausted, Next::GiveUp);
}

#[test]
fn jitter_and_scale_shape_the_pause() {
    let at = |backoff| match after_attempt(Response::None, 1, None, now(), backoff) {
        Next::RetryAt(at) => (at - now()).num_milliseconds(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        at(Backoff {
            scale: 0.01,
            jitter: 0.0
        }),
        3_000
    );
    assert_eq!(
        at(Backoff {
            scale: 1.0,
            jitter: 1.0
        }),
        360_000
    );
    assert_eq!(
        at(Backoff {
            scale: 1.0,
            jitter: -1.0
        }),
        240_000
    );
}

#[test]
fn retry_after_is_honoured_when_longer_than_the_schedule_and_capped() {
    let asked = |seconds| Response::Status {
        code: 503,
        retry_after: Some(Duration::from_secs(seconds)),
    };
    let wait = |response| match after_attempt(response, 0, None, now(), NO_JITTER) {
        Next::RetryAt(at) => (at - now()).num_seconds(),
        other => panic!("{other:?}"),
    };
    assert_eq!(wait(asked(120)), 120);
    assert_eq!(wait(asked(1)), 5);
    assert_eq!(wait(asked(10 * 24 * 3600)), 24 * 3600);
}

#[test]
fn five_days_of_failure_disables() {
    let since = now() - FAILURE_WINDOW;
    let next = after_attempt(failed(500), 0, Some(since), now(), NO_JITTER);
    assert!(matches!(next, Next::Disable(_)));
    let recent = now() - TimeDelta::days(4);
    let next = after_attempt(failed(500), 0, Some(recent), now(), NO_JITTER);
    assert!(matches!(next, Next::RetryAt(_)));
}

#[test]
fn event_types_are_kept_once_each() {
    let types = event_types(vec![
        EventType::PostMortemPublished,
        EventType::MeasureOverdue,
        EventType::PostMortemPublished,
    ]);
    assert_eq!(
        types,
        [EventType::PostMortemPublished, EventType::MeasureOverdue]
    );
    assert!(wants(&[], EventType::DirectoryChanged));
    assert!(!wants(&types, EventType::DirectoryChanged));
}
