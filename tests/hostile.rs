//! Hostile inputs end in a clear diagnostic and a finished run, and every discovered file is
//! accounted for: scanned + skipped + failed = discovered.
use serde_json::Value;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

/// The binary under test: `AUTHLINT_BIN` when set (worktrees that share one target directory
/// overwrite each other's `target/debug/authlint` between the build and the test; run this
/// test binary with `AUTHLINT_BIN=target/debug/deps/authlint-<hash>` to test your own build).
fn bin() -> std::ffi::OsString {
    std::env::var_os("AUTHLINT_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_authlint").into())
}

fn run_json(dir: &std::path::Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::new(bin())
        .args(["check", ".", "--format", "json", "--no-config"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

#[test]
fn a_tree_full_of_hostile_files_finishes_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let w = |name: &str, bytes: &[u8]| std::fs::write(p.join(name), bytes).unwrap();
    w(
        "deep.rs",
        format!(
            "fn access_token() {{ let x = {}1{}; }}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        )
        .as_bytes(),
    );
    w(
        "blocks.rs",
        format!(
            "fn session() {{ {}{} }}\n",
            "{".repeat(100_000),
            "}".repeat(100_000)
        )
        .as_bytes(),
    );
    w("latin1.rs", b"fn token() { let s = \"caf\xe9\"; }\n");
    w("nul.rs", b"fn access_token() {\x00}\n");
    w("bom.rs", b"\xef\xbb\xbf// authlint-ignore\nfn main() {}\n");
    w("crlf.rs", b"fn main() {\r\n    // authlint-ignore\r\n}\r\n");
    w("lone-cr.rs", b"fn main() {\r\r    // authlint-ignore\r}\r");
    w("ok.rs", b"fn main() {}\n");
    let many: String = (0..3000)
        .map(|i| format!("// authlint-ignore\nfn f{i}() {{}}\n"))
        .collect();
    w("many.rs", many.as_bytes());
    // 50 MiB, sparse: reported as too large without being read.
    std::fs::File::create(p.join("huge.rs"))
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    std::os::unix::fs::symlink(".", p.join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", p.join("outside.rs")).unwrap();
    let fifo = std::ffi::CString::new(p.join("pipe.rs").as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff-name.rs");
    std::fs::write(p.join(odd), b"// authlint-ignore\nfn main() {}\n").unwrap();

    let (code, v) = run_json(p, &[]);
    assert_eq!(code, 1, "many.rs and bom.rs and crlf.rs have findings");
    let files = &v["summary"]["files"];
    let n = |k: &str| files[k].as_u64().unwrap();
    assert_eq!(n("discovered"), n("scanned") + n("skipped") + n("failed"));
    assert_eq!(
        n("discovered"),
        13,
        "every file but the directory symlink: {files}"
    );
    let diag_paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for bad in ["blocks.rs", "deep.rs", "latin1.rs", "nul.rs"] {
        assert!(
            diag_paths.contains(&bad),
            "{bad} has a diagnostic: {diag_paths:?}"
        );
    }
    let skipped: Vec<(String, String)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, reason) in [
        ("huge.rs", "too-large"),
        ("outside.rs", "symlink-outside-root"),
        ("pipe.rs", "not-a-regular-file"),
    ] {
        assert!(
            skipped.contains(&(path.to_string(), reason.to_string())),
            "{path}: {skipped:?}"
        );
    }
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(
        findings.iter().filter(|f| f["path"] == "many.rs").count(),
        3000
    );
    let bom = findings.iter().find(|f| f["path"] == "bom.rs").unwrap();
    assert_eq!(
        (
            bom["start"]["line"].as_u64(),
            bom["start"]["column"].as_u64()
        ),
        (Some(1), Some(2)),
        "the BOM is one character"
    );
    let crlf = findings.iter().find(|f| f["path"] == "crlf.rs").unwrap();
    assert_eq!(
        (
            crlf["start"]["line"].as_u64(),
            crlf["start"]["column"].as_u64()
        ),
        (Some(2), Some(5))
    );
    assert!(crlf["message"].as_str().unwrap().find('\r').is_none());
    let lone_cr = findings.iter().find(|f| f["path"] == "lone-cr.rs").unwrap();
    assert_eq!(
        lone_cr["start"]["line"].as_u64(),
        Some(3),
        "a lone CR ends a line (old Mac files)"
    );
    assert!(
        findings.iter().any(|f| f["path"] == r"odd-\xFF-name.rs"),
        "a non-UTF-8 path is shown with its byte escaped, not dropped"
    );
}

#[test]
fn columns_count_characters_and_utf16_units_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "fn main() { let s = \"привет 🍪\"; } // authlint-ignore\n",
    )
    .unwrap();
    let (_, v) = run_json(dir.path(), &[]);
    let f = &v["findings"][0];
    let prefix = "fn main() { let s = \"привет 🍪\"; } ";
    assert_eq!(
        f["start"]["column"].as_u64(),
        Some(prefix.chars().count() as u64 + 1)
    );
    assert_eq!(
        f["start"]["column_utf16"].as_u64(),
        Some(prefix.encode_utf16().count() as u64 + 1)
    );
    assert_eq!(f["start"]["offset"].as_u64(), Some(prefix.len() as u64));
    let out = Command::new(bin())
        .args(["check", ".", "--format", "sarif", "--no-config"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region["startColumn"].as_u64(),
        Some(prefix.encode_utf16().count() as u64 + 1)
    );
}

unsafe extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}

/// A file nobody may read. Root reads everything, so as root authlint runs without the
/// capabilities that override file permissions (`setpriv`, util-linux), as an ordinary user
/// would.
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("secret.rs"), "fn login_token() {}\n").unwrap();
    std::fs::write(p.join("ok.rs"), "fn main() {}\n").unwrap();
    std::fs::set_permissions(p.join("secret.rs"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::fs::metadata(p.join("ok.rs")).unwrap().uid() == 0;
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
        ])
        .arg(bin());
        c
    } else {
        Command::new(bin())
    };
    let out = cmd
        .args(["check", ".", "--format", "json", "--no-config"])
        .current_dir(p)
        .output()
        .expect("runs (as root this needs setpriv from util-linux)");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let files = &v["summary"]["files"];
    assert_eq!(
        (&files["discovered"], &files["scanned"], &files["failed"]),
        (&Value::from(2), &Value::from(1), &Value::from(1)),
        "{v}"
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        (&d["kind"], &d["path"]),
        (&Value::from("read-error"), &Value::from("secret.rs"))
    );
    assert!(
        d["message"].as_str().unwrap().contains("ermission denied"),
        "{d}"
    );
}

