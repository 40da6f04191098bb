//! The "Personal information" page: one plain form (no wasm), sent whole; refused, the
//! browser comes back with the error at its field; saved, the page says so.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{load_personal_info, SavePersonalInfo},
    staff_api::{staff_load_personal_info, StaffSavePersonalInfo},
    Code, PersonalInfo, ETHNICITIES, GENDER_IDENTITIES, LANGUAGES, PRONOUNS, RACES, SEXUAL_ORIENTATIONS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

/// What a phone number may be typed with (checked again on the server): the browser says
/// so before the form is sent, and nothing typed elsewhere is lost.
const PHONE_PATTERN: &str = "[0-9 \\(\\)+.\\-]{7,24}";

const SAVE_PATH: &str = <SavePersonalInfo as server_fn::ServerFn>::PATH;
const STAFF_SAVE_PATH: &str = <StaffSavePersonalInfo as server_fn::ServerFn>::PATH;

const FIELDS: &[&str] = &[
    "preferred_name",
    "address_line",
    "city",
    "region",
    "postal_code",
    "phone",
    "emergency_name",
    "emergency_relationship",
    "emergency_phone",
    "language",
    "races",
    "ethnicity",
    "sexual_orientation",
    "gender_identity",
    "pronouns",
];

#[component]
pub fn PersonalPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| load_personal_info());
    let saved = use_query_map().read_untracked().get("done").as_deref() == Some("saved");
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1 id="personal-title">{t!(i18n, personal.title)}</h1>
        <div role="status">{saved.then(|| view! { <p class="notice">{t!(i18n, personal.saved)}</p> })}</div>
        <Loaded resource=info render=move |p: PersonalInfo| {
            let result = url_result::<SavePersonalInfo, ()>();
            view! { <PersonalForm p action=SAVE_PATH result patient_id=None /> }
        } />
        <super::correction_pages::CorrectionSection />
    }
}

/// Staff: one patient's personal information, to check or correct (audited on the chart).
#[component]
pub fn StaffPersonalPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = use_params_map().read_untracked().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let info = Resource::new(move || id, staff_load_personal_info);
    let saved = use_query_map().read_untracked().get("done").as_deref() == Some("saved");
    view! {
        <p><a href="/staff/activation-codes">{t!(i18n, personal.back_to_search)}</a></p>
        <h1 id="personal-title">{t!(i18n, personal.staff_title)}</h1>
        <div role="status">{saved.then(|| view! { <p class="notice">{t!(i18n, personal.saved_staff)}</p> })}</div>
        <Loaded resource=info render=move |p: PersonalInfo| {
            let result = url_result::<StaffSavePersonalInfo, ()>();
            view! { <PersonalForm p action=STAFF_SAVE_PATH result patient_id=Some(id) /> }
        } />
    }
}

/// The form, for the patient (`patient_id` None: their own chart) or for staff.
#[component]
fn PersonalForm(
    p: PersonalInfo,
    action: &'static str,
    result: Signal<Option<Result<(), crate::error::AppError>>>,
    patient_id: Option<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let err = move |f: &'static str| field_error(result, f);
    let value = |v: &str| RwSignal::new(v.to_owned());
    view! {
        <form method="post" action=action class="card personal" aria-labelledby="personal-title">
            <FormMessage message=form_error(result, FIELDS) />
            {patient_id.map(|id| view! { <input type="hidden" name="patient_id" value=id /> })}
            <h2>{t!(i18n, personal.name)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, personal.legal_name)}</dt><dd>{p.legal_name.clone()}</dd>
                <dt>{t!(i18n, personal.birth_date)}</dt><dd><When iso=p.birth_date.clone() plain=true /></dd>
            </dl>
            {patient_id.is_none().then(|| view! { <p class="hint">{t!(i18n, personal.legal_hint)}</p> })}
            <TextField name="preferred_name" required=false maxlength=100 bind=value(&p.preferred_name) error=err("preferred_name")>
                {t!(i18n, personal.preferred_name)}
            </TextField>

            <h2>{t!(i18n, personal.contact)}</h2>
            <TextField name="address_line" autocomplete="street-address" required=false maxlength=200
                bind=value(&p.address_line) error=err("address_line")>{t!(i18n, personal.address_line)}</TextField>
            <TextField name="city" autocomplete="address-level2" required=false maxlength=100
                bind=value(&p.city) error=err("city")>{t!(i18n, personal.city)}</TextField>
            <TextField name="region" autocomplete="address-level1" required=false maxlength=100
                bind=value(&p.region) error=err("region")>{t!(i18n, personal.region)}</TextField>
            <TextField name="postal_code" autocomplete="postal-code" required=false maxlength=12
                bind=value(&p.postal_code) error=err("postal_code")>{t!(i18n, signup.postal_code)}</TextField>
            <TextField name="phone" kind="tel" autocomplete="tel" required=false maxlength=24 pattern=PHONE_PATTERN
                bind=value(&p.phone) error=err("phone")>{t!(i18n, signup.phone)}</TextField>
            <p class="hint">{t!(i18n, personal.email_hint)} " " <a href="/account/email">{t!(i18n, email.link)}</a></p>

            <h2>{t!(i18n, personal.emergency)}</h2>
            <TextField name="emergency_name" required=false maxlength=100 bind=value(&p.emergency_name)
                error=err("emergency_name")>{t!(i18n, personal.emergency_name)}</TextField>
            <TextField name="emergency_relationship" required=false maxlength=100 bind=value(&p.emergency_relationship)
                error=err("emergency_relationship")>{t!(i18n, personal.emergency_relationship)}</TextField>
            <TextField name="emergency_phone" kind="tel" required=false maxlength=24 pattern=PHONE_PATTERN bind=value(&p.emergency_phone)
                error=err("emergency_phone")>{t!(i18n, personal.emergency_phone)}</TextField>

            <h2>{t!(i18n, personal.language_title)}</h2>
            <div class="field">
                <label for="field-language">{t!(i18n, personal.language)}</label>
                <select id="field-language" name="language" aria-describedby="language-definition">
                    <option value="" selected=p.language.is_empty()>{t!(i18n, personal.not_given)}</option>
                    {LANGUAGES.iter().map(|(tag, name)| view! {
                        <option value=*tag lang=*tag selected=p.language == *tag>{*name}</option>
                    }).collect_view()}
                </select>
                <p class="hint" id="language-definition">{t!(i18n, personal.language_definition)}</p>
            </div>

            <h2>{t!(i18n, personal.demographics)}</h2>
            <p class="hint">{t!(i18n, personal.demographics_why)}</p>
            <Choices name="races" multiple=true set=RACES chosen=p.races.clone() error=err("races")
                legend=t_string!(i18n, personal.race).to_string() definition=t_string!(i18n, personal.race_definition).to_string() />
            <Choices name="ethnicity" multiple=false set=ETHNICITIES chosen=vec![p.ethnicity.clone()] error=err("ethnicity")
                legend=t_string!(i18n, personal.ethnicity).to_string() definition=t_string!(i18n, personal.ethnicity_definition).to_string() />
            <Choices name="sexual_orientation" multiple=false set=SEXUAL_ORIENTATIONS chosen=vec![p.sexual_orientation.clone()]
                error=err("sexual_orientation") legend=t_string!(i18n, personal.sexual_orientation).to_string()
                definition=t_string!(i18n, personal.sexual_orientation_definition).to_string() />
            <Choices name="gender_identity" multiple=false set=GENDER_IDENTITIES chosen=vec![p.gender_identity.clone()]
                error=err("gender_identity") legend=t_string!(i18n, personal.gender_identity).to_string()
                definition=t_string!(i18n, personal.gender_identity_definition).to_string() />
            <Choices name="pronouns" multiple=false set=PRONOUNS chosen=vec![p.pronouns.clone()] error=err("pronouns")
                legend=t_string!(i18n, personal.pronouns).to_string() definition=String::new() />
            <button type="submit" class="primary">
                {if patient_id.is_some() { t_string!(i18n, personal.save_staff) } else { t_string!(i18n, personal.save) }}
            </button>
        </form>
    }
}

