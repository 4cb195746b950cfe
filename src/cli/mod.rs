//! The command line (clap derive). Parsing only; the work happens in the library.
use crate::catalog;
use crate::config::{self, Settings};
use crate::engine::{self, Options};
use crate::finding::Severity;
use crate::report::{self, Format, Style};
use crate::rule::Rule;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

mod catalog_text;
#[cfg(test)]
mod tests;

pub use catalog_text::{explain_text, indent, rules_markdown};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(name = "authlint", version, about = "Finds authentication designs that can be stolen, outlived or not revoked", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files and directories (default: the current directory)
    Check(CheckArgs),
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a rule: what it detects, why it is dangerous, the design to move to
    Explain {
        /// A rule id, as `authlint rules` lists them
        rule: String,
    },
    /// Print the design verdict: the auth architecture found, and the one to move to
    Design(DesignArgs),
    /// Print the prefilter vocabulary, one word per line (used by bench/run.sh)
    #[command(hide = true)]
    Vocabulary,
    /// Write a commented authlint.toml with every default
    Init {
        /// Directory to write authlint.toml into
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing authlint.toml
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
    /// The README's rule table
    Markdown,
}

#[derive(Args, Debug)]
pub struct DesignArgs {
    /// Files and directories to read
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format; `markdown` is a PR-comment page with Mermaid diagrams
    #[arg(long, value_enum, default_value_t = DesignFormat::Human)]
    pub format: DesignFormat,
    /// Use this config file instead of searching for authlint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore every config file; use the defaults
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DesignFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check; files named here are checked even if ignored by .gitignore
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings (errors in the run itself still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Only run these rules (comma-separated ids)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,
    /// Never run these rules (comma-separated ids)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,
    /// Use this config file instead of searching for authlint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore every config file; use the defaults
    #[arg(long)]
    pub no_config: bool,
    /// Print findings only: no summary, no file diagnostics
    #[arg(short, long)]
    pub quiet: bool,
    /// Colour in the human report (honours NO_COLOR, CLICOLOR_FORCE, CLICOLOR=0 and TERM=dumb)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Files that cannot be read or parsed make the exit code 2
    #[arg(long)]
    pub strict: bool,
    /// Hide the findings recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (then exit 0 unless the run itself failed)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Worker threads (default or 0: the number of CPUs; at most 4 per CPU and 256)
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print each file's role (production, example, test, …), why, and its policy; check nothing
    #[arg(long)]
    pub show_roles: bool,
}

/// Runs the command line and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => catalog_text::rules(format),
        Command::Design(args) => design(args),
        Command::Vocabulary => {
            let mut words: Vec<&str> = crate::analyzers::all()
                .iter()
                .flat_map(|a| a.vocabulary().iter().copied())
                .collect();
            words.sort_unstable();
            words.dedup();
            print_stdout(&format!("{}\n", words.join("\n"))).map(|()| EXIT_CLEAN)
        }
        Command::Explain { rule } => catalog_text::explain(&rule),
        Command::Init { dir, force } => init(&dir, force),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            EXIT_ERROR
        }
    }
}

fn parse_rule_list(ids: &[String]) -> Result<Vec<Rule>, String> {
    ids.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|id| Rule::from_id(id).ok_or_else(|| catalog::unknown_rule_hint(id)))
        .collect()
}

fn load_settings(
    config_file: Option<&Path>,
    no_config: bool,
    paths: &[PathBuf],
    cwd: &Path,
) -> Result<Settings, i32> {
    let path = if no_config {
        None
    } else if let Some(p) = config_file {
        Some(p.to_path_buf())
    } else {
        config::discover(&config::search_start(paths, cwd))
    };
    let Some(path) = path else {
        // Without a config, baseline fingerprints are relative to the folder holding every path
        // checked, whichever directory authlint runs from.
        return Ok(Settings {
            exclude_root: config::root_without_config(paths, cwd),
            ..Settings::default()
        });
    };
    config::load(&path, cwd).map_err(|errors| {
        let color = auto_color(std::io::stderr().is_terminal());
        let handler = miette::GraphicalReportHandler::new_themed(if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        })
        .with_width(100);
        for e in &errors.0 {
            let mut buf = String::new();
            if handler.render_report(&mut buf, e).is_err() {
                buf = e.to_string();
            }
            eprintln!("{buf}");
        }
        eprintln!(
            "error: {} in {}",
            if errors.0.len() == 1 {
                "1 problem".into()
            } else {
                format!("{} problems", errors.0.len())
            },
            path.display()
        );
        EXIT_ERROR
    })
}

