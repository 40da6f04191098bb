//! The text of identity e-mails, in English and in Spanish (`MailLanguage`). No PHI: no
//! names, no chart content, nothing a person reading over a shoulder or a mail provider
//! should learn about someone's health.
use crate::{
    infra::mail_language::{MailLanguage, MailText},
    site::OrgInfo,
};

use MailLanguage::{English, Spanish};

/// "If you did not do this, call …": the close of every security notice.
fn call_us(lang: MailLanguage, org: &OrgInfo) -> String {
    match lang {
        English => format!("If you did not do this, call {} ({}).\n", org.support_phone, org.support_hours),
        Spanish => format!("Si no fue usted, llame al {} ({}).\n", org.support_phone, org.support_hours),
    }
}

pub fn reset_code(lang: MailLanguage, org_name: &str, code: &str) -> MailText {
    match lang {
        English => MailText {
            subject: "Your Portico password reset code",
            body: format!(
                "Someone asked to reset the password of your {org_name} Portico account.\n\n\
                 Your code is: {code}\n\n\
                 It expires in 10 minutes and works once. If you did not ask for it, ignore this\n\
                 e-mail: your password stays as it is.\n"
            ),
        },
        Spanish => MailText {
            subject: "Su código para restablecer la contraseña de Portico",
            body: format!(
                "Alguien pidió restablecer la contraseña de su cuenta de Portico de {org_name}.\n\n\
                 Su código es: {code}\n\n\
                 Vence en 10 minutos y funciona una sola vez. Si usted no lo pidió, ignore este\n\
                 correo: su contraseña no cambia.\n"
            ),
        },
    }
}

pub fn password_changed(lang: MailLanguage, org: &OrgInfo) -> MailText {
    let close = call_us(lang, org);
    match lang {
        English => MailText {
            subject: "Your Portico password was changed",
            body: format!(
                "The password of your {} Portico account was just changed, and every device that\n\
                 was signed in has been signed out.\n\n{close}",
                org.name
            ),
        },
        Spanish => MailText {
            subject: "Se cambió su contraseña de Portico",
            body: format!(
                "Se acaba de cambiar la contraseña de su cuenta de Portico de {}, y se cerró la\n\
                 sesión en todos los dispositivos.\n\n{close}",
                org.name
            ),
        },
    }
}

/// After a change in the account's settings (the person was signed in and knew the password).
pub fn password_changed_in_settings(lang: MailLanguage, org: &OrgInfo, others_signed_out: bool) -> MailText {
    let close = call_us(lang, org);
    match lang {
        English => {
            let others = if others_signed_out {
                "Every other device that was signed in has been signed out.\n\n"
            } else {
                "Devices that were signed in stay signed in.\n\n"
            };
            MailText {
                subject: "Your Portico password was changed",
                body: format!(
                    "The password of your {} Portico account was just changed in its security settings.\n\n\
                     {others}{close}",
                    org.name
                ),
            }
        }
        Spanish => {
            let others = if others_signed_out {
                "Se cerró la sesión en todos los demás dispositivos.\n\n"
            } else {
                "Los dispositivos con sesión iniciada la mantienen.\n\n"
            };
            MailText {
                subject: "Se cambió su contraseña de Portico",
                body: format!(
                    "Se acaba de cambiar la contraseña de su cuenta de Portico de {} en su\n\
                     configuración de seguridad.\n\n{others}{close}",
                    org.name
                ),
            }
        }
    }
}

/// Two-step sign-in turned on or off on the account.
pub fn two_step_changed(lang: MailLanguage, org: &OrgInfo, on: bool) -> MailText {
    let close = call_us(lang, org);
    match lang {
        English => MailText {
            subject: "Two-step sign-in changed on your Portico account",
            body: format!(
                "Two-step sign-in was just {} on your {} Portico account.\n\n{close}",
                if on { "turned on" } else { "turned off" },
                org.name
            ),
        },
        Spanish => MailText {
            subject: "Cambió el inicio de sesión en dos pasos de su cuenta de Portico",
            body: format!(
                "Se acaba de {} el inicio de sesión en dos pasos de su cuenta de Portico de {}.\n\n{close}",
                if on { "activar" } else { "desactivar" },
                org.name
            ),
        },
    }
}

/// A passkey added to or removed from the account.
pub fn passkey_changed(lang: MailLanguage, org: &OrgInfo, added: bool) -> MailText {
    let close = call_us(lang, org);
    match lang {
        English => MailText {
            subject: "A passkey changed on your Portico account",
            body: format!(
                "A passkey was just {} your {} Portico account.\n\n{close}",
                if added { "added to" } else { "removed from" },
                org.name
            ),
        },
        Spanish => MailText {
            subject: "Cambió una llave de acceso de su cuenta de Portico",
            body: format!(
                "Se acaba de {} una llave de acceso {} su cuenta de Portico de {}.\n\n{close}",
                if added { "agregar" } else { "quitar" },
                if added { "a" } else { "de" },
                org.name
            ),
        },
    }
}

