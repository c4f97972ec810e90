//! Writes the handler table from Cargo.toml: every dependency on a crate under
//! `functions/` that has a `src/main.rs` (the others, such as `common`, are libraries) is a
//! function, whose `FUNCTION` the local API serves. So a new function is one line in
//! Cargo.toml here, not a second list to keep in step.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = fs::read_to_string("Cargo.toml").expect("read Cargo.toml");
    let mut rows = Vec::new();
    for line in manifest.lines() {
        let Some((_, folder)) = line.split_once("path = \"../../functions/") else {
            continue;
        };
        let folder = folder.split('"').next().expect("a closing quote");
        let main = format!("../../functions/{folder}/src/main.rs");
        if !Path::new(&main).exists() {
            continue;
        }
        let krate = folder.replace('-', "_");
        rows.push(format!(
            "    (\"functions/{folder}\", {krate}::FUNCTION),\n"
        ));
    }
    assert!(!rows.is_empty(), "Cargo.toml names no function crate");
    let table = format!(
        "/// Every function crate with its `FUNCTION`, keyed by its folder (the template's CodeUri).\n\
         pub const HANDLERS: &[(&str, Function)] = &[\n{}];\n",
        rows.concat()
    );
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("handlers.rs");
    fs::write(out, table).expect("write the handler table");
}
