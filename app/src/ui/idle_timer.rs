//! Automatic sign-out after inactivity. The server enforces the limit on every request;
//! this component makes it humane: a warning two minutes ahead with a live countdown and
//! "Stay signed in", a clear message afterwards, and all tabs acting together.
//!
//! It is built on a deadline, not on cancelled timeouts: activity only moves
//! `last_activity`, and one chain of one-second ticks re-reads it. (Cancelling timers
//! through web-sys breaks under Playwright's fake clock, SETUP.md trap 3.)
use leptos::prelude::*;

use crate::{auth::rules, i18n::*};

/// What the timer should show at a given moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IdleState {
    Active,
    /// The warning is up; this many whole seconds remain.
    Warning {
        seconds_left: i64,
    },
    SignOut,
}

/// The deadline arithmetic, free of the browser so it can be unit-tested.
#[derive(Debug, Clone, Copy)]
pub struct IdleClock {
    pub limit_ms: f64,
    pub last_activity: f64,
    /// When the server last heard from us (each request renews the server session).
    pub last_ping: f64,
}

/// Activity pings renew the server's session at most this often.
pub const PING_EVERY_MS: f64 = 60_000.0;
/// Activity is told to other tabs at most this often.
pub const ANNOUNCE_EVERY_MS: f64 = 5_000.0;

impl IdleClock {
    pub fn new(limit_minutes: u32, now: f64) -> Self {
        IdleClock { limit_ms: limit_minutes as f64 * 60_000.0, last_activity: now, last_ping: now }
    }

    pub fn state(&self, now: f64) -> IdleState {
        let left = self.last_activity + self.limit_ms - now;
        if left <= 0.0 {
            IdleState::SignOut
        } else if left <= rules::IDLE_WARNING_MS as f64 {
            IdleState::Warning { seconds_left: (left / 1000.0).ceil() as i64 }
        } else {
            IdleState::Active
        }
    }

    /// Activity since the last ping, and the last ping long enough ago: renew the server
    /// session now (so it never expires before this tab's deadline).
    pub fn ping_due(&self, now: f64) -> bool {
        self.last_activity > self.last_ping && now - self.last_ping >= PING_EVERY_MS
    }
}