fn run_human(dir: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin())
        .args(["check", ".", "--no-config", "--color", "never"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// miette panics when asked to draw past column 65,535; the human report shows a window.
#[test]
fn a_finding_past_column_65535_is_shown_in_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let json = format!(
        "{{{}\"jwt\": {{\"secret\": \"k8s7Hf0pQz9LmN2vX4bW\"}}}}\n",
        " ".repeat(70_000)
    );
    std::fs::write(dir.path().join("a.json"), &json).unwrap();
    let (code, out, err) = run_human(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("hardcoded-signing-secret"), "{out}");
    assert!(out.contains("a.json:1:70020"), "{out}");
    assert!(out.contains("…"), "the cut is marked: {out}");
    assert!(
        out.lines().all(|l| l.chars().count() < 400),
        "no line of the report is 70,000 columns wide"
    );
}

#[test]
fn a_config_error_past_column_65535_is_shown_in_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!("[rules]\nx = {}nope\n", " ".repeat(70_000));
    std::fs::write(dir.path().join("authlint.toml"), toml).unwrap();
    let out = Command::new(bin())
        .args(["check", "."])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("authlint.toml:2:70005"), "{err}");
    assert!(err.contains("1 problem"), "{err}");
}

/// Every command run with its standard output already closed (`authlint rules | true`).
#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        "{\"jwt\": {\"secret\": \"k8s7Hf0pQz9LmN2vX4bW\"}}\n",
    )
    .unwrap();
    let cases: &[(&[&str], i32)] = &[
        (&["check", ".", "--no-config"], 1),
        (&["check", ".", "--no-config", "--show-roles"], 0),
        (&["rules"], 0),
        (&["rules", "--format", "json"], 0),
        (&["rules", "--format", "markdown"], 0),
        (&["explain", "cookie-missing-httponly"], 0),
        (&["design", ".", "--no-config"], 0),
        (&["design", ".", "--no-config", "--format", "json"], 0),
        (&["vocabulary"], 0),
        (&["init", "."], 0),
    ];
    for (args, want) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(bin())
            .args(*args)
            .current_dir(dir.path())
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Runs authlint, killing it after `limit`; `None` when it did not finish in time.
fn run_within(
    dir: &std::path::Path,
    args: &[&str],
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes while waiting: a report over the pipe's buffer would block the child.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Some(std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// `-j 100000` spawned thousands of threads (1.3 GB) before it was killed.
#[test]
fn an_absurd_thread_count_is_clamped_and_zero_means_automatic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        "{\"jwt\": {\"secret\": \"k8s7Hf0pQz9LmN2vX4bW\"}}\n",
    )
    .unwrap();
    for j in ["100000", "0"] {
        let out = run_within(
            dir.path(),
            &["check", ".", "--no-config", "--format", "json", "-j", j],
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|| panic!("-j {j} did not finish in 10 s"));
        assert_eq!(out.status.code(), Some(1), "-j {j}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), 1, "-j {j}");
    }
}

