//! Logging in: SCRAM-SHA-256 against the roles of the catalog.
//!
//! Roles live in the engine's catalog ([`RoleDef`]), logged and
//! checkpointed like tables; a role's password is stored only as a SCRAM
//! verifier ([`crmdb_engine::scram`]) in PostgreSQL's
//! `pg_authid.rolpassword` form. The server creates the superuser on first
//! start and looks roles up at each login.

use std::sync::Arc;

use async_trait::async_trait;
use crmdb_engine::Database;
use crmdb_engine::catalog::RoleDef;
use crmdb_engine::scram::{ITERATIONS, Verifier};
use pgwire::api::auth::sasl::scram::ScramSecret;
use pgwire::api::auth::{AuthSource, LoginInfo, Password};
use pgwire::error::{PgWireError, PgWireResult};
use ring::rand::{SecureRandom, SystemRandom};

/// pgwire's form of a stored verifier.
fn secret_of(v: &Verifier) -> ScramSecret {
    ScramSecret::Verifier {
        salt: v.salt.clone(),
        iterations: v.iterations as usize,
        stored_key: v.stored_key.clone(),
        server_key: v.server_key.clone(),
    }
}

/// Authenticates against the roles in the database's catalog.
pub struct Credentials {
    db: Arc<Database>,
    /// Keys the mock verifiers of unknown users, so that they look like
    /// real ones and stay the same across attempts.
    mock_key: ring::hmac::Key,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

/// What [`Credentials::bootstrap`] did.
#[derive(Debug)]
pub enum Origin {
    /// The database already had a superuser.
    Existing,
    /// Created from CRMDB_USER / CRMDB_PASSWORD.
    FromEnvironment,
    /// Created with this generated password (to be shown once).
    Generated(String),
}

impl Credentials {
    /// Credentials checked against `db`'s roles.
    pub fn new(db: Arc<Database>) -> Credentials {
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .expect("the system random source works");
        Credentials {
            db,
            mock_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        }
    }

    /// Makes sure `db` has a superuser that can log in: on first start
    /// creates it as `user` (default `crmdb`) with `password` (default: a
    /// generated one). Returns the superuser's name.
    pub fn bootstrap(
        db: &Database,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<(String, Origin), String> {
        let existing = db
            .snapshot()
            .catalog()
            .roles()
            .find(|r| r.superuser && r.login && r.password.is_some())
            .map(|r| r.name.clone());
        if let Some(name) = existing {
            return Ok((name, Origin::Existing));
        }
        let user = user.filter(|u| !u.is_empty()).unwrap_or("crmdb").to_owned();
        let (password, origin) = match password.filter(|p| !p.is_empty()) {
            Some(p) => (p.to_owned(), Origin::FromEnvironment),
            None => {
                let p = generate_password();
                (p.clone(), Origin::Generated(p))
            }
        };
        let role = RoleDef {
            name: user.clone(),
            superuser: true,
            login: true,
            password: Some(Verifier::new(&password).to_pg_string()),
            create_role: true,
            oid: 0,
        };
        let mut txn = db.begin();
        let replace = db.role(&user).is_some();
        let result = if replace {
            txn.alter_role(role)
        } else {
            txn.create_role(role)
        };
        result
            .and_then(|()| txn.commit().map(|_| ()))
            .map_err(|e| format!("cannot create the superuser \"{user}\": {e}"))?;
        Ok((user, origin))
    }

    /// The SCRAM secret to check `user` against: the role's verifier, or
    /// for an unknown user (or one that cannot log in with a password) a
    /// mock one that no password matches.
    pub fn secret_for(&self, user: &str) -> ScramSecret {
        let verifier = self
            .db
            .role(user)
            .filter(|r| r.login)
            .and_then(|r| r.password)
            .and_then(|p| Verifier::parse(&p));
        if let Some(v) = verifier {
            return secret_of(&v);
        }
        let tag = ring::hmac::sign(&self.mock_key, user.as_bytes());
        ScramSecret::Verifier {
            salt: tag.as_ref()[..16].to_vec(),
            iterations: ITERATIONS as usize,
            stored_key: ring::hmac::sign(&self.mock_key, b"stored")
                .as_ref()
                .to_vec(),
            server_key: ring::hmac::sign(&self.mock_key, b"server")
                .as_ref()
                .to_vec(),
        }
    }
}

/// A random 24-character password of letters and digits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let rng = SystemRandom::new();
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let mut b = [0u8; 1];
        rng.fill(&mut b).expect("the system random source works");
        // Rejection sampling keeps the choice uniform.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(b[0]) < limit {
            out.push(ALPHABET[usize::from(b[0]) % ALPHABET.len()] as char);
        }
    }
    out
}

/// pgwire's view of the credentials.
#[derive(Debug)]
pub struct ScramSource(pub Arc<Credentials>);

#[async_trait]
impl AuthSource for ScramSource {
    async fn get_password(&self, login: &LoginInfo) -> PgWireResult<Password> {
        // Only SCRAM is offered, and it asks get_scram_secret.
        Err(PgWireError::InvalidPassword(
            login.user().unwrap_or_default().to_owned(),
        ))
    }

    async fn get_scram_secret(&self, login: &LoginInfo) -> PgWireResult<(ScramSecret, Option<()>)> {
        Ok((self.0.secret_for(login.user().unwrap_or_default()), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (tempfile::TempDir, Arc<Database>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("data")).unwrap();
        (dir, Arc::new(db))
    }

    #[test]
    fn superuser_is_created_once_in_the_catalog() {
        let (_dir, db) = database();
        let (user, origin) = Credentials::bootstrap(&db, Some("alice"), None).unwrap();
        assert_eq!(user, "alice");
        let Origin::Generated(password) = origin else {
            panic!("expected a generated password")
        };
        assert_eq!(password.len(), 24);
        let role = db.role("alice").unwrap();
        assert!(role.superuser && role.login);
        let stored = role.password.unwrap();
        assert!(stored.starts_with("SCRAM-SHA-256$4096:"));
        assert!(!stored.contains(&password));
        let (again, origin) = Credentials::bootstrap(&db, Some("bob"), Some("x")).unwrap();
        assert!(matches!(origin, Origin::Existing));
        assert_eq!(again, "alice");
        assert!(db.role("bob").is_none());
    }

    #[test]
    fn unknown_users_get_a_stable_mock_verifier() {
        let (_dir, db) = database();
        Credentials::bootstrap(&db, Some("crmdb"), Some("pw")).unwrap();
        let c = Credentials::new(db);
        let salt = |s: ScramSecret| match s {
            ScramSecret::Verifier { salt, .. } => salt,
            ScramSecret::SaltedPassword { salt, .. } => salt,
        };
        assert_eq!(salt(c.secret_for("eve")), salt(c.secret_for("eve")));
        assert_ne!(salt(c.secret_for("eve")), salt(c.secret_for("crmdb")));
    }
}