fn use_color(choice: ColorChoice, format: Format, to_file: bool) -> bool {
    if format != Format::Human {
        return false;
    }
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => auto_color(!to_file && std::io::stdout().is_terminal()),
    }
}

/// Colour by the environment, for a stream that is (or not) a terminal: `NO_COLOR` turns it off,
/// then `CLICOLOR_FORCE` on, then `CLICOLOR=0` and `TERM=dumb` off.
fn auto_color(terminal: bool) -> bool {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if var("NO_COLOR").is_some() {
        false
    } else if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        true
    } else {
        terminal
            && var("CLICOLOR").is_none_or(|v| v != "0")
            && var("TERM").is_none_or(|v| v != "dumb")
    }
}

fn check(args: CheckArgs) -> Result<i32, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let settings = match check_settings(&args, &cwd) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let select = if args.select.is_empty() {
        None
    } else {
        Some(parse_rule_list(&args.select)?)
    };
    let ignore = parse_rule_list(&args.ignore)?;
    for id in select.iter().flatten() {
        if !id.doc().is_implemented() {
            eprintln!(
                "warning: rule `{id}` is planned but not implemented yet; it reports nothing"
            );
        }
    }
    let threads = engine::worker_threads(args.threads);
    if args.show_roles {
        return show_roles(&args.paths, &settings, &cwd, threads);
    }
    let opts = Options {
        paths: args.paths.clone(),
        settings,
        select,
        ignore,
        threads,
        cwd,
    };
    // The verdict judges a project: not when the design rule is off, nor for files named one
    // by one (pre-commit's staged files are not the project).
    let verdict = opts.level(Rule::AuthDesign).is_some()
        && args
            .paths
            .iter()
            .all(|p| crate::discover::absolute(&opts.cwd, p).is_dir());
    let mut outcome = engine::run(&opts)?;
    if !verdict {
        outcome.design = None;
    }
    outcome.run_failed = run_failed(&outcome, args.strict);
    outcome.design_args = design_args(&args.paths, args.config.as_deref(), args.no_config);
    if let Some(path) = &args.write_baseline {
        crate::baseline::write(path, &outcome.findings)?;
        eprintln!(
            "authlint: wrote {} findings to baseline {}",
            outcome.findings.len(),
            path.display()
        );
    }
    write_report(&args, &outcome)?;
    Ok(exit_code(&args, &outcome))
}

/// The run's settings: the config, then the baseline options. The baseline is authlint's own
/// file: never checked (its messages quote the findings). `Err` is the exit code of a bad config.
fn check_settings(args: &CheckArgs, cwd: &Path) -> Result<Settings, i32> {
    let mut settings = load_settings(args.config.as_deref(), args.no_config, &args.paths, cwd)?;
    if let Some(b) = &args.baseline {
        settings.baseline = Some(b.clone());
    }
    if args.write_baseline.is_some() {
        settings.baseline = None;
    }
    for b in settings.baseline.iter().chain(&args.write_baseline) {
        let identity = crate::discover::identity(&crate::discover::absolute(cwd, b));
        settings.own_files.push(identity);
    }
    Ok(settings)
}

/// `check --show-roles`: each file's role, policy and why, one per line.
fn show_roles(
    paths: &[PathBuf],
    settings: &Settings,
    cwd: &Path,
    threads: usize,
) -> Result<i32, String> {
    let rows = crate::discover::show_roles(paths, settings, cwd, threads)?;
    let mut text = String::new();
    for (path, decision, policy) in rows {
        text.push_str(&format!(
            "{path}\t{}\t{}\t{}\n",
            decision.role.as_str(),
            policy.describe(),
            decision.reason
        ));
    }
    print_stdout(&text).map(|()| EXIT_CLEAN)
}