pub fn format_countdown(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[island]
pub fn IdleTimer(minutes: u32) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let seconds_left = RwSignal::new(None::<i64>);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    #[cfg(feature = "hydrate")]
    let stay = browser::start(minutes, seconds_left, dialog);
    #[cfg(not(feature = "hydrate"))]
    let stay = move || {};
    let sign_out_now = move |_| {
        #[cfg(feature = "hydrate")]
        crate::ui::session_channel::sign_out_clicked();
    };
    view! {
        <dialog node_ref=dialog class="idle-dialog" aria-labelledby="idle-title" aria-describedby="idle-text">
            <h2 id="idle-title">{t!(i18n, idle.title)}</h2>
            <p id="idle-text">
                {t!(i18n, idle.text, minutes)}
            </p>
            <p class="idle-countdown">
                {t!(i18n, idle.countdown_label)} " "
                <span role="timer" aria-live="off">{move || seconds_left.get().map(format_countdown)}</span>
            </p>
            <div class="actions">
                <button type="button" class="primary" autofocus on:click=move |_| stay()>
                    {t!(i18n, idle.stay)}
                </button>
                <button type="button" on:click=sign_out_now>{t!(i18n, nav.sign_out)}</button>
            </div>
        </dialog>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc};

    use leptos::prelude::*;

    use super::{IdleClock, IdleState, ANNOUNCE_EVERY_MS};
    use crate::ui::session_channel::{sign_out_everywhere, SessionChannel, TabMessage};

    /// What counts as the person being there. Visibility is not on the list: coming
    /// back to a tab is not activity (the next tick signs out if the time is up).
    const ACTIVITY_EVENTS: [&str; 6] =
        ["pointerdown", "pointermove", "keydown", "touchstart", "scroll", "wheel"];

    struct Shared {
        clock: IdleClock,
        last_announce: f64,
        warning: bool,
        stopped: bool,
        signing_out: bool,
        minutes: u32,
    }

    fn now() -> f64 {
        js_sys::Date::now()
    }

    /// Starts watching; returns the "Stay signed in" action.
    pub fn start(
        minutes: u32,
        seconds_left: RwSignal<Option<i64>>,
        dialog: NodeRef<leptos::html::Dialog>,
    ) -> impl Fn() + Clone + 'static {
        let shared = Rc::new(RefCell::new(Shared {
            clock: IdleClock::new(minutes, now()),
            last_announce: 0.0,
            warning: false,
            stopped: false,
            signing_out: false,
            minutes,
        }));
        let channel: Rc<RefCell<Option<SessionChannel>>> = Rc::new(RefCell::new(None));

        // Effects run only in the browser, after hydration.
        {
            let shared = shared.clone();
            let channel = channel.clone();
            Effect::new(move |_| {
                let on_tab = {
                    let shared = shared.clone();
                    move |msg: TabMessage| on_tab_message(&shared, msg, seconds_left, dialog)
                };
                *channel.borrow_mut() = SessionChannel::open(on_tab);
                watch_activity(shared.clone(), channel.clone());
                tick(shared.clone(), channel.clone(), seconds_left, dialog);
            });
        }
        {
            let shared = shared.clone();
            let channel = channel.clone();
            // on_cleanup wants Send; this state never leaves the browser's one thread.
            let state = send_wrapper::SendWrapper::new((shared, channel));
            on_cleanup(move || {
                let (shared, channel) = &*state;
                shared.borrow_mut().stopped = true;
                channel.borrow_mut().take();
            });
        }

        let shared_stay = shared.clone();
        let channel_stay = channel.clone();
        move || {
            let at = now();
            {
                let mut s = shared_stay.borrow_mut();
                s.clock.last_activity = at;
                s.clock.last_ping = at;
            }
            hide_warning(&shared_stay, seconds_left, dialog);
            if let Some(c) = channel_stay.borrow().as_ref() {
                c.post(&TabMessage::Renewed(at));
            }
            renew_on_server(shared_stay.clone());
        }
    }

    fn watch_activity(shared: Rc<RefCell<Shared>>, channel: Rc<RefCell<Option<SessionChannel>>>) {
        let mark = move || {
            let at = now();
            let mut s = shared.borrow_mut();
            // While the warning is up, only "Stay signed in" counts: moving the mouse
            // to that button must not silently dismiss it.
            if s.warning || s.stopped {
                return;
            }
            s.clock.last_activity = at;
            if at - s.last_announce >= ANNOUNCE_EVERY_MS {
                s.last_announce = at;
                if let Some(c) = channel.borrow().as_ref() {
                    c.post(&TabMessage::Activity(at));
                }
            }
        };
        let handles: Vec<_> = ACTIVITY_EVENTS
            .iter()
            .map(|name| {
                let mark = mark.clone();
                window_event_listener_untyped(name, move |_| mark())
            })
            .collect();
        on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));
    }

    fn on_tab_message(
        shared: &Rc<RefCell<Shared>>,
        msg: TabMessage,
        seconds_left: RwSignal<Option<i64>>,
        dialog: NodeRef<leptos::html::Dialog>,
    ) {
        match msg {
            TabMessage::Activity(at) | TabMessage::Renewed(at) => {
                {
                    let mut s = shared.borrow_mut();
                    s.clock.last_activity = s.clock.last_activity.max(at);
                    // The other tab renews the server session itself.
                    s.clock.last_ping = s.clock.last_ping.max(at);
                }
                hide_warning(shared, seconds_left, dialog);
            }
            TabMessage::SignedOut(query) => {
                shared.borrow_mut().stopped = true;
                crate::ui::session_channel::go_to_sign_in(&query);
            }
        }
    }

    fn tick(
        shared: Rc<RefCell<Shared>>,
        channel: Rc<RefCell<Option<SessionChannel>>>,
        seconds_left: RwSignal<Option<i64>>,
        dialog: NodeRef<leptos::html::Dialog>,
    ) {
        if shared.borrow().stopped {
            return;
        }
        let at = now();
        let (state, ping) = {
            let s = shared.borrow();
            (s.clock.state(at), s.clock.ping_due(at))
        };
        match state {
            IdleState::SignOut => {
                sign_out_idle(&shared);
                return;
            }
            IdleState::Warning { seconds_left: left } => {
                seconds_left.set(Some(left));
                let opening = !std::mem::replace(&mut shared.borrow_mut().warning, true);
                if opening {
                    if let Some(d) = dialog.get_untracked() {
                        let _ = d.show_modal();
                    }
                }
            }
            IdleState::Active => hide_warning(&shared, seconds_left, dialog),
        }
        if ping {
            shared.borrow_mut().clock.last_ping = at;
            renew_on_server(shared.clone());
        }
        gloo_timers::callback::Timeout::new(1_000, move || tick(shared, channel, seconds_left, dialog))
            .forget();
    }

    /// Renews the server session; a refusal means it is already gone.
    fn renew_on_server(shared: Rc<RefCell<Shared>>) {
        leptos::task::spawn_local(async move {
            if crate::auth::api::keep_alive().await.is_err() {
                sign_out_idle(&shared);
            }
        });
    }

    fn hide_warning(
        shared: &Rc<RefCell<Shared>>,
        seconds_left: RwSignal<Option<i64>>,
        dialog: NodeRef<leptos::html::Dialog>,
    ) {
        if std::mem::replace(&mut shared.borrow_mut().warning, false) {
            seconds_left.set(None);
            if let Some(d) = dialog.get_untracked() {
                d.close();
            }
        }
    }

    /// Time is up (or the server refused a renewal: the session is gone). Once only.
    fn sign_out_idle(shared: &Rc<RefCell<Shared>>) {
        let mut s = shared.borrow_mut();
        if !s.signing_out {
            s.signing_out = true;
            s.stopped = true;
            let query = format!("reason=idle&minutes={}", s.minutes);
            leptos::task::spawn_local(sign_out_everywhere("idle", query));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;

    #[test]
    fn warns_two_minutes_before_and_signs_out_at_the_limit() {
        let clock = IdleClock::new(20, 0.0);
        assert_eq!(clock.state(17.9 * MIN), IdleState::Active);
        assert_eq!(clock.state(18.0 * MIN), IdleState::Warning { seconds_left: 120 });
        assert_eq!(clock.state(19.5 * MIN), IdleState::Warning { seconds_left: 30 });
        assert_eq!(clock.state(20.0 * MIN), IdleState::SignOut);
        let app = IdleClock::new(10, 0.0);
        assert_eq!(app.state(8.0 * MIN), IdleState::Warning { seconds_left: 120 });
        assert_eq!(app.state(10.0 * MIN), IdleState::SignOut);
    }

    #[test]
    fn activity_moves_the_deadline_and_pings_are_throttled() {
        let mut clock = IdleClock::new(20, 0.0);
        assert!(!clock.ping_due(5.0 * MIN), "no activity, no ping");
        clock.last_activity = 0.5 * MIN;
        assert!(!clock.ping_due(0.6 * MIN), "within a minute of the last ping");
        assert!(clock.ping_due(1.0 * MIN));
        assert_eq!(clock.state(20.0 * MIN), IdleState::Warning { seconds_left: 30 });
    }

    #[test]
    fn countdown_text() {
        assert_eq!(format_countdown(120), "2:00");
        assert_eq!(format_countdown(59), "0:59");
    }
}
