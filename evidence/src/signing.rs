//! The site's signing key: an Ed25519 key pair made at the controller's first start, whose
//! private half stays beside the records (file mode 0600) and whose public half goes into every
//! manifest's signature, every export and `GET /api/site-key`. A manifest signed with it cannot
//! be rewritten by someone with the media disk alone, and anyone with the public key checks it.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The algorithm, as manifests and the API name it.
pub const ALGORITHM: &str = "ed25519";

/// A key file that could not be read, made or understood, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "cannot read or write the site key {}: {source}; check that the records folder is writable by the controller",
        path.display()
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the site key {} is not a Liuhen key (64 hex digits); restore it from the site's backup, never replace it: every manifest signed so far names its public half",
        path.display()
    )]
    Malformed { path: PathBuf },
}

/// The site's key pair.
pub struct SiteKey {
    signing: SigningKey,
}

impl std::fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private half never reaches a log.
        f.debug_struct("SiteKey")
            .field("public", &self.public_hex())
            .finish()
    }
}

impl SiteKey {
    /// A new key from the system's random source.
    pub fn generate() -> std::io::Result<Self> {
        let mut seed = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut seed)?;
        Ok(Self {
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// The key in `path` (hex of its 32-byte seed), made there (mode 0600) if it is missing,
    /// with its public half beside it in `<path>.pub`.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let key = match std::fs::read_to_string(path) {
            Ok(text) => {
                let seed: [u8; 32] = hex::decode(text.trim())
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .ok_or_else(|| KeyError::Malformed {
                        path: path.to_path_buf(),
                    })?;
                Self {
                    signing: SigningKey::from_bytes(&seed),
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate().map_err(io)?;
                let mut file = {
                    use std::os::unix::fs::OpenOptionsExt;
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(path)
                        .map_err(io)?
                };
                file.write_all(hex::encode(key.signing.to_bytes()).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io)?;
                key
            }
            Err(err) => return Err(io(err)),
        };
        let public = public_file(path);
        if std::fs::read_to_string(&public).ok().as_deref() != Some(&key.public_hex()) {
            std::fs::write(&public, key.public_hex()).map_err(io)?;
        }
        Ok(key)
    }

    /// The public half, as lowercase hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    /// The signature of `message`, as lowercase hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }
}

/// Where a key's public half is kept: `<key>.pub`.
pub fn public_file(key: &Path) -> PathBuf {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Whether `signature` (hex) is `public_key`'s (hex) signature of `message`.
pub fn verify_signature(public_key: &str, message: &[u8], signature: &str) -> bool {
    let key: Option<[u8; 32]> = hex::decode(public_key).ok().and_then(|b| b.try_into().ok());
    let signature: Option<[u8; 64]> = hex::decode(signature).ok().and_then(|b| b.try_into().ok());
    match (key, signature) {
        (Some(key), Some(signature)) => VerifyingKey::from_bytes(&key)
            .map(|key| {
                key.verify_strict(message, &Signature::from_bytes(&signature))
                    .is_ok()
            })
            .unwrap_or(false),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_signs_what_it_says() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site-key");
        let key = SiteKey::load_or_create(&path).expect("made");
        let again = SiteKey::load_or_create(&path).expect("read back");
        assert_eq!(key.public_hex(), again.public_hex());
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the controller reads it");
        assert_eq!(
            std::fs::read_to_string(public_file(&path)).expect("public half"),
            key.public_hex()
        );
        let signature = key.sign(b"manifest");
        assert!(verify_signature(&key.public_hex(), b"manifest", &signature));
        assert!(!verify_signature(
            &key.public_hex(),
            b"manifesto",
            &signature
        ));
        let other = SiteKey::generate().expect("another key");
        assert!(!verify_signature(
            &other.public_hex(),
            b"manifest",
            &signature
        ));
        std::fs::write(&path, "not a key").expect("spoil");
        assert!(matches!(
            SiteKey::load_or_create(&path),
            Err(KeyError::Malformed { .. })
        ));
    }
}
