//! A patient of 13–17 asks the Medical Records team to hide parts of their chart from a
//! parent's grant (the seed: "except for information that has been restricted at the request
//! of the patient"); HIM applies or declines, audited on the teen's chart. SQLite and
//! PostgreSQL.
use crate::{
    common::{error_key, TestApp},
    proxy_fixture::{family, grant},
};
use app::{
    access::{Relationship, Section},
    auth::Role,
    proxy::RequestKind,
};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_databases!(
    a_teen_asks_and_him_applies,
    him_declines_with_a_reason_and_hiding_everything_ends_the_grant,
    only_the_teen_may_ask_and_every_limit_has_its_message,
);

fn key(n: u32) -> String {
    format!("restrict-key-{n:08}")
}

async fn ask(
    app: &TestApp,
    teen: &Client,
    grant: i64,
    sections: &str,
    note: &str,
    n: u32,
) -> (StatusCode, Value) {
    app.call_owned(
        teen,
        "proxy/restrict",
        vec![
            ("grant_id", grant.to_string()),
            ("sections", sections.to_owned()),
            ("note", note.to_owned()),
            ("key", key(n)),
        ],
    )
    .await
}

/// The parent's view of Leo's chart, one function per section.
async fn parent_reads(app: &TestApp, parent: &Client, leo: i64, endpoint: &str) -> StatusCode {
    let (status, body) = app.call(parent, "proxy/switch", &[("patient_id", &leo.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.call(parent, endpoint, &[]).await.0
}

async fn a_teen_asks_and_him_applies(app: &TestApp) {
    let f = family(app).await;
    let g =
        grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let leo = app.signed_in("leo").await;
    let (_, sharing) = app.call(&leo, "proxy/sharing", &[]).await;
    assert_eq!(sharing["may_change"], false, "a teen does not change grants directly");

    let (status, asked) = ask(app, &leo, g, "results,messages", "Please keep my results private.", 1).await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    assert_eq!(asked["status"], "Pending");
    assert_eq!(asked["sections"], serde_json::json!(["Results", "Messages"]));
    // Four business days, as a minor's request (the test clock's Thanksgiving week).
    assert_eq!(asked["due_on"], "2026-12-02");
    // The same submission again is the same request, not a second one.
    let (status, again) = ask(app, &leo, g, "results,messages", "Please keep my results private.", 1).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &asked["id"]));
    // A second request about the same grant waits for the first.
    let (status, body) = ask(app, &leo, g, "visits", "", 2).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "restriction.pending")
    );

    let parent = app.signed_in("jordan").await;
    assert_eq!(
        parent_reads(app, &parent, f.leo, "results/list").await,
        StatusCode::OK,
        "not before HIM decides"
    );

    let him = app.signed_in("him.lee").await;
    let (status, queue) = app.call(&him, "staff/proxy/restrictions", &[]).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["proxy_name"], "jordan");
    assert_eq!(queue[0]["note"], "Please keep my results private.");
    let id = queue[0]["id"].as_i64().unwrap();
    let (status, body) = app.call(&him, "staff/proxy/restriction/apply", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Decided once: a second decision finds nothing waiting.
    let (status, _) = app.call(&him, "staff/proxy/restriction/apply", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(parent_reads(app, &parent, f.leo, "results/list").await, StatusCode::FORBIDDEN);
    assert_eq!(parent_reads(app, &parent, f.leo, "messages/inbox").await, StatusCode::FORBIDDEN);
    assert_eq!(parent_reads(app, &parent, f.leo, "visits/list").await, StatusCode::OK, "the rest stays");

    let (_, sharing) = app.call(&leo, "proxy/sharing", &[]).await;
    assert_eq!(sharing["restrictions"][0]["status"], "Applied");
    assert_eq!(sharing["on_my_chart"][0]["sections"].as_array().unwrap().len(), Section::GRANTABLE.len() - 2);
    // Leo's "who has seen my record": his request, and HIM's look at his chart by name.
    let (_, log) = app.call(&leo, "proxy/access_log", &[]).await;
    let log = log.as_array().unwrap();
    assert!(log.iter().any(|e| e["action"] == "restriction-requested" && e["who"] == "You"), "{log:?}");
    assert!(log
        .iter()
        .any(|e| e["action"] == "proxy-grant-sections" && e["who"]["Staff"]["name"] == "him.lee"));
    assert!(log.iter().any(|e| e["who"]["Staff"]["name"] == "him.lee" && e["action"] == "chart-read"));
}

async fn him_declines_with_a_reason_and_hiding_everything_ends_the_grant(app: &TestApp) {
    let f = family(app).await;
    let g =
        grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let leo = app.signed_in("leo").await;
    let him = app.signed_in("him.lee").await;
    let first_in_queue = || async {
        let (_, queue) = app.call(&him, "staff/proxy/restrictions", &[]).await;
        queue[0]["id"].as_i64().unwrap().to_string()
    };

    assert_eq!(ask(app, &leo, g, "visits", "", 1).await.0, StatusCode::OK);
    let id = first_in_queue().await;
    let (status, body) =
        app.call(&him, "staff/proxy/restriction/decline", &[("id", &id), ("reason", "")]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "proxy.reason_required")
    );
    let reason = "Your parent is your legal guardian for this care; call us to talk it over.";
    let (status, _) =
        app.call(&him, "staff/proxy/restriction/decline", &[("id", &id), ("reason", reason)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, sharing) = app.call(&leo, "proxy/sharing", &[]).await;
    assert_eq!(sharing["restrictions"][0]["status"], "Declined");
    assert_eq!(sharing["restrictions"][0]["reason"], reason);
    let parent = app.signed_in("jordan").await;
    assert_eq!(parent_reads(app, &parent, f.leo, "visits/list").await, StatusCode::OK, "declined: unchanged");

    // Every section at once: applying it leaves nothing, so the grant ends.
    let every = Section::join(&Section::GRANTABLE);
    assert_eq!(ask(app, &leo, g, &every, "", 2).await.0, StatusCode::OK);
    let id = first_in_queue().await;
    assert_eq!(app.call(&him, "staff/proxy/restriction/apply", &[("id", &id)]).await.0, StatusCode::OK);
    let (status, body) = app.call(&parent, "visits/list", &[]).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::FORBIDDEN, "AccessEnded"));
    let (_, sharing) = app.call(&leo, "proxy/sharing", &[]).await;
    assert_eq!(sharing["on_my_chart"], serde_json::json!([]));
}