/// A session cookie set without HttpOnly and SameSite: two findings in every tree below.
const CANARY: &str = "fn login(jar: CookieJar, v: String) -> CookieJar {\n    jar.add(Cookie::build((\"session\", v)).secure(true))\n}\n";

/// The rules that reported in `path`.
fn rules_in(v: &Value, path: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// Brackets in comments, strings and char literals are text: they neither hide a file's findings
/// behind "brackets nest deeper" nor let real nesting past the guard.
#[test]
fn the_rust_nesting_guard_counts_only_code() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let w = |name: &str, text: &str| std::fs::write(p.join(name), text).unwrap();
    let deep = 300;
    w(
        "comment.rs",
        &format!("/* {} */\n{CANARY}", "(".repeat(deep)),
    );
    w(
        "strings.rs",
        &format!(
            "const A: &str = r#\"{0}\"#;\nconst B: &[u8] = b\"{0}\";\nconst C: char = '(';\n{CANARY}",
            "[".repeat(deep)
        ),
    );
    // The `"` in the char literal opened a string for the guard: the nesting after it went
    // uncounted, into the parser's recursion.
    w(
        "quote.rs",
        &format!(
            "fn f() {{ let q = '\"'; let x = {}1{}; }}\n{CANARY}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
    );
    w("canary.rs", CANARY);
    let (code, v) = run_json(p, &[]);
    assert_eq!(code, 1);
    for file in ["comment.rs", "strings.rs", "canary.rs"] {
        assert_eq!(
            rules_in(&v, file),
            ["cookie-missing-httponly", "cookie-missing-samesite"],
            "{file}: {}",
            v["diagnostics"]
        );
    }
    let d = &v["diagnostics"][0];
    assert_eq!(
        (&d["path"], &d["kind"]),
        (&"quote.rs".into(), &"parse-error".into())
    );
    assert!(
        d["message"].as_str().unwrap().contains("nest deeper"),
        "{d}"
    );
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
}

/// An inline script with a line over 10,000 characters was dropped silently (the page counted
/// as scanned); the same code in a .js file is reported as skipped, minified.
#[test]
fn a_page_with_a_minified_inline_script_is_reported_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let bundle = format!(
        "localStorage.setItem('token', t);{}",
        "var a=1;".repeat(1_500)
    );
    for name in ["page.html", "App.vue", "Page.svelte", "bundle.js"] {
        let text = if name.ends_with(".js") {
            bundle.clone()
        } else {
            format!("<template><p>hi</p></template>\n<script>\n{bundle}\n</script>\n")
        };
        std::fs::write(p.join(name), text).unwrap();
    }
    let (_, v) = run_json(p, &[]);
    let skipped: Vec<(&str, &str)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("App.vue", "minified"),
            ("Page.svelte", "minified"),
            ("bundle.js", "minified"),
            ("page.html", "minified")
        ]
    );
    let files = &v["summary"]["files"];
    assert_eq!(
        (&files["scanned"], &files["skipped"]),
        (&0.into(), &4.into())
    );
}

