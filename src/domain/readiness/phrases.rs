//! Whole-word phrase matching over prose.
//!
//! A text is split into words: runs of letters and digits, lower-cased. Everything else,
//! apostrophes included, separates words, so "Dana's" is `dana` `s` and matches both the
//! name "Dana" and the phrase "'s fault", while "default" never matches "fault". Phrases are
//! split the same way and match a run of consecutive words.

use std::ops::Range;

/// A phrase to look for: its words, and the label a finding quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub label: String,
    words: Vec<String>,
}

impl Phrase {
    /// The phrase, or `None` when it has no words at all (punctuation only, say).
    pub fn new(label: &str) -> Option<Self> {
        let words: Vec<String> = spans(label)
            .map(|range| label[range].to_lowercase())
            .collect();
        (!words.is_empty()).then(|| Self {
            label: label.trim().to_owned(),
            words,
        })
    }

    /// Phrases for every label that has words.
    pub fn all<S: AsRef<str>>(labels: &[S]) -> Vec<Self> {
        labels
            .iter()
            .filter_map(|l| Self::new(l.as_ref()))
            .collect()
    }

    /// How many words long it is.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// Its words, lower-cased: two phrases with the same words match the same text.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// Where a phrase occurs: word indexes and byte offsets in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub words: (usize, usize),
    pub bytes: (usize, usize),
}

/// A text split into words, ready to be searched.
pub struct Text<'a> {
    source: &'a str,
    words: Vec<(String, Range<usize>)>,
}

/// Characters of context on each side of an excerpt.
const EXCERPT_CONTEXT: usize = 40;

impl<'a> Text<'a> {
    pub fn new(source: &'a str) -> Self {
        let words = spans(source)
            .map(|range| (source[range.clone()].to_lowercase(), range))
            .collect();
        Self { source, words }
    }

    /// Every occurrence of `phrase` as whole consecutive words.
    pub fn find<'p>(&'p self, phrase: &'p Phrase) -> impl Iterator<Item = Occurrence> + 'p {
        let n = phrase.words.len();
        (0..=self.words.len().saturating_sub(n))
            .filter(move |&start| {
                n > 0
                    && start + n <= self.words.len()
                    && self.words[start..start + n]
                        .iter()
                        .zip(&phrase.words)
                        .all(|((word, _), wanted)| word == wanted)
            })
            .map(move |start| Occurrence {
                words: (start, start + n),
                bytes: (self.words[start].1.start, self.words[start + n - 1].1.end),
            })
    }

    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The `index`-th word, lower-cased.
    pub fn word(&self, index: usize) -> Option<&str> {
        self.words.get(index).map(|(word, _)| word.as_str())
    }

    /// How many words of the text are one of `words` (lower-case).
    pub fn count_words(&self, words: &[&str]) -> usize {
        self.words
            .iter()
            .filter(|(word, _)| words.contains(&word.as_str()))
            .count()
    }

    /// Whether the text gives a number anywhere (a measurable target).
    pub fn has_number(&self) -> bool {
        self.source.chars().any(|c| c.is_ascii_digit())
    }

    /// The occurrence with some context on each side, cut at character boundaries and
    /// marked with `…` where it was cut.
    pub fn excerpt(&self, at: Occurrence) -> String {
        let (start, end) = at.bytes;
        let before = &self.source[..start];
        let after = &self.source[end..];
        let cut_start = before
            .char_indices()
            .rev()
            .nth(EXCERPT_CONTEXT - 1)
            .map(|(i, _)| i)
            .filter(|&i| i > 0);
        let cut_end = after.char_indices().nth(EXCERPT_CONTEXT).map(|(i, _)| i);
        let head = cut_start.map_or(before, |i| &before[i..]);
        let tail = cut_end.map_or(after, |i| &after[..i]);
        let mut excerpt = String::new();
        if cut_start.is_some() {
            excerpt.push('…');
        }
        excerpt.push_str(head);
        excerpt.push_str(&self.source[start..end]);
        excerpt.push_str(tail);
        if cut_end.is_some() {
            excerpt.push('…');
        }
        excerpt.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Byte ranges of the words of `text`.
fn spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some(start..end)
    })
}

#[cfg(test)]
mod tests {
    use super::super::lists::*;
    use super::*;

    fn found(text: &str, phrase: &str) -> usize {
        let Some(phrase) = Phrase::new(phrase) else {
            panic!("{phrase} has no words")
        };
        Text::new(text).find(&phrase).count()
    }

    #[test]
    fn phrases_match_whole_words_case_insensitively() {
        assert_eq!(found("It was Human Error.", "human error"), 1);
        assert_eq!(found("the default limit", "fault"), 0);
        assert_eq!(found("a faulty disk", "fault"), 0);
        assert_eq!(found("human\n  error", "human error"), 1);
        assert_eq!(found("human errors", "human error"), 0);
    }

    #[test]
    fn apostrophes_separate_words_so_possessives_match_names() {
        assert_eq!(found("Dana's change", "dana"), 1);
        assert_eq!(found("Dana’s change", "dana"), 1);
        assert_eq!(found("the vendor's fault", "'s fault"), 1);
        assert_eq!(found("we didn't bother", "didn't bother"), 1);
    }

    #[test]
    fn a_phrase_without_words_is_refused() {
        assert_eq!(Phrase::new(" '' "), None);
        assert_eq!(Phrase::all(&["ok", "--", "Two Words"]).len(), 2);
    }

    /// The excerpt around the first occurrence of `phrase` in `text`.
    fn excerpt(text: &str, phrase: &str) -> String {
        let text = Text::new(text);
        let Some(phrase) = Phrase::new(phrase) else {
            panic!("{phrase} has no words")
        };
        let Some(at) = text.find(&phrase).next() else {
            panic!("{} not found", phrase.label)
        };
        text.excerpt(at)
    }

    #[test]
    fn excerpts_keep_context_and_mark_cuts() {
        assert_eq!(
            excerpt("Short: human error here.", "human error"),
            "Short: human error here."
        );
        let long = format!("{} human error {}", "a".repeat(60), "b".repeat(60));
        let cut = excerpt(&long, "human error");
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("human error"));
        assert!(cut.chars().count() < 100, "{cut}");
        let exact = format!("{} blame", "a".repeat(39));
        assert_eq!(excerpt(&exact, "blame"), exact, "nothing cut, no mark");
    }

    #[test]
    fn excerpts_cut_multibyte_text_on_character_boundaries() {
        let long = format!("{} blame {}", "é".repeat(50), "ü".repeat(50));
        assert!(excerpt(&long, "blame").contains("blame"));
    }

    #[test]
    fn apology_words_are_counted() {
        let text = Text::new("We are sorry. We apologise. Our apologies.");
        assert_eq!(text.count_words(APOLOGY), 3);
    }

    #[test]
    fn every_built_in_phrase_has_words() {
        for list in [
            BLAME,
            DEFENSIVE,
            SELF_FLAGELLATION,
            APOLOGY,
            VAGUE,
            UNMEASURED,
        ] {
            assert_eq!(Phrase::all(list).len(), list.len());
        }
    }
}
