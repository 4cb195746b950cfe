//! `cookie-missing-httponly`, `cookie-missing-secure`, `cookie-missing-samesite` and
//! `client-side-session-store`: cookies of the `cookie` crate, hand-written `Set-Cookie` headers and
//! session middleware, with what they share (the cookie model, its evaluation, the fixes).
pub(super) mod cookie_crate;
pub(super) mod eval;
pub(super) mod fix;
pub(super) mod flow;
pub(super) mod helpers;
pub(crate) mod model;
pub(crate) mod raw_set_cookie;
pub(super) mod sessions;
