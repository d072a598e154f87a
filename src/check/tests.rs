use super::windows::WINDOW;
use super::*;
use crate::rules::{NoteContext, PackRun, PackSummary};
use crate::vault::{FileProblem, FileProblemKind};

/// Records what it is given and checks the delivery contract: files in strictly
/// increasing path order, each once, never empty, one path per call, sorted.
#[derive(Default)]
struct Contract {
    started: bool,
    calls: usize,
    delivered: Vec<Diagnostic>,
}

impl Deliver for Contract {
    fn start(&mut self, summary: &Summary, _root: &std::path::Path) -> Result<(), Error> {
        assert!(!self.started && self.calls == 0, "start comes first, once");
        assert!(summary.notes > 0);
        self.started = true;
        Ok(())
    }

    fn note(&mut self, findings: Vec<Diagnostic>, _hash: Option<u64>) -> Result<(), Error> {
        assert!(self.started);
        let first = findings.first().expect("never empty");
        if let Some(last) = self.delivered.last() {
            assert!(last.path < first.path, "{} then {}", last.path, first.path);
        }
        assert!(findings.iter().all(|d| d.path == first.path));
        assert!(findings
            .windows(2)
            .all(|w| w[0].sort_key() <= w[1].sort_key()));
        self.calls += 1;
        self.delivered.extend(findings);
        Ok(())
    }
}

/// A pack with no rule and a fold, so the run holds the findings in a spill file. The
/// fold takes the findings of notes whose path starts with `take` (if any) and reports
/// how many at `n001.md` (a note with findings of its own, before them) and at `zzz.md`
/// (after every file, no finding of its own).
struct Folding {
    take: Option<&'static str>,
}

struct FoldingRun(Option<&'static str>);

struct CountFold {
    take: Option<&'static str>,
    taken: usize,
}

static FOLDED: RuleMeta = RuleMeta {
    name: "folded",
    summary: "",
    default_severity: Severity::Info,
    docs: "",
    fix: crate::diagnostic::FixAvailability::None,
};

impl Pack for Folding {
    fn start<'v>(
        &'v self,
        _vault: &'v Vault,
        _selected: &[&'static RuleMeta],
    ) -> Option<Box<dyn PackRun + 'v>> {
        Some(Box::new(FoldingRun(self.take)))
    }
}

impl PackRun for FoldingRun {
    fn check_note(&self, _ctx: &NoteContext<'_>, _out: &mut Vec<Diagnostic>) -> usize {
        0
    }

    fn fold(&self, _vault: &Vault) -> Option<Box<dyn rules::Fold + '_>> {
        Some(Box::new(CountFold {
            take: self.0,
            taken: 0,
        }))
    }

    fn summary(&self, _checked: usize) -> PackSummary {
        PackSummary::default()
    }
}

impl rules::Fold for CountFold {
    fn take(&mut self, found: &mut Vec<Diagnostic>) {
        let Some(prefix) = self.take else { return };
        let before = found.len();
        found.retain(|d| !d.path.starts_with(prefix));
        self.taken += before - found.len();
    }

    fn rewritten(&self) -> Vec<Arc<str>> {
        match self.take {
            Some(_) => vec!["n001.md".into(), "zzz.md".into()],
            None => Vec::new(),
        }
    }

    fn apply(&self, path: &Arc<str>, found: &mut Vec<Diagnostic>) {
        found.push(Diagnostic::new(
            &FOLDED,
            path,
            None,
            format!("{} taken", self.taken),
        ));
    }
}

