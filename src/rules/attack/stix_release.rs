//! MITRE's published releases of ATT&CK as STIX 2.1 bundles: where the attack-stix-data
//! repository keeps them, which release is the latest, and whether a downloaded bundle is
//! the one asked for. The download itself is the `attack fetch` command's (network access
//! stays at the edge); this is what it checks, so that the cache only ever holds bundles
//! that are what their folder says.
//!
//! attack-stix-data's layout: `<base>/index.json` lists every collection (Enterprise, Mobile,
//! ICS) with its versions; `<base>/<domain>/<domain>-<release>.json` is a bundle whose
//! `x-mitre-collection` object states the release in `x_mitre_version`.

use super::catalogue::Catalogue;
use super::release::{parse_release, Release};

/// The repository's raw files, the default base address of `attack fetch`.
pub(crate) const DEFAULT_BASE_URL: &str =
    "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master";

/// The domains `attack fetch` downloads when none is named.
pub(crate) const DOMAINS: [&str; 3] = ["enterprise-attack", "mobile-attack", "ics-attack"];

/// The address of a domain's bundle of a release under `base`.
pub(crate) fn bundle_url(base: &str, domain: &str, release: &str) -> String {
    format!(
        "{}/{domain}/{domain}-{release}.json",
        base.trim_end_matches('/')
    )
}

/// The address of the repository's index of collections under `base`.
pub(crate) fn index_url(base: &str) -> String {
    format!("{}/index.json", base.trim_end_matches('/'))
}

/// A release as the repository names its files: `18.1`.
pub(crate) fn file_release(release: Release) -> String {
    format!("{}.{}", release.0, release.1)
}

/// The latest release the index lists: the highest `version` of any collection.
///
/// # Errors
/// The text is not JSON, or lists no version.
pub(crate) fn latest_release(index: &str) -> Result<Release, String> {
    let value: serde_json::Value =
        serde_json::from_str(index).map_err(|e| format!("the index is not JSON: {e}"))?;
    value
        .get("collections")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("versions").and_then(serde_json::Value::as_array))
        .flatten()
        .filter_map(|v| v.get("version").and_then(serde_json::Value::as_str))
        .filter_map(parse_release)
        .max()
        .ok_or_else(|| "the index lists no collection version".to_owned())
}

