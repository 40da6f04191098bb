//! Who runs this Portico: the organisation's name and support line, from configuration.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    pub support_phone: String,
    pub support_hours: String,
    /// What a parent or guardian keeps seeing once their child is 13
    /// (`PORTICO_TEEN_PROXY_SECTIONS`): the clinic's policy, said on Help and Sharing.
    pub teen_proxy_sections: Vec<crate::access::Section>,
    /// What the customer-service pools and renewals promise about an answer, in the
    /// clinic's own words (`PORTICO_REPLY_PROMISE_*`, `PORTICO_RENEWAL_PROMISE`); none by
    /// default. The care team's promise is the seed's and is built in (`messages::ReplyPromise`).
    pub promises: Promises,
}

/// Configured promises, each shown as written (none when unset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promises {
    pub billing: Option<String>,
    pub support: Option<String>,
    pub records: Option<String>,
    pub renewal: Option<String>,
}

#[server(endpoint = "site/org")]
pub async fn load_org_info() -> Result<OrgInfo, AppError> {
    Ok(crate::infra::state()?.config.org.clone())
}

/// The organisation, loaded once per page and shared through context.
#[derive(Clone, Copy)]
pub struct OrgResource(pub Resource<Result<OrgInfo, AppError>>);

pub fn provide_org() {
    provide_context(OrgResource(Resource::new(|| (), |_| load_org_info())));
}

/// Renders `f(org)` once the organisation is known.
pub fn with_org<V: IntoView + 'static>(
    f: impl Fn(OrgInfo) -> V + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let org = expect_context::<OrgResource>().0;
    view! {
        <Suspense>
            {move || Suspend::new(async move { org.await.ok().map(f) })}
        </Suspense>
    }
}
