//! Domain values parsed from raw form input ("parse, don't validate"), and small helpers.
//! Each parser returns the value or a message fit to show beside the form field.

use std::fmt;

/// A username: 3 to 32 characters, lowercase letters, digits, `_` or `-`, starting with a
/// letter. Input is trimmed and lowercased, so `Alice` becomes `alice`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let value = raw.trim().to_lowercase();
        let count = value.chars().count();
        if count < 3 {
            return Err("Usernames are at least 3 characters long.".into());
        }
        if count > 32 {
            return Err("Usernames are at most 32 characters long.".into());
        }
        if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("Usernames start with a letter.".into());
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err("Use only letters, digits, “_” and “-”.".into());
        }
        Ok(Username(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address of a plausible shape, trimmed and lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let value = raw.trim().to_lowercase();
        let invalid = || Err("Enter an email address like name@example.com.".to_owned());
        if value.is_empty() {
            return Err("Enter your email address.".into());
        }
        if value.len() > 254 {
            return Err("Email addresses are at most 254 characters long.".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return invalid();
        };
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c));
        if !labels_ok || !local_ok {
            return invalid();
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 128 characters, not too simple, not the username.
pub struct NewPassword(String);

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "1234567890",
    "123456789",
    "qwertyuiop",
    "qwerty1234",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "admin12345",
    "abcdefghij",
    "0987654321",
    "1q2w3e4r5t",
    "passw0rd12",
];

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(raw: &str, confirm: &str, username: &str) -> Result<NewPassword, String> {
        let count = raw.chars().count();
        if count < 10 {
            return Err("Use at least 10 characters.".into());
        }
        if count > 128 {
            return Err("Use at most 128 characters.".into());
        }
        let mut distinct: Vec<char> = raw.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let lower = raw.to_lowercase();
        if distinct.len() < 5 || COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(
                "This password is too easy to guess; pick a longer or less common one.".into(),
            );
        }
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err("Your password must not contain your username.".into());
        }
        if raw != confirm {
            return Err("The two passwords do not match.".into());
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Keeps a `next` redirect target only if it is a path on this site (`/...`, not `//host`
/// or `/\\host`), so a login link cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| next.to_owned())
}

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
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked_for_length_and_characters() {
        assert_eq!(Username::parse("  Alice_01 ").unwrap().as_str(), "alice_01");
        assert!(Username::parse("al").unwrap_err().contains("at least 3"));
        assert!(
            Username::parse(&"a".repeat(33))
                .unwrap_err()
                .contains("at most 32")
        );
        assert!(
            Username::parse("1alice")
                .unwrap_err()
                .contains("start with a letter")
        );
        assert!(
            Username::parse("ali ce")
                .unwrap_err()
                .contains("only letters")
        );
        assert!(Username::parse("alïce").is_err());
    }

    #[test]
    fn emails_must_have_a_plausible_shape() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@@example.com",
            "ada@-x.com",
            "ada..b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_need_length_variety_a_match_and_no_username() {
        assert!(
            NewPassword::parse("correct horse battery", "correct horse battery", "ada").is_ok()
        );
        assert!(
            NewPassword::parse("short", "short", "ada")
                .unwrap_err()
                .contains("at least 10")
        );
        assert!(
            NewPassword::parse("aaaaaaaaaaaa", "aaaaaaaaaaaa", "ada")
                .unwrap_err()
                .contains("too easy")
        );
        assert!(
            NewPassword::parse("Password123", "Password123", "ada")
                .unwrap_err()
                .contains("too easy")
        );
        assert!(
            NewPassword::parse("my-name-is-ada!", "my-name-is-ada!", "ada")
                .unwrap_err()
                .contains("username")
        );
        assert!(
            NewPassword::parse("correct horse battery", "correct horse battery!", "ada")
                .unwrap_err()
                .contains("do not match")
        );
    }

    #[test]
    fn only_same_site_paths_are_kept_as_next() {
        assert_eq!(
            safe_next(Some("/admin/roles?x=1")).as_deref(),
            Some("/admin/roles?x=1")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "admin",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
    }

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
