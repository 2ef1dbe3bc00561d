//! Marks which optional test back-ends are available, so the integration tests that need them
//! are reported as ignored (with the reason) instead of passing silently:
//! `MARQUEE_TEST_POSTGRES_URL`, `MARQUEE_TEST_MYSQL_URL`, `MARQUEE_TEST_REDIS_URL`, and a `chromedriver` (from
//! `MARQUEE_CHROMEDRIVER` or the PATH) for the browser tests, and the markup and accessibility
//! checkers they run (`MARQUEE_VNU_JAR` and `MARQUEE_AXE_JS` naming existing files, and `java`
//! on the PATH).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("MARQUEE_TEST_POSTGRES_URL", "marquee_postgres"),
        ("MARQUEE_TEST_MYSQL_URL", "marquee_mysql"),
        ("MARQUEE_TEST_REDIS_URL", "marquee_redis"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if env::var(var).is_ok_and(|v| !v.trim().is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rustc-check-cfg=cfg(marquee_browser)");
    println!("cargo::rerun-if-env-changed=MARQUEE_CHROMEDRIVER");
    // Not `PATH`: a build script's inputs are every target's, so a tool that runs cargo with
    // its own PATH (a profiler, an editor) would rebuild the library and binary each time, and
    // installing chromedriver or java into a folder already on the PATH does not change it.
    // After installing either, `touch build.rs` (or set `MARQUEE_CHROMEDRIVER`).
    if chromedriver().is_some() {
        println!("cargo::rustc-cfg=marquee_browser");
    }
    println!("cargo::rustc-check-cfg=cfg(marquee_checkers)");
    println!("cargo::rerun-if-env-changed=MARQUEE_VNU_JAR");
    println!("cargo::rerun-if-env-changed=MARQUEE_AXE_JS");
    let file = |var: &str| env::var_os(var).is_some_and(|p| PathBuf::from(p).is_file());
    if file("MARQUEE_VNU_JAR") && file("MARQUEE_AXE_JS") && on_path("java").is_some() {
        println!("cargo::rustc-cfg=marquee_checkers");
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn chromedriver() -> Option<PathBuf> {
    if let Ok(path) = env::var("MARQUEE_CHROMEDRIVER") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    on_path("chromedriver")
}