/// A FIFO with a project file's name hung the run: the project pass opened it to read the
/// services it builds.
#[test]
fn a_fifo_named_like_a_project_file_does_not_hang_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("canary.rs"), CANARY).unwrap();
    for name in [
        "docker-compose.yml",
        "package.json",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        let fifo = std::ffi::CString::new(p.join(name).as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o644) }, 0);
    }
    let out = run_within(
        p,
        &["check", ".", "--no-config", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("the run ends");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules_in(&v, "canary.rs"),
        ["cookie-missing-httponly", "cookie-missing-samesite"]
    );
}

/// Project files that are symlinks out of the root (to /dev/zero, to another checkout's compose
/// file) are not followed: memory stays bounded and the outside file does not change the verdict.
#[test]
fn project_files_linked_out_of_the_root_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let p = dir.path().join("repo");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        outside.join("compose.yml"),
        "services:\n  stranger:\n    build: .\n",
    )
    .unwrap();
    std::fs::write(p.join("canary.rs"), CANARY).unwrap();
    let link = |target: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(target, p.join(name)).unwrap()
    };
    link(&outside.join("compose.yml"), "docker-compose.yml");
    let zero = std::path::Path::new("/dev/zero");
    for name in ["package.json", "Cargo.toml", "Cargo.lock", "compose.yaml"] {
        link(zero, name);
    }
    let out = run_within(
        &p,
        &["design", ".", "--no-config", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("the run ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = v["context"]["service_names"].to_string();
    assert!(!names.contains("stranger"), "{names}");
    let (code, v) = run_json(&p, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_in(&v, "canary.rs"),
        ["cookie-missing-httponly", "cookie-missing-samesite"]
    );
}

/// Small files that overflowed the stack (exit 134, every finding lost): chains rather than
/// brackets (the scripts on separate lines, or they would be skipped as minified). Each becomes a parse error and the canary beside them keeps its findings.
#[test]
fn long_chains_are_parse_errors_not_stack_overflows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cookie = "\ndocument.cookie = 'session=' + t;\n";
    let cases = [
        (
            "amp.rs",
            format!("type SessionToken = {}u8;\n", "&".repeat(30_000)),
        ),
        (
            "breaks.rs",
            format!(
                "fn session() {{ loop {{ {}; }} }}\n",
                "break ".repeat(20_000)
            ),
        ),
        (
            "closures.rs",
            format!("fn session() {{ let f = {}1; }}\n", "|| ".repeat(20_000)),
        ),
        (
            "not.rs",
            format!("fn session() {{ let x = {}true; }}\n", "!".repeat(50_000)),
        ),
        (
            "plus.rs",
            format!("fn session() {{ let x = 1{}; }}\n", " + 1".repeat(160_000)),
        ),
        (
            "arrows.js",
            format!("const f = {}1;{cookie}", "()=>\n".repeat(100_000)),
        ),
        (
            "assign.js",
            format!("let a; const f = {}1;{cookie}", "a=\n".repeat(300_000)),
        ),
        (
            "cond.js",
            format!("const f = {}1;{cookie}", "a?b:\n".repeat(300_000)),
        ),
        (
            "new.js",
            format!("const f = {}X;{cookie}", "new\n".repeat(300_000)),
        ),
        (
            "labels.tf",
            format!(
                "resource {}{{ secret = \"x\" }}\n",
                "\"a\" ".repeat(200_000)
            ),
        ),
    ];
    for (name, text) in &cases {
        std::fs::write(p.join(name), text).unwrap();
    }
    std::fs::write(p.join("canary.rs"), CANARY).unwrap();
    let (code, v) = run_json(p, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_in(&v, "canary.rs"),
        ["cookie-missing-httponly", "cookie-missing-samesite"]
    );
    let diagnostics: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    for (name, _) in &cases {
        assert!(
            diagnostics.contains(&(name, "parse-error")),
            "{name}: {}",
            v["diagnostics"]
        );
    }
}

/// Issue 15: a UTF-16 file with a byte-order mark (as Windows editors save it) is decoded and
/// checked; positions are those of the decoded text. Broken UTF-16 is a parse error.
#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = "// é\nexport function save(token: string) {\n  localStorage.setItem(\"access_token\", token);\n}\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    std::fs::write(dir.path().join("le.ts"), &le).unwrap();
    std::fs::write(dir.path().join("be.ts"), &be).unwrap();
    std::fs::write(
        dir.path().join("broken.ts"),
        [0xFF, 0xFE, 0x00, 0xD8, b'a', 0],
    )
    .unwrap();
    let (_, v) = run_json(dir.path(), &[]);
    for path in ["le.ts", "be.ts"] {
        assert_eq!(rules_in(&v, path), ["token-in-web-storage"], "{v:#}");
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap();
        assert_eq!(f["start"]["line"].as_u64(), Some(3), "{f:#}");
    }
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["path"] == "broken.ts"
            && d["message"].as_str().unwrap().contains("not valid UTF-16")),
        "{diags:#?}"
    );
}

