//! SMART scopes (App Launch 2.x), read both ways apps write them:
//! v1 `patient/Observation.read`, `patient/*.read`; v2 `patient/Observation.rs`,
//! `patient/*.r`. Only reading is offered: a scope that asks only to create, update or
//! delete grants nothing. A v2 scope narrowed by a query (`?category=…`) is not granted
//! at all rather than granted wider than asked. `user/` and `system/` scopes are not
//! offered (a patient-access API reads one chart).
use std::collections::BTreeSet;

use super::kinds::FhirType;

/// Which syntax the app used, so the granted scope is said back in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    V1,
    V2,
}

/// What an authorize request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub types: BTreeSet<FhirType>,
    pub syntax: Syntax,
    pub launch_patient: bool,
    pub openid: bool,
    pub fhir_user: bool,
    pub offline: bool,
}

/// At most this many characters of scope are read (a request past it is refused).
pub const SCOPE_MAX_CHARS: usize = 2_000;

pub fn parse(scope: &str) -> Requested {
    let mut asked = Requested {
        types: BTreeSet::new(),
        syntax: Syntax::V2,
        launch_patient: false,
        openid: false,
        fhir_user: false,
        offline: false,
    };
    let mut saw_v1 = false;
    for word in scope.split_ascii_whitespace() {
        match word {
            "launch/patient" => asked.launch_patient = true,
            "openid" => asked.openid = true,
            "fhirUser" => asked.fhir_user = true,
            "offline_access" => asked.offline = true,
            _ => {
                if let Some((types, v1)) = patient_read(word) {
                    saw_v1 |= v1;
                    asked.types.extend(types);
                }
            }
        }
    }
    if saw_v1 {
        asked.syntax = Syntax::V1;
    }
    asked
}

/// `patient/<Type|*>.<permissions>` that includes reading: the types, and whether it was
/// written in v1 syntax.
fn patient_read(word: &str) -> Option<(Vec<FhirType>, bool)> {
    let rest = word.strip_prefix("patient/")?;
    let (resource, permissions) = rest.split_once('.')?;
    let v1 = match permissions {
        "read" | "*" => true,
        // v2: letters of "cruds" in that order, each at most once; reading needs r or s.
        p if is_v2_permissions(p) && (p.contains('r') || p.contains('s')) => false,
        _ => return None,
    };
    let types = match resource {
        "*" => FhirType::ALL.to_vec(),
        name => vec![FhirType::parse(name)?],
    };
    Some((types, v1))
}

fn is_v2_permissions(p: &str) -> bool {
    let mut last = None;
    !p.is_empty()
        && p.chars().all(|c| {
            let Some(at) = "cruds".find(c) else { return false };
            let in_order = last.is_none_or(|l| at > l);
            last = Some(at);
            in_order
        })
}

/// The scope a token carries, in the app's syntax: the granted types and the flags.
/// `fhirUser` only with `openid` and for a user who is a patient here (`user_has_chart`):
/// a proxy-only login has no FHIR resource of its own to name.
pub fn granted(types: &[FhirType], syntax: Syntax, asked: &Requested, user_has_chart: bool) -> String {
    let suffix = match syntax {
        Syntax::V1 => "read",
        Syntax::V2 => "rs",
    };
    let mut words: Vec<String> = Vec::new();
    let flags = [
        (asked.launch_patient, "launch/patient"),
        (asked.openid, "openid"),
        (asked.openid && asked.fhir_user && user_has_chart, "fhirUser"),
        (asked.offline, "offline_access"),
    ];
    for (flag, word) in flags {
        if flag {
            words.push(word.to_string());
        }
    }
    words.extend(types.iter().map(|t| format!("patient/{}.{suffix}", t.name())));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v1_and_v2_and_refuses_what_it_does_not_offer() {
        let v1 = parse(
            "launch/patient openid fhirUser offline_access patient/Observation.read patient/Patient.read",
        );
        assert_eq!(v1.syntax, Syntax::V1);
        assert!(v1.launch_patient && v1.openid && v1.fhir_user && v1.offline);
        assert_eq!(
            v1.types.iter().copied().collect::<Vec<_>>(),
            vec![FhirType::Patient, FhirType::Observation]
        );

        let v2 = parse("patient/Observation.rs patient/Immunization.r patient/Condition.cud launch/patient");
        assert_eq!(v2.syntax, Syntax::V2);
        assert!(!v2.offline);
        assert_eq!(
            v2.types.iter().copied().collect::<Vec<_>>(),
            vec![FhirType::Observation, FhirType::Immunization]
        );

        let all = parse("patient/*.rs");
        assert_eq!(all.types.len(), FhirType::ALL.len());

        // Not offered: user/system scopes, writing, granular (narrowed) scopes, out of order
        // or repeated permission letters, unknown types.
        for word in [
            "user/Observation.rs",
            "system/*.rs",
            "patient/Observation.write",
            "patient/Observation.rs?category=laboratory",
            "patient/Observation.sr",
            "patient/Observation.rrs",
            "patient/Spaceship.rs",
            "patient/Observation",
        ] {
            assert!(parse(word).types.is_empty(), "{word}");
        }
    }

    #[test]
    fn the_granted_scope_is_said_in_the_apps_syntax() {
        let asked = parse("launch/patient offline_access patient/Observation.read patient/Patient.read");
        assert_eq!(
            granted(&[FhirType::Patient], asked.syntax, &asked, true),
            "launch/patient offline_access patient/Patient.read"
        );
        let asked = parse("openid fhirUser patient/Observation.rs");
        assert_eq!(
            granted(&[FhirType::Observation], asked.syntax, &asked, true),
            "openid fhirUser patient/Observation.rs"
        );
        // A login with no chart of its own is still someone (openid), but no FHIR resource.
        assert_eq!(
            granted(&[FhirType::Observation], asked.syntax, &asked, false),
            "openid patient/Observation.rs"
        );
        // fhirUser alone promises nothing: it names a claim of the ID token.
        let asked = parse("fhirUser patient/Observation.rs");
        assert_eq!(granted(&[FhirType::Observation], asked.syntax, &asked, true), "patient/Observation.rs");
    }
}