/// Checks that `text` is the bundle of `domain` at `release`: a STIX bundle (`type`
/// `bundle`, an `objects` array) whose `x-mitre-collection` states that release in
/// `x_mitre_version`, whose objects are of that domain, and that the catalogue can read.
/// Returns how many objects it holds.
///
/// # Errors
/// A message saying what the text is instead.
pub(crate) fn check_bundle(text: &str, domain: &str, release: Release) -> Result<usize, String> {
    // The first `x-mitre-collection`'s version, as the release the bundle states.
    let mut claimed: Option<Option<String>> = None;
    let mut of_domain = false;
    fn field<'v>(o: &'v serde_json::Value, k: &str) -> Option<&'v str> {
        o.get(k).and_then(serde_json::Value::as_str)
    }
    // One streamed pass (as `--attack-catalog` reads a bundle): a release's bundle is tens
    // of megabytes, and as one JSON tree it took about ten times that.
    let read = Catalogue::read_stix_bundle(text, |o| {
        if claimed.is_none() && field(o, "type") == Some("x-mitre-collection") {
            claimed = Some(field(o, "x_mitre_version").map(str::to_owned));
        }
        of_domain = of_domain
            || o.get("x_mitre_domains")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|ds| ds.iter().any(|d| d.as_str() == Some(domain)));
    });
    let bundle = match read {
        Ok(bundle) if bundle.kind.as_deref() == Some("bundle") => bundle,
        Ok(_) => return Err("not a STIX bundle (no `\"type\": \"bundle\"`)".to_owned()),
        Err(e) => {
            let start: String = text.chars().take(40).collect();
            let e = e.trim_start_matches("not a STIX bundle: ");
            return Err(format!(
                "not a STIX bundle ({e}; it starts `{}`)",
                start.trim()
            ));
        }
    };
    let claimed = claimed
        .flatten()
        .ok_or("the bundle has no `x-mitre-collection` stating its release")?;
    if parse_release(&claimed) != Some(release) {
        return Err(format!(
            "the bundle is ATT&CK v{claimed}, not v{}",
            file_release(release)
        ));
    }
    if !of_domain {
        return Err(format!("the bundle holds no object of `{domain}`"));
    }
    bundle.catalogue?;
    Ok(bundle.objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(version: &str, domain: &str) -> String {
        format!(
            r#"{{"type": "bundle", "objects": [
  {{"type": "x-mitre-collection", "x_mitre_version": "{version}"}},
  {{"type": "attack-pattern", "id": "attack-pattern--1", "name": "T", "x_mitre_domains": ["{domain}"],
   "external_references": [{{"source_name": "mitre-attack", "external_id": "T1685"}}]}}
]}}"#
        )
    }

    #[test]
    fn bundles_are_what_they_claim() {
        assert_eq!(
            check_bundle(
                &bundle("19.1", "enterprise-attack"),
                "enterprise-attack",
                (19, 1)
            ),
            Ok(2)
        );
        assert!(check_bundle(
            &bundle("19.0", "enterprise-attack"),
            "enterprise-attack",
            (19, 1)
        )
        .unwrap_err()
        .contains("v19.0, not v19.1"));
        assert!(check_bundle(
            &bundle("19.1", "mobile-attack"),
            "enterprise-attack",
            (19, 1)
        )
        .unwrap_err()
        .contains("no object of `enterprise-attack`"));
        assert!(
            check_bundle("<html>rate limited</html>", "enterprise-attack", (19, 1))
                .unwrap_err()
                .starts_with("not a STIX bundle")
        );
        assert!(check_bundle(r#"{"type": "bundle"}"#, "enterprise-attack", (19, 1)).is_err());
    }

    /// The bundle is read as a stream (never one JSON tree); what is no bundle still says
    /// what it is, as when it was read whole.
    #[test]
    fn streamed_bundles_say_what_they_are_instead() {
        let check = |text: &str| check_bundle(text, "enterprise-attack", (19, 1)).unwrap_err();
        for text in [
            "[1]",
            r#"{"type": "bundle", "objects": "x"}"#,
            r#"{"type": "bundle", "objects": [], "objects": []}"#,
            r#"{"type": "bundle", "objects": [{"type": "x-mitre-collection"#,
        ] {
            assert!(
                check(text).starts_with("not a STIX bundle ("),
                "{text}: {}",
                check(text)
            );
        }
        assert!(check(r#"{"type": "bundle"}"#).contains("no `objects` array"));
        for kind in [r#"{"t": ["bundle"]}"#, "7", r#""Bundle""#] {
            let text = format!(r#"{{"type": {kind}, "objects": []}}"#);
            assert!(check(&text).contains(r#"no `"type": "bundle"`"#), "{text}");
        }
        // The first collection states the release, as in a bundle read whole.
        let two = bundle("19.1", "enterprise-attack").replacen(
            r#"{"type": "x-mitre-collection", "x_mitre_version": "19.1"}"#,
            r#"{"type": "x-mitre-collection"}, {"type": "x-mitre-collection", "x_mitre_version": "19.1"}"#,
            1,
        );
        assert!(check(&two).contains("no `x-mitre-collection` stating its release"));
        // A catalogue's refusal comes after the release and domain are found right.
        let long = bundle("19.1", "enterprise-attack").replace(
            r#""name": "T""#,
            &format!(r#""name": "{}""#, "N".repeat(2000)),
        );
        assert!(
            !check(&long).contains("not a STIX bundle"),
            "{}",
            check(&long)
        );
        assert!(check(&bundle("19.1", "mobile-attack").replace(
            r#""name": "T""#,
            &format!(r#""name": "{}""#, "N".repeat(2000))
        ))
        .contains("no object of `enterprise-attack`"));
    }

    #[test]
    fn the_latest_release_is_the_highest_version() {
        let index = r#"{"collections": [
            {"name": "Enterprise ATT&CK", "versions": [{"version": "19.2"}, {"version": "20.0"}, {"version": "9.0"}]},
            {"name": "Mobile ATT&CK", "versions": [{"version": "19.10"}]}]}"#;
        assert_eq!(latest_release(index), Ok((20, 0)));
        assert!(latest_release("{}").is_err());
        assert_eq!(
            bundle_url(DEFAULT_BASE_URL, "ics-attack", "18.1"),
            "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/ics-attack/ics-attack-18.1.json"
        );
    }
}
