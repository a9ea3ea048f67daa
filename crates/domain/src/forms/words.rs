//! Word counting, as the applicant's page counts while they type.

/// Counts words as the NHS.UK character count does: runs of non-whitespace.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_non_whitespace() {
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("  one  "), 1);
        assert_eq!(word_count("one two\nthree\t four"), 4);
        assert_eq!(word_count("well-being, e.g. this"), 3);
    }
}
