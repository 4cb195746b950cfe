#![no_main]
//! A whole `check` over a directory generated from the input: the input is split into files at
//! 0xFF bytes; the first byte of each part picks its name (and so its kind and place).
use authlint::config::Settings;
use authlint::engine::{Options, run};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "src/main.rs", "src/auth.rs", "web/app.ts", "web/App.vue", "web/index.html", "config.toml",
    "app.yaml", "realm.json", ".env", "infra/main.tf", "tests/t.rs", "Cargo.lock",
];

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    // The files written that authlint reads (every name but `Cargo.lock`), each once.
    let mut checkable = std::collections::BTreeSet::new();
    for part in data.split(|&b| b == 0xFF).take(16) {
        let Some((&pick, body)) = part.split_first() else { continue };
        let name = NAMES[pick as usize % NAMES.len()];
        if name != "Cargo.lock" {
            checkable.insert(name);
        }
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        settings: Settings { exclude_root: dir.path().to_path_buf(), ..Settings::default() },
        select: None,
        ignore: Vec::new(),
        threads: 1,
        cwd: dir.path().to_path_buf(),
        stdin: None,
    };
    let outcome = run(&opts).expect("a run over a readable directory succeeds");
    let f = &outcome.summary.files;
    assert_eq!(f.discovered, checkable.len(), "every file written is discovered");
    assert_eq!(f.discovered, f.scanned + f.skipped + f.failed, "every file is accounted for");
    assert!(!outcome.diagnostics.iter().any(|d| d.is_internal()), "{:?}", outcome.diagnostics);
});
