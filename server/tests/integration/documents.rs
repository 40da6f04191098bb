//! The document center (issue 16): the list, a visit-records PDF read back as text with
//! pdftotext (the right visits in it, a confidential note never for a proxy), documents on
//! file within the chart, the limits on a record's visits, and the audit row of a download.
use crate::{
    common::{error_key, TestApp},
    proxy_fixture::{family, grant, LEO_MARK, SECRET},
};
use app::{
    access::{Relationship, Section},
    proxy::RequestKind,
};
use reqwest::{header, Client, StatusCode};

on_both_databases!(
    a_visit_record_holds_the_chosen_visits_and_no_confidential_note_for_a_proxy,
    documents_on_file_stay_in_their_chart_and_limits_are_said_at_the_field,
    a_proxy_granted_documents_alone_gets_no_visit_records_nor_immunizations,
    a_requested_copy_is_made_by_him_as_its_requester_may_see_the_chart,
    a_request_is_checked_at_its_fields_and_a_declined_one_says_why,
    him_answers_a_request_with_a_pdf_made_elsewhere,
    a_proxys_copies_are_withdrawn_when_part_of_the_chart_becomes_confidential,
    every_visit_between_two_dates_makes_one_record,
    him_posts_a_document_checked_by_its_bytes_and_a_confidential_one_stays_from_proxies,
    visits_as_fhir_hold_the_facts_of_their_pdf_and_parse_as_r4,
    a_copy_asked_for_as_fhir_is_a_bundle_of_the_parts_asked_for,
    signed_proxy_authorizations_are_on_file_for_the_patient_and_their_own_proxy,
    the_whole_record_is_one_archive_made_in_the_background_that_expires
);

/// A finished visit on Leo's chart with a note; returns its id.
pub async fn visit(app: &TestApp, leo: i64, days_ago: i64, note: &str) -> i64 {
    let start = app.clock.now_ms() - days_ago * 86_400_000;
    sqlx::query_scalar(
        "INSERT INTO encounters (patient_id, department, kind, status, start_at, reason, avs_text, note_text) \
         VALUES ($1, 'Family Medicine', 'Office visit', 'finished', $2, 'Cough', $3, $4) RETURNING id",
    )
    .bind(leo)
    .bind(start)
    .bind(format!("{note} summary"))
    .bind(format!("{note} note"))
    .fetch_one(&app.state.db.write)
    .await
    .unwrap()
}

/// Downloads through a form post as the page does; the PDF's text, or the status and body.
async fn download(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    form: &[(&str, String)],
) -> Result<String, (StatusCode, String)> {
    fetch_file(app, client, endpoint, form, "application/pdf").await.map(|bytes| pdf_text(&bytes))
}

/// As `download`, a FHIR bundle: parsed as FHIR R4 first (strict: an unknown or a missing
/// field fails), then read as JSON for the test's questions.
async fn download_bundle(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    form: &[(&str, String)],
) -> Result<serde_json::Value, (StatusCode, String)> {
    let bytes = fetch_file(app, client, endpoint, form, "application/fhir+json").await?;
    let bundle: serde_json::Value = serde_json::from_slice(&bytes).expect("a bundle is JSON");
    assert_fhir_r4(&bundle);
    Ok(bundle)
}

/// Parses the bundle into fhirbolt's R4 types, strictly. The shell (its entries without
/// their resources) and each resource are parsed apart: fhirbolt 0.4 fails a Bundle whose
/// second entry follows a resource ("expected Uri" on a valid fullUrl), a bug of its
/// parser's state, not of the JSON.
pub fn assert_fhir_r4(bundle: &serde_json::Value) {
    use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
    let strict = || Some(DeserializationConfig { mode: DeserializationMode::Strict });
    let mut shell = bundle.clone();
    let mut resources = Vec::new();
    for entry in shell["entry"].as_array_mut().expect("entries") {
        resources.push(entry.as_object_mut().unwrap().remove("resource").expect("each entry has a resource"));
    }
    let parsed: Result<fhirbolt::model::r4::resources::Bundle, _> =
        fhirbolt::json::from_str(&shell.to_string(), strict());
    if let Err(e) = parsed {
        panic!("not a FHIR R4 Bundle: {e}\n{shell:#}");
    }
    for resource in resources {
        let parsed: Result<fhirbolt::model::r4::Resource, _> =
            fhirbolt::json::from_str(&resource.to_string(), strict());
        if let Err(e) = parsed {
            panic!("not a FHIR R4 resource: {e}\n{resource:#}");
        }
    }
}

async fn fetch_file(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    form: &[(&str, String)],
    media_type: &str,
) -> Result<Vec<u8>, (StatusCode, String)> {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call_raw(client, endpoint, &form).await;
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    if status != StatusCode::OK {
        return Err((status, String::from_utf8_lossy(&bytes).into_owned()));
    }
    assert_eq!(headers[header::CONTENT_TYPE], media_type);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename="));
    assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("no-store"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    Ok(bytes.to_vec())
}

/// The bundle's resources of one type.
pub fn resources<'a>(bundle: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

/// Every reference in the bundle names an entry of it (a bundle handed to another system
/// stands alone).
fn assert_references_resolve(bundle: &serde_json::Value) {
    let urls: Vec<&str> =
        bundle["entry"].as_array().unwrap().iter().map(|e| e["fullUrl"].as_str().unwrap()).collect();
    fn walk<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("reference") {
                    found.push(r);
                }
                map.values().for_each(|v| walk(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut references = Vec::new();
    walk(bundle, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        assert!(urls.contains(&reference), "{reference} is not in the bundle");
    }
}

/// The text of each DocumentReference, decoded.
fn document_texts(bundle: &serde_json::Value) -> Vec<String> {
    use base64::Engine;
    resources(bundle, "DocumentReference")
        .iter()
        .map(|d| {
            let data = d["content"][0]["attachment"]["data"].as_str().unwrap();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(data).unwrap()).unwrap()
        })
        .collect()
}

/// A released result of one visit: one observation.
async fn visit_result(app: &TestApp, leo: i64, visit: i64, name: &str, value: f64) {
    let at = app.clock.now_ms() - 50 * 86_400_000;
    let report: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_reports (patient_id, encounter_id, code, name, collected_at, resulted_at, released_at) \
         VALUES ($1, $2, '4548-4', 'Glycated hemoglobin panel', $3, $3, $3) RETURNING id",
    )
    .bind(leo)
    .bind(visit)
    .bind(at)
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, flag, effective_at) \
         VALUES ($1, $2, '4548-4', $3, $4, '%', 'H', $5)",
    )
    .bind(report)
    .bind(leo)
    .bind(name)
    .bind(value)
    .bind(at)
    .execute(&app.state.db.write)
    .await
    .unwrap();
}

