//! A browser's User-Agent in words a person recognises ("Firefox", "Windows 10"), through
//! `woothee` (a maintained parser with a project-wide test set, used by Fluentd and others)
//! rather than a hand-kept list of patterns.

/// (browser, system); empty strings for what the User-Agent does not say.
pub fn describe(user_agent: &str) -> (String, String) {
    let Some(ua) = woothee::parser::Parser::new().parse(user_agent) else {
        return (String::new(), String::new());
    };
    let known = |s: &str| if s == woothee::woothee::VALUE_UNKNOWN { String::new() } else { s.to_owned() };
    (known(ua.name), known(ua.os))
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_read_as_words() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(iphone), ("Safari".into(), "iPhone".into()));
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(chrome), ("Chrome".into(), "Windows 10".into()));
        assert_eq!(describe(""), (String::new(), String::new()));
        // A script says what it is, with no system.
        assert_eq!(describe("curl/8.5"), ("HTTP Library".into(), String::new()));
        assert_eq!(describe("something unheard of"), (String::new(), String::new()));
    }
}
