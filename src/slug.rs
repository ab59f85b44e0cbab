//! The one slugify rule of SPEC §6, shared by sections, article slugs and terms.

/// Transliterates to ASCII, lower-cases, turns every run of characters outside
/// `[a-z0-9._-]` into one `-`, and strips `-` and `.` at both ends.
pub fn slugify(input: &str) -> String {
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
    fn folder_titles() {
        assert_eq!(title_from_folder("living-travel"), "Living Travel");
        assert_eq!(title_from_folder("world_news"), "World News");
        assert_eq!(title_from_folder("NZ Politics"), "NZ Politics");
    }
}
