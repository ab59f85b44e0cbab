//! "Did you mean ...?" for misspelt names: front matter and site.toml keys, section names.

/// The known name nearest to `word` when it is close enough to be a typo (`tittle` → `title`,
/// `sprot` → `sport`): at most two edits, a swap of neighbours counting as one.
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.min(word.chars().count().saturating_sub(1));
    known
        .into_iter()
        .map(|k| (strsim::osa_distance(word, k), k))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// `"; did you mean `x`?"`, or nothing when no known name is near: ready to append to a message.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, known)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_do_not() {
        assert_eq!(nearest("sprot", ["news", "sport"]), Some("sport"));
        assert_eq!(nearest("titel", ["title", "date"]), Some("title"));
        assert_eq!(nearest("weather", ["news", "sport"]), None);
        assert_eq!(nearest("a", ["b"]), None);
        assert_eq!(did_you_mean("sprot", ["sport"]), "; did you mean `sport`?");
    }
}
