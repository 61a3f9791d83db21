//! The reload channel: the script that serve injects into every HTML page,
//! which listens on a server-sent event stream (`reload` after a good build,
//! `errors` with an overlay after a bad one), the events themselves, and the
//! page shown before the site has ever built.

pub(super) const LIVE_JS: &str = r#"(function () {
  "use strict";
  var es = new EventSource("/__explainer/events");
  function overlay(text) {
    var o = document.getElementById("explainer-overlay");
    if (!text) { if (o) o.remove(); return; }
    if (!o) {
      o = document.createElement("div");
      o.id = "explainer-overlay";
      o.setAttribute("role", "alert");
      o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1b1b1f;color:#f2f2f2;padding:1.5rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(o);
    }
    o.textContent = "";
    var h = document.createElement("p");
    h.textContent = "The last edit does not build. The page underneath is the last good build; it reloads when the errors are fixed.";
    h.style.cssText = "font:600 16px/1.4 system-ui,sans-serif;margin:0 0 1rem;color:#ffc9bd";
    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.cssText = "white-space:pre-wrap;margin:0;padding:0;border:0;background:#1b1b1f;color:#f2f2f2;font:inherit";
    o.append(h, pre);
  }
  es.addEventListener("reload", function () { location.reload(); });
  es.addEventListener("errors", function (e) { overlay(JSON.parse(e.data)); });
})();
"#;

/// Served while the site has never built.
pub(super) const NOT_BUILT: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title></head>\n<body><p>The site has not built yet. The errors are in the terminal; this page reloads when they are fixed.</p></body></html>\n";

/// One server-sent event; the data is JSON so it stays on one line.
pub(super) fn event(name: &str, data: &str) -> String {
    format!(
        "event: {name}\ndata: {}\n\n",
        serde_json::to_string(data).expect("strings serialize")
    )
}

/// Puts the live-reload script into an HTML page.
pub(super) fn inject(html: &[u8]) -> Vec<u8> {
    let tag = b"<script src=\"/__explainer/live.js\" defer></script>";
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag);
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_body_end() {
        let html = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(String::from_utf8(html).unwrap(), "<html><body><p>x</p><script src=\"/__explainer/live.js\" defer></script></body></html>");
        assert!(inject(b"<p>no body end").ends_with(b"</script>"));
    }

    #[test]
    fn events_are_one_line_of_json() {
        assert_eq!(
            event("errors", "a\nb"),
            "event: errors\ndata: \"a\\nb\"\n\n"
        );
    }
}
