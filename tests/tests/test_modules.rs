//! Every `src/tests.rs` of a crate is declared by its `lib.rs`: an undeclared file compiles
//! to nothing, so its tests would stop running without a word (it happened once, when a
//! rewrite of reroll-access-token's lib.rs dropped the `mod tests;` line).

#[test]
fn every_tests_file_is_a_module_of_its_crate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut checked = 0;
    for parent in ["functions", "functions/lib", "infra"] {
        for entry in std::fs::read_dir(format!("{root}/{parent}")).unwrap() {
            let src = entry.unwrap().path().join("src");
            if !src.join("tests.rs").exists() {
                continue;
            }
            let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
            assert!(
                lib.contains("mod tests;"),
                "{} has tests.rs, but its lib.rs does not declare `mod tests;`",
                src.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 20,
        "only {checked} crates with tests.rs were found"
    );
}