/// Each finding's column was counted from the start of its line: 5,000 findings on one line took
/// seconds, a 1.9 MB line minutes. One long line, not ASCII (so columns need counting), with
/// findings all along it: every column right, in every unit, and the run quick.
#[test]
fn findings_on_one_long_line_get_their_columns_without_recounting_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cookie = "jar.add(Cookie::build((\"session\", v)).secure(true)); let s = \"é🍪\"; ";
    let line = format!(
        "fn login(jar: CookieJar, v: String) {{ {}{} }}\n",
        "let a = 1; ".repeat(20_000),
        // As many as one rule keeps per file (1,000): all of them reported, the last at the end.
        cookie.repeat(1_000)
    );
    std::fs::write(p.join("long.rs"), &line).unwrap();
    // A hang guard, not a speed test (speed is in bench/hostile.sh): under a second in a debug
    // build now; recounting the line for each finding took 11 s in a release build.
    let out = run_within(
        p,
        &["check", ".", "--no-config", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("finishes");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2_000);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    let last = line.rfind("Cookie::build").unwrap();
    let f = findings
        .iter()
        .max_by_key(|f| f["start"]["column"].as_u64())
        .unwrap();
    let prefix = &line[..last];
    assert_eq!(
        (
            f["start"]["line"].as_u64(),
            f["start"]["column"].as_u64(),
            f["start"]["column_utf16"].as_u64()
        ),
        (
            Some(1),
            Some(prefix.chars().count() as u64 + 1),
            Some(prefix.encode_utf16().count() as u64 + 1)
        )
    );
}

/// Spans of nested calls printed each call's tokens (`f()()()…` was quadratic, 20,000 calls
/// passed 60 s, 4,900 took 4 to 6 s in a release build; now well under a second in a debug
/// build); method chains and JS member chains just under the chain guard's limit.
#[test]
fn chains_just_under_the_guard_finish_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let w = |name: &str, text: String| std::fs::write(p.join(name), text).unwrap();
    w(
        "calls.rs",
        format!("fn session() {{ f{}; }}\n", "()".repeat(4_900)),
    );
    w(
        "methods.rs",
        format!("fn session(c: C) {{ c{}; }}\n", ".a()".repeat(2_400)),
    );
    w(
        "members.js",
        format!(
            "const x = a{};\ndocument.cookie = 'session=' + t;\n",
            "\n.b".repeat(4_000)
        ),
    );
    w("canary.rs", CANARY.to_string());
    // A hang guard only (speed is in bench/hostile.sh).
    let out = run_within(
        p,
        &["check", ".", "--no-config", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("finishes");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules_in(&v, "canary.rs"),
        ["cookie-missing-httponly", "cookie-missing-samesite"]
    );
    assert!(
        !rules_in(&v, "members.js").is_empty(),
        "{}",
        v["diagnostics"]
    );
}

