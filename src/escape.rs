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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bits set where a byte of `word` may equal `b`: nonzero exactly when
/// one does. (The classic has-zero-byte check on the word XOR the byte
/// repeated; it is exact for "any byte", which is all that is asked.)
fn eq_mask(word: u64, b: u8) -> u64 {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Does any of the eight bytes of `word` need escaping in HTML?
fn word_needs_escape(word: u64) -> bool {
    (eq_mask(word, b'&')
        | eq_mask(word, b'<')
        | eq_mask(word, b'>')
        | eq_mask(word, b'"')
        | eq_mask(word, b'\''))
        != 0
}

/// Does any of the eight bytes of `word` need escaping in a JSON string: a
/// quote, a backslash or a control character (below 0x20)?
fn word_needs_json_escape(word: u64) -> bool {
    // The has-less-than check, exact for "any byte" as above.
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (below_space | eq_mask(word, b'"') | eq_mask(word, b'\\')) != 0
}

/// Calls `check(from, to)` for each stretch of `bytes` that may hold a byte
/// to escape: eight bytes at a time where `word_needs` says so, and the
/// tail. Text with nothing to escape is then copied in runs.
fn stretches_to_check(
    bytes: &[u8],
    word_needs: impl Fn(u64) -> bool,
    mut check: impl FnMut(usize, usize),
) {
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        if word_needs(word) {
            check(at, at + 8);
        }
        at += 8;
    }
    check(at, bytes.len());
}

/// [`escape_html`], appending to `out`. Text is scanned eight bytes at a
/// time; most of it has nothing to escape and is copied in runs.
pub(crate) fn escape_into(out: &mut String, input: &str) {
    let bytes = input.as_bytes();
    let mut last = 0;
    stretches_to_check(bytes, word_needs_escape, |from, to| {
        for (i, &b) in bytes.iter().enumerate().take(to).skip(from) {
            if let Some(e) = entity(b) {
                out.push_str(&input[last..i]);
                out.push_str(e);
                last = i + 1;
            }
        }
    });
    out.push_str(&input[last..]);
}

/// Appends `input` as a JSON string, quotes included, escaped exactly as
/// serde_json escapes it (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
/// control characters as `\u00xx`; nothing else), eight bytes at a time.
pub(crate) fn json_string_into(out: &mut Vec<u8>, input: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = input.as_bytes();
    let mut last = 0;
    out.push(b'"');
    stretches_to_check(bytes, word_needs_json_escape, |from, to| {
        for (i, &b) in bytes.iter().enumerate().take(to).skip(from) {
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                0x0C => b"\\f",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x00..=0x1F => b"",
                _ => continue,
            };
            out.extend_from_slice(&bytes[last..i]);
            if short.is_empty() {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            } else {
                out.extend_from_slice(short);
            }
            last = i + 1;
        }
    });
    out.extend_from_slice(&bytes[last..]);
    out.push(b'"');
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
    for i in memchr::memchr3_iter(b'<', b'>', b'&', json.as_bytes()) {
        out.push_str(&json[last..i]);
        out.push_str(match json.as_bytes()[i] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
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
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let mut cases: Vec<String> = (0u8..=0x7F).map(|b| char::from(b).to_string()).collect();
        cases.extend(
            [
                "",
                "plain text of more than eight bytes",
                "a\"b\\c\u{1}d\u{7f}e\u{1f}f",
                "«quoted» — é ✓ \u{2028}",
                "\n\r\t\u{8}\u{c}\u{0}",
                "12345678\"",
                "1234567\"8",
                "</script> & 'x'",
            ]
            .map(String::from),
        );
        // Every position of a byte to escape around the eight-byte stretches.
        for n in 0..20 {
            cases.push(format!("{}\u{1b}{}", "x".repeat(n), "y".repeat(n % 9)));
        }
        for s in cases {
            let mut ours = Vec::new();
            json_string_into(&mut ours, &s);
            let theirs = serde_json::to_vec(&s).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap(),
                "{s:?}"
            );
        }
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
