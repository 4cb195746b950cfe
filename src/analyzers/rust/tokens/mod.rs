//! Token rules: lifetimes (`access-token-ttl-too-long`, `refresh-token-ttl-too-long`), tokens
//! that never expire (`token-without-expiry`), JWTs read without their signature checked
//! (`jwt-signature-not-verified`), and the hand-made claim checks they look for.
pub(super) mod claim_checks;
pub(super) mod exp_purpose;
pub(super) mod expiry;
pub(super) mod jwt_validation;
pub(super) mod lifetime_calls;
pub(super) mod lifetimes;
pub(super) mod sites;
pub(super) mod ttl;
