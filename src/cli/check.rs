//! `authlint check`: its options and the run, from settings to exit code.
use super::{
    ColorChoice, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FailOn, design_args, fix, load_settings,
    print_stdout, stream_stdout, terminal_width, use_color, write_stdout,
};
use crate::engine::{self, Options, Outcome};
use crate::finding::Severity;
use crate::report::{self, Format, Style};
use crate::rule::Rule;
use clap::Args;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check; files named here are checked even if ignored by .gitignore.
    /// `-` reads one file from standard input (with --stdin-filename)
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format (`--output-format` is the same option, as ruff names it)
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a SARIF report to FILE, beside the report in --format
    #[arg(long, value_name = "FILE")]
    pub sarif_output: Option<PathBuf>,
    /// Also write a JSON report to FILE, beside the report in --format
    #[arg(long, value_name = "FILE")]
    pub json_output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings (errors in the run itself still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Only run these rules or categories (comma-separated: `cookie-missing-secure`, `cookies`)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,
    /// Never run these rules or categories (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,
    /// Apply the safe fixes, then check the files again and report what remains
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply the unsafe fixes (they override a choice written in code)
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing; exit 1 when there is a diff
    #[arg(long, conflicts_with_all = ["write_baseline", "statistics"])]
    pub diff: bool,
    /// Print how many findings each rule has instead of the findings
    #[arg(long)]
    pub statistics: bool,
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
    /// Print the settings that apply to FILE (config, limits, role, rules), then exit
    #[arg(long, value_name = "FILE")]
    pub show_settings: Option<PathBuf>,
    /// Check standard input as the file at PATH (its config, role and file type); pass `-` as
    /// the path to check
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

/// Standard input is read up to this size, as files are (`max_file_size` applies after).
const STDIN_LIMIT: u64 = 64 << 20;

/// The text read from standard input and the absolute path it stands for.
type StdinFile = (PathBuf, Vec<u8>);

/// The paths to check, with `-` replaced by the `--stdin-filename` path and its text.
fn inputs(args: &CheckArgs, cwd: &Path) -> Result<(Vec<PathBuf>, Option<StdinFile>), String> {
    let dash = args.paths.iter().any(|p| p == Path::new("-"));
    let Some(name) = &args.stdin_filename else {
        if dash {
            return Err(
                "`-` reads standard input: name the file it stands for with --stdin-filename PATH"
                    .into(),
            );
        }
        return Ok((args.paths.clone(), None));
    };
    if args.paths.len() != 1 || !(dash || args.paths[0] == Path::new(".")) {
        return Err("with --stdin-filename, the only path is `-` (standard input)".into());
    }
    if args.fix {
        return Err(
            "--fix cannot write standard input back; use --diff with --stdin-filename".into(),
        );
    }
    let mut text = Vec::new();
    std::io::stdin()
        .take(STDIN_LIMIT)
        .read_to_end(&mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let abs = crate::reader::absolute(cwd, name);
    if !abs.is_file() {
        return Err(format!(
            "--stdin-filename {}: the file must exist (its folder, config and role are read from where it is)",
            name.display()
        ));
    }
    Ok((vec![name.clone()], Some((abs, text))))
}

/// `--select`/`--ignore` entries, rule ids or categories, as rule ids.
fn rule_list(names: &[String]) -> Result<Vec<Rule>, String> {
    let mut out = Vec::new();
    for name in names.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        out.extend(crate::catalog::expand(name)?);
    }
    Ok(out)
}

pub fn check(args: CheckArgs) -> Result<i32, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let (paths, stdin) = inputs(&args, &cwd)?;
    let mut settings = match load_settings(args.config.as_deref(), args.no_config, &paths, &cwd) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    if let Some(b) = &args.baseline {
        settings.baseline = Some(b.clone());
    }
    if args.write_baseline.is_some() {
        settings.baseline = None;
    }
    // The baseline is authlint's own file: never checked (its messages quote the findings).
    for b in settings.baseline.iter().chain(&args.write_baseline) {
        let identity = crate::discover::identity(&crate::reader::absolute(&cwd, b));
        settings.own_files.push(identity);
    }
    let select = if args.select.is_empty() {
        None
    } else {
        Some(rule_list(&args.select)?)
    };
    let ignore = rule_list(&args.ignore)?;
    for id in select.iter().flatten() {
        if !engine::is_implemented(id.doc()) {
            eprintln!(
                "warning: rule `{id}` is planned but not implemented yet; it reports nothing"
            );
        }
    }
    let threads = engine::worker_threads(args.threads);
    let opts = Options {
        paths,
        settings,
        select,
        ignore,
        threads,
        cwd,
        stdin: stdin.map(Arc::new),
    };
    if args.show_roles {
        return show_roles(&opts);
    }
    if let Some(file) = &args.show_settings {
        return super::settings::show(&opts, file, args.config.as_deref())
            .and_then(|text| print_stdout(&text))
            .map(|()| EXIT_CLEAN);
    }
    let mut outcome = run(&opts, &args)?;
    if args.diff {
        let files = fix::plan(&outcome, args.unsafe_fixes, opts.stdin.as_deref());
        write_stdout(fix::diff(&files).as_bytes())?;
        let n: usize = files.iter().map(|f| f.fixed).sum();
        eprintln!(
            "authlint: --diff: {} fixable in {} (nothing written)",
            report::plural(n, "finding", "findings"),
            report::plural(files.len(), "file", "files")
        );
        return Ok(if files.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    if args.fix {
        let files = fix::plan(&outcome, args.unsafe_fixes, opts.stdin.as_deref());
        let n = fix::write(&files)?;
        // What the fixes left is what the report shows: the files are checked again.
        outcome = run(&opts, &args)?;
        eprintln!(
            "authlint: fixed {} in {}; checked again: {} left",
            report::plural(n, "finding", "findings"),
            report::plural(files.len(), "file", "files"),
            report::plural(outcome.findings.len(), "finding", "findings")
        );
    }
    if let Some(path) = &args.write_baseline {
        crate::baseline::write(path, &outcome.findings)?;
        eprintln!(
            "authlint: wrote {} findings to baseline {}",
            outcome.findings.len(),
            path.display()
        );
    }
    report_all(&outcome, &args)?;
    Ok(exit_code(&outcome, &args))
}

fn show_roles(opts: &Options) -> Result<i32, String> {
    let rows = crate::discover::show_roles(&opts.paths, &opts.settings, &opts.cwd, opts.threads)?;
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

/// One run of the engine, with what the command line adds to its outcome.
fn run(opts: &Options, args: &CheckArgs) -> Result<Outcome, String> {
    // The verdict judges a project: not when the design rule is off, nor for files named one
    // by one (pre-commit's staged files are not the project).
    let verdict = opts.level(Rule::AuthDesign).is_some()
        && opts
            .paths
            .iter()
            .all(|p| crate::reader::absolute(&opts.cwd, p).is_dir());
    let mut outcome = engine::run_with(opts, verdict)?;
    outcome.run_failed = run_failed(&outcome, args.strict);
    outcome.design_args = design_args(&opts.paths, args.config.as_deref(), args.no_config);
    Ok(outcome)
}

/// The report in `--format` (or the statistics) to standard output or `--output`, and the
/// extra SARIF and JSON reports to their files.
fn report_all(outcome: &Outcome, args: &CheckArgs) -> Result<(), String> {
    let color = use_color(args.color, args.format, args.output.is_some());
    let style = Style {
        color,
        width: if color { terminal_width() } else { 100 },
        quiet: args.quiet,
        hyperlinks: color && std::io::stdout().is_terminal(),
    };
    for (path, format) in [
        (&args.sarif_output, Format::Sarif),
        (&args.json_output, Format::Json),
    ] {
        if let Some(path) = path {
            write_report_file(path, outcome, format, style)?;
        }
    }
    let statistics = if args.statistics {
        Some(super::statistics::render(outcome, args.format)?)
    } else {
        None
    };
    let write = |out: &mut dyn Write| match &statistics {
        Some(text) => out.write_all(text.as_bytes()),
        None => report::reporter(args.format, style).write(outcome, out),
    };
    match &args.output {
        Some(path) => {
            write_file_with(path, write)?;
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
        None => stream_stdout(write),
    }
}

/// The report in `format` written to the file at `path` as it is made.
fn write_report_file(
    path: &Path,
    outcome: &Outcome,
    format: Format,
    style: Style,
) -> Result<(), String> {
    write_file_with(path, |out| {
        report::reporter(format, style).write(outcome, out)
    })
}

/// Creates `path` and lets `write` fill it through a buffer: a report is written as it is made,
/// never held whole in memory (272,000 findings make about 700 MB of JSON).
fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(64 << 10, file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Whether the run itself failed (exit 2, an unsuccessful SARIF run): authlint failed on a file
/// (an internal error: its findings may be missing), or, under `--strict`, any file could not be
/// read or parsed (or timed out). A `too-many-findings` file was read whole: not a failure.
fn run_failed(outcome: &Outcome, strict: bool) -> bool {
    let mut diagnostics = outcome.diagnostics.iter();
    if strict {
        diagnostics.any(crate::finding::Diagnostic::fails_file)
    } else {
        diagnostics.any(crate::finding::Diagnostic::is_internal)
    }
}

/// 2 when the run failed, else 1 for findings at or above `--fail-on` (unless `--exit-zero` or
/// `--write-baseline`), else 0.
fn exit_code(outcome: &Outcome, args: &CheckArgs) -> i32 {
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
