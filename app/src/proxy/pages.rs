//! Sharing: who may see my chart (an adult may narrow or end each grant), the charts I may
//! see (I may end my own access), my requests and their status; the two request forms
//! (a minor's, and an adult's with the signed authorization); "Who has seen my record".
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::components::A;

use super::{
    api::{access_log, load_sharing, EndGrant, RequestMinorAccess},
    restriction_pages::TeenRestriction,
    AccessEntry, Accessor, GrantView, ProxyRequest, RequestStatus, Restriction, Sharing, NAME_MAX_CHARS,
};
use crate::{
    access::{Relationship, Section},
    error::AppError,
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{idempotency_key, FormMessage, PostButton, TextField},
        layout::{relationship_label, section_label},
        loaded::Loaded,
    },
};

#[component]
pub fn SharingPage() -> impl IntoView {
    let i18n = use_i18n();
    let sharing = Resource::new(|| (), |_| load_sharing());
    view! {
        <h1>{t!(i18n, proxy.title)}</h1>
        <p>{t!(i18n, proxy.intro)}</p>
        <ul class="actions-list">
            <li><A href="/sharing/minor">{t!(i18n, proxy.request_minor)}</A></li>
            <li><A href="/sharing/adult">{t!(i18n, proxy.request_adult)}</A></li>
            <li><A href="/sharing/access-log">{t!(i18n, proxy.access_log)}</A></li>
        </ul>
        <Loaded resource=sharing render={move |s: Sharing| view! { <SharingView s /> }} />
    }
}

