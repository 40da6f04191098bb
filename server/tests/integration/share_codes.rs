//! Share codes (issue 16): a patient shares part of the record with a clinician elsewhere,
//! who opens it with no account; the patient sees each opening and ends the code at once;
//! a proxy's share holds nothing confidential and lasts only while their grant includes
//! Documents; every limit is said at its field, and opening is throttled.
use crate::{
    common::{error_key, TestApp},
    documents::{parent_with, visit},
    proxy_fixture::{family, SECRET},
};
use app::access::Section;
use reqwest::{Client, StatusCode};

on_both_databases!(
    a_share_code_opens_what_was_shared_until_its_patient_ends_it,
    a_proxys_share_holds_nothing_confidential_and_ends_with_their_grant,
    limits_are_said_at_the_field_and_views_and_codes_expire,
    opening_codes_is_throttled_per_network,
    wrong_birth_dates_on_one_code_close_it_from_any_network_and_are_logged,
    at_most_twenty_codes_are_in_use_even_when_made_at_once
);

/// Leo's birth date (the fixture's).
pub const LEO_BIRTH: &str = "2011-03-02";

/// Makes a share as the page does, then reads what the page shows of it once: its code,
/// its SMART Health Link.
pub async fn make_share(app: &TestApp, sharer: &Client, form: &[(&str, &str)]) -> serde_json::Value {
    let (status, body) = app.call(sharer, "share/create", form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, page) = app.call(sharer, "share/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["just_made"]["code"].is_string(), "the new code, once: {page}");
    let (_, again) = app.call(sharer, "share/list", &[]).await;
    assert!(again["just_made"].is_null(), "a code is shown only once: {again}");
    page["just_made"].clone()
}

async fn make_code(app: &TestApp, sharer: &Client, form: &[(&str, &str)]) -> String {
    make_share(app, sharer, form).await["code"].as_str().unwrap().to_owned()
}

async fn open(app: &TestApp, clinician: &Client, code: &str, birth: &str) -> (StatusCode, String) {
    let (status, body) = app.call(clinician, "share/open", &[("code", code), ("birth_date", birth)]).await;
    (status, if status == StatusCode::OK { String::new() } else { error_key(&body) })
}

async fn a_share_code_opens_what_was_shared_until_its_patient_ends_it(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    visit(app, f.leo, 40, "BRAVO").await;
    let leo = app.signed_in("leo").await;
    let ids = format!("{alpha}");
    let visits = [
        ("scope", "visits"),
        ("visits[]", ids.as_str()),
        ("visits[]", &f.visit.to_string()),
        ("hours", "24"),
    ];
    let code = make_code(app, &leo, &visits).await;
    assert!(regex_like_code(&code), "{code}");
    // Only the code's keyed digest is kept: neither the code nor its plain SHA-256.
    let plain = code.replace('-', "");
    let unkeyed = app::infra::crypto::sha256_hex(&plain);
    let stored = app
        .count(&format!("SELECT COUNT(*) FROM record_shares WHERE code_hash IN ('{plain}', '{unkeyed}')"))
        .await;
    assert_eq!(stored, 0);
    let keyed = app::access::share_code_hash(&app.state.db, &plain);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM record_shares WHERE code_hash = '{keyed}'")).await,
        1
    );

    // A clinician with no account: the wrong birth date opens nothing; the right one does,
    // however the code is typed.
    let clinician = app.client();
    assert_eq!(
        open(app, &clinician, &code, "2011-03-03").await,
        (StatusCode::UNPROCESSABLE_ENTITY, "share.code_wrong".into())
    );
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(open(app, &clinician, &typed, LEO_BIRTH).await.0, StatusCode::OK);
    let (status, record) = app.call(&clinician, "share/record", &[]).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let text = record.to_string();
    assert!(text.contains(SECRET), "the patient's own share holds their confidential note: {text}");
    assert!(text.contains("ALPHA note") && !text.contains("BRAVO"), "only the visits shared: {text}");
    assert!(record["problems"].is_null(), "a share of visits holds no summary");

    // The patient sees the opening, in the share's list and in who has seen the record.
    let (_, page) = app.call(&leo, "share/list", &[]).await;
    let share = &page["shares"][0];
    assert_eq!(
        (share["active"].as_bool(), share["views"].as_array().unwrap().len()),
        (Some(true), 1),
        "{page}"
    );
    assert_eq!(share["views"][0]["from"], "127.0.0.1");
    let (_, log) = app.call(&leo, "proxy/access_log", &[]).await;
    assert!(log.as_array().unwrap().iter().any(|e| e["who"] == "ShareCode"), "{log}");
    assert_eq!(app.audit_count("share-viewed").await, 1);

    // Ended: refused at the clinician's next request, and the code opens nothing again.
    let (status, body) = app.call(&leo, "share/end", &[("id", &share["id"].to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.call(&clinician, "share/record", &[]).await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "share.ended".into()));
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.1, "share.code_wrong");
    // Nobody else ends (or sees) Leo's codes.
    app.add_patient_user("avery").await;
    let avery = app.signed_in("avery").await;
    let (status, _) = app.call(&avery, "share/end", &[("id", &share["id"].to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = app.call(&avery, "share/list", &[]).await;
    assert_eq!(theirs["shares"].as_array().unwrap().len(), 0);
}

/// "7KQ2-M9XD-4TPA": three groups of four from Crockford's alphabet.
fn regex_like_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 3
        && groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| app::share::CODE_ALPHABET.contains(&b)))
}

