//! The one slugify rule of SPEC §6, shared by sections, article slugs and terms.

/// Transliterates to ASCII, lower-cases, turns every run of characters outside
/// `[a-z0-9._-]` into one `-`, and strips `-` and `.` at both ends.
pub fn slugify(input: &str) -> String {
    // Most names are slugs already (`politics`, `2021-11-16-budget-vote`), and a rebuild
    // slugs every article's section and file name again: those are returned as they are.
    if is_slug(input) {
        return input.to_string();
    }
    by_rule(input)
}

/// [`slugify`] without its shortcut.
fn by_rule(input: &str) -> String {
    let ascii = deunicode::deunicode(input).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    let mut in_run = false;
    for c in ascii.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// `s` is what [`slugify`] makes of it: only `[a-z0-9._-]`, and no `-` or `.` at either end.
fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    let allowed = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c);
    let end = |c: Option<&u8>| c.is_none_or(|c| !b"-.".contains(c));
    b.iter().all(allowed) && end(b.first()) && end(b.last())
}

/// Title for a section without one in site.toml: the folder name as written, or
/// title-cased with `-`/`_` as spaces when it is all lower case.
pub fn title_from_folder(name: &str) -> String {
    if name.chars().any(char::is_uppercase) {
        return name.to_string();
    }
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_follows_the_spec() {
        assert_eq!(slugify("Wëird Section"), "weird-section");
        assert_eq!(slugify("libc6-2.36"), "libc6-2.36");
        assert_eq!(slugify("  Hello, World!  "), "hello-world");
        assert_eq!(slugify("..hidden.."), "hidden");
        assert_eq!(slugify("Māori affairs"), "maori-affairs");
        assert_eq!(slugify("UNRELEASED"), slugify("unreleased"));
        assert_eq!(slugify("../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("snake_case"), "snake_case");
    }

    #[test]
    fn names_that_are_slugs_already_come_back_as_the_rule_makes_them() {
        // Every string of up to four characters over an alphabet with a character of each
        // class the rule treats apart: the shortcut agrees with the rule everywhere.
        let alphabet = ['a', 'Z', '7', '.', '_', '-', ' ', 'é'];
        let mut words = vec![String::new()];
        let mut shortcut = 0;
        for _ in 0..4 {
            words = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            for w in &words {
                assert_eq!(slugify(w), by_rule(w), "{w:?}");
                shortcut += usize::from(is_slug(w));
            }
        }
        assert!(shortcut > 200, "the shortcut is taken for {shortcut} words");
    }

    #[test]
    fn folder_titles() {
        assert_eq!(title_from_folder("living-travel"), "Living Travel");
        assert_eq!(title_from_folder("world_news"), "World News");
        assert_eq!(title_from_folder("NZ Politics"), "NZ Politics");
    }
}
