//! The superuser's SCRAM-SHA-256 credentials.
//!
//! Until the engine's catalog stores roles, the server keeps one role, the
//! superuser, in `server-auth.json` in the data directory. Only the SCRAM
//! verifier is stored, in PostgreSQL's `pg_authid.rolpassword` form
//! (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), never the
//! password. The file is written once, atomically (temporary file, fsync,
//! rename, fsync of the directory), with mode 0600.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pgwire::api::auth::sasl::scram::{ScramSecret, gen_salted_password};
use pgwire::api::auth::{AuthSource, LoginInfo, Password};
use pgwire::error::{PgWireError, PgWireResult};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// The name of the credentials file in the data directory.
pub const AUTH_FILE: &str = "server-auth.json";
/// PBKDF2 iterations for new verifiers (PostgreSQL's default).
pub const ITERATIONS: usize = 4096;

/// A stored SCRAM-SHA-256 verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: usize,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Derives the verifier of `password` with a fresh random salt.
    pub fn new(password: &str) -> Verifier {
        let mut salt = vec![0u8; 16];
        SystemRandom::new()
            .fill(&mut salt)
            .expect("the system random source works");
        Self::with_salt(password, salt, ITERATIONS)
    }

    fn with_salt(password: &str, salt: Vec<u8>, iterations: usize) -> Verifier {
        let salted = gen_salted_password(password, &salt, iterations);
        match ScramSecret::verifier_from_salted_password(salt, salted, iterations) {
            ScramSecret::Verifier {
                salt,
                iterations,
                stored_key,
                server_key,
            } => Verifier {
                iterations,
                salt,
                stored_key,
                server_key,
            },
            ScramSecret::SaltedPassword { .. } => unreachable!("asked for a verifier"),
        }
    }

    /// PostgreSQL's text form of the verifier.
    pub fn to_pg_string(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            STANDARD.encode(&self.salt),
            STANDARD.encode(&self.stored_key),
            STANDARD.encode(&self.server_key)
        )
    }

    /// Parses [`Verifier::to_pg_string`]'s form.
    pub fn parse(s: &str) -> Option<Verifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (iter_salt, keys) = rest.split_once('$')?;
        let (iterations, salt) = iter_salt.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let v = Verifier {
            iterations: iterations.parse().ok().filter(|&i| i > 0)?,
            salt: STANDARD.decode(salt).ok()?,
            stored_key: STANDARD.decode(stored).ok()?,
            server_key: STANDARD.decode(server).ok()?,
        };
        (v.stored_key.len() == 32 && v.server_key.len() == 32).then_some(v)
    }

    fn secret(&self) -> ScramSecret {
        ScramSecret::Verifier {
            salt: self.salt.clone(),
            iterations: self.iterations,
            stored_key: self.stored_key.clone(),
            server_key: self.server_key.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct AuthFile {
    version: u32,
    roles: Vec<RoleEntry>,
}

#[derive(Serialize, Deserialize)]
struct RoleEntry {
    name: String,
    superuser: bool,
    scram_sha_256: String,
}

/// The roles the server accepts.
#[derive(Debug, Clone)]
pub struct Credentials {
    user: String,
    verifier: Verifier,
    /// Keys the mock verifiers of unknown users, so that they look like
    /// real ones and stay the same across attempts.
    mock_key: ring::hmac::Key,
}

/// What [`Credentials::load_or_create`] did.
#[derive(Debug)]
pub enum Origin {
    /// Read from the existing file.
    Loaded,
    /// Created from CRMDB_USER / CRMDB_PASSWORD.
    FromEnvironment,
    /// Created with this generated password (to be shown once).
    Generated(String),
}

impl Credentials {
    /// Credentials for `user` with `password` (not persisted).
    pub fn new(user: &str, password: &str) -> Credentials {
        Self::from_verifier(user.to_owned(), Verifier::new(password))
    }

    fn from_verifier(user: String, verifier: Verifier) -> Credentials {
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .expect("the system random source works");
        Credentials {
            user,
            verifier,
            mock_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        }
    }

    /// The superuser's name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Reads `server-auth.json` from `data_dir`, or on first start creates
    /// it for `user`/`password` (defaults: `crmdb` and a generated password).
    pub fn load_or_create(
        data_dir: &Path,
        user: Option<&str>,
        password: Option<&str>,
    ) -> std::io::Result<(Credentials, Origin)> {
        let path = data_dir.join(AUTH_FILE);
        match fs::read(&path) {
            Ok(bytes) => {
                let invalid = |what: &str| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{}: {what}", path.display()),
                    )
                };
                let file: AuthFile = serde_json::from_slice(&bytes)
                    .map_err(|e| invalid(&format!("not valid JSON: {e}")))?;
                let role = file
                    .roles
                    .into_iter()
                    .find(|r| r.superuser)
                    .ok_or_else(|| invalid("no superuser role"))?;
                let verifier = Verifier::parse(&role.scram_sha_256)
                    .ok_or_else(|| invalid("malformed SCRAM-SHA-256 verifier"))?;
                Ok((Self::from_verifier(role.name, verifier), Origin::Loaded))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let user = user.filter(|u| !u.is_empty()).unwrap_or("crmdb");
                let (password, origin) = match password.filter(|p| !p.is_empty()) {
                    Some(p) => (p.to_owned(), Origin::FromEnvironment),
                    None => {
                        let p = generate_password();
                        (p.clone(), Origin::Generated(p))
                    }
                };
                let creds = Self::new(user, &password);
                creds.save(&path)?;
                Ok((creds, origin))
            }
            Err(e) => Err(e),
        }
    }

    fn save(&self, path: &Path) -> std::io::Result<()> {
        let file = AuthFile {
            version: 1,
            roles: vec![RoleEntry {
                name: self.user.clone(),
                superuser: true,
                scram_sha_256: self.verifier.to_pg_string(),
            }],
        };
        let mut json = serde_json::to_vec_pretty(&file).expect("serialisable");
        json.push(b'\n');
        write_atomically(path, &json)
    }

    /// The SCRAM secret to check `user` against: the real verifier, or for
    /// an unknown user a mock one that no password matches.
    pub fn secret_for(&self, user: &str) -> ScramSecret {
        if user == self.user {
            return self.verifier.secret();
        }
        let tag = ring::hmac::sign(&self.mock_key, user.as_bytes());
        let bytes = tag.as_ref();
        ScramSecret::Verifier {
            salt: bytes[..16].to_vec(),
            iterations: self.verifier.iterations,
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

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp: PathBuf = dir.join(format!(".{AUTH_FILE}.tmp"));
    {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
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

    #[test]
    fn verifier_text_form_round_trips_and_matches_rfc7677_shape() {
        let v = Verifier::new("pencil");
        let s = v.to_pg_string();
        assert!(s.starts_with("SCRAM-SHA-256$4096:"));
        assert_eq!(Verifier::parse(&s), Some(v));
        assert_eq!(Verifier::parse("md5abc"), None);
    }

    #[test]
    fn verifier_matches_postgres() {
        // SELECT rolpassword from PostgreSQL for password 'secret' with the
        // salt below is deterministic given salt and iterations: check the
        // keys against an independent derivation with ring's PBKDF2.
        let salt = b"0123456789abcdef".to_vec();
        let v = Verifier::with_salt("secret", salt.clone(), 4096);
        let mut salted = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            std::num::NonZeroU32::new(4096).unwrap(),
            &salt,
            b"secret",
            &mut salted,
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &salted);
        let client_key = ring::hmac::sign(&key, b"Client Key");
        let stored = ring::digest::digest(&ring::digest::SHA256, client_key.as_ref());
        assert_eq!(v.stored_key, stored.as_ref());
        assert_eq!(
            v.server_key,
            ring::hmac::sign(&key, b"Server Key").as_ref().to_vec()
        );
    }

    #[test]
    fn file_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let (c, origin) = Credentials::load_or_create(dir.path(), Some("alice"), None).unwrap();
        let Origin::Generated(password) = origin else {
            panic!("expected a generated password")
        };
        assert_eq!(password.len(), 24);
        let text = fs::read_to_string(dir.path().join(AUTH_FILE)).unwrap();
        assert!(!text.contains(&password));
        assert!(text.contains("SCRAM-SHA-256$4096:"));
        let (again, origin) =
            Credentials::load_or_create(dir.path(), Some("bob"), Some("x")).unwrap();
        assert!(matches!(origin, Origin::Loaded));
        assert_eq!(again.user(), "alice");
        assert_eq!(again.verifier, c.verifier);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(AUTH_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn unknown_users_get_a_stable_mock_verifier() {
        let c = Credentials::new("crmdb", "pw");
        let salt = |s: ScramSecret| match s {
            ScramSecret::Verifier { salt, .. } => salt,
            ScramSecret::SaltedPassword { salt, .. } => salt,
        };
        assert_eq!(salt(c.secret_for("eve")), salt(c.secret_for("eve")));
        assert_ne!(salt(c.secret_for("eve")), salt(c.secret_for("crmdb")));
    }
}
