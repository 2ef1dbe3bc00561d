//! Password hashing with argon2id and OWASP's parameters: m = 7168 KiB, t = 5, p = 1, the
//! setting of OWASP's Password Storage Cheat Sheet that needs the least memory among the ones
//! it rates equally strong (with m = 19456 KiB, t = 2, p = 1, `Argon2::default()`, which
//! Marquee used before). A server kept small cannot spend 19 MiB on each argon2 thread.
//! Hashing and verifying cost tens of milliseconds of CPU, so the async entry points run them
//! on dedicated worker threads, off the request threads. A hash made with other parameters
//! still verifies, and is made again at the next successful login
//! ([`verify_and_refresh`]).

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::distr::Alphanumeric;
use rand::{Rng, RngCore};

/// OWASP's argon2id parameters, spelled out so a change of crate defaults cannot weaken them.
fn params() -> Params {
    Params::new(7_168, 5, 1, Some(32)).unwrap_or_default()
}

thread_local! {
    /// Argon2's working memory (7 MiB), allocated once per thread and reused: allocating and
    /// freeing it for every login left freed copies behind in the allocator.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let result = work(&mut memory[..blocks]);
        // A larger block for an older hash is given back: only today's size is kept.
        let kept = params().block_count();
        if memory.len() > kept {
            memory.truncate(kept);
            memory.shrink_to_fit();
        }
        result
    })
}