async fn only_the_teen_may_ask_and_every_limit_has_its_message(app: &TestApp) {
    let f = family(app).await;
    let g =
        grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let leo = app.signed_in("leo").await;
    // The parent, on their own account or with Leo's chart open, cannot ask in his name.
    let parent = app.signed_in("jordan").await;
    assert_eq!(ask(app, &parent, g, "results", "", 1).await.0, StatusCode::NOT_FOUND);
    assert_eq!(parent_reads(app, &parent, f.leo, "visits/list").await, StatusCode::OK);
    assert_eq!(ask(app, &parent, g, "results", "", 2).await.0, StatusCode::NOT_FOUND);
    // An adult patient changes their grants themself.
    let joe = app.add_patient("MRN-JOE", "Joe", "Carter", "1941-02-08").await;
    app.add_user("grandpa.joe", Role::Patient, Some(joe), "joe@example.org").await;
    let joes =
        grant(app, f.jordan_user, joe, RequestKind::Adult, Relationship::AdultChild, &Section::GRANTABLE)
            .await;
    let grandpa = app.signed_in("grandpa.joe").await;
    assert_eq!(ask(app, &grandpa, joes, "results", "", 3).await.0, StatusCode::FORBIDDEN);
    // Leo's own limits, each at its field.
    for (sections, note, problem) in [
        ("", "", "proxy.sections_required"),
        ("results,bogus", "", "error.bad_request"),
        ("results", &*"x".repeat(501), "restriction.note_too_long"),
    ] {
        let (status, body) = ask(app, &leo, g, sections, note, 4).await;
        assert_eq!(
            (status, error_key(&body).as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, problem),
            "{sections}"
        );
    }
    assert_eq!(ask(app, &leo, g, "results", &"x".repeat(500), 5).await.0, StatusCode::OK, "500 is allowed");
    // At most five a day (each ends up waiting or decided; the sixth is refused).
    let him = app.signed_in("him.lee").await;
    for n in 6..=9 {
        let (_, queue) = app.call(&him, "staff/proxy/restrictions", &[]).await;
        let id = queue[0]["id"].as_i64().unwrap().to_string();
        assert_eq!(
            app.call(&him, "staff/proxy/restriction/decline", &[("id", &id), ("reason", "No")]).await.0,
            StatusCode::OK
        );
        assert_eq!(ask(app, &leo, g, "results", "", n).await.0, StatusCode::OK, "request {n}");
    }
    let (_, queue) = app.call(&him, "staff/proxy/restrictions", &[]).await;
    let id = queue[0]["id"].as_i64().unwrap().to_string();
    app.call(&him, "staff/proxy/restriction/decline", &[("id", &id), ("reason", "No")]).await;
    assert_eq!(ask(app, &leo, g, "results", "", 10).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Staff and other patients never reach HIM's functions.
    let avery = app.add_patient("MRN-AVERY", "Avery", "Smith", "1980-01-01").await;
    app.add_user("avery", Role::Patient, Some(avery), "avery@example.org").await;
    let avery = app.signed_in("avery").await;
    assert_eq!(app.call(&avery, "staff/proxy/restrictions", &[]).await.0, StatusCode::FORBIDDEN);
    let rivera = app.signed_in("dr.rivera").await;
    assert_eq!(app.call(&rivera, "staff/proxy/restrictions", &[]).await.0, StatusCode::FORBIDDEN);
}