/// The text of a PDF as a reader shows it (poppler's pdftotext, installed by bootstrap).
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("portico-pdf-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/bootstrap.sh test installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "pdftotext could not read the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn a_visit_record_holds_the_chosen_visits_and_no_confidential_note_for_a_proxy(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    let bravo = visit(app, f.leo, 40, "BRAVO").await;
    let charlie = visit(app, f.leo, 20, "CHARLIE").await;
    let picked = |ids: &[i64]| ids.iter().map(|id| ("visits[]", id.to_string())).collect::<Vec<_>>();

    // The patient: the two chosen visits, oldest first, with the name, birth date and pages.
    let leo = app.signed_in("leo").await;
    let text = download(app, &leo, "documents/visit_records", &picked(&[bravo, alpha])).await.unwrap();
    let (a, b) = (text.find("ALPHA summary").expect(&text), text.find("BRAVO note").expect(&text));
    assert!(a < b, "visits in the order they happened:\n{text}");
    assert!(!text.contains("CHARLIE"), "a visit not chosen is not in the record:\n{text}");
    for expected in [LEO_MARK, "2011-03-02", "Page 1 of 1"] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    // The patient's own confidential note is theirs to download.
    let own = download(app, &leo, "documents/visit_records", &picked(&[f.visit])).await.unwrap();
    assert!(own.contains(SECRET), "{own}");
    let rows =
        app.count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE 'documents.visit_records ids=%'").await;
    assert_eq!(rows, 2, "each download is a chart read in the audit log");

    // A parent with every section: the same visits, but the visit with a confidential note
    // does not exist for them, so a record that asks for it is refused whole.
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    let text = download(app, &parent, "documents/visit_records", &picked(&[alpha, charlie])).await.unwrap();
    assert!(text.contains("ALPHA note") && text.contains("CHARLIE summary"), "{text}");
    let refused =
        download(app, &parent, "documents/visit_records", &picked(&[alpha, f.visit])).await.unwrap_err();
    assert_eq!(refused.0, StatusCode::NOT_FOUND);
    assert!(!refused.1.contains(SECRET));

    // The list shows the parent the visits and documents they may see, and never the secret.
    let (status, list) = app.call(&parent, "documents/list", &[("shelf", "visit-records")]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let keys: Vec<&str> =
        list["entries"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys, [format!("visit-{charlie}"), format!("visit-{bravo}"), format!("visit-{alpha}")]);
    let (_, everything) = app.call(&parent, "documents/list", &[]).await;
    assert!(!everything.to_string().contains(SECRET), "{everything}");
}

async fn documents_on_file_stay_in_their_chart_and_limits_are_said_at_the_field(app: &TestApp) {
    let f = family(app).await;
    let leo = app.signed_in("leo").await;
    let (status, list) = app.call(&leo, "documents/list", &[("shelf", "on-file")]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    // (Leo's billing statement is on file too.)
    let titles: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "Letter")
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "the two letters on file: {list}");
    let res =
        app.call_raw(&leo, "documents/download", &[("key", &format!("file-{}", f.secret_document))]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&res.bytes().await.unwrap()).contains(SECRET),
        "the patient's own document"
    );

    // Someone else's document by id is not found, not forbidden: nothing says it exists.
    app.add_patient_user("avery").await;
    let avery = app.signed_in("avery").await;
    let res =
        app.call_raw(&avery, "documents/download", &[("key", &format!("file-{}", f.normal_document))]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for junk in ["file-abc", "visit-0", "../../etc/passwd", ""] {
        let res = app.call_raw(&avery, "documents/download", &[("key", junk)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{junk:?}");
    }

    // The blank proxy form holds no chart's data and names the organisation.
    let form =
        download(app, &leo, "documents/download", &[("key", "form-adult-proxy".into())]).await.unwrap();
    assert!(form.contains("Authorization for proxy access") && !form.contains(LEO_MARK), "{form}");

    // Limits: at least one visit, at most 50, ids only; said at the field, nothing else done.
    let (status, body) = app.call(&leo, "documents/visit_records", &[]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.choose_visit".into())
    );
    let many: Vec<(&str, String)> = (1..=51).map(|id| ("visits[]", id.to_string())).collect();
    let (status, body) = app.call_owned(&leo, "documents/visit_records", many).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.too_many_visits".into())
    );
    let (status, body) = app.call(&leo, "documents/visit_records", &[("visits[]", "12x")]).await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "error.bad_request".into()));
}