async fn a_proxys_share_holds_nothing_confidential_and_ends_with_their_grant(app: &TestApp) {
    let f = family(app).await;
    let alpha = visit(app, f.leo, 60, "ALPHA").await;
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    // The visit whose note is confidential does not exist for a proxy: not shareable.
    let (status, _) = app
        .call(
            &parent,
            "share/create",
            &[("scope", "visits"), ("visits[]", &f.visit.to_string()), ("hours", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let code =
        make_code(app, &parent, &[("scope", "visits"), ("visits[]", &alpha.to_string()), ("hours", "1")])
            .await;
    let clinician = app.client();
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.0, StatusCode::OK);
    let (_, record) = app.call(&clinician, "share/record", &[]).await;
    assert!(record.to_string().contains("ALPHA note") && !record.to_string().contains(SECRET), "{record}");
    // The patient sees (and may end) every code of their chart, a proxy's too, with who
    // made it; the parent sees only their own.
    let leo = app.signed_in("leo").await;
    let leos_own = make_code(app, &leo, &[("scope", "summary"), ("hours", "1")]).await;
    let (_, page) = app.call(&leo, "share/list", &[]).await;
    let makers: Vec<&str> =
        page["shares"].as_array().unwrap().iter().map(|s| s["made_by"].as_str().unwrap()).collect();
    assert_eq!(makers.len(), 2, "{page}");
    assert!(makers.contains(&"jordan"), "{makers:?}");
    let (_, theirs) = app.call(&parent, "share/list", &[]).await;
    assert_eq!(theirs["shares"].as_array().unwrap().len(), 1, "{theirs}");
    let (status, _) = app.call(&parent, "share/end", &[("id", &page["shares"][0]["id"].to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the patient's own code is not the parent's to end");
    assert!(open(app, &app.client(), &leos_own, LEO_BIRTH).await.0 == StatusCode::OK);

    // The grant loses Documents: the share is over at once.
    app.execute(&format!(
        "UPDATE proxy_grants SET sections = 'home,visits,results' WHERE proxy_user_id = {}",
        f.jordan_user
    ))
    .await;
    let (status, body) = app.call(&clinician, "share/record", &[]).await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "share.ended".into()));
    let (status, _) = app.call(&parent, "share/list", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no Documents, no share codes");
    // Ended for good: Documents given back does not revive it.
    app.execute(&format!(
        "UPDATE proxy_grants SET sections = 'home,visits,results,documents' WHERE proxy_user_id = {}",
        f.jordan_user
    ))
    .await;
    assert_eq!(app.call(&clinician, "share/record", &[]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(open(app, &app.client(), &code, LEO_BIRTH).await.1, "share.code_wrong");
}

async fn limits_are_said_at_the_field_and_views_and_codes_expire(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    for (form, field, problem) in [
        (vec![("scope", "everything"), ("hours", "1")], "scope", "share.choose_scope"),
        (vec![("scope", "summary"), ("hours", "5")], "hours", "share.bad_length"),
        (vec![("scope", "summary"), ("hours", "169")], "hours", "share.bad_length"),
        (vec![("scope", "visits"), ("hours", "1")], "visits", "documents.choose_visit"),
    ] {
        let (status, body) = app.call(&leo, "share/create", &form).await;
        assert_eq!(
            (status, error_key(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, problem.into()),
            "{form:?}"
        );
        assert_eq!(body["Invalid"]["field"], field, "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM record_shares").await, 0, "nothing made from a refused form");
    let clinician = app.client();
    assert_eq!(open(app, &clinician, "", LEO_BIRTH).await.1, "share.code_required");
    assert_eq!(open(app, &clinician, "7KQ2-M9XD", LEO_BIRTH).await.1, "share.code_wrong");
    assert_eq!(open(app, &clinician, "7KQ2-M9XD-4TPA", "03/02/2011").await.1, "share.birth_date_required");

    // A summary for one hour. A view lasts 30 minutes; the code works again within the hour.
    let code = make_code(app, &leo, &[("scope", "summary"), ("hours", "1")]).await;
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.0, StatusCode::OK);
    let (status, record) = app.call(&clinician, "share/record", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record["problems"].is_array() && record["visits"].is_null(), "{record}");
    app.clock.advance_ms(31 * 60_000);
    assert_eq!(app.call(&clinician, "share/record", &[]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.0, StatusCode::OK);
    assert_eq!(app.call(&clinician, "share/record", &[]).await.0, StatusCode::OK);
    // Past the hour: the share is over, the code opens nothing, the list says expired.
    app.clock.advance_ms(30 * 60_000);
    assert_eq!(app.call(&clinician, "share/record", &[]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.1, "share.code_wrong");
    let leo = app.signed_in("leo").await;
    let (_, page) = app.call(&leo, "share/list", &[]).await;
    assert_eq!(
        (page["shares"][0]["active"].as_bool(), page["shares"][0]["ended"].as_bool()),
        (Some(false), Some(false))
    );
}

async fn opening_codes_is_throttled_per_network(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let code = make_code(app, &leo, &[("scope", "summary"), ("hours", "24")]).await;
    let clinician = app.client();
    // Wrong codes from one network: ten, then even a right one waits.
    for _ in 0..10 {
        assert_eq!(open(app, &clinician, "7KQ2-M9XD-4TPA", LEO_BIRTH).await.1, "share.code_wrong");
    }
    let (status, _) = open(app, &clinician, &code, LEO_BIRTH).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // An hour later the network may try again (each attempt is still counted).
    app.clock.advance_ms(61 * 60_000);
    assert_eq!(open(app, &clinician, &code, LEO_BIRTH).await.0, StatusCode::OK);
}

async fn wrong_birth_dates_on_one_code_close_it_from_any_network_and_are_logged(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let code = make_code(app, &leo, &[("scope", "summary"), ("hours", "24")]).await;
    for n in 0..5 {
        // Five wrong dates, as if from five networks (the per-network limit is not reached).
        let guesser = app.client();
        let date = format!("2011-03-{:02}", 10 + n);
        assert_eq!(open(app, &guesser, &code, &date).await.1, "share.code_wrong");
    }
    let (status, _) = open(app, &app.client(), &code, LEO_BIRTH).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the code opens nothing for a day");
    assert_eq!(app.audit_count("share-open-failed").await, 5);
    let (_, log) = app.call(&leo, "proxy/access_log", &[]).await;
    let failed = log.as_array().unwrap().iter().filter(|e| e["action"] == "share-open-failed").count();
    assert_eq!(failed, 5, "the patient sees each wrong try: {log}");
}

async fn at_most_twenty_codes_are_in_use_even_when_made_at_once(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let summary = [("scope", "summary"), ("hours", "1")];
    for _ in 0..app::share::MAX_ACTIVE_SHARES - 2 {
        assert_eq!(app.call(&leo, "share/create", &summary).await.0, StatusCode::OK);
    }
    // Six at once with two places left: two are made, four are told why at the form.
    let makes = (0..6).map(|_| app.call(&leo, "share/create", &summary));
    let mut outcomes: Vec<String> = futures::future::join_all(makes)
        .await
        .into_iter()
        .map(|(status, body)| if status == StatusCode::OK { "made".into() } else { error_key(&body) })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        ["made", "made", "share.too_many", "share.too_many", "share.too_many", "share.too_many"]
    );
    let active = "SELECT COUNT(*) FROM record_shares WHERE ended_at IS NULL";
    assert_eq!(app.count(active).await, app::share::MAX_ACTIVE_SHARES);
    // One ended: a place for one more.
    let (_, page) = app.call(&leo, "share/list", &[]).await;
    let first = page["shares"][0]["id"].to_string();
    assert_eq!(app.call(&leo, "share/end", &[("id", &first)]).await.0, StatusCode::OK);
    assert_eq!(app.call(&leo, "share/create", &summary).await.0, StatusCode::OK);
    assert_eq!(error_key(&app.call(&leo, "share/create", &summary).await.1), "share.too_many");
}
