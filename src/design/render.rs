//! The verdict as text: the block at the end of the human report, and the PR-comment page of
//! `authlint design --format markdown` with Mermaid diagrams of the found and recommended flows.
use super::architecture::Architecture;
use super::verdict::Design;
use std::fmt::Write;

/// The verdict for terminals. `full` adds the evidence and every step of the move.
pub fn render_human(d: &Design, full: bool) -> String {
    render(d, full, "")
}

/// The short verdict under a check's findings; `args` (paths and config options, each with a
/// leading space) make the `authlint design` it points to read what the check read.
pub fn render_summary(d: &Design, args: &str) -> String {
    render(d, false, args)
}

fn render(d: &Design, full: bool, args: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "design: {}", d.found_summary);
    // Several designs: the table of applications below says it all.
    let shown = if d.found == Architecture::PerApplication {
        0
    } else if full {
        d.evidence.len()
    } else {
        d.evidence.len().min(6)
    };
    for e in &d.evidence[..shown] {
        if e.at.is_empty() {
            let _ = writeln!(s, "  - {}", e.claim);
        } else {
            let _ = writeln!(s, "  - {} ({})", e.claim, e.at);
        }
    }
    if shown < d.evidence.len() && d.found != Architecture::PerApplication {
        let _ = writeln!(
            s,
            "  - … {} more (authlint design{args})",
            d.evidence.len() - shown
        );
    }
    if d.found == Architecture::NoAuthFound {
        return s;
    }
    if d.applications.len() > 1 || d.applications.iter().any(|g| g.applications.len() > 1) {
        s.push_str(&applications_table(d, "  "));
    }
    if d.found == Architecture::PerApplication {
        return s;
    }
    if d.ok {
        let _ = writeln!(
            s,
            "recommended: {} — the project already has it",
            d.recommended.describe()
        );
    } else {
        let _ = writeln!(s, "recommended: {}", d.recommended.describe());
    }
    for w in &d.why {
        let _ = writeln!(s, "  because {w}");
    }
    if d.ok {
        return s;
    }
    let steps = if full {
        d.move_to.len()
    } else {
        d.move_to.len().min(2)
    };
    for m in &d.move_to[..steps] {
        let _ = writeln!(s, "  → {m}");
    }
    if !d.resolves.is_empty() {
        let total: usize = d.resolves.values().sum();
        let list: Vec<String> = d
            .resolves
            .iter()
            .map(|(r, n)| format!("{r} ×{n}"))
            .collect();
        let _ = writeln!(
            s,
            "  resolves {total} finding{}: {}",
            if total == 1 { "" } else { "s" },
            list.join(", ")
        );
    }
    if !full {
        let _ = writeln!(
            s,
            "  full verdict and diagrams: authlint design{args} --format markdown"
        );
    }
    s
}

/// A PR-comment-ready page.
pub fn render_markdown(d: &Design) -> String {
    let mut s = String::from("## authlint design verdict\n\n");
    let _ = writeln!(s, "**Found:** {}\n", d.found_summary);
    for e in &d.evidence {
        if e.at.is_empty() {
            let _ = writeln!(s, "- {}", e.claim);
        } else {
            let _ = writeln!(s, "- {} (`{}`)", e.claim, e.at);
        }
    }
    if d.found == Architecture::NoAuthFound {
        return s;
    }
    if d.applications.len() > 1 || d.applications.iter().any(|g| g.applications.len() > 1) {
        s.push_str("\n**Applications:**\n\n");
        s.push_str(&applications_table(d, ""));
    }
    if d.found == Architecture::PerApplication {
        return s;
    }
    let _ = writeln!(s, "\n```mermaid\n{}```\n", found_diagram(d));
    let _ = writeln!(
        s,
        "**Recommended:** {}{}\n",
        d.recommended.describe(),
        if d.ok { " (already in place)" } else { "" }
    );
    for w in &d.why {
        let _ = writeln!(s, "- because {w}");
    }
    if !d.ok {
        s.push_str("\n**Move to:**\n\n");
        for m in &d.move_to {
            let _ = writeln!(s, "1. {m}");
        }
        let _ = writeln!(
            s,
            "\n```mermaid\n{}```\n",
            recommended_diagram(d.recommended)
        );
    }
    if !d.resolves.is_empty() {
        s.push_str("**The move resolves:**\n\n| rule | findings |\n|---|---|\n");
        for (r, n) in &d.resolves {
            let _ = writeln!(s, "| `{r}` | {n} |");
        }
    }
    s
}

