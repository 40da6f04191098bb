//! The activation letter staff print for a patient (the seed's "a new activation code will
//! be sent to you", on paper): the code, until when it works, and the steps, in the
//! patient's language. It names the patient (it is handed or mailed to them) and nothing of
//! their health.
use crate::{infra::mail_language::MailLanguage, infra::pdf::TextDocument, site::OrgInfo};

/// What the letter says besides the organisation's own details.
pub struct LetterFacts<'a> {
    pub patient_name: &'a str,
    pub code: &'a str,
    /// The last day the code works, in words ("Jan 13, 2027").
    pub valid_until: &'a str,
    /// The enrollment page, with no code in it (the patient types the code).
    pub enroll_url: &'a str,
}

pub fn activation_letter(lang: MailLanguage, org: &OrgInfo, facts: &LetterFacts<'_>) -> Vec<u8> {
    let text = LetterText::of(lang, org, facts);
    let mut doc = TextDocument::new(&text.title);
    doc.heading(&text.title);
    doc.paragraph(&text.greeting);
    doc.paragraph(&text.what);
    doc.strong(&text.code_label);
    doc.code(facts.code);
    doc.paragraph(&text.validity);
    doc.strong(&text.steps_label);
    doc.steps(&text.steps);
    doc.paragraph(&text.privacy);
    doc.paragraph(&text.questions);
    doc.finish()
}

struct LetterText {
    title: String,
    greeting: String,
    what: String,
    code_label: String,
    validity: String,
    steps_label: String,
    steps: Vec<String>,
    privacy: String,
    questions: String,
}

impl LetterText {
    fn of(lang: MailLanguage, org: &OrgInfo, facts: &LetterFacts<'_>) -> LetterText {
        let LetterFacts { patient_name, valid_until, enroll_url, .. } = facts;
        let (org_name, phone, hours) = (&org.name, &org.support_phone, &org.support_hours);
        match lang {
            MailLanguage::English => LetterText {
                title: format!("Your {org_name} Portico activation code"),
                greeting: format!("Dear {patient_name},"),
                what: "With Portico you can see your visits, test results, medications and immunizations \
                       online, and write to your care team."
                    .into(),
                code_label: "Your activation code:".into(),
                validity: format!(
                    "It works once, until {valid_until}. After that, or if it does not work, ask us for a new one."
                ),
                steps_label: "To sign up:".into(),
                steps: vec![
                    format!("Go to {enroll_url} (or choose “Sign up with activation code” on the sign-in page)."),
                    "Type the code exactly as printed above, and your date of birth.".into(),
                    "Choose a username and a password, and give an e-mail address for notices.".into(),
                ],
                privacy: "Keep this letter private: the code and your date of birth open an account on your health \
                          record."
                    .into(),
                questions: format!("Questions? Call {phone} ({hours})."),
            },
            MailLanguage::Spanish => LetterText {
                title: format!("Su código de activación de Portico de {org_name}"),
                greeting: format!("Estimado/a {patient_name}:"),
                what: "Con Portico puede ver en línea sus consultas, resultados de pruebas, medicamentos y \
                       vacunas, y escribir a su equipo de atención."
                    .into(),
                code_label: "Su código de activación:".into(),
                validity: format!(
                    "Funciona una sola vez, hasta el {valid_until}. Después, o si no funciona, pídanos uno nuevo."
                ),
                steps_label: "Para registrarse:".into(),
                steps: vec![
                    format!(
                        "Vaya a {enroll_url} (o elija “Registrarse con un código de activación” en la página de inicio de sesión)."
                    ),
                    "Escriba el código tal como aparece arriba, y su fecha de nacimiento.".into(),
                    "Elija un nombre de usuario y una contraseña, y dé un correo electrónico para los avisos.".into(),
                ],
                privacy: "Guarde esta carta en privado: el código y su fecha de nacimiento abren una cuenta con su \
                          expediente médico."
                    .into(),
                questions: format!("¿Preguntas? Llame al {phone} ({hours})."),
            },
        }
    }
}
