//! Escaping text for HTML and JSON-in-HTML: the one place it is done, so
//! that every page kind and the page bodies escape alike.
//!
//! A leaf: it knows nothing of the pipeline.

/// HTML-escapes text for element content and quoted attribute values: the
/// five characters that matter there. (Tera's own escaping also writes `/`
/// as `&#x2F;`, which costs five bytes for every slash of every link.)
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 16);
    escape_into(&mut out, input);
    out
}

/// The entity for a byte that needs escaping in HTML text and attributes.
fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Does any of the eight bytes of `word` need escaping? (Each test is the
/// classic has-zero-byte check on the word XOR the byte repeated; it is
/// exact for "any byte", which is all that is asked.)
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    (has(b'&') | has(b'<') | has(b'>') | has(b'"') | has(b'\'')) != 0
}

/// [`escape_html`], appending to `out`. Text is scanned eight bytes at a
/// time; most of it has nothing to escape and is copied in runs.
pub(crate) fn escape_into(out: &mut String, input: &str) {
    let bytes = input.as_bytes();
    let mut last = 0;
    let mut escape = |out: &mut String, from: usize, to: usize| {
        for (i, &b) in bytes.iter().enumerate().take(to).skip(from) {
            if let Some(e) = entity(b) {
                out.push_str(&input[last..i]);
                out.push_str(e);
                last = i + 1;
            }
        }
    };
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        if word_needs_escape(word) {
            escape(out, at, at + 8);
        }
        at += 8;
    }
    escape(out, at, bytes.len());
    out.push_str(&input[last..]);
}

/// JSON for a `<script>` element (or anywhere else in HTML): `<`, `>` and
/// `&` are written `\u003c`, `\u003e`, `\u0026`. Escaping only `</` is not
/// enough: `<!--<script>` in a string puts the HTML parser into the "script
/// data double escaped" state, and the rest of the page becomes script text.
/// The three characters can only stand inside JSON strings, where the escapes
/// mean the same characters, so the JSON is unchanged for a JSON reader.
pub fn script_json(value: &impl serde::Serialize) -> String {
    // Views of strings, numbers and maps with string keys always serialize.
    let json = serde_json::to_string(value).expect("JSON views serialize");
    let mut out = String::with_capacity(json.len() + 16);
    let mut last = 0;
    for (i, c) in json.match_indices(['<', '>', '&']) {
        out.push_str(&json[last..i]);
        out.push_str(match c {
            "<" => "\\u003c",
            ">" => "\\u003e",
            _ => "\\u0026",
        });
        last = i + 1;
    }
    out.push_str(&json[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_at_a_time_escaping_matches_byte_at_a_time() {
        let simple = |s: &str| {
            s.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect::<String>()
        };
        // Every special character at every position of words and tails,
        // next to multi-byte characters.
        let specials = ['&', '<', '>', '"', '\'', 'a', 'é', '—', '%', '\u{80}'];
        for len in 0..20 {
            for (k, &c) in specials.iter().enumerate() {
                for at in 0..len {
                    let s: String = (0..len)
                        .map(|i| {
                            if i == at {
                                c
                            } else {
                                specials[(i + k) % specials.len()]
                            }
                        })
                        .collect();
                    let mut out = String::new();
                    escape_into(&mut out, &s);
                    assert_eq!(out, simple(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn html_escaping_covers_content_and_attributes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a> ../x/"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; ../x/"
        );
        assert_eq!(escape_html("plain — text"), "plain — text");
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({ "x": "</script><script>alert(1)</script>" });
        assert!(!script_json(&v).contains("</script"));
    }

    #[test]
    fn bug_18_script_json_escapes_every_markup_character() {
        let v = serde_json::json!({ "x<": "<!--<script> a&b </script> >" });
        let s = script_json(&v);
        assert!(!s.contains(['<', '>', '&']), "{s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}