/// A config is a page of settings: one over 1 MiB, or with more than 10,000 excludes (500,000
/// took over 3 GiB), is an error that says so; a directory or FIFO with the config's name is an
/// error, not silently skipped.
#[test]
fn config_limits_and_odd_config_files_are_clear_errors() {
    let cases: [(&str, &str); 4] = [
        ("big", "larger than 1024 KiB"),
        ("globs", "`exclude` has 10001 globs, more than 10000"),
        ("dir", "config is not a regular file"),
        ("fifo", "config is not a regular file"),
    ];
    for (case, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("canary.rs"), CANARY).unwrap();
        let config = p.join("authlint.toml");
        match case {
            "big" => std::fs::write(&config, format!("# {}\n", "x".repeat(1 << 20))).unwrap(),
            "globs" => {
                let globs: Vec<String> = (0..10_001).map(|i| format!("\"d{i}/**\"")).collect();
                std::fs::write(&config, format!("exclude = [{}]\n", globs.join(","))).unwrap()
            }
            "dir" => std::fs::create_dir(&config).unwrap(),
            _ => {
                let fifo = std::ffi::CString::new(config.as_os_str().as_bytes()).unwrap();
                assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o644) }, 0);
            }
        }
        let out = run_within(
            p,
            &["check", ".", "--format", "json"],
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|| panic!("{case}: did not finish"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {err}");
        assert!(err.contains(want), "{case}: {err}");
    }
}

/// A NUL byte in code gave proc-macro2's "cannot parse string into token stream".
#[test]
fn a_nul_byte_is_named_in_the_parse_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nul.rs"), b"fn access_token() {\x00}\n").unwrap();
    let (_, v) = run_json(dir.path(), &[]);
    let d = &v["diagnostics"][0];
    assert_eq!(d["start"]["column"], 20);
    assert_eq!(
        d["message"],
        "cannot parse Rust: the character U+0000 cannot appear outside a string or comment"
    );
}

/// An unclosed brace and a raw string with 300 `#` both read "a token cannot be read here".
#[test]
fn unclosed_brackets_and_raw_strings_over_255_hashes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("open.rs"), "fn session_token() {\n  let a = 1;\n").unwrap();
    let hashes = "#".repeat(300);
    let raw = format!("fn session_token() {{ let s = r{hashes}\"x\"{hashes}; }}\n");
    std::fs::write(p.join("raw.rs"), raw).unwrap();
    let (_, v) = run_json(p, &[]);
    let got: Vec<(String, String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let at = d["start"]["column"].as_u64().unwrap();
            (d["path"].to_string(), d["message"].to_string(), at)
        })
        .collect();
    let want = |path: &str, message: &str, at| {
        (
            format!("{path:?}"),
            format!("\"cannot parse Rust: {message}\""),
            at,
        )
    };
    assert_eq!(
        got,
        [
            want("open.rs", "`{` is never closed", 20),
            want(
                "raw.rs",
                "a raw string with more than 255 `#` (Rust allows at most 255)",
                30
            ),
        ]
    );
}

/// A link inside the root to a FIFO was called "symlink-outside-root".
#[test]
fn an_in_root_link_to_a_fifo_is_skipped_as_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let fifo = std::ffi::CString::new(p.join("pipe.rs").as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("pipe.rs", p.join("link.rs")).unwrap();
    std::os::unix::fs::symlink("/dev/null", p.join("out.rs")).unwrap();
    let (_, v) = run_json(p, &[]);
    assert_eq!(
        v["skipped"],
        serde_json::json!([
            {"path": "link.rs", "reason": "not-a-regular-file"},
            {"path": "out.rs", "reason": "symlink-outside-root"},
            {"path": "pipe.rs", "reason": "not-a-regular-file"},
        ])
    );
}