/// One question of coded answers: checkboxes (`multiple`, sent as `name[]`) or radio
/// buttons, with its definition beside it and its error under it, both tied to the group.
#[component]
fn Choices(
    name: &'static str,
    multiple: bool,
    set: &'static [Code],
    chosen: Vec<String>,
    error: Signal<Option<String>>,
    legend: String,
    definition: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = error.get_untracked();
    let definition_id = format!("{name}-definition");
    let error_id = format!("{name}-error");
    let described_by = [
        (!definition.is_empty()).then(|| definition_id.clone()),
        message.is_some().then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let input_name = if multiple { format!("{name}[]") } else { name.to_owned() };
    view! {
        <fieldset class="field choices" aria-describedby=(!described_by.is_empty()).then_some(described_by)>
            <legend>{legend}</legend>
            {(!definition.is_empty()).then(|| view! { <p class="hint" id=definition_id>{definition}</p> })}
            {set.iter().map(|c| {
                let id = format!("{name}-{}", c.code);
                view! {
                    <div class="choice">
                        <input type=if multiple { "checkbox" } else { "radio" } name=input_name.clone() id=id.clone()
                            value=c.code checked=chosen.iter().any(|x| x == c.code) />
                        <label for=id>{code_label(i18n, c.code)}</label>
                    </div>
                }
            }).collect_view()}
            {message.map(|m| view! { <p class="field-error" id=error_id>{m}</p> })}
        </fieldset>
    }
}

/// A code's words in the reader's language.
pub fn code_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    let text = match code {
        "1002-5" => t_string!(i18n, personal.c_1002_5),
        "2028-9" => t_string!(i18n, personal.c_2028_9),
        "2054-5" => t_string!(i18n, personal.c_2054_5),
        "2076-8" => t_string!(i18n, personal.c_2076_8),
        "2106-3" => t_string!(i18n, personal.c_2106_3),
        "2135-2" => t_string!(i18n, personal.c_2135_2),
        "2186-5" => t_string!(i18n, personal.c_2186_5),
        "20430005" => t_string!(i18n, personal.c_20430005),
        "38628009" => t_string!(i18n, personal.c_38628009),
        "42035005" => t_string!(i18n, personal.c_42035005),
        "446151000124109" => t_string!(i18n, personal.c_446151000124109),
        "446141000124107" => t_string!(i18n, personal.c_446141000124107),
        "33791000087105" => t_string!(i18n, personal.c_33791000087105),
        "LA29518-0" => t_string!(i18n, personal.c_la29518_0),
        "LA29519-8" => t_string!(i18n, personal.c_la29519_8),
        "LA29520-6" => t_string!(i18n, personal.c_la29520_6),
        "OTH" => t_string!(i18n, personal.c_oth),
        "UNK" => t_string!(i18n, personal.c_unk),
        "ASKU" => t_string!(i18n, personal.c_asku),
        other => return other.to_owned(),
    };
    text.to_string()
}