/// One line per group of applications: which, what was found, what is recommended.
fn applications_table(d: &Design, indent: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{indent}| applications | found | recommended | ok | evidence |"
    );
    let _ = writeln!(s, "{indent}|---|---|---|---|---|");
    for g in &d.applications {
        let _ = writeln!(
            s,
            "{indent}| {} | {} | {} | {} | {} |",
            g.applications.join(", "),
            g.found.describe(),
            if g.found == g.recommended && g.ok {
                "(already in place)"
            } else {
                g.recommended.describe()
            },
            if g.ok { "yes" } else { "no" },
            g.at
        );
    }
    s
}

fn has(d: &Design, words: &str) -> bool {
    d.evidence.iter().any(|e| e.claim.contains(words))
}

fn found_diagram(d: &Design) -> String {
    if let Some(fixed) = party_diagram(d.found) {
        return fixed;
    }
    let mut s = String::from("flowchart LR\n  B[Browser or app] -- login --> A[API]\n");
    match d.found {
        Architecture::OpaqueTokens => {
            s.push_str("  A -- \"opaque token (API key)\" --> B\n  B -- \"Authorization: Bearer\" --> A\n  A <-- \"lookup on every request\" --> R[(token table)]\n");
        }
        Architecture::ServerSessions => {
            s.push_str("  A -- \"Set-Cookie: opaque session id\" --> B\n  A <--> R[(session store)]\n  B -- \"cookie on each request\" --> A\n");
        }
        Architecture::ClientSideSessions => {
            s.push_str("  A -- \"Set-Cookie: the whole session, signed\" --> B\n  B -- \"cookie on each request\" --> A\n  X((logout cannot revoke a copied cookie))\n  A -.- X\n");
        }
        _ => {
            s.push_str("  A -- \"access JWT");
            if has(d, "refresh token") {
                s.push_str(" + refresh token");
            }
            s.push_str("\" --> B\n  B -- \"Authorization: Bearer\" --> A\n");
            if has(d, "localStorage") || has(d, "sessionStorage") || has(d, "script") {
                s.push_str("  B -. \"tokens readable by any script\" .-> S[(web storage)]\n");
            }
            if d.found == Architecture::JwtWithPerRequestStoreCheck {
                s.push_str("  A <-- \"deny-list lookup on every request\" --> R[(store)]\n");
            } else if d.found == Architecture::Hybrid {
                s.push_str("  A <-- \"refresh token lookup\" --> R[(store)]\n");
            } else {
                s.push_str(
                    "  X((no store: nothing can revoke a token before it expires))\n  A -.- X\n",
                );
            }
        }
    }
    s
}

/// The flows where someone else holds the login, found and recommended alike.
fn party_diagram(a: Architecture) -> Option<String> {
    match a {
        Architecture::ManagedIdp => Some("flowchart LR\n  B[Browser or app] -- login --> P[Identity provider]\n  P -- \"short access JWT + rotating refresh token\" --> B\n  B -- \"Authorization: Bearer or HttpOnly cookie\" --> A[App]\n  A -- \"verify: JWKS, iss, aud, exp\" --> P\n".into()),
        Architecture::DelegatedToProxy => Some("flowchart LR\n  B[Browser] -- \"login, cookie\" --> X[Auth proxy]\n  X -- \"forwarded identity or JWT\" --> A[App]\n  A -. \"must verify what it receives\" .-> X\n".into()),
        _ => None,
    }
}

fn recommended_diagram(a: Architecture) -> String {
    if let Some(fixed) = party_diagram(a) {
        return fixed;
    }
    match a {
        Architecture::OpaqueTokens => "flowchart LR\n  C[Client] -- \"Authorization: Bearer opaque token\" --> A[API]\n  A <--> R[(tokens: SHA-256 hashes, scope, expiry)]\n  A -- \"revoke: delete\" --> R\n".into(),
        Architecture::Hybrid => "flowchart LR\n  B[Browser or app] -- login --> A[API]\n  A -- \"5-minute access JWT (memory) + opaque refresh token (HttpOnly cookie, Path=/auth/refresh)\" --> B\n  B -- \"Authorization: Bearer\" --> S[Other services]\n  B -- \"refresh: rotate, detect reuse\" --> A\n  A <--> R[(refresh_tokens: SHA-256 hashes)]\n  A -- \"logout / ban: delete\" --> R\n".into(),
        _ => "flowchart LR\n  B[Browser] -- login --> A[API]\n  A -- \"Set-Cookie: opaque id; HttpOnly; Secure; SameSite=Lax\" --> B\n  B -- \"cookie + CSRF token\" --> A\n  A <--> R[(Redis or Postgres session store)]\n  A -- \"logout / ban: delete session\" --> R\n".into(),
    }
}
