//! `sam build` compiles each function alone (`cargo lambda build` in the function's folder),
//! so cargo resolves features for that one package. `make build` builds every function in one
//! cargo run first; when a function alone resolves a dependency with other features, sam
//! compiles that dependency and everything above it again (measured: 2 extra release builds,
//! sam build 1312 s -> 3090 s). tessera-common enables the features that make them agree.

use std::collections::BTreeMap;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn function_packages() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("{ROOT}/functions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|dir| dir.join("src/main.rs").exists())
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Each crate of the build, with the features cargo resolves for it.
fn resolved_features(packages: &[String]) -> BTreeMap<String, String> {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(ROOT)
        .args(["tree", "--quiet", "--locked"]);
    for package in packages {
        command.args(["-p", package]);
    }
    // Lambda's target, as make build and sam build compile for it.
    command.args([
        "-e",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}|{f}",
    ]);
    command.args(["--target", "aarch64-unknown-linux-gnu"]);
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| line.trim_end_matches(" (*)"))
        .filter_map(|line| line.split_once('|'))
        .map(|(package, features)| (package.to_string(), features.to_string()))
        .collect()
}

#[test]
fn each_function_built_alone_resolves_the_features_of_the_all_functions_build() {
    let packages = function_packages();
    assert!(packages.len() > 20, "found only {packages:?}");
    let together = resolved_features(&packages);
    let mut differences = Vec::new();
    for package in &packages {
        for (dependency, features) in resolved_features(std::slice::from_ref(package)) {
            if together.get(&dependency) != Some(&features) {
                differences.push(format!(
                    "{package}: {dependency} [{features}], all functions: [{}]",
                    together.get(&dependency).map_or("absent", String::as_str)
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "sam build would compile these again; enable the features in tessera-common:\n{}",
        differences.join("\n")
    );
}
