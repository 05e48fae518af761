//! Embeds the SQL migrations (migrations/sqlite and migrations/postgres) in the crate, so the
//! binary carries them without `sqlx::migrate!`: that macro would compile a second copy of
//! sqlx's drivers and of SQLite itself, for the compiler, in every build.

use std::{env, fs, path::Path};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::new();
    for (name, dir) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = Path::new(&root).join("migrations").join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        out.push_str(&format!("pub(super) const {name}: &[(&str, &str)] = &[\n"));
        for path in files {
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .expect("a UTF-8 file name");
            out.push_str(&format!(
                "    ({file:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(dest, out).expect("writing migrations.rs");
}