/// Three windows of notes, file-level findings on notes with findings of their own, on
/// files the check pass skips (between notes and after the last), and a canvas.
fn vault() -> (Vec<VaultFile>, Vec<FileProblem>, BTreeMap<String, String>) {
    let mut texts = BTreeMap::new();
    for i in 0..(2 * WINDOW + 20) {
        texts.insert(
            format!("n{i:03}.md"),
            format!("[[missing {i}]] [[n000]]\n%% vaultlint-disable-next-line broken-link %%\n[[gone]]\n"),
        );
    }
    texts.insert("c.canvas".to_owned(), r#"{"nodes":[{"id":"1","type":"text","text":"[[nowhere]]","x":0,"y":0,"width":1,"height":1}]}"#.to_owned());
    let mut files: Vec<VaultFile> = texts
        .keys()
        .chain(["n050.png".to_owned(), "zz.png".to_owned()].iter())
        .map(|p| VaultFile {
            path: p.as_str().into(),
            is_note: p.ends_with(".md"),
            lint: true,
            os_path: None,
            stat: None,
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let problem = |path: &str| FileProblem {
        path: path.into(),
        kind: FileProblemKind::Unreadable("denied".to_owned()),
    };
    let problems = vec![problem("zz.png"), problem("n070.md"), problem("n050.png")];
    (files, problems, texts)
}

fn delivered(packs: Vec<Arc<dyn Pack>>) -> Contract {
    let (files, problems, texts) = vault();
    let read = |file: &VaultFile| {
        NoteText::Text(texts.get(&*file.path).cloned().unwrap_or_default(), None)
    };
    let mut options = CheckOptions::new(PathBuf::new());
    options.packs = packs;
    let mut contract = Contract::default();
    run(&options, files, problems, &read, &mut contract, None).expect("collecting cannot fail");
    contract
}

/// What the tests compare of a finding.
type Key = (
    String,
    Option<(usize, u32, u32)>,
    &'static str,
    Severity,
    String,
);

fn key(d: &Diagnostic) -> Key {
    (
        d.path.to_string(),
        d.span.map(|s| (s.start, s.line, s.column)),
        d.rule.name,
        d.severity,
        d.message.clone(),
    )
}

#[test]
fn streamed_findings_are_the_sorted_findings_of_the_whole_run() {
    let streamed = delivered(rules::default_packs());
    let mut packs = rules::default_packs();
    packs.push(Arc::new(Folding { take: None }));
    let spilled = delivered(packs);
    let streamed_keys: Vec<_> = streamed.delivered.iter().map(key).collect();
    let spilled_keys: Vec<_> = spilled.delivered.iter().map(key).collect();
    assert_eq!(streamed_keys, spilled_keys);
    // Every note's broken link (the suppressed one left out), the canvas's, and the
    // three unreadable files, each file delivered once.
    let notes = 2 * WINDOW + 20;
    assert_eq!(streamed.delivered.len(), notes + 1 + 3);
    assert_eq!(streamed.calls, notes + 1 + 2);
    assert_eq!(spilled.calls, streamed.calls);
    let paths: Vec<&str> = streamed.delivered.iter().map(|d| &*d.path).collect();
    let at = |p: &str| paths.iter().position(|&q| q == p).expect(p);
    assert!(at("n050.md") < at("n050.png") && at("n050.png") < at("n051.md"));
    assert_eq!(paths.last(), Some(&"zz.png"));
    assert_eq!(paths.iter().filter(|&&p| p == "n070.md").count(), 2);
}

#[test]
fn a_fold_moves_findings_into_notes_before_and_after_them() {
    let streamed = delivered(rules::default_packs());
    let mut packs = rules::default_packs();
    packs.push(Arc::new(Folding { take: Some("n1") }));
    let folded = delivered(packs);
    let taken = streamed
        .delivered
        .iter()
        .filter(|d| d.path.starts_with("n1"))
        .count();
    assert_eq!(taken, 2 * WINDOW + 20 - 100);
    let mut expected: Vec<_> = streamed
        .delivered
        .iter()
        .filter(|d| !d.path.starts_with("n1"))
        .map(key)
        .collect();
    let note = |path: &str| {
        (
            path.to_owned(),
            None,
            "folded",
            Severity::Info,
            format!("{taken} taken"),
        )
    };
    let n001 = expected.iter().rposition(|k| k.0 == "n001.md").unwrap();
    expected.insert(n001 + 1, note("n001.md"));
    expected.push(note("zzz.md"));
    let folded_keys: Vec<_> = folded.delivered.iter().map(key).collect();
    assert_eq!(folded_keys, expected);
    // n1xx delivered nothing; zzz.md is a file of its own.
    assert_eq!(folded.calls, streamed.calls - taken + 1);
}

/// Every note of the shared corpora parses the same in Markdown windows of 256 bytes as
/// whole (the windows are cut thousands of times; `parse::events`), and so does each
/// note put in a block quote (`> ` before every line), where the windows cut inside
/// quoted paragraphs.
#[test]
fn corpus_notes_parsed_in_windows_are_the_notes_parsed_whole() {
    let Some(corpora) = crate::vault::shared_corpora() else {
        return;
    };
    let (mut notes, mut cuts, mut quoted_cuts) = (0, 0, 0);
    for entry in walkdir::WalkDir::new(corpora)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        notes += 1;
        let (windowed, cut) = crate::parse::parse_note_in_windows(&text, 256);
        cuts += cut;
        assert_eq!(
            format!("{windowed:?}"),
            format!("{:?}", crate::parse::parse_note(&text)),
            "{}",
            entry.path().display()
        );
        let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
        let (windowed, cut) = crate::parse::parse_note_in_windows(&quoted, 256);
        quoted_cuts += cut;
        assert_eq!(
            format!("{windowed:?}"),
            format!("{:?}", crate::parse::parse_note(&quoted)),
            "{} in a block quote",
            entry.path().display()
        );
    }
    assert!(notes > 1000 && cuts > 10_000, "{notes} notes, {cuts} cuts");
    assert!(quoted_cuts > 500, "{quoted_cuts} cuts in block quotes");
}