/// Jordan, Leo's parent, with the chart open and `sections` granted.
/// Jordan with a minor grant to Leo of `sections`, Leo's chart open.
pub async fn parent_with(app: &TestApp, f: &crate::proxy_fixture::Family, sections: &[Section]) -> Client {
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, sections).await;
    let parent = app.signed_in("jordan").await;
    let (status, body) = app.call(&parent, "proxy/switch", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    parent
}

async fn a_proxy_granted_documents_alone_gets_no_visit_records_nor_immunizations(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    app.execute(&format!(
        "INSERT INTO immunizations (patient_id, cvx, name, given_on) VALUES ({}, '140', 'Influenza', '2026-10-01')",
        f.leo
    ))
    .await;
    let leo = app.signed_in("leo").await;
    let (_, own) = app.call(&leo, "documents/list", &[]).await;
    let kinds = |list: &serde_json::Value| -> Vec<String> {
        list["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
    };
    assert!(
        kinds(&own).contains(&"Visit".to_owned()) && kinds(&own).contains(&"ImmunizationRecord".to_owned())
    );

    // Documents shows no more than the sections granted: the letter on file, the form.
    let parent = parent_with(app, &f, &[Section::Documents]).await;
    let (status, list) = app.call(&parent, "documents/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(kinds(&list), ["Letter", "AdultProxyForm"], "{list}");
    let visits = [("visits[]", alpha.to_string())];
    assert_eq!(
        download(app, &parent, "documents/visit_records", &visits).await.unwrap_err().0,
        StatusCode::FORBIDDEN
    );
    let shots = [("key", "immunizations".to_owned())];
    assert_eq!(
        download(app, &parent, "documents/download", &shots).await.unwrap_err().0,
        StatusCode::FORBIDDEN
    );
    // A copy can hold only what the grant shows.
    let (status, body) = app.call(&parent, "documents/requests", &[]).await;
    assert_eq!((status, body["allowed"].as_array().unwrap().len()), (StatusCode::OK, 0), "{body}");
    let (status, _) = app.call(&parent, "documents/request_copy", &[("parts[]", "visits")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn a_requested_copy_is_made_by_him_as_its_requester_may_see_the_chart(app: &TestApp) {
    let f = family(app).await;
    visit(app, f.leo, 60, "ALPHA").await;
    let leo = app.signed_in("leo").await;
    let (status, body) =
        app.call(&leo, "documents/request_copy", &[("parts[]", "visits"), ("parts[]", "problems")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // One waiting request per reader and chart: a second click files nothing new.
    let (status, body) = app.call(&leo, "documents/request_copy", &[("parts[]", "visits")]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.request_pending".into())
    );
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    let (status, body) =
        app.call(&parent, "documents/request_copy", &[("parts[]", "visits"), ("from", "2020-01-01")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let him = app.signed_in("him.lee").await;
    let (status, queue) = app.call(&him, "staff/records/queue", &[]).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 2);
    assert_eq!((queue[0]["as_proxy"].as_bool(), queue[1]["as_proxy"].as_bool()), (Some(false), Some(true)));
    for request in queue {
        let (status, body) =
            app.call(&him, "staff/records/fulfil", &[("id", &request["id"].to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app.call(&him, "staff/records/fulfil", &[("id", &queue[0]["id"].to_string())]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.already_answered".into())
    );
    assert_eq!(app.audit_count("record-copy-fulfilled").await, 2);

    // Each requester downloads their own copy from Requested records; never the other's.
    let copy_of = |client: &Client| {
        let client = client.clone();
        async move {
            let (_, list) = app.call(&client, "documents/list", &[("shelf", "requested")]).await;
            let key = list["entries"][0]["key"].as_str().expect("a ready copy").to_owned();
            (key.clone(), download(app, &client, "documents/download", &[("key", key)]).await.unwrap())
        }
    };
    let (leo_key, leo_copy) = copy_of(&leo).await;
    assert!(
        leo_copy.contains("ALPHA note") && leo_copy.contains(SECRET),
        "the patient's copy is whole:\n{leo_copy}"
    );
    assert!(leo_copy.contains("Problems"), "{leo_copy}");
    let (parent_key, parent_copy) = copy_of(&parent).await;
    assert!(parent_copy.contains("ALPHA note"), "{parent_copy}");
    assert!(!parent_copy.contains(SECRET), "a proxy's copy holds nothing confidential:\n{parent_copy}");
    assert!(!parent_copy.contains("Problems"), "only the parts asked for");
    assert_eq!(
        download(app, &parent, "documents/download", &[("key", leo_key)]).await.unwrap_err().0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(app, &leo, "documents/download", &[("key", parent_key.clone())]).await.unwrap_err().0,
        StatusCode::NOT_FOUND
    );

    // The parent asks again; then the grant narrows (no Visits): HIM makes nothing they may
    // no longer see, and the copy they already have is no longer theirs to download.
    let (status, body) = app.call(&parent, "documents/request_copy", &[("parts[]", "visits")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.execute(&format!(
        "UPDATE proxy_grants SET sections = 'home,results,documents' WHERE proxy_user_id = {}",
        f.jordan_user
    ))
    .await;
    let (_, queue) = app.call(&him, "staff/records/queue", &[]).await;
    let id = queue[0]["id"].to_string();
    let (status, body) = app.call(&him, "staff/records/fulfil", &[("id", &id)]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.requester_no_access".into())
    );
    let stored = app.count("SELECT COUNT(*) FROM record_requests WHERE file_bytes IS NOT NULL").await;
    assert_eq!(stored, 2, "no copy made of a part the requester lost");
    let refused = download(app, &parent, "documents/download", &[("key", parent_key)]).await.unwrap_err();
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
}

async fn a_request_is_checked_at_its_fields_and_a_declined_one_says_why(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let long = "x".repeat(501);
    for (form, field_problem) in [
        (vec![], "documents.choose_part"),
        (vec![("parts[]", "visits"), ("from", "01/02/2026")], "documents.bad_date"),
        (
            vec![("parts[]", "visits"), ("from", "2026-02-01"), ("to", "2026-01-01")],
            "documents.dates_backwards",
        ),
        (vec![("parts[]", "visits"), ("reason", long.as_str())], "documents.reason_too_long"),
        (vec![("parts[]", "everything")], "error.bad_request"),
        (vec![("parts[]", "visits"), ("format", "docx")], "error.bad_request"),
    ] {
        let (status, body) = app.call(&leo, "documents/request_copy", &form).await;
        assert_eq!(
            (status, error_key(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, field_problem.into()),
            "{form:?}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM record_requests").await,
        0,
        "nothing filed from a refused form"
    );
    let reason = "x".repeat(500);
    let (status, body) =
        app.call(&leo, "documents/request_copy", &[("parts[]", "results"), ("reason", &reason)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let him = app.signed_in("him.lee").await;
    let (_, queue) = app.call(&him, "staff/records/queue", &[]).await;
    let id = queue[0]["id"].to_string();
    let (status, body) = app.call(&him, "staff/records/decline", &[("id", &id), ("reason", "  ")]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.decline_reason_required".into())
    );
    let (status, body) =
        app.call(&him, "staff/records/decline", &[("id", &id), ("reason", "We sent it by mail.")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app.call(&leo, "documents/requests", &[]).await;
    assert_eq!(page["requests"][0]["status"], "Declined");
    assert_eq!(page["requests"][0]["decline_reason"], "We sent it by mail.");
    // Answered: the patient may ask again.
    let (status, _) = app.call(&leo, "documents/request_copy", &[("parts[]", "results")]).await;
    assert_eq!(status, StatusCode::OK);
}

async fn him_answers_a_request_with_a_pdf_made_elsewhere(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let (status, body) = app.call(&leo, "documents/request_copy", &[("parts[]", "visits")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let him = app.signed_in("him.lee").await;
    let (_, queue) = app.call(&him, "staff/records/queue", &[]).await;
    let id = queue[0]["id"].as_i64().unwrap();
    let endpoint = format!("staff/records/fulfil_file?request={id}");
    // Each problem is said at that request's file field; nothing is answered.
    let field = format!("file-{id}");
    let scanned = crate::proxy_fixture::pdf("Scanned paper chart 1998-2004");
    let png = crate::proxy_fixture::png();
    for (files, problem) in [
        // A file input left empty still sends its (empty) part.
        (vec![("", b"".as_slice())], "documents.choose_file"),
        (vec![("chart.png", png.as_slice())], "documents.copy_not_pdf"),
        (vec![("notes.txt", b"plain text".as_slice())], "messages.attachment_type"),
    ] {
        let (status, body) = app.call_multipart(&him, &endpoint, &[], &files).await;
        assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, problem.into()), "{body}");
        assert_eq!(body["Invalid"]["field"], field.as_str(), "{body}");
    }
    let (status, body) =
        app.call_multipart(&him, "staff/records/fulfil_file", &[], &[("a.pdf", &scanned)]).await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "error.bad_request".into()));
    assert_eq!(app.count("SELECT COUNT(*) FROM record_requests WHERE status = 'pending'").await, 1);

    let (status, body) = app.call_multipart(&him, &endpoint, &[], &[("chart.pdf", &scanned)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.call_multipart(&him, &endpoint, &[], &[("chart.pdf", &scanned)]).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.already_answered".into())
    );
    assert_eq!(app.audit_count("record-copy-fulfilled").await, 1);
    // The patient downloads exactly the file HIM sent, from Requested records.
    let (_, list) = app.call(&leo, "documents/list", &[("shelf", "requested")]).await;
    let key = list["entries"][0]["key"].as_str().expect("the answered copy").to_owned();
    let bytes =
        fetch_file(app, &leo, "documents/download", &[("key", key)], "application/pdf").await.unwrap();
    assert_eq!(bytes, scanned);
}

async fn a_proxys_copies_are_withdrawn_when_part_of_the_chart_becomes_confidential(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    let leo = app.signed_in("leo").await;
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    for reader in [&leo, &parent] {
        let (status, body) = app.call(reader, "documents/request_copy", &[("parts[]", "visits")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let him = app.signed_in("him.lee").await;
    let (_, queue) = app.call(&him, "staff/records/queue", &[]).await;
    for request in queue.as_array().unwrap() {
        let (status, body) =
            app.call(&him, "staff/records/fulfil", &[("id", &request["id"].to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    app.call(&parent, "documents/export_start", &[]).await;
    let archive = export_when_done(app, &parent).await["Ready"]["id"].as_i64().expect("the parent's archive");
    let parents_copy = app.call(&parent, "documents/list", &[("shelf", "requested")]).await.1["entries"][0]
        ["key"]
        .as_str()
        .unwrap()
        .to_owned();

    // A clinician makes a visit's note confidential: the copies made for the parent go.
    let rivera = app.signed_in("dr.rivera").await;
    let mark = [
        ("patient_id", f.leo.to_string()),
        ("kind", "Note".to_owned()),
        ("id", alpha.to_string()),
        ("confidential", "true".to_owned()),
    ];
    let mark: Vec<(&str, &str)> = mark.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.call(&rivera, "staff/confidential/set", &mark).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app.call(&parent, "documents/requests", &[]).await;
    assert_eq!(page["requests"][0]["status"], "Withdrawn", "{page}");
    let (_, list) = app.call(&parent, "documents/list", &[("shelf", "requested")]).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 0, "{list}");
    let gone = download(app, &parent, "documents/download", &[("key", parents_copy)]).await.unwrap_err();
    assert_eq!(gone.0, StatusCode::NOT_FOUND);
    let (_, view) = app.call(&parent, "documents/export_status", &[]).await;
    assert_eq!(view["status"], "Expired", "{view}");
    let gone = download(app, &parent, "documents/export_download", &[("id", archive.to_string())]).await;
    assert_eq!(gone.unwrap_err().0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM record_export_chunks WHERE export_id = {archive}")).await,
        0
    );
    // The patient's own copy stays: it was made at their visibility.
    let (_, list) = app.call(&leo, "documents/list", &[("shelf", "requested")]).await;
    let key = list["entries"][0]["key"].as_str().expect("the patient's copy").to_owned();
    assert!(download(app, &leo, "documents/download", &[("key", key)]).await.is_ok());
}

async fn every_visit_between_two_dates_makes_one_record(app: &TestApp) {
    let f = family(app).await;
    for (days_ago, note) in [(60, "ALPHA"), (40, "BRAVO"), (10, "CHARLIE")] {
        visit(app, f.leo, days_ago, note).await;
    }
    let leo = app.signed_in("leo").await;
    let day = |days_ago: i64| app.state.clock.date_of(app.clock.now_ms() - days_ago * 86_400_000);
    let between = |from: String, to: String| vec![("from", from), ("to", to)];
    let text = download(app, &leo, "documents/visit_records", &between(day(50), day(5))).await.unwrap();
    assert!(text.contains("BRAVO note") && text.contains("CHARLIE note"), "{text}");
    assert!(!text.contains("ALPHA"), "only the visits between the dates: {text}");
    // The same choice read in the page: the same visits, oldest first, with their notes
    // (the fixture's own visit of 30 days ago among them: Leo reads his confidential note).
    let (status, read) =
        app.call(&leo, "documents/visit_records_read", &[("from", &day(50)), ("to", &day(5))]).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let notes: Vec<&str> = read.as_array().unwrap().iter().map(|v| v["note"].as_str().unwrap()).collect();
    assert_eq!(notes, ["BRAVO note", &format!("{SECRET} progress note"), "CHARLIE note"]);
    assert!(text.contains(&format!("{SECRET} progress note")), "the PDF holds the same three");
    // One end open: everything since.
    let since = download(app, &leo, "documents/visit_records", &[("from", day(45))]).await.unwrap();
    assert!(since.contains("BRAVO note") && !since.contains("ALPHA"), "{since}");
    // Each problem said at its date.
    for (form, field, problem) in [
        (between(day(9), day(5)), "from", "documents.no_visits_between"),
        (between("30/01/2026".into(), String::new()), "from", "documents.bad_date"),
        (between(day(5), day(50)), "to", "documents.dates_backwards"),
        (Vec::new(), "visits", "documents.choose_visit"),
    ] {
        let (status, body) = download(app, &leo, "documents/visit_records", &form).await.unwrap_err();
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (status, error_key(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, problem.into()),
            "{form:?}"
        );
        assert_eq!(body["Invalid"]["field"], field);
    }
}

/// A document post as the staff page sends it (multipart, the file as `attachment`).
async fn post(
    app: &TestApp,
    staff: &Client,
    fields: &[(&str, &str)],
    file: Option<Vec<u8>>,
) -> (StatusCode, serde_json::Value) {
    let files: Vec<(&str, &[u8])> =
        file.as_deref().map(|bytes| vec![("scan.pdf", bytes)]).unwrap_or_default();
    app.call_multipart(staff, "staff/documents/post", fields, &files).await
}

async fn him_posts_a_document_checked_by_its_bytes_and_a_confidential_one_stays_from_proxies(app: &TestApp) {
    let f = family(app).await;
    let him = app.signed_in("him.lee").await;
    let form = |title: &'static str, confidential: bool| {
        let mut form = vec![
            ("mrn", "MRN-LEO"),
            ("kind", "discharge-summary"),
            ("title", title),
            ("document_date", "2025-06-01"),
            ("source", "Lakeside Hospital"),
        ];
        if confidential {
            form.push(("confidential", "on"));
        }
        form
    };
    let scan = crate::proxy_fixture::pdf("POSTED scan");
    let (status, body) = post(app, &him, &form("Discharge summary", false), Some(scan.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(app, &him, &form("Confidential summary", true), Some(scan.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.audit_count("document-posted").await, 2);

    // Refused at the field, nothing stored: the type comes from the bytes, not the name.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    for (fields, file, field_problem) in [
        (form("Scan", false), Some(html), "messages.attachment_type"),
        (form("Scan", false), None, "documents.choose_file"),
        (form("", false), Some(scan.clone()), "documents.title_required"),
        ([&form("Scan", false)[..1], &[("kind", "poem")]].concat(), Some(scan.clone()), "error.bad_request"),
        (
            [&form("Scan", false)[..3], &[("document_date", "2999-01-01"), ("source", "x")]].concat(),
            Some(scan.clone()),
            "documents.date_in_future",
        ),
        (
            [&[("mrn", "NO-SUCH")], &form("Scan", false)[1..]].concat(),
            Some(scan.clone()),
            "documents.unknown_mrn",
        ),
    ] {
        let (status, body) = post(app, &him, &fields, file).await;
        assert_eq!(
            (status, error_key(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, field_problem.into()),
            "{fields:?}"
        );
    }
    let too_big = vec![b'%'; app::documents::POST_FILE_MAX_BYTES + 1];
    let (status, body) = post(app, &him, &form("Scan", false), Some(too_big)).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.file_too_big".into())
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM documents WHERE title = 'Scan'").await, 0);

    // Leo sees both on file; his parent sees the plain one only, and not by id either.
    let titles = |list: serde_json::Value| -> Vec<String> {
        list["entries"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_owned()).collect()
    };
    let leo = app.signed_in("leo").await;
    let (_, own) = app.call(&leo, "documents/list", &[("shelf", "on-file")]).await;
    assert!(titles(own.clone()).contains(&"Confidential summary".to_owned()), "{own}");
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    let (_, theirs) = app.call(&parent, "documents/list", &[("shelf", "on-file")]).await;
    assert!(titles(theirs.clone()).contains(&"Discharge summary".to_owned()), "{theirs}");
    assert!(!theirs.to_string().contains("Confidential summary"), "{theirs}");
    let secret_id: i64 = sqlx::query_scalar("SELECT id FROM documents WHERE title = 'Confidential summary'")
        .fetch_one(&app.state.db.read)
        .await
        .unwrap();
    let res = app.call_raw(&parent, "documents/download", &[("key", &format!("file-{secret_id}"))]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Support staff may not post; a clinician outside Leo's care is asked to break the glass.
    app.add_user("support.sam", app::auth::Role::Support, None, "sam@example.org").await;
    let support = app.signed_in("support.sam").await;
    let (status, _) = post(app, &support, &form("Scan", false), Some(scan.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.add_clinician("dr.far", &[]).await;
    app.execute("UPDATE providers SET department = 'Cardiology' WHERE display_name = 'dr.far'").await;
    let far = app.signed_in("dr.far").await;
    let (status, body) = post(app, &far, &form("Scan", false), Some(scan)).await;
    assert_eq!(
        (status, error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "access.break_glass_required".into())
    );
}

async fn visits_as_fhir_hold_the_facts_of_their_pdf_and_parse_as_r4(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    let bravo = visit(app, f.leo, 40, "BRAVO").await;
    visit(app, f.leo, 20, "CHARLIE").await;
    visit_result(app, f.leo, alpha, "Hemoglobin A1c ALPHA", 7.4).await;
    let form = |ids: &[i64], format: &str| {
        let mut form: Vec<(&str, String)> = ids.iter().map(|id| ("visits[]", id.to_string())).collect();
        form.push(("format", format.to_owned()));
        form
    };

    let leo = app.signed_in("leo").await;
    let bundle =
        download_bundle(app, &leo, "documents/visit_records", &form(&[bravo, alpha], "fhir")).await.unwrap();
    assert_eq!(bundle["type"], "collection");
    assert_references_resolve(&bundle);
    let patient = resources(&bundle, "Patient");
    assert_eq!((patient.len(), patient[0]["birthDate"].as_str()), (1, Some("2011-03-02")));
    let encounters = resources(&bundle, "Encounter");
    assert_eq!(encounters.len(), 2, "the two chosen visits, not the third");
    assert!(encounters.iter().all(|e| e["status"] == "finished" && e["reasonCode"][0]["text"] == "Cough"));
    let mut texts = document_texts(&bundle);
    texts.sort();
    assert_eq!(texts, ["ALPHA note", "ALPHA summary", "BRAVO note", "BRAVO summary"]);
    let observations = resources(&bundle, "Observation");
    assert_eq!(observations.len(), 1);
    let observation = observations[0];
    assert_eq!(observation["valueQuantity"]["value"], 7.4);
    assert_eq!(observation["code"]["coding"][0]["code"], "4548-4");
    assert_eq!(observation["interpretation"][0]["coding"][0]["code"], "H");
    let alpha_encounter = resources(&bundle, "DocumentReference")
        .into_iter()
        .find(|d| d["content"][0]["attachment"]["title"] == "Progress note")
        .map(|d| d["context"]["encounter"][0]["reference"].clone())
        .unwrap();
    assert_eq!(observation["encounter"]["reference"], alpha_encounter, "the result is the first visit's");
    assert_eq!(resources(&bundle, "DiagnosticReport").len(), 1);

    // The PDF of the same visits holds the same facts.
    let pdf = download(app, &leo, "documents/visit_records", &form(&[bravo, alpha], "pdf")).await.unwrap();
    for fact in texts.iter().map(String::as_str).chain(["Hemoglobin A1c ALPHA", "7.4 %", "Cough"]) {
        assert!(pdf.contains(fact), "{fact} is in the bundle, not in the PDF:\n{pdf}");
    }

    // A proxy: a visit whose note is confidential refuses the whole bundle, as the PDF.
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    let refused = download_bundle(app, &parent, "documents/visit_records", &form(&[alpha, f.visit], "fhir"))
        .await
        .unwrap_err();
    assert_eq!(refused.0, StatusCode::NOT_FOUND);
    assert!(!refused.1.contains(SECRET));
    // A format the page does not offer is refused at the field.
    let (status, body) = app
        .call(&leo, "documents/visit_records", &[("visits[]", &alpha.to_string()), ("format", "docx")])
        .await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "error.bad_request".into()));
}

async fn a_copy_asked_for_as_fhir_is_a_bundle_of_the_parts_asked_for(app: &TestApp) {
    let f = family(app).await;
    visit(app, f.leo, 60, "ALPHA").await;
    app.execute(&format!(
        "INSERT INTO immunizations (patient_id, cvx, name, given_on) VALUES ({}, '140', 'Influenza', '2026-10-01')",
        f.leo
    ))
    .await;
    let leo = app.signed_in("leo").await;
    let form =
        [("parts[]", "visits"), ("parts[]", "immunizations"), ("parts[]", "results"), ("format", "fhir")];
    let (status, body) = app.call(&leo, "documents/request_copy", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app.call(&leo, "documents/requests", &[]).await;
    assert_eq!(page["requests"][0]["format"], "Fhir");

    let him = app.signed_in("him.lee").await;
    let (_, queue) = app.call(&him, "staff/records/queue", &[]).await;
    assert_eq!(queue[0]["format"], "Fhir", "HIM sees the format asked for");
    let (status, body) = app.call(&him, "staff/records/fulfil", &[("id", &queue[0]["id"].to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, list) = app.call(&leo, "documents/list", &[("shelf", "requested")]).await;
    let key = list["entries"][0]["key"].as_str().unwrap().to_owned();
    let bundle = download_bundle(app, &leo, "documents/download", &[("key", key)]).await.unwrap();
    assert_references_resolve(&bundle);
    let doses = resources(&bundle, "Immunization");
    assert_eq!((doses.len(), &doses[0]["vaccineCode"]["coding"][0]["code"]), (1, &serde_json::json!("140")));
    // The patient's own copy holds their confidential visit note and their results (the
    // fixture's two reports, one confidential), and no part not asked for.
    assert!(document_texts(&bundle).iter().any(|t| t.contains(SECRET)));
    assert_eq!(resources(&bundle, "DiagnosticReport").len(), 2);
    for absent in ["Condition", "AllergyIntolerance", "MedicationStatement"] {
        assert!(resources(&bundle, absent).is_empty(), "{absent} was not asked for");
    }
}

/// The clinic's notice as `PORTICO_PRIVACY_NOTICE` would give it.
pub fn privacy_notice() -> app::infra::config::PrivacyNotice {
    let mut pdf = app::infra::pdf::TextDocument::new("Notice of Privacy Practices");
    pdf.heading("Notice of Privacy Practices");
    pdf.paragraph("NOTICE-MARK: how Test Clinic may use and share your health information.");
    app::infra::config::PrivacyNotice { date: "2026-01-15".into(), pdf: std::sync::Arc::new(pdf.finish()) }
}

on_both_databases!(
    with crate::common::Options { privacy_notice: Some(crate::documents::privacy_notice()), ..Default::default() };
    the_clinics_privacy_notice_is_on_file_for_every_reader
);

async fn the_clinics_privacy_notice_is_on_file_for_every_reader(app: &TestApp) {
    let f = family(app).await;
    let leo = app.signed_in("leo").await;
    let parent = parent_with(app, &f, &[Section::Documents]).await;
    for reader in [&leo, &parent] {
        let (status, list) = app.call(reader, "documents/list", &[("shelf", "on-file")]).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let notice = list["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "PrivacyNotice")
            .unwrap_or_else(|| panic!("the notice is on file: {list}"));
        assert_eq!(
            (notice["date"].as_str(), notice["key"].as_str()),
            (Some("2026-01-15"), Some("org-privacy-notice"))
        );
        let text = download(app, reader, "documents/download", &[("key", "org-privacy-notice".into())])
            .await
            .unwrap();
        assert!(text.contains("NOTICE-MARK"), "{text}");
    }
}

/// An approved adult request with its signed form, as HIM leaves it.
async fn approved_authorization(app: &TestApp, requester: i64, patient: i64, mark: &str) -> i64 {
    let now = app.clock.now_ms();
    sqlx::query_scalar(
        "INSERT INTO proxy_requests (requester_id, kind, patient_name, birth_date, relationship, attested_at, \
         form_media_type, form_file_name, form_bytes, status, created_at, due_at, matched_patient_id, decided_at, \
         idempotency_key) VALUES ($1, 'adult', 'Leo Quinn', '2011-03-02', 'caregiver', $2, 'application/pdf', \
         'signed.pdf', $3, 'approved', $2, $2, $4, $2, $5) RETURNING id",
    )
    .bind(requester)
    .bind(now)
    .bind(crate::proxy_fixture::pdf(mark))
    .bind(patient)
    .bind(format!("key-{mark}"))
    .fetch_one(&app.state.db.write)
    .await
    .unwrap()
}

async fn signed_proxy_authorizations_are_on_file_for_the_patient_and_their_own_proxy(app: &TestApp) {
    let f = family(app).await;
    app.add_patient_user("kim").await;
    let kim = app.count("SELECT id FROM users WHERE username = 'kim'").await;
    grant(app, kim, f.leo, RequestKind::Adult, Relationship::Caregiver, &Section::GRANTABLE).await;
    let kims_form = approved_authorization(app, kim, f.leo, "KIM-SIGNED").await;
    let jordans_form = approved_authorization(app, f.jordan_user, f.leo, "JORDAN-SIGNED").await;
    let forms_of = |list: &serde_json::Value| -> Vec<String> {
        list["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "ProxyAuthorization")
            .map(|e| e["key"].as_str().unwrap().to_owned())
            .collect()
    };
    // The patient: every signed authorization on their chart.
    let leo = app.signed_in("leo").await;
    let (_, list) = app.call(&leo, "documents/list", &[("shelf", "on-file")]).await;
    let mut keys = forms_of(&list);
    keys.sort();
    let mut expected = vec![format!("authorization-{kims_form}"), format!("authorization-{jordans_form}")];
    expected.sort();
    assert_eq!(keys, expected, "{list}");
    let bytes = fetch_file(
        app,
        &leo,
        "documents/download",
        &[("key", format!("authorization-{kims_form}"))],
        "application/pdf",
    )
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("KIM-SIGNED"));
    // A proxy: their own only; another proxy's is not there for them.
    let kim_client = app.signed_in("kim").await;
    let (status, body) = app.call(&kim_client, "proxy/switch", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = app.call(&kim_client, "documents/list", &[("shelf", "on-file")]).await;
    assert_eq!(forms_of(&list), [format!("authorization-{kims_form}")], "{list}");
    let theirs = [("key", format!("authorization-{jordans_form}"))];
    assert_eq!(
        download(app, &kim_client, "documents/download", &theirs).await.unwrap_err().0,
        StatusCode::NOT_FOUND
    );
    // Another chart's reader reaches none.
    app.add_patient_user("avery").await;
    let avery = app.signed_in("avery").await;
    let kims = [("key", format!("authorization-{kims_form}"))];
    assert_eq!(
        download(app, &avery, "documents/download", &kims).await.unwrap_err().0,
        StatusCode::NOT_FOUND
    );
}

/// Waits for the reader's archive to leave "working" (the background job), at most 20 s.
async fn export_when_done(app: &TestApp, client: &Client) -> serde_json::Value {
    for _ in 0..200 {
        let (status, view) = app.call(client, "documents/export_status", &[]).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        if view["status"].get("Working").is_none() {
            return view["status"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the archive was not made in 20 s");
}

/// The archive's files: (name, bytes).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().expect("a file name").to_string(), content)
        })
        .collect()
}

async fn the_whole_record_is_one_archive_made_in_the_background_that_expires(app: &TestApp) {
    let f = family(app).await;
    visit(app, f.leo, 60, "ALPHA").await;
    // A letter of 2.5 MB (a scan): the archive is stored and sent in 1 MiB pieces.
    let mut scan = crate::proxy_fixture::pdf("large scan");
    scan.resize(2_500_000, b' ');
    sqlx::query(
        "UPDATE documents SET content = $1 WHERE id = (SELECT MIN(id) FROM documents WHERE patient_id = $2)",
    )
    .bind(&scan)
    .bind(f.leo)
    .execute(&app.state.db.write)
    .await
    .unwrap();
    let leo = app.signed_in("leo").await;
    let (_, before) = app.call(&leo, "documents/export_status", &[]).await;
    assert!(before["status"].is_null(), "{before}");
    let (status, body) = app.call(&leo, "documents/export_start", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ready = export_when_done(app, &leo).await;
    let id = ready["Ready"]["id"].as_i64().unwrap_or_else(|| panic!("ready: {ready}"));
    let bytes =
        fetch_file(app, &leo, "documents/export_download", &[("id", id.to_string())], "application/zip")
            .await
            .unwrap();
    let pieces =
        app.count(&format!("SELECT COUNT(*) FROM record_export_chunks WHERE export_id = {id}")).await;
    let largest = app.count("SELECT CAST(MAX(LENGTH(bytes)) AS BIGINT) FROM record_export_chunks").await;
    assert!(pieces >= 3 && largest <= 1024 * 1024, "{pieces} pieces, the largest {largest} bytes");
    let files = unzip(&bytes);
    assert!(files.iter().any(|(_, b)| *b == scan), "the large letter, whole");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["record.pdf", "record-fhir.json"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    assert_eq!(
        names.iter().filter(|n| n.starts_with("documents/")).count(),
        2,
        "the two letters on file: {names:?}"
    );
    let pdf = pdf_text(&files.iter().find(|(n, _)| n == "record.pdf").unwrap().1);
    assert!(pdf.contains("ALPHA note") && pdf.contains(SECRET), "the patient's whole record: {pdf}");
    let bundle: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "record-fhir.json").unwrap().1).unwrap();
    assert_fhir_r4(&bundle);
    assert!(!resources(&bundle, "Encounter").is_empty());

    // A parent with Documents and Visits: their own archive, nothing confidential, and not
    // the patient's.
    let parent = parent_with(app, &f, &[Section::Documents, Section::Visits]).await;
    let theirs = [("id", id.to_string())];
    assert_eq!(
        download(app, &parent, "documents/export_download", &theirs).await.unwrap_err().0,
        StatusCode::NOT_FOUND
    );
    app.call(&parent, "documents/export_start", &[]).await;
    let ready = export_when_done(app, &parent).await;
    let parents = ready["Ready"]["id"].as_i64().unwrap();
    let bytes = fetch_file(
        app,
        &parent,
        "documents/export_download",
        &[("id", parents.to_string())],
        "application/zip",
    )
    .await
    .unwrap();
    let files = unzip(&bytes);
    let everything: String = files.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
    assert!(!everything.contains(SECRET), "no confidential item in a proxy's archive");
    let pdf = pdf_text(&files.iter().find(|(n, _)| n == "record.pdf").unwrap().1);
    assert!(pdf.contains("ALPHA note") && !pdf.contains(SECRET), "{pdf}");
    // The grant narrows: the archive made under the wider one is no longer theirs.
    app.execute(&format!(
        "UPDATE proxy_grants SET sections = 'documents' WHERE proxy_user_id = {}",
        f.jordan_user
    ))
    .await;
    let refused = download(app, &parent, "documents/export_download", &[("id", parents.to_string())])
        .await
        .unwrap_err();
    assert_eq!(refused.0, StatusCode::FORBIDDEN);

    // A day later the patient's link has expired and the file is gone.
    app.clock.advance_ms(24 * 3_600_000 + 1);
    let leo = app.signed_in("leo").await;
    let (_, view) = app.call(&leo, "documents/export_status", &[]).await;
    assert_eq!(view["status"], "Expired", "{view}");
    let gone = download(app, &leo, "documents/export_download", &[("id", id.to_string())]).await.unwrap_err();
    assert_eq!(gone.0, StatusCode::NOT_FOUND);
    let kept = app.count("SELECT COUNT(DISTINCT export_id) FROM record_export_chunks").await;
    assert_eq!(kept, 1, "the patient's expired file was dropped (the parent's has a day left)");
}
