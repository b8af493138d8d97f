// Records the profile and opt-level, so the speed table can say what it measured.
fn main() {
    for (var, name) in [("PROFILE", "LAB_PROFILE"), ("OPT_LEVEL", "LAB_OPT_LEVEL")] {
        println!("cargo:rustc-env={name}={}", std::env::var(var).unwrap_or_else(|_| "?".into()));
    }
    println!("cargo:rerun-if-changed=build.rs");
}
