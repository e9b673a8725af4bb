//! Who counts as a person in client-facing text: the tenant's users, by full name, email, or
//! a capitalised name of theirs that is not also an ordinary word or the name of the tenant,
//! a service or a client.

use super::Snapshot;
use super::language::{Concern, Pattern};
use super::phrases::Phrase;
use std::collections::HashSet;

/// Words that are names but also ordinary words ("we will", "the admin console"). A person
/// is still found by their full name or email when one of their names is listed here.
/// Lower-case words of a display name ("van", "of") are never matched alone either.
const COMMON_NAME_WORDS: &[&str] = &[
    "will",
    "may",
    "mark",
    "bill",
    "grant",
    "rob",
    "sue",
    "pat",
    "drew",
    "max",
    "ray",
    "art",
    "rose",
    "joy",
    "hope",
    "chase",
    "page",
    "dawn",
    "summer",
    "frank",
    "gene",
    "case",
    "long",
    "young",
    "white",
    "black",
    "brown",
    "green",
    "king",
    "price",
    "hall",
    "bell",
    "wood",
    "west",
    "north",
    "lane",
    "park",
    "stone",
    "day",
    "admin",
    "editor",
    "viewer",
    "reporter",
    "reporting",
    "client",
    "customer",
    "user",
    "bot",
    "support",
    "team",
    "ops",
    "on",
    "call",
    "de",
    "van",
    "von",
    "la",
    "le",
    "da",
    "di",
    "del",
];

/// Each person's full name, email, and each of their capitalised names that is not also an
/// ordinary word or a word of the tenant's, a service's or a client's name.
pub(super) fn patterns(s: &Snapshot) -> Vec<Pattern> {
    let other_words: HashSet<String> = s
        .other_names
        .iter()
        .flat_map(|name| name.split(|c: char| !c.is_alphanumeric()))
        .map(str::to_lowercase)
        .collect();
    let single_name = |word: &str| {
        let lower = word.to_lowercase();
        word.chars().count() >= 2
            && word.chars().next().is_some_and(char::is_uppercase)
            && !COMMON_NAME_WORDS.contains(&lower.as_str())
            && !other_words.contains(&lower)
    };
    let mut patterns = Vec::new();
    for person in &s.people {
        let names: Vec<&str> = person
            .display_name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect();
        // A one-word display name is held to the same test as a single name.
        let full_name = (names.len() > 1).then_some(person.display_name.as_str());
        let labels = full_name
            .into_iter()
            .chain([person.email.as_str()])
            .chain(names.into_iter().filter(|name| single_name(name)));
        patterns.extend(labels.filter_map(Phrase::new).map(|phrase| Pattern {
            phrase,
            concern: Concern::Person(person.display_name.clone()),
        }));
    }
    patterns
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, about, codes_of};
    use super::super::{FindingCode, Person};

    #[test]
    fn a_persons_name_email_and_possessive_are_found() {
        use FindingCode::PersonNamed;
        assert_eq!(codes_of("Dana Whitfield rolled back."), [PersonNamed]);
        assert_eq!(
            codes_of("After Dana's change, payments failed."),
            [PersonNamed]
        );
        assert_eq!(codes_of("whitfield restarted it"), [PersonNamed]);
        assert_eq!(codes_of("Ask dana.w@acme.example."), [PersonNamed]);
        assert_eq!(codes_of("Payments were slow for Danae."), []);
    }

    #[test]
    fn a_service_or_client_sharing_a_first_name_is_not_a_person() {
        let mut s = sample::ready();
        s.other_names.push("Dana".into());
        assert_eq!(about("The Dana service was degraded.", &mut s), vec![]);
        let found = about("Dana Whitfield restarted Dana.", &mut s);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("\"Dana Whitfield\""), "{found:?}");
    }

    #[test]
    fn a_one_word_display_name_is_held_to_the_single_name_test() {
        let mut s = sample::ready();
        s.other_names.push("Dana".into());
        for name in ["Dana", "Support", "dana"] {
            s.people = vec![Person {
                display_name: name.into(),
                email: "d@acme.example".into(),
            }];
            assert_eq!(
                about("The Dana service lost Support.", &mut s),
                vec![],
                "{name}"
            );
        }
        s.people[0].display_name = "Whitfield".into();
        assert_eq!(about("Whitfield restarted it.", &mut s).len(), 1);
        assert_eq!(
            about("Ask d@acme.example.", &mut s).len(),
            1,
            "the email still counts"
        );
    }

    #[test]
    fn a_service_named_like_a_person_is_not_flagged_without_such_a_user() {
        let mut s = sample::ready();
        s.people.clear();
        s.other_names.push("Dana".into());
        assert_eq!(about("Dana's queue backed up.", &mut s), vec![]);
    }

    #[test]
    fn names_that_are_ordinary_words_match_only_in_full() {
        let mut s = sample::ready();
        s.people.push(Person {
            display_name: "Will Mark".into(),
            email: "wm@acme.example".into(),
        });
        assert_eq!(about("Mark the alert; we will page on it.", &mut s), vec![]);
        assert_eq!(about("Will Mark paged the team.", &mut s).len(), 1);
    }

    #[test]
    fn lower_case_words_of_a_display_name_are_not_names() {
        let mut s = sample::ready();
        s.people.push(Person {
            display_name: "Support desk of acme".into(),
            email: "desk@acme.example".into(),
        });
        assert_eq!(
            about("Most of the desk and support staff helped.", &mut s),
            vec![]
        );
        assert_eq!(about("Support desk of acme replied.", &mut s).len(), 1);
    }
}
