//! Trunk starts the app with an inline `<script type="module">` in index.html. A
//! Content-Security-Policy that allows inline scripts allows injected ones too, so the
//! build moves that script into a file of its own, named by its content, and the policy
//! needs nothing but `'self'` (and `'wasm-unsafe-eval'` for WebAssembly).
//!
//! The page also carries the policy (`deploy/content-security-policy`) in a `<meta>`
//! element, for hosts that cannot send headers (GitHub Pages, a bare bucket). A meta
//! policy cannot say `frame-ancestors`; the servers' headers do.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

const OPEN: &str = "<script type=\"module\">";
const CLOSE: &str = "</script>";

/// The policy every deployment serves, one line.
pub const POLICY_FILE: &str = "deploy/content-security-policy";

/// Rewrites `site/index.html` so that it loads its start-up script from a file and
/// states the policy.
pub fn externalise(site: &Path) -> Result<(), String> {
    let index = site.join("index.html");
    let html = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (page, script) = split(&html).ok_or_else(|| format!("{}: no inline start-up script", index.display()))?;
    fs::write(site.join(script.name()), &script.body)
        .map_err(|e| format!("could not write the start-up script: {e}"))?;
    let policy = fs::read_to_string(crate::root().join(POLICY_FILE)).map_err(|e| format!("{POLICY_FILE}: {e}"))?;
    fs::write(&index, with_policy(&page, &policy)).map_err(|e| format!("{}: {e}", index.display()))
}

/// `html` with `policy` (less `frame-ancestors`) in a meta element at the top of its head.
fn with_policy(html: &str, policy: &str) -> String {
    let directives: Vec<&str> = policy
        .trim()
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.starts_with("frame-ancestors"))
        .collect();
    let meta = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />", directives.join("; "));
    html.replacen("<head>", &format!("<head>\n    {meta}"), 1)
}

struct Script {
    body: String,
}

impl Script {
    /// Named by its content, as Trunk names the app, so that it can be cached for good.
    fn name(&self) -> String {
        let mut hasher = DefaultHasher::new();
        self.body.hash(&mut hasher);
        format!("boot-{:016x}.js", hasher.finish())
    }
}

/// The page with its inline module script replaced by a reference to the file, and
/// the script; `None` when there is no inline module script.
fn split(html: &str) -> Option<(String, Script)> {
    let start = html.find(OPEN)?;
    let end = start + OPEN.len() + html[start + OPEN.len()..].find(CLOSE)?;
    let script = Script { body: html[start + OPEN.len()..end].trim().to_owned() + "\n" };
    let tag = format!("<script type=\"module\" src=\"./{}\"></script>", script.name());
    Some((format!("{}{tag}{}", &html[..start], &html[end + CLOSE.len()..]), script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_script_becomes_a_file_the_page_loads() {
        let html = "<head>\n<script type=\"module\">\nimport init from './app.js';\nawait init();\n</script>\n<link rel=\"x\"></head>";
        let (page, script) = split(html).unwrap();
        assert_eq!(script.body, "import init from './app.js';\nawait init();\n");
        assert_eq!(
            page,
            format!("<head>\n<script type=\"module\" src=\"./{}\"></script>\n<link rel=\"x\"></head>", script.name())
        );
        assert!(!page.contains("import init"));
        assert!(split(&page).is_none(), "a page without an inline script is left alone");
    }

    #[test]
    fn the_page_states_the_policy_but_frame_ancestors() {
        let page = with_policy("<html><head><title>t</title></head>", "default-src 'self'; frame-ancestors 'none'\n");
        assert_eq!(
            page,
            "<html><head>\n    <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\" /><title>t</title></head>"
        );
    }
}
