//! Who runs this Portico: the organisation's name and support line, from configuration.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    /// What a phone's top bar shows (`PORTICO_ORG_SHORT_NAME`; empty: the full name).
    pub short_name: String,
    pub support_phone: String,
    pub support_hours: String,
    /// What a parent or guardian keeps seeing once their child is 13
    /// (`PORTICO_TEEN_PROXY_SECTIONS`): the clinic's policy, said on Help and Sharing.
    pub teen_proxy_sections: Vec<crate::access::Section>,
    /// What the customer-service pools and renewals promise about an answer, in the
    /// clinic's own words (`PORTICO_REPLY_PROMISE_*`, `PORTICO_RENEWAL_PROMISE`); none by
    /// default. The care team's promise is the seed's and is built in (`messages::ReplyPromise`).
    pub promises: Promises,
    pub contacts: Contacts,
}

impl OrgInfo {
    /// The short name, or the full one when none is configured.
    pub fn short_name(&self) -> String {
        if self.short_name.trim().is_empty() {
            self.name.clone()
        } else {
            self.short_name.clone()
        }
    }
}

/// The clinic's other numbers, from configuration; each shown only when set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Each department's phone, as visits, providers and messages name the department
    /// (`PORTICO_DEPARTMENT_PHONES`): "call your provider's office" with the number.
    pub departments: Vec<DepartmentPhone>,
    /// `PORTICO_BILLING_PHONE`.
    pub billing_phone: Option<String>,
    /// Release of Information, in Medical Records (`PORTICO_RECORDS_PHONE`).
    pub records_phone: Option<String>,
    /// Where patients book an appointment online (`PORTICO_SCHEDULING_URL`).
    pub scheduling_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentPhone {
    pub department: String,
    pub phone: String,
}

impl Contacts {
    /// The phone of `department`, when one is configured.
    pub fn phone_of(&self, department: &str) -> Option<String> {
        self.departments.iter().find(|d| d.department == department).map(|d| d.phone.clone())
    }

    /// "Portico Family Medicine=+1 555 0110; Endocrinology=+1 555 0120" (empty: none).
    pub fn parse_departments(text: &str) -> Result<Vec<DepartmentPhone>, String> {
        text.split(';')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| match entry.split_once('=') {
                Some((department, phone)) if !department.trim().is_empty() && !phone.trim().is_empty() => {
                    Ok(DepartmentPhone {
                        department: department.trim().to_owned(),
                        phone: phone.trim().to_owned(),
                    })
                }
                _ => Err(format!("\"{entry}\" is not \"Department=phone\"")),
            })
            .collect()
    }
}

/// A phone number as a `tel:` link (digits and a leading +).
pub fn tel_link(phone: &str) -> String {
    format!("tel:{}", phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::Contacts;

    #[test]
    fn department_phones_read_from_one_line() {
        let list = Contacts::parse_departments(" Family Medicine=+1 555 0110 ;Endocrinology = +1 555 0120;")
            .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].department, "Endocrinology");
        assert_eq!(list[1].phone, "+1 555 0120");
        assert!(Contacts::parse_departments("Family Medicine").is_err());
        assert!(Contacts::parse_departments("=+1 555").is_err());
        assert_eq!(Contacts::parse_departments("").unwrap(), vec![]);
    }
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
