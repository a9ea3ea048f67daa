//! What the benchmarks that compare with a Python solver share: the `target/bench`
//! directory, the instance file both sides read, the virtualenv with the peers installed,
//! and one run of a peer's script pinned to core 0 (as Convene's side runs on one thread).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's `target/bench`, made if missing.
pub fn bench_dir() -> anyhow::Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    Ok(dir.canonicalize()?)
}

/// Writes the instance's JSON unless the file already holds exactly it; says which.
pub fn write_instance(path: &Path, json: &[u8]) -> anyhow::Result<&'static str> {
    if std::fs::read(path).is_ok_and(|old| old == json) {
        return Ok("reused");
    }
    std::fs::write(path, json).with_context(|| format!("write {}", path.display()))?;
    Ok("written")
}

/// The virtualenv's python with every peer of `python/requirements.txt` installed (made on
/// first use; pip takes some minutes).
pub fn python(dir: &Path) -> anyhow::Result<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import ortools, highspy, numpy, matching"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    if !python.exists() {
        println!("making {} (python3 -m venv)", venv.display());
        let status = Command::new("python3").arg("-m").arg("venv").arg(&venv).status();
        if !status.context("run python3 -m venv")?.success() {
            bail!("python3 -m venv failed (install the Debian package python3-venv)");
        }
    }
    println!("installing the peers (python/requirements.txt) into it (pip)");
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/requirements.txt");
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "-r"])
        .arg(requirements)
        .status()
        .context("run pip")?;
    if !status.success() || !ready(&python) {
        bail!("pip install of python/requirements.txt failed");
    }
    Ok(python)
}

/// Runs `python/{script}` on the instance file as a new process on core 0 (where `taskset`
/// is installed) and returns the JSON line it prints last, failing with its stderr.
pub fn run_script(python: &Path, script: &str, file: &Path) -> anyhow::Result<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join(script);
    let mut cmd = if which("taskset") {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(python);
        c
    } else {
        Command::new(python)
    };
    let out = cmd
        .arg(&script)
        .arg(file)
        .output()
        .with_context(|| format!("run {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).context("read its JSON line")
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}
