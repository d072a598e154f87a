//! `vaultlint attack lookup ID`: what the catalogue knows of an ID in each domain that has
//! it (name, kind, status), and for a revoked object what replaced it (ATT&CK's
//! `revoked-by` relationships, followed to the last replacement).

use std::fmt::Write;

use super::Catalogue;

/// The lookup's text: a line naming the ID and the catalogue's release, then a line per
/// domain that has the ID (domain, kind, name, `[status]`), each revoked one followed by
/// the lines of its replacement in that domain.
///
/// # Errors
/// The message for an ID the catalogue does not hold.
pub(crate) fn lookup(catalogue: &Catalogue, id: &str) -> Result<String, String> {
    let rows = catalogue.all(id);
    if rows.is_empty() {
        return Err(format!("`{id}` is not in {}", catalogue.version));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{id} in {}", catalogue.version);
    for e in rows {
        let status = if e.revoked {
            match (&e.revoked_by, &e.replacement) {
                (Some(by), Some(last)) if by != last => format!("revoked by {by}, now {last}"),
                (_, Some(last)) => format!("revoked, replaced by {last}"),
                _ => "revoked, no replacement".to_owned(),
            }
        } else if e.deprecated {
            "deprecated".to_owned()
        } else {
            "active".to_owned()
        };
        let _ = writeln!(
            out,
            "  {:<18} {:<15} {}  [{status}]",
            e.domain, e.kind, e.name
        );
        if let Some(new) = e.replacement.as_deref().filter(|_| e.revoked) {
            for r in catalogue
                .all(new)
                .into_iter()
                .filter(|r| r.domain == e.domain)
            {
                let _ = writeln!(
                    out,
                    "  {:<18} {:<15} {}  [{new}, the replacement]",
                    r.domain, r.kind, r.name
                );
            }
        }
    }
    Ok(out)
}
