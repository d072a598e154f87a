//! What the terminal gets: colour, width, and a progress indicator for slow runs.

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `--color`: when the human format uses ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the report goes to a terminal and `NO_COLOR` is not set
    Auto,
    /// Always colour, even into a pipe or file (overrides `NO_COLOR`)
    Always,
    /// Never colour
    Never,
}

impl ColorChoice {
    /// Whether to colour a report written to a terminal (`to_terminal`) or elsewhere.
    /// `NO_COLOR` counts when set to anything but the empty string (no-color.org).
    pub(crate) fn enabled(self, to_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Columns to wrap the human format at, for a report written to the terminal on stdout:
/// `COLUMNS` when set to a positive number, else the terminal's own width, else 80.
pub(crate) fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
                .filter(|&w| w > 0)
        })
        .unwrap_or(80)
}

/// How long a run goes before the progress indicator appears: quick runs, the common case
/// in pre-commit hooks, never flash one. `VAULTLINT_PROGRESS_DELAY_MS` overrides it (tests).
fn progress_delay() -> Duration {
    std::env::var("VAULTLINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// A spinner on stderr while a check runs, shown only when stderr is a terminal and the
/// run takes longer than about a second. Dropping it (or [`Progress::finish`]) clears it,
/// so it never mixes with the report.
pub(crate) struct Progress {
    bar: ProgressBar,
    stop: Option<mpsc::Sender<()>>,
    waiter: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts the indicator for a check of `what`; it stays hidden when `enabled` is false
    /// or stderr is not a terminal.
    pub(crate) fn start(enabled: bool, what: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} vaultlint: checking {msg} ({elapsed})")
        {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress {
                bar,
                stop: None,
                waiter: None,
            };
        }
        let show = |bar: &ProgressBar| {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.tick();
            bar.enable_steady_tick(Duration::from_millis(100));
        };
        let delay = progress_delay();
        if delay.is_zero() {
            show(&bar);
            return Progress {
                bar,
                stop: None,
                waiter: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let shown = bar.clone();
        let waiter = std::thread::spawn(move || {
            if stopped.recv_timeout(delay) == Err(mpsc::RecvTimeoutError::Timeout) {
                show(&shown);
            }
        });
        Progress {
            bar,
            stop: Some(stop),
            waiter: Some(waiter),
        }
    }

    /// Stops and clears the indicator; call before the report is written.
    pub(crate) fn finish(mut self) {
        self.clear();
    }

    fn clear(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The waiter may have timed out already; then nobody receives, which is fine.
            let _ = stop.send(());
        }
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
