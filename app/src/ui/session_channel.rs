//! Tabs of one browser keep each other informed: activity in one keeps all alive, and
//! signing out in one signs out all (BroadcastChannel, same origin only).
#[derive(Debug, Clone, PartialEq)]
pub enum TabMessage {
    /// The person did something in another tab at this time (epoch ms).
    Activity(f64),
    /// "Stay signed in" was pressed in another tab.
    Renewed(f64),
    /// Another tab signed out; the text is the sign-in page's query (`reason=…`).
    SignedOut(String),
}

impl TabMessage {
    /// Times travel as whole milliseconds: formatting and parsing floats would bring
    /// Rust's float printing into the wasm every page loads (about 5 KB brotli).
    pub fn encode(&self) -> String {
        match self {
            TabMessage::Activity(at) => format!("activity:{}", *at as i64),
            TabMessage::Renewed(at) => format!("renewed:{}", *at as i64),
            TabMessage::SignedOut(query) => format!("signout:{query}"),
        }
    }

    pub fn decode(text: &str) -> Option<TabMessage> {
        let (kind, rest) = text.split_once(':')?;
        match kind {
            "activity" => rest.parse::<i64>().ok().map(|at| TabMessage::Activity(at as f64)),
            "renewed" => rest.parse::<i64>().ok().map(|at| TabMessage::Renewed(at as f64)),
            "signout" => Some(TabMessage::SignedOut(rest.to_owned())),
            _ => None,
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use super::TabMessage;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    const CHANNEL: &str = "portico-session";

    pub struct SessionChannel {
        channel: web_sys::BroadcastChannel,
        _listener: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    }

    impl SessionChannel {
        pub fn open(on_message: impl Fn(TabMessage) + 'static) -> Option<SessionChannel> {
            let channel = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
            let listener =
                Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(msg) = ev.data().as_string().as_deref().and_then(TabMessage::decode) {
                        on_message(msg);
                    }
                });
            channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            Some(SessionChannel { channel, _listener: Some(listener) })
        }

        pub fn post(&self, msg: &TabMessage) {
            let _ = self.channel.post_message(&JsValue::from_str(&msg.encode()));
        }
    }

    impl Drop for SessionChannel {
        fn drop(&mut self) {
            self.channel.set_onmessage(None);
            self.channel.close();
        }
    }

    /// Tells the other tabs, without listening to them.
    pub fn announce(msg: &TabMessage) {
        if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
            let _ = channel.post_message(&JsValue::from_str(&msg.encode()));
            channel.close();
        }
    }

    /// Ends the session on the server, tells the other tabs, and reloads the sign-in page
    /// (a full load, so nothing of the chart stays in this tab's memory).
    pub async fn sign_out_everywhere(reason: &str, query: String) {
        let server_reason = (reason == "idle").then(|| "idle".to_owned());
        let _ = crate::auth::api::sign_out(server_reason).await;
        announce(&TabMessage::SignedOut(query.clone()));
        go_to_sign_in(&query);
    }

    /// The "Sign out" buttons (header and idle dialog).
    pub fn sign_out_clicked() {
        leptos::task::spawn_local(sign_out_everywhere("signed-out", "reason=signed-out".into()));
    }

    pub fn go_to_sign_in(query: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(&format!("/signin?{query}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TabMessage;

    #[test]
    fn messages_round_trip() {
        for msg in [
            TabMessage::Activity(1_700_000_000_123.0),
            TabMessage::Renewed(5.0),
            TabMessage::SignedOut("reason=idle&minutes=20".into()),
        ] {
            assert_eq!(TabMessage::decode(&msg.encode()), Some(msg));
        }
        assert_eq!(TabMessage::decode("nonsense"), None);
    }
}
