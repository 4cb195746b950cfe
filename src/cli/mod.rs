//! The command line (clap derive). Parsing only; the work happens in the library.
use crate::config::{self, Settings};
use crate::engine::{self, Options};
use crate::report::Format;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

mod catalog_text;
mod check;
mod fix;
mod settings;
mod statistics;

pub use check::CheckArgs;
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
    Check(Box<CheckArgs>),
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// List the auth products whose config files are read, where, and which settings
    Products,
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
    /// Print a shell completion script (e.g. `authlint completions bash > /etc/bash_completion.d/authlint`)
    Completions {
        /// The shell to complete in
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `authlint man > authlint.1`
    Man,
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
        Command::Check(args) => check::check(*args),
        Command::Rules { format } => catalog_text::rules(format),
        Command::Products => {
            let table = crate::analyzers::config::product_table::markdown();
            print_stdout(&table).map(|()| EXIT_CLEAN)
        }
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
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "authlint", &mut buf);
            write_stdout(&buf).map(|()| EXIT_CLEAN)
        }
        Command::Man => man(),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            EXIT_ERROR
        }
    }
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
        stdin: None,
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

/// The manual page: the top-level page, then one section per subcommand (`authlint-check(1)`
/// as its own page would say it), so `man ./authlint.1` documents every option.
fn man() -> Result<i32, String> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(|e| e.to_string())?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        // clap names take `&'static str` without its `string` feature; this runs once per process.
        let name: &'static str = Box::leak(format!("authlint-{}", sub.get_name()).into_boxed_str());
        let page = clap_mangen::Man::new(sub.clone().name(name));
        page.render_name_section(&mut buf)
            .and_then(|()| page.render_synopsis_section(&mut buf))
            .and_then(|()| page.render_description_section(&mut buf))
            .and_then(|()| page.render_options_section(&mut buf))
            .map_err(|e| e.to_string())?;
    }
    write_stdout(&buf).map(|()| EXIT_CLEAN)
}

/// Writes text to standard output: see [`write_stdout`].
fn print_stdout(text: &str) -> Result<(), String> {
    write_stdout(text.as_bytes())
}

/// Every command writes to standard output through here: see [`stream_stdout`].
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    stream_stdout(|out| out.write_all(bytes))
}

/// Lets `write` fill standard output through a buffer, so a large report is written as it is
/// made. A reader that went away (`| head`, `| true`) is not an error: what it did not read is
/// lost to nobody, and the exit code still says what the run found.
fn stream_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), String> {
    let mut stdout = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}
