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

/// After a change in the account's settings (the person was signed in and knew the password).
pub fn password_changed_in_settings(org: &OrgInfo, others_signed_out: bool) -> String {
    let others = if others_signed_out {
        "Every other device that was signed in has been signed out.\n\n"
    } else {
        "Devices that were signed in stay signed in.\n\n"
    };
    format!(
        "The password of your {} Portico account was just changed in its security settings.\n\n\
         {others}If you did not do this, call {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}

/// Two-step sign-in turned on or off on the account.
pub fn two_step_changed(org: &OrgInfo, on: bool) -> String {
    let what = if on { "turned on" } else { "turned off" };
    format!(
        "Two-step sign-in was just {what} on your {} Portico account.\n\n\
         If you did not do this, call {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}

pub fn email_code(org_name: &str, code: &str) -> String {
    format!(
        "Someone gave this address for a {org_name} Portico account.\n\n\
         To confirm it, type this code on the \"Confirm your e-mail\" page: {code}\n\n\
         It expires in 30 minutes and works once. If it was not you, ignore this e-mail:\n\
         nothing will be sent to this address.\n"
    )
}

pub fn email_changed(org: &OrgInfo) -> String {
    format!(
        "The e-mail address of your {} Portico account was just changed, and this address\n\
         will get no more e-mails from it.\n\n\
         If you did not do this, call {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}

pub fn sign_up_tried(org: &OrgInfo) -> String {
    format!(
        "Someone just tried to sign up for a new {} Portico account with details that match\n\
         an account you already have. No account was created and yours has not changed.\n\n\
         If it was you, sign in with your username, or use \"Forgot password\".\n\
         If it was not, call {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}

pub fn account_created(org: &OrgInfo) -> String {
    format!(
        "A {} Portico account was just created for you online, after its owner answered\n\
         questions only you should know. It uses another e-mail address than this one.\n\n\
         If it was you, there is nothing to do. If it was not, call {} ({}) now.\n",
        org.name, org.support_phone, org.support_hours
    )
}

pub fn invitation(org: &OrgInfo, link: &str) -> String {
    format!(
        "Someone who has a {} Portico account invited you to help with their care: to see\n\
         parts of their health record online, as they chose.\n\n\
         Open this link to accept (it works once, within 14 days):\n{link}\n\n\
         If you were not expecting this, ignore this e-mail. Questions: {} ({}).\n",
        org.name, org.support_phone, org.support_hours
    )
}
