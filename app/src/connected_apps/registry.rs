//! Registering an app: what an admin types, checked before anything is stored. Apps are
//! registered only by an admin (no open dynamic registration): the consent screen names
//! who registered the app, so a patient knows the clinic let it ask.
use super::store::NewApp;

pub use super::{APP_NAME_MAX_CHARS, REDIRECT_URIS_MAX, URL_MAX_CHARS};

/// What is wrong and with which field (for the CLI's message and a form's field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal { field, reason: reason.into() }
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub name: String,
    pub confidential: bool,
    pub redirect_uris: Vec<String>,
    pub logo_url: Option<String>,
    pub terms_url: String,
    pub privacy_url: String,
    pub registered_by: String,
    /// A confidential app's public keys (JWKS), when it signs its token requests.
    pub jwks: Option<String>,
}

pub fn check(typed: Typed) -> Result<NewApp, Refusal> {
    let name = typed.name.trim().to_string();
    if name.is_empty() || name.chars().count() > APP_NAME_MAX_CHARS {
        return Err(refuse("name", format!("an app needs a name of 1 to {APP_NAME_MAX_CHARS} characters")));
    }
    let redirect_uris: Vec<String> =
        typed.redirect_uris.iter().map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).collect();
    if redirect_uris.is_empty() || redirect_uris.len() > REDIRECT_URIS_MAX {
        return Err(refuse("redirect_uri", format!("give 1 to {REDIRECT_URIS_MAX} redirect URIs")));
    }
    for uri in &redirect_uris {
        check_redirect(uri)?;
    }
    let logo_url = match typed.logo_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(check_web_url("logo_url", url)?),
        None => None,
    };
    let jwks = match typed.jwks.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(_) if !typed.confidential => {
            return Err(refuse("jwks", "only a confidential (server) app signs with keys"))
        }
        Some(text) => Some(super::client_assertion::check_jwks(text).map_err(|why| refuse("jwks", why))?),
        None => None,
    };
    Ok(NewApp {
        name,
        confidential: typed.confidential,
        redirect_uris,
        logo_url,
        terms_url: check_web_url("terms_url", typed.terms_url.trim())?,
        privacy_url: check_web_url("privacy_url", typed.privacy_url.trim())?,
        registered_by: typed.registered_by,
        jwks,
    })
}

/// A page the patient may open from the consent screen: https (http only on this machine,
/// for development), no credentials in it.
fn check_web_url(field: &'static str, text: &str) -> Result<String, Refusal> {
    let url = parse(field, text)?;
    let local = is_loopback(&url);
    if url.scheme() != "https" && !(url.scheme() == "http" && local) {
        return Err(refuse(field, "must be an https address"));
    }
    Ok(url.to_string())
}

/// Where the code goes (RFC 8252 and OAuth 2.0 Security BCP): https, http only to this
/// machine (a desktop app's loopback listener), or a native app's private scheme (with a
/// dot, "com.example.app:/callback"); never with a fragment. Matched exactly later, so it
/// is stored as typed.
fn check_redirect(text: &str) -> Result<(), Refusal> {
    let url = parse("redirect_uri", text)?;
    if url.fragment().is_some() {
        return Err(refuse("redirect_uri", "a redirect URI may not have a #fragment"));
    }
    let fine = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        scheme => scheme.contains('.'),
    };
    if fine {
        Ok(())
    } else {
        Err(refuse(
            "redirect_uri",
            format!("{text}: https, http to 127.0.0.1, or an app's own reverse-DNS scheme"),
        ))
    }
}

fn parse(field: &'static str, text: &str) -> Result<url::Url, Refusal> {
    if text.chars().count() > URL_MAX_CHARS {
        return Err(refuse(field, format!("at most {URL_MAX_CHARS} characters")));
    }
    let url = url::Url::parse(text).map_err(|_| refuse(field, format!("{text} is not an address")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(field, "an address may not carry a user name or password"));
    }
    Ok(url)
}

fn is_loopback(url: &url::Url) -> bool {
    // Not "localhost": a name can be made to resolve elsewhere (RFC 8252 §8.3).
    matches!(url.host_str(), Some("127.0.0.1" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Typed {
        Typed {
            name: " Health Tracker ".into(),
            confidential: false,
            redirect_uris: vec!["https://tracker.example/callback".into(), "com.example.tracker:/cb".into()],
            logo_url: None,
            terms_url: "https://tracker.example/terms".into(),
            privacy_url: "https://tracker.example/privacy".into(),
            registered_by: "admin".into(),
            jwks: None,
        }
    }

    #[test]
    fn a_good_app_passes_trimmed() {
        let app = check(typed()).unwrap();
        assert_eq!(app.name, "Health Tracker");
        assert_eq!(app.redirect_uris.len(), 2);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, Box<dyn Fn(&mut Typed)>)> = vec![
            ("name", Box::new(|t| t.name = "  ".into())),
            ("name", Box::new(|t| t.name = "x".repeat(APP_NAME_MAX_CHARS + 1))),
            ("redirect_uri", Box::new(|t| t.redirect_uris = vec![])),
            ("redirect_uri", Box::new(|t| t.redirect_uris = vec!["http://tracker.example/cb".into()])),
            ("redirect_uri", Box::new(|t| t.redirect_uris = vec!["https://tracker.example/cb#x".into()])),
            ("redirect_uri", Box::new(|t| t.redirect_uris = vec!["javascript:alert(1)".into()])),
            ("redirect_uri", Box::new(|t| t.redirect_uris = vec!["https://u:p@tracker.example/cb".into()])),
            (
                "redirect_uri",
                Box::new(|t| t.redirect_uris = vec!["https://a.example/".into(); REDIRECT_URIS_MAX + 1]),
            ),
            ("terms_url", Box::new(|t| t.terms_url = "http://tracker.example/terms".into())),
            ("privacy_url", Box::new(|t| t.privacy_url = "not a url".into())),
            ("logo_url", Box::new(|t| t.logo_url = Some("ftp://tracker.example/logo.png".into()))),
        ];
        for (field, change) in cases {
            let mut t = typed();
            change(&mut t);
            assert_eq!(check(t).unwrap_err().field, field);
        }
        let mut loopback = typed();
        loopback.redirect_uris = vec!["http://127.0.0.1:8123/cb".into()];
        assert!(check(loopback).is_ok());
    }
}
