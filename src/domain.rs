//! Small domain helpers shared by services and the seed.

/// Turns a title into a URL slug: lowercase ASCII letters and digits separated by single
/// hyphens, at most `max` characters, never empty ("untitled" when nothing is left).
pub fn slugify(title: &str, max: usize) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'a'..='z' | '0'..='9' => Some(c),
            'à' | 'á' | 'â' | 'ä' | 'å' | 'ã' => Some('a'),
            'ç' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ñ' => Some('n'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ý' | 'ÿ' => Some('y'),
            '\'' | '’' => None,
            _ => Some('-'),
        };
        match mapped {
            Some('-') if slug.is_empty() || slug.ends_with('-') => {}
            Some(ch) => slug.push(ch),
            None => {}
        }
        if slug.len() >= max {
            break;
        }
    }
    let trimmed = slug.trim_end_matches('-');
    if trimmed.is_empty() {
        "untitled".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugify_keeps_letters_and_digits_joined_by_single_hyphens() {
        assert_eq!(slugify("Hello, World!  2026", 80), "hello-world-2026");
        assert_eq!(slugify("Singin' in the Rain", 80), "singin-in-the-rain");
        assert_eq!(
            slugify("  Crème brûlée -- à la carte ", 80),
            "creme-brulee-a-la-carte"
        );
    }

    #[test]
    fn slugify_never_returns_an_empty_or_overlong_slug() {
        assert_eq!(slugify("!!!", 80), "untitled");
        assert_eq!(slugify("", 80), "untitled");
        let long = slugify(&"word ".repeat(100), 30);
        assert!(long.len() <= 30 && !long.ends_with('-'), "{long}");
    }
}