pub fn email_code(lang: MailLanguage, org_name: &str, code: &str) -> MailText {
    match lang {
        English => MailText {
            subject: "Confirm your e-mail address for Portico",
            body: format!(
                "Someone gave this address for a {org_name} Portico account.\n\n\
                 To confirm it, type this code on the \"Confirm your e-mail\" page: {code}\n\n\
                 It expires in 30 minutes and works once. If it was not you, ignore this e-mail:\n\
                 nothing will be sent to this address.\n"
            ),
        },
        Spanish => MailText {
            subject: "Confirme su correo electrónico para Portico",
            body: format!(
                "Alguien dio esta dirección para una cuenta de Portico de {org_name}.\n\n\
                 Para confirmarla, escriba este código en la página \"Confirme su correo\": {code}\n\n\
                 Vence en 30 minutos y funciona una sola vez. Si no fue usted, ignore este correo:\n\
                 no se enviará nada a esta dirección.\n"
            ),
        },
    }
}

pub fn email_changed(lang: MailLanguage, org: &OrgInfo) -> MailText {
    let close = call_us(lang, org);
    match lang {
        English => MailText {
            subject: "Your Portico e-mail address was changed",
            body: format!(
                "The e-mail address of your {} Portico account was just changed, and this address\n\
                 will get no more e-mails from it.\n\n{close}",
                org.name
            ),
        },
        Spanish => MailText {
            subject: "Se cambió su correo electrónico de Portico",
            body: format!(
                "Se acaba de cambiar el correo electrónico de su cuenta de Portico de {}, y esta\n\
                 dirección no recibirá más correos de ella.\n\n{close}",
                org.name
            ),
        },
    }
}

pub fn sign_up_tried(lang: MailLanguage, org: &OrgInfo) -> MailText {
    match lang {
        English => MailText {
            subject: "Someone tried to sign up with your details",
            body: format!(
                "Someone just tried to sign up for a new {} Portico account with details that match\n\
                 an account you already have. No account was created and yours has not changed.\n\n\
                 If it was you, sign in with your username, or use \"Forgot password\".\n\
                 If it was not, call {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
        Spanish => MailText {
            subject: "Alguien intentó registrarse con sus datos",
            body: format!(
                "Alguien acaba de intentar crear una cuenta nueva de Portico de {} con datos que\n\
                 coinciden con una cuenta que usted ya tiene. No se creó ninguna cuenta y la suya\n\
                 no cambió.\n\n\
                 Si fue usted, inicie sesión con su nombre de usuario o use \"¿Olvidó su contraseña?\".\n\
                 Si no fue usted, llame al {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
    }
}

pub fn account_created(lang: MailLanguage, org: &OrgInfo) -> MailText {
    match lang {
        English => MailText {
            subject: "A Portico account was created for you",
            body: format!(
                "A {} Portico account was just created for you online, after its owner answered\n\
                 questions only you should know. It uses another e-mail address than this one.\n\n\
                 If it was you, there is nothing to do. If it was not, call {} ({}) now.\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
        Spanish => MailText {
            subject: "Se creó una cuenta de Portico para usted",
            body: format!(
                "Se acaba de crear en línea una cuenta de Portico de {} para usted, después de que\n\
                 su dueño respondiera preguntas que solo usted debería conocer. Usa otro correo\n\
                 electrónico distinto de este.\n\n\
                 Si fue usted, no tiene que hacer nada. Si no fue usted, llame ahora al {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
    }
}

pub fn invitation(lang: MailLanguage, org: &OrgInfo, link: &str) -> MailText {
    match lang {
        English => MailText {
            subject: "You are invited to Portico",
            body: format!(
                "Someone who has a {} Portico account invited you to help with their care: to see\n\
                 parts of their health record online, as they chose.\n\n\
                 Open this link to accept (it works once, within 14 days):\n{link}\n\n\
                 If you were not expecting this, ignore this e-mail. Questions: {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
        Spanish => MailText {
            subject: "Le invitaron a Portico",
            body: format!(
                "Una persona con una cuenta de Portico de {} le invitó a ayudar con su atención:\n\
                 a ver en línea las partes de su expediente médico que eligió.\n\n\
                 Abra este enlace para aceptar (funciona una sola vez, durante 14 días):\n{link}\n\n\
                 Si no lo esperaba, ignore este correo. Preguntas: {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
    }
}

/// A patient's activation code as a link, sent by staff to the address on the chart. The
/// link's page still asks for the date of birth, so the e-mail alone opens nothing.
pub fn enrollment_link(lang: MailLanguage, org: &OrgInfo, link: &str, valid_until: &str) -> MailText {
    match lang {
        English => MailText {
            subject: "Sign up for Portico",
            body: format!(
                "{} sent you a link to sign up for Portico, where you can see your health record\n\
                 online and write to your care team.\n\n\
                 Open this link, then give your date of birth (it works once, until {valid_until}):\n{link}\n\n\
                 If you were not expecting this, ignore this e-mail. Questions: {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
        Spanish => MailText {
            subject: "Regístrese en Portico",
            body: format!(
                "{} le envió un enlace para registrarse en Portico, donde puede ver su expediente\n\
                 médico en línea y escribir a su equipo de atención.\n\n\
                 Abra este enlace y escriba su fecha de nacimiento (funciona una sola vez, hasta el {valid_until}):\n{link}\n\n\
                 Si no lo esperaba, ignore este correo. Preguntas: {} ({}).\n",
                org.name, org.support_phone, org.support_hours
            ),
        },
    }
}