/// A `.gitignore` or `.ignore` that is a FIFO hung the walk, one linked to `/dev/zero` grew
/// memory without end: the `ignore` crate read them itself. Each is now reported as a failure and
/// the rest of the tree is checked, with the ignore files that are fine still honoured.
#[test]
fn hostile_ignore_files_are_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for sub in ["fifo", "zero", "fine"] {
        std::fs::create_dir_all(p.join(sub)).unwrap();
        std::fs::write(p.join(sub).join("canary.rs"), CANARY).unwrap();
    }
    std::fs::write(p.join("fine/.gitignore"), "skipped.rs\n").unwrap();
    std::fs::write(p.join("fine/skipped.rs"), CANARY).unwrap();
    for name in ["fifo/.gitignore", "fifo/.ignore"] {
        let fifo = std::ffi::CString::new(p.join(name).as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o644) }, 0);
    }
    std::os::unix::fs::symlink("/dev/zero", p.join("zero/.gitignore")).unwrap();
    let out = run_within(
        p,
        &["check", ".", "--no-config", "--format", "json"],
        std::time::Duration::from_secs(60),
    )
    .expect("the run ends");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for sub in ["fifo", "zero", "fine"] {
        let path = format!("{sub}/canary.rs");
        assert_eq!(
            rules_in(&v, &path),
            ["cookie-missing-httponly", "cookie-missing-samesite"],
            "{path}"
        );
    }
    assert!(
        rules_in(&v, "fine/skipped.rs").is_empty(),
        "still gitignored"
    );
    let diags = v["diagnostics"].to_string();
    for name in ["fifo/.gitignore", "fifo/.ignore", "zero/.gitignore"] {
        assert!(diags.contains(name), "{name} not reported: {diags}");
    }
    assert_eq!(v["summary"]["files"]["failed"], 3, "{}", v["summary"]);
}

/// An ESC or newline in a file name went raw to the terminal: a pull request could recolour the
/// log or fake a line of the report. The human report shows such names quoted and escaped.
#[test]
fn control_characters_in_file_names_are_escaped_in_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a\u{1b}[31mX\nY.rs";
    std::fs::write(dir.path().join(name), CANARY).unwrap();
    std::fs::write(
        dir.path().join("bad\u{7}.json"),
        r#"{"jwt": {"secret": "\u12"}}"#,
    )
    .unwrap();
    let (code, out, err) = run_human(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains(r#""a\u{1b}[31mX\nY.rs":2:13"#), "{out}");
    assert!(
        out.contains(
            r#"warning[parse-error]: "bad\u{7}.json":1:21: cannot parse JSON: invalid `\u` escape"#
        ),
        "{out}"
    );
    let (_, v) = run_json(dir.path(), &[]);
    assert_eq!(rules_in(&v, name).len(), 2, "JSON keeps the real name");
}

/// TOML and Terraform files stop at 1,000,000 values, as JSON and YAML do: a data file under
/// the size limit is refused with a parse error (not read into memory), and the run goes on.
#[test]
fn toml_and_hcl_files_of_more_than_a_million_values_are_parse_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("canary.rs"), CANARY).unwrap();
    // 1,000,000 list items plus the attributes: past the cap, and under the 2 MiB file limit.
    let items = "0,".repeat(999_999) + "0";
    let data = format!("jwt_secret = \"k8s7Hf0pQz9LmN2vX4bW\"\nvalues = [{items}]\n");
    std::fs::write(p.join("auth.toml"), &data).unwrap();
    std::fs::write(p.join("auth.tf"), &data).unwrap();
    // The same settings without the data are read.
    let small = "jwt_secret = \"k8s7Hf0pQz9LmN2vX4bW\"\nvalues = [0, 0]\n";
    std::fs::create_dir(p.join("small")).unwrap();
    std::fs::write(p.join("small/auth.toml"), small).unwrap();
    std::fs::write(p.join("small/auth.tf"), small).unwrap();
    let (code, v) = run_json(p, &[]);
    assert_eq!(code, 1, "{v}");
    let diagnostics: Vec<(&str, &str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap();
            (s("path"), s("kind"), s("message"))
        })
        .collect();
    for path in ["auth.tf", "auth.toml"] {
        let d = diagnostics.iter().find(|d| d.0 == path);
        let (_, kind, message) = d.unwrap_or_else(|| panic!("{path}: {diagnostics:?}"));
        assert_eq!(*kind, "parse-error", "{path}");
        assert!(
            message.contains("more than 1,000,000 values: a data file, not configuration"),
            "{path}: {message}"
        );
    }
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    assert_eq!(v["summary"]["files"]["failed"], 2, "{v}");
    assert!(!rules_in(&v, "canary.rs").is_empty(), "{v}");
    for path in ["small/auth.toml", "small/auth.tf"] {
        assert!(!rules_in(&v, path).is_empty(), "{path}: {v}");
    }
}