/// Renders the report in the asked format to standard output or to `--output`.
fn write_report(args: &CheckArgs, outcome: &engine::Outcome) -> Result<(), String> {
    let color = use_color(args.color, args.format, args.output.is_some());
    let width = if color { terminal_width() } else { 100 };
    let style = Style {
        color,
        width,
        quiet: args.quiet,
        hyperlinks: color && std::io::stdout().is_terminal(),
    };
    let reporter = report::reporter(args.format, style);
    let mut buf = Vec::new();
    reporter
        .write(outcome, &mut buf)
        .map_err(|e| e.to_string())?;
    let Some(path) = &args.output else {
        return write_stdout(&buf);
    };
    std::fs::write(path, &buf).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if args.format != Format::Human && !args.quiet {
        // The machine report went to the file; say on stderr what it holds.
        for d in &outcome.diagnostics {
            eprintln!("{}", report::diagnostic_line(d));
        }
        eprintln!(
            "authlint: {} findings written to {}",
            outcome.findings.len(),
            path.display()
        );
    }
    Ok(())
}

/// 2 when the run failed, else 1 for findings at or above `--fail-on` (unless `--exit-zero` or
/// `--write-baseline`), else 0.
fn exit_code(args: &CheckArgs, outcome: &engine::Outcome) -> i32 {
    if outcome.run_failed {
        return EXIT_ERROR;
    }
    if args.exit_zero || args.write_baseline.is_some() {
        return EXIT_CLEAN;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
    };
    if outcome.count(threshold) > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Whether the run itself failed (exit 2, an unsuccessful SARIF run): authlint failed on a file
/// (an internal error: its findings may be missing), or, under `--strict`, any file could not be
/// read or parsed.
fn run_failed(outcome: &engine::Outcome, strict: bool) -> bool {
    let mut diagnostics = outcome.diagnostics.iter();
    if strict {
        diagnostics.next().is_some()
    } else {
        diagnostics.any(crate::finding::Diagnostic::is_internal)
    }
}

/// The arguments that make `authlint design` read what this check read, shell-quoted.
fn design_args(paths: &[PathBuf], config: Option<&Path>, no_config: bool) -> String {
    let quote = |p: &Path| {
        let s = p.to_string_lossy();
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
        {
            s.into_owned()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut out = String::new();
    if paths.len() != 1 || paths[0] != Path::new(".") {
        for p in paths {
            out.push(' ');
            out.push_str(&quote(p));
        }
    }
    if let Some(c) = config {
        out.push_str(" --config ");
        out.push_str(&quote(c));
    }
    if no_config {
        out.push_str(" --no-config");
    }
    out
}

fn design(args: DesignArgs) -> Result<i32, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let settings = match load_settings(args.config.as_deref(), args.no_config, &args.paths, &cwd) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let threads = engine::worker_threads(None);
    let opts = Options {
        paths: args.paths,
        settings,
        select: None,
        ignore: Vec::new(),
        threads,
        cwd,
    };
    let outcome = engine::run(&opts)?;
    let design = outcome
        .design
        .as_ref()
        .ok_or("no design verdict was produced")?;
    let text = match args.format {
        DesignFormat::Human => crate::design::render_human(design, true),
        DesignFormat::Markdown => crate::design::render_markdown(design),
        DesignFormat::Json => {
            let v = serde_json::json!({ "version": 1, "design": design, "context": outcome.context, "facts": outcome.facts });
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())? + "\n"
        }
    };
    print_stdout(&text).map(|()| EXIT_CLEAN)
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
        .clamp(60, 200)
}

fn init(dir: &Path, force: bool) -> Result<i32, String> {
    let path = dir.join("authlint.toml");
    if path.exists() && !force {
        return Err(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        ));
    }
    std::fs::write(&path, config::init_template())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    print_stdout(&format!("wrote {}\n", path.display())).map(|()| EXIT_CLEAN)
}

/// Writes text to standard output: see [`write_stdout`].
fn print_stdout(text: &str) -> Result<(), String> {
    write_stdout(text.as_bytes())
}

/// Every command writes to standard output through here. A reader that went away (`| head`,
/// `| true`) is not an error: what it did not read is lost to nobody, and the exit code still
/// says what the run found.
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}
