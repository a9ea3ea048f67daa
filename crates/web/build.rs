#![expect(clippy::expect_used, reason = "a build script reports a failure by panicking")]
//! Builds the NHS.UK frontend into Convene: compiles its SCSS with our settings (no web font
//! from the internet, assets served by Convene) and gathers the CSS, JS and images into
//! OUT_DIR/assets, which the binary embeds.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let nhsuk = root.join("node_modules/nhsuk-frontend/dist/nhsuk");
    if !nhsuk.exists() {
        // A fresh clone: install the locked front-end packages once.
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&root)
            .status()
            .expect("npm is needed to fetch nhsuk-frontend (install Node.js)");
        assert!(status.success(), "npm ci failed");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets");
    std::fs::create_dir_all(out.join("images")).expect("create assets dir");

    let entry = manifest.join("assets/convene.scss");
    let options = grass::Options::default()
        .load_path(root.join("node_modules"))
        .style(grass::OutputStyle::Compressed);
    let css = grass::from_path(&entry, &options).unwrap_or_else(|e| panic!("SCSS failed: {e}"));
    std::fs::write(out.join("convene.css"), css).expect("write css");

    copy(
        &nhsuk.join("nhsuk-frontend.min.js"),
        &out.join("nhsuk-frontend.min.js"),
    );
    for entry in std::fs::read_dir(nhsuk.join("assets/images")).expect("nhsuk images") {
        let path = entry.expect("dir entry").path();
        if let Some(name) = path.file_name() {
            copy(&path, &out.join("images").join(name));
        }
    }
    for own in ["convene.js", "js-enabled.js", "print.css"] {
        copy(&manifest.join("assets").join(own), &out.join(own));
    }
    println!("cargo::rerun-if-changed=assets");
    println!("cargo::rerun-if-changed=../../package-lock.json");
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
}
