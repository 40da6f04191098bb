//! The text of identity e-mails. No PHI: no names, no chart content, nothing a person
//! reading over a shoulder or a mail provider should learn about someone's health.
use crate::site::OrgInfo;

pub fn reset_code(org_name: &str, code: &str) -> String {
    format!(
        "Someone asked to reset the password of your {org_name} Portico account.\n\n\
         Your code is: {code}\n\n\
         It expires in 10 minutes and works once. If you did not ask for it, ignore this\n\
         e-mail: your password stays as it is.\n"
    )
}

pub fn password_changed(org: &OrgInfo) -> String {
    format!(
        "The password of your {} Portico account was just changed, and every device that\n\
         was signed in has been signed out.\n\n\
         If you did not do this, call {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}
