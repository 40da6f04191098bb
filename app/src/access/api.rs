//! Who is signed in, as the browser sees them: the one server function every page asks
//! first. It lives with access, not auth, because its answer includes the charts the person
//! may open (auth knows sessions and roles; access knows charts).
use leptos::prelude::*;

use super::Me;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::infra::state;

/// The signed-in person, or `None`. Counts as activity (a page load is one).
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let state = state()?;
    match crate::auth::session::current(&state).await {
        Ok(s) => {
            let chart_name = match s.patient_id {
                Some(pid) => crate::patients::store::patient_by_id(&state.db, pid)
                    .await?
                    .map(|p| format!("{} {}", p.given_name, p.family_name)),
                None => None,
            };
            let charts = if s.role.is_staff() { None } else { Some(super::charts_of(&state, &s).await?) };
            Ok(Some(Me {
                charts,
                username: s.username,
                display_name: s.display_name,
                role: s.role,
                chart_name,
                idle_minutes: (s.idle_limit_ms / crate::dates::MINUTE_MS) as u32,
            }))
        }
        Err(AppError::NotSignedIn) => Ok(None),
        Err(e) => Err(e),
    }
}
