//! Argon2id password hashing on the blocking pool.

use std::sync::OnceLock;

use anyhow::anyhow;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// Hash synchronously (CLI, demo data, tests).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("password hashing failed: {e}"))
}

/// Hash on the blocking pool.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Verify on the blocking pool. With `hash == None` (unknown company or user) a
/// dummy hash is verified instead, so the answer takes as long either way.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    let result = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&password, &hash),
        None => {
            verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await;
    result.unwrap_or(false)
}

/// A real Argon2id hash of a random password, computed once.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&crate::web::random_token()).unwrap_or_default())
}

/// The rule for new passwords, as a message naming what is wrong.
pub fn validate_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("密码至少 {MIN_LEN} 个字符"));
    }
    if n > MAX_LEN {
        return Err(format!("密码最多 {MAX_LEN} 个字符"));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err("密码不能全是数字".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("wrong horse", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }

    #[test]
    fn new_password_rules() {
        assert!(validate_new("short").is_err());
        assert!(validate_new("12345678").is_err());
        assert!(validate_new("yunying-2026").is_ok());
        assert!(validate_new(&"a".repeat(129)).is_err());
    }
}
