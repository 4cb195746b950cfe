use super::*;

fn lifetime_of(src: &str) -> Option<u64> {
    let file: syn::File = syn::parse_str(src).unwrap();
    let index = FileIndex::build(&file);
    let f = index.fns.get("f").unwrap();
    let lets = Lets::collect(f.block);
    let Some(syn::Stmt::Expr(tail, None)) = f.block.stmts.last() else {
        panic!("no tail")
    };
    eval(tail, &Env::new(&index, &lets, Some(f.sig))).and_then(Val::lifetime)
}

#[test]
fn chrono_and_time_arithmetic() {
    assert_eq!(
        lifetime_of("fn f() { (Utc::now() + Duration::hours(24)).timestamp() as usize }"),
        Some(86_400)
    );
    assert_eq!(
        lifetime_of(
            "fn f() { Utc::now().checked_add_signed(TimeDelta::try_days(7).unwrap()).expect(\"x\").timestamp() }"
        ),
        Some(604_800)
    );
    assert_eq!(
        lifetime_of(
            "fn f() { let now = OffsetDateTime::now_utc(); let exp = now + time::Duration::minutes(5); exp.unix_timestamp() }"
        ),
        Some(300)
    );
}

#[test]
fn integers_consts_and_system_time() {
    assert_eq!(
        lifetime_of(
            "const TTL: u64 = 60 * 60 * 24; fn f() { jsonwebtoken::get_current_timestamp() + TTL }"
        ),
        Some(86_400)
    );
    assert_eq!(
        lifetime_of(
            "fn f() { (SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(3600)).as_secs() }"
        ),
        Some(3600)
    );
    assert_eq!(
        lifetime_of("fn f() { Utc::now().timestamp_millis() + 1000 * 60 * 30 }"),
        Some(1800)
    );
    assert_eq!(
        lifetime_of(
            "fn now_secs() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() } fn f() { now_secs() + 120 }"
        ),
        Some(120)
    );
}

#[test]
fn lazy_statics_branches_and_now_parameters() {
    assert_eq!(
        lifetime_of(
            "static V: LazyLock<TimeDelta> = LazyLock::new(|| TimeDelta::try_days(30).unwrap()); fn f(m: bool) { let v = if m { *V } else { TimeDelta::try_hours(1).unwrap() }; (Utc::now() + v).timestamp() }"
        ),
        Some(30 * 86_400)
    );
    assert_eq!(
        lifetime_of(
            "lazy_static! { #[doc = \"x\"] pub static ref EXP: i64 = 30 * 60; } fn f(iat: i64) { iat + *EXP }"
        ),
        Some(1800)
    );
    assert_eq!(
        lifetime_of(
            "static TTL: once_cell::sync::Lazy<Duration> = once_cell::sync::Lazy::new(|| Duration::hours(2)); fn f() { Utc::now() + *TTL }"
        ),
        Some(7200)
    );
    assert_eq!(lifetime_of("fn f(now: i64) { now + 60 * 60 }"), Some(3600));
    assert_eq!(
        lifetime_of(
            "const DEFAULT_JWT_VALIDITY: i64 = 60 * 60 * 24 * 7; fn load(env: &Env) -> Cfg { Cfg { validity: env.i64(\"JWT_VALIDITY\").unwrap_or(Ok(DEFAULT_JWT_VALIDITY)).unwrap() } } fn f(&self) { self.clock.utc().timestamp() + self.cfg.validity }"
        ),
        Some(7 * 86_400)
    );
    assert_eq!(
        lifetime_of(
            "struct AuthConfig { #[serde(default = \"default_ttl\")] ttl: i64 } fn default_ttl() -> i64 { 3600 } fn f(&self) { Utc::now().timestamp() + self.cfg.ttl }"
        ),
        Some(3600)
    );
    assert_eq!(
        lifetime_of(
            "impl Default for AuthConfig { fn default() -> Self { Self { ttl: Duration::hours(24) } } } fn f(&self) { Utc::now() + self.cfg.ttl }"
        ),
        Some(86_400)
    );
    assert_eq!(lifetime_of("fn f(start: i64) { start + 60 * 60 }"), None);
}

#[test]
fn unknowns_and_absolute_timestamps() {
    assert_eq!(lifetime_of("fn f() { 2000000000 }"), None);
    assert_eq!(
        lifetime_of("fn f() { Utc::now() + Duration::hours(cfg.ttl) }"),
        None
    );
    assert_eq!(
        lifetime_of("fn f() { Utc::now() - Duration::hours(1) }"),
        None
    );
    // A field written from itself, and fields that branch into each other, end quickly.
    assert_eq!(
        lifetime_of(
            "fn a(c: &C) -> C { C { x: c.y + c.x, y: c.x + c.y, ttl: c.ttl + c.x } } fn b(c: &C) -> C { C { x: c.y * c.x, y: c.x - c.y, ttl: c.x } } fn f(&self) { Utc::now() + self.c.ttl }"
        ),
        None
    );
}