#[component]
fn SharingView(s: Sharing) -> impl IntoView {
    let i18n = use_i18n();
    let may_change = s.may_change;
    let restrictions = s.restrictions;
    // Ending a grant is a plain form post: a refusal comes back in the URL.
    let ended = url_result::<EndGrant, ()>();
    view! {
        <FormMessage message=form_error(ended, &[]) />
        <section aria-labelledby="on-my-chart">
            <h2 id="on-my-chart">{t!(i18n, proxy.on_my_chart)}</h2>
            {if s.on_my_chart.is_empty() {
                view! { <p class="empty">{t!(i18n, proxy.no_one)}</p> }.into_any()
            } else {
                view! {
                    <ul class="grant-list">
                        {s.on_my_chart.into_iter().map(|g| {
                            let asked: Vec<Restriction> = restrictions.iter().filter(|r| r.grant_id == g.id).cloned().collect();
                            view! { <GrantCard g as_patient=true may_change asked /> }
                        }).collect_view()}
                    </ul>
                    {(!may_change).then(|| view! { <p class="muted">{t!(i18n, proxy.teen_cannot_change)}</p> })}
                }.into_any()
            }}
            {may_change.then(|| view! { <p><a href="/sharing/invite">{t!(i18n, invite.link)}</a></p> })}
        </section>
        <section aria-labelledby="mine">
            <h2 id="mine">{t!(i18n, proxy.mine)}</h2>
            {if s.mine.is_empty() {
                view! { <p class="empty">{t!(i18n, proxy.none_held)}</p> }.into_any()
            } else {
                view! {
                    <ul class="grant-list">
                        {s.mine.into_iter().map(|g| view! { <GrantCard g as_patient=false may_change=true /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="requests">
            <h2 id="requests">{t!(i18n, proxy.requests)}</h2>
            <RequestTable requests=s.requests />
        </section>
    }
}

/// One grant: whose, what it covers, since when; and what the viewer may do with it.
#[component]
fn GrantCard(
    g: GrantView,
    as_patient: bool,
    may_change: bool,
    /// On a teen's own chart: their requests to narrow this grant (and the form to ask).
    #[prop(optional)]
    asked: Vec<Restriction>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = g.id;
    let teen_grant = g.clone();
    let heading_id = format!("grant-{id}");
    let labelled_by = heading_id.clone();
    let title = if as_patient { g.proxy_name.clone() } else { g.patient_name.clone() };
    let relationship = relationship_label(i18n, g.relationship);
    let covers = g.sections_now.iter().map(|s| section_label(i18n, *s)).collect::<Vec<_>>().join(", ");
    let end_label = if as_patient {
        t_string!(i18n, proxy.end_their_access, name = g.proxy_name.clone()).to_string()
    } else {
        t_string!(i18n, proxy.end_my_access, name = g.patient_name.clone()).to_string()
    };
    view! {
        <li class="card grant" aria-labelledby=labelled_by>
            <h3 id=heading_id>{format!("{title} ({relationship})")}</h3>
            <p>{t!(i18n, proxy.covers)}" "{covers}</p>
            <p class="muted">
                {t!(i18n, proxy.since, date = crate::ui::when::words(i18n, &g.starts_on))}
                {g.ends_on.clone().map(|d| view! { " · "{t!(i18n, proxy.until, date = crate::ui::when::words(i18n, &d))} })}
                {g.approved_by.clone().map(|a| view! { " · "{t!(i18n, proxy.approved_by, name = a)} })}
            </p>
            {g.teen_view.then(|| view! { <p class="notice">{t!(i18n, proxy.teen_view)}</p> })}
            {(!g.in_force).then(|| view! { <p class="notice">{t!(i18n, proxy.not_in_force)}</p> })}
            {may_change.then(|| view! {
                <GrantControls id narrow=as_patient proxy_name=g.proxy_name.clone() end_label />
            })}
            {(as_patient && !may_change).then(|| view! { <TeenRestriction g=teen_grant requests=asked /> })}
        </li>
    }
}

/// End a grant (here, a plain form: the page comes back as it now stands) and, for the
/// patient, a link to choose what the proxy may see (a page of its own).
#[component]
fn GrantControls(id: i64, narrow: bool, proxy_name: String, end_label: String) -> impl IntoView {
    let i18n = use_i18n();
    let change = narrow.then(|| {
        let label = t_string!(i18n, proxy.change_sections, name = proxy_name).to_string();
        view! { <a class="button" href=format!("/sharing/grants/{id}")>{label}</a> }
    });
    view! {
        <div class="grant-actions">
            {change}
            <PostButton action=END_GRANT_PATH fields=vec![("id", id.to_string())] class="danger">{end_label}</PostButton>
        </div>
    }
}

const END_GRANT_PATH: &str = <EndGrant as server_fn::ServerFn>::PATH;

/// One checkbox per section (`{id_prefix}-{section}`); `chosen` holds the ticked ones.
#[component]
pub fn SectionBoxes(
    id_prefix: String,
    sections: Vec<Section>,
    chosen: RwSignal<Vec<Section>>,
) -> impl IntoView {
    let i18n = use_i18n();
    sections
        .into_iter()
        .map(|s| {
            let box_id = format!("{id_prefix}-{}", s.as_str());
            let box_for = box_id.clone();
            view! {
                <label for=box_for class="check">
                    <input type="checkbox" id=box_id
                        checked=chosen.read_untracked().contains(&s)
                        prop:checked=move || chosen.read().contains(&s)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|list| { list.retain(|x| *x != s); if on { list.push(s); } });
                        } />
                    {section_label(i18n, s)}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn RequestTable(requests: Vec<ProxyRequest>) -> impl IntoView {
    let i18n = use_i18n();
    if requests.is_empty() {
        return view! { <p class="empty">{t!(i18n, proxy.no_requests)}</p> }.into_any();
    }
    view! {
        <table class="data">
            <thead><tr>
                <th scope="col">{t!(i18n, proxy.col_for)}</th>
                <th scope="col">{t!(i18n, proxy.col_submitted)}</th>
                <th scope="col">{t!(i18n, proxy.col_status)}</th>
            </tr></thead>
            <tbody>
                {requests.into_iter().map(|r| view! {
                    <tr>
                        <td>{format!("{} ({}) · {}", r.patient_name, crate::ui::when::plain_words(i18n, &r.birth_date), relationship_label(i18n, r.relationship))}</td>
                        <td><When iso=r.submitted_on.clone() /></td>
                        <td data-testid="request-status">{status_text(i18n, &r)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

pub fn status_text(i18n: leptos_i18n::I18nContext<Locale>, r: &ProxyRequest) -> String {
    match r.status {
        RequestStatus::Pending => {
            t_string!(i18n, proxy.status_pending, date = crate::ui::when::words(i18n, &r.due_on)).to_string()
        }
        RequestStatus::Approved => t_string!(i18n, proxy.status_approved).to_string(),
        RequestStatus::Denied => {
            t_string!(i18n, proxy.status_denied, reason = r.reason.clone().unwrap_or_default()).to_string()
        }
    }
}

/// "Request Minor Proxy Access": a parent's or guardian's electronic form.
#[component]
pub fn MinorRequestPage() -> impl IntoView {
    view! { <MinorRequestForm /> }
}

#[island(lazy)]
fn MinorRequestForm() -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let request = ServerAction::<RequestMinorAccess>::new();
    let result: Signal<Option<Result<ProxyRequest, AppError>>> = request.value().into();
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(idempotency_key()));
    view! {
        <h1>{t!(i18n, proxy.minor_title)}</h1>
        <p>{t!(i18n, proxy.minor_intro)}</p>
        <Submitted result />
        <ActionForm action=request>
            <FormMessage message=form_error(result, &["child_name", "birth_date", "relationship", "attest"]) />
            <input type="hidden" name="key" prop:value=key />
            <TextField name="child_name" maxlength=NAME_MAX_CHARS autocomplete="off" error=field_error(result, "child_name")>
                {t!(i18n, proxy.child_name)}
            </TextField>
            <TextField name="birth_date" kind="date" error=field_error(result, "birth_date")>{t!(i18n, proxy.birth_date)}</TextField>
            <RelationshipSelect choices=&Relationship::FOR_MINORS error=field_error(result, "relationship") />
            <Attestation error=field_error(result, "attest") />
            <button type="submit" class="primary" disabled=move || request.pending().get()>{t!(i18n, proxy.submit)}</button>
        </ActionForm>
    }
}

/// An adult's chart: the authorization form, signed and uploaded, and the attestation.
#[component]
pub fn AdultRequestPage() -> impl IntoView {
    view! { <AdultRequestForm /> }
}

#[island(lazy)]
fn AdultRequestForm() -> impl IntoView {
    use crate::messages::{ACCEPTED_TYPES, ATTACHMENT_MAX_BYTES};
    let i18n = crate::ui::island_i18n();
    #[cfg(feature = "hydrate")]
    let send =
        Action::new_local(|data: &web_sys::FormData| super::api::request_adult_access(data.clone().into()));
    #[cfg(not(feature = "hydrate"))]
    let send = Action::new(|_: &()| async { Err::<ProxyRequest, AppError>(AppError::Unavailable) });
    let result: Signal<Option<Result<ProxyRequest, AppError>>> = send.value().into();
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(idempotency_key()));
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        if let Some(data) = form_ref.get_untracked().and_then(|f| web_sys::FormData::new_with_form(&f).ok()) {
            send.dispatch_local(data);
        }
    };
    let file_error = field_error(result, "attachments");
    view! {
        <h1>{t!(i18n, proxy.adult_title)}</h1>
        <p>{t!(i18n, proxy.adult_intro)}</p>
        <Submitted result />
        <form node_ref=form_ref on:submit=on_submit>
            <FormMessage message=form_error(result, &["patient_name", "birth_date", "relationship", "attest", "attachments"]) />
            <input type="hidden" name="key" prop:value=key />
            <TextField name="patient_name" maxlength=NAME_MAX_CHARS autocomplete="off" error=field_error(result, "patient_name")>
                {t!(i18n, proxy.patient_name)}
            </TextField>
            <TextField name="birth_date" kind="date" error=field_error(result, "birth_date")>{t!(i18n, proxy.birth_date)}</TextField>
            <RelationshipSelect choices=&Relationship::ALL[1..] error=field_error(result, "relationship") />
            <div class="field">
                <label for="adult-form">{t!(i18n, proxy.signed_form)}</label>
                <input id="adult-form" type="file" name="attachment" required accept=ACCEPTED_TYPES.join(",")
                    aria-describedby=move || if file_error.get().is_some() { "adult-form-hint adult-form-error" } else { "adult-form-hint" }
                    aria-invalid=move || file_error.get().is_some().then_some("true") />
                <p class="hint" id="adult-form-hint">{t!(i18n, proxy.signed_form_hint, megabytes = ATTACHMENT_MAX_BYTES / (1024 * 1024))}</p>
                {move || file_error.get().map(|m| view! { <p class="field-error" id="adult-form-error">{m}</p> })}
            </div>
            <Attestation error=field_error(result, "attest") />
            <button type="submit" class="primary" disabled=move || send.pending().get()>{t!(i18n, proxy.submit)}</button>
        </form>
    }
}

/// What a submitted request says: sent, and by when HIM answers.
#[component]
fn Submitted(result: Signal<Option<Result<ProxyRequest, AppError>>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        result.get().and_then(|r| r.ok()).map(|r| view! {
            <div class="sent" role="status">
                <p><strong>{t!(i18n, proxy.submitted)}</strong>" "{t!(i18n, proxy.due, date = crate::ui::when::words(i18n, &r.due_on))}</p>
                <p><a href="/sharing">{t!(i18n, proxy.back_to_sharing)}</a></p>
            </div>
        })
    }
}

#[component]
fn RelationshipSelect(choices: &'static [Relationship], error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="relationship">{t!(i18n, proxy.relationship)}</label>
            <select id="relationship" name="relationship" required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().map(|_| "relationship-error")>
                <option value="">{t!(i18n, proxy.choose)}</option>
                {choices.iter().map(|r| view! { <option value=r.as_str()>{relationship_label(i18n, *r)}</option> }).collect_view()}
            </select>
            {move || error.get().map(|m| view! { <p class="field-error" id="relationship-error">{m}</p> })}
        </div>
    }
}

#[component]
fn Attestation(error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="attest" class="check">
                <input type="checkbox" id="attest" name="attest" value="on" required
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=move || error.get().map(|_| "attest-error") />
                {t!(i18n, proxy.attest)}
            </label>
            {move || error.get().map(|m| view! { <p class="field-error" id="attest-error">{m}</p> })}
        </div>
    }
}

/// "Who has seen my record": every access to the patient's own chart, from the audit log.
#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    // Older entries are a page of their own (`?before=`), so a link reaches them.
    let query = leptos_router::hooks::use_query_map();
    let before = move || query.read().get("before").and_then(|b| b.parse::<i64>().ok());
    let entries = Resource::new(before, access_log);
    view! {
        <h1>{t!(i18n, proxy.access_log)}</h1>
        <p>{t!(i18n, proxy.access_log_intro)}</p>
        <Loaded resource=entries render={move |rows: Vec<AccessEntry>| {
            let oldest = rows.last().map(|r| r.seq);
            let full = rows.len() as i64 == super::ACCESS_LOG_PAGE;
            view! {
                <table class="data">
                    <caption class="visually-hidden">{t!(i18n, proxy.access_log)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, proxy.col_when)}</th>
                        <th scope="col">{t!(i18n, proxy.col_who)}</th>
                        <th scope="col">{t!(i18n, proxy.col_section)}</th>
                        <th scope="col">{t!(i18n, proxy.col_what)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|e| view! {
                            <tr>
                                <td><When iso=e.at.clone() /></td>
                                <td>{accessor_text(i18n, &e.who)}</td>
                                <td>{e.section.map(|s| section_label(i18n, s)).unwrap_or_default()}</td>
                                <td>{action_text(i18n, &e.action)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(full && oldest.is_some()).then(|| view! {
                    <p><A href=format!("/sharing/access-log?before={}", oldest.unwrap_or_default())>{t!(i18n, proxy.older)}</A></p>
                })}
            }
        }} />
    }
}

fn accessor_text(i18n: leptos_i18n::I18nContext<Locale>, who: &Accessor) -> String {
    match who {
        Accessor::You => t_string!(i18n, proxy.who_you).to_string(),
        Accessor::ShareCode => t_string!(i18n, proxy.who_share_code).to_string(),
        Accessor::GuestPayer => t_string!(i18n, proxy.who_guest).to_string(),
        Accessor::App { app, linked_by } => {
            t_string!(i18n, proxy.who_app, app = app.clone(), name = linked_by.clone()).to_string()
        }
        Accessor::Proxy { name } => t_string!(i18n, proxy.who_proxy, name = name.clone()).to_string(),
        Accessor::Staff { name, role } => {
            let role = crate::ui::layout::role_text(i18n, *role);
            format!("{name} ({role})")
        }
    }
}

fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: &str) -> String {
    match action {
        "chart-read" => t_string!(i18n, proxy.act_read),
        "chart-switch" => t_string!(i18n, proxy.act_switch),
        "message-sent" => t_string!(i18n, proxy.act_message),
        "renewal-requested" => t_string!(i18n, proxy.act_renewal),
        "break-the-glass" => t_string!(i18n, proxy.act_break_glass),
        "restriction-requested" => t_string!(i18n, proxy.act_restriction),
        "share-viewed" => t_string!(i18n, proxy.act_share_viewed),
        "app-read" => t_string!(i18n, proxy.act_app_read),
        "app-linked" => t_string!(i18n, proxy.act_app_linked),
        "share-open-failed" => t_string!(i18n, proxy.act_share_failed),
        "share-created" => t_string!(i18n, proxy.act_share_made),
        "guest-billing-opened" => t_string!(i18n, proxy.act_guest_opened),
        "guest-billing-failed" => t_string!(i18n, proxy.act_guest_failed),
        "guest-billing-read" => t_string!(i18n, proxy.act_guest_read),
        "guest-payment-started" => t_string!(i18n, proxy.act_guest_payment),
        "share-ended" => t_string!(i18n, proxy.act_share_ended),
        "proxy-approved"
        | "proxy-grant-ended"
        | "proxy-grant-sections"
        | "proxy-access-ended"
        | "restriction-declined"
        | "restriction-applied" => t_string!(i18n, proxy.act_sharing),
        _ => t_string!(i18n, proxy.act_other),
    }
    .to_string()
}