/// True when `phc` is an argon2id hash (version 0x13) with today's parameters; any other
/// stored hash is made again at the next successful login.
pub fn is_current(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let today = params();
    parsed.algorithm == argon2::ARGON2ID_IDENT
        && parsed.version == Some(Version::V0x13.into())
        && Params::try_from(&parsed).is_ok_and(|stored| {
            (stored.m_cost(), stored.t_cost(), stored.p_cost())
                == (today.m_cost(), today.t_cost(), today.p_cost())
        })
        && parsed
            .hash
            .is_some_and(|hash| Some(hash.len()) == today.output_len())
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=7168,t=5,p=1$...`).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let params = params();
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; 32];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
    })
    .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(Salt::new(&salt).map_err(|e| anyhow::anyhow!("{e}"))?),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored PHC string (with the parameters stored in it); a
/// malformed hash never verifies.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt.as_ref(), parsed.hash.as_ref()) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    });
    computed.is_ok() && bool::from(subtle::ConstantTimeEq::ct_eq(&out[..], expected))
}

/// A real argon2id hash of a random password, made once: unknown users are verified against
/// it so a login takes as long whether or not the account exists.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&generate(24)).unwrap_or_default())
}

/// Verifies on an argon2 worker; with no stored hash it checks the dummy hash and fails.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    on_worker(move || match stored {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
}

/// A password checked at sign-in: whether it matches, and when it does but the stored hash
/// was made with older parameters, a hash of it with today's.
#[derive(Debug)]
pub struct Checked {
    pub matches: bool,
    pub new_hash: Option<String>,
}

/// [`verify`], and when the password matches a hash with older parameters, a new hash of it
/// made on the same worker (that one login costs twice the time, once).
pub async fn verify_and_refresh(
    password: String,
    stored: Option<String>,
) -> anyhow::Result<Checked> {
    on_worker(move || {
        let Some(phc) = stored else {
            let _ = verify_blocking(&password, dummy_hash());
            return Checked {
                matches: false,
                new_hash: None,
            };
        };
        let matches = verify_blocking(&password, &phc);
        // A failed re-hash only leaves the older hash in place: the login still succeeds.
        let new_hash = match matches && !is_current(&phc) {
            true => hash_blocking(&password)
                .inspect_err(|error| tracing::warn!(%error, "could not refresh a password hash"))
                .ok(),
            false => None,
        };
        Checked { matches, new_hash }
    })
    .await
}

/// Argon2 runs on a few dedicated threads (half the cores, at least one): a burst of logins
/// never takes every core away from page requests, and each thread reuses its own 7 MiB
/// working memory instead of every blocking-pool thread keeping a copy.
struct Workers {
    jobs: std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

fn workers() -> &'static Workers {
    static WORKERS: std::sync::OnceLock<Workers> = std::sync::OnceLock::new();
    WORKERS.get_or_init(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        for i in 0..(cores / 2).max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    yield_to_pages();
                    loop {
                        let next = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => break, // the sender is gone: the process is ending
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start an argon2 worker thread");
            }
        }
        Workers { jobs }
    })
}

/// The niceness of the argon2 threads: page requests, at the default 0, come first. A hash holds
/// a core for tens of milliseconds, and at the same priority page requests that woke meanwhile
/// waited behind it (the home page's p99 while logins ran grew several times over; lower
/// priorities helped in step, `bench/README.md`). At 19 a hash still gets every cycle pages
/// leave idle and a sliver of a core they keep busy, so logins are slower under a flood of
/// pages, never stopped.
const ARGON2_NICENESS: i32 = 19;

/// Lowers the calling thread's scheduling priority to [`ARGON2_NICENESS`] (Linux, where the
/// priority is per thread; elsewhere it would apply to the whole process, so nothing changes).
fn yield_to_pages() {
    #[cfg(target_os = "linux")]
    if let Err(error) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), ARGON2_NICENESS)
    {
        tracing::warn!(%error, "could not lower an argon2 thread's priority");
    }
}

/// Runs `work` on an argon2 worker and waits for it without blocking the async threads.
async fn on_worker<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (reply, result) = tokio::sync::oneshot::channel();
    workers()
        .jobs
        .send(Box::new(move || {
            let _ = reply.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("the argon2 workers are gone"))?;
    Ok(result.await?)
}

/// [`hash_blocking`] on an argon2 worker.
pub async fn hash(password: String) -> anyhow::Result<String> {
    on_worker(move || hash_blocking(&password)).await?
}

/// Verifies as fast as one thread can for `seconds`, `threads` times in parallel; returns
/// verifications per second (the benchmark's reference for the login rate).
pub fn raw_verify_rate(seconds: f64, threads: usize) -> anyhow::Result<f64> {
    let hash = hash_blocking("benchmark password")?;
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let hash = hash.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while started.elapsed().as_secs_f64() < seconds {
                    if verify_blocking("benchmark password", &hash) {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    let mut total = 0u64;
    for handle in handles {
        total += handle
            .join()
            .map_err(|_| anyhow::anyhow!("a benchmark thread panicked"))?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// A random password of `len` letters and digits, for one-time and demo accounts.
pub fn generate(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn own_niceness() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn argon2_runs_at_a_lower_priority_than_the_threads_that_serve_pages() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let here = own_niceness();
        let worker = runtime.block_on(on_worker(own_niceness)).unwrap();
        assert_eq!(worker, ARGON2_NICENESS);
        assert!(
            here < worker,
            "this thread {here}, an argon2 worker {worker}"
        );
    }

    #[test]
    fn a_hash_uses_argon2id_with_owasp_parameters_and_verifies_only_the_right_password() {
        let hash = hash_blocking("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(is_current(&hash));
        assert!(verify_blocking("correct horse", &hash));
        assert!(!verify_blocking("wrong horse", &hash));
        assert!(!verify_blocking("correct horse", "not a hash"));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        assert!(verify_blocking("correct horse", &theirs));
        assert!(!verify_blocking("correct horsf", &theirs));
        assert!(
            !is_current(&theirs),
            "the crate's default (m=19456, t=2) is an older setting"
        );
        let ours = hash_blocking("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }

    #[test]
    fn an_older_hash_is_refreshed_at_a_matching_login_only() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let older = hash_with(
            &Params::new(19_456, 2, 1, Some(32)).unwrap(),
            "correct horse",
        );
        assert!(verify_blocking("correct horse", &older));
        let kept = MEMORY.with(|memory| memory.borrow().len());
        assert_eq!(
            kept,
            params().block_count(),
            "the older hash's 19 MiB are given back"
        );
        let wrong = runtime
            .block_on(verify_and_refresh(
                "wrong horse".into(),
                Some(older.clone()),
            ))
            .unwrap();
        assert!(!wrong.matches && wrong.new_hash.is_none(), "{wrong:?}");
        let right = runtime
            .block_on(verify_and_refresh("correct horse".into(), Some(older)))
            .unwrap();
        assert!(right.matches);
        let new_hash = right.new_hash.expect("an older hash is made again");
        assert!(is_current(&new_hash) && verify_blocking("correct horse", &new_hash));
        let current = runtime
            .block_on(verify_and_refresh("correct horse".into(), Some(new_hash)))
            .unwrap();
        assert!(current.matches && current.new_hash.is_none(), "{current:?}");
    }

    fn hash_with(params: &Params, password: &str) -> String {
        use argon2::password_hash::PasswordHasher;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password(password.as_bytes())
            .unwrap()
            .to_string()
    }

    #[test]
    fn generated_passwords_are_long_random_and_alphanumeric() {
        let a = generate(20);
        let b = generate(20);
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
