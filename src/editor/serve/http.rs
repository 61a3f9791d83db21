//! HTTP/1.1 as the preview speaks it: a request head parsed strictly (GET
//! and HEAD only, no body read), the site path a URL names (never outside
//! the site), and whole responses, never cached.

/// A response, ready to write.
pub(super) struct Reply {
    pub(super) bytes: Vec<u8>,
    /// Keep the connection for another request afterwards.
    pub(super) keep_alive: bool,
}

/// Decodes `%XX` escapes; `None` for malformed ones.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The site path a request URL names, or `None` when it tries to leave the
/// site (`..`, backslashes, NUL) or is malformed.
pub fn site_path(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let rel = decoded.strip_prefix('/')?;
    if rel.contains(['\\', '\0'])
        || rel.split('/').any(|seg| seg == ".." || seg == ".")
        || rel.starts_with('/')
    {
        return None;
    }
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    })
}

pub(super) fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "jsonld" => "application/ld+json",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A parsed request head.
#[derive(Debug)]
pub(super) struct Request {
    pub(super) head_only: bool,
    /// GET or HEAD; anything else is answered 405.
    pub(super) allowed: bool,
    pub(super) url: String,
    pub(super) keep_alive: bool,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A whole response: status line, headers, body (none for HEAD).
pub(super) fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
    keep_alive: bool,
) -> Reply {
    let mut bytes = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    bytes.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    ));
    let mut bytes = bytes.into_bytes();
    if !head_only {
        bytes.extend_from_slice(body);
    }
    Reply { bytes, keep_alive }
}

/// A response with a body of type `ctype`, never cached.
pub(super) fn respond(req: &Request, status: u16, ctype: &str, body: &[u8]) -> Reply {
    response(
        status,
        &[("Content-Type", ctype), ("Cache-Control", "no-store")],
        body,
        req.head_only,
        req.keep_alive,
    )
}

pub(super) fn not_found(req: &Request) -> Reply {
    respond(req, 404, "text/plain; charset=utf-8", b"404 not found\n")
}

/// Where a request head ends (after its blank line), if it has.
pub(super) fn head_end(input: &[u8]) -> Option<usize> {
    let crlf = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = input.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Parses a request head; `Err` holds the status to answer with, after
/// which the connection is closed.
pub(super) fn parse_request(head: &[u8]) -> Result<Request, u16> {
    let head = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = head.lines();
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(url), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    let http11 = match version.trim_end() {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(505),
    };
    let mut keep_alive = http11;
    let mut body = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            body = true;
        }
    }
    Ok(Request {
        head_only: method == "HEAD",
        allowed: method == "GET" || method == "HEAD",
        url: url.to_string(),
        // A body is never read: the connection ends with this response.
        keep_alive: keep_alive && !body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/sources/jpost/").as_deref(),
            Some("sources/jpost/index.html")
        );
        assert_eq!(site_path("/a%20b.txt?x=1#f").as_deref(), Some("a b.txt"));
        for bad in [
            "/../site.toml",
            "/a/../../x",
            "/%2e%2e/x",
            "/a\\..\\x",
            "//etc/passwd",
            "relative",
            "/%zz",
            "/./x",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn requests_are_parsed_strictly() {
        let r = parse_request(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert!(r.keep_alive && r.allowed && !r.head_only && r.url == "/a");
        let r = parse_request(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!r.keep_alive && r.head_only);
        let r = parse_request(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert!(!r.allowed && !r.keep_alive);
        assert_eq!(parse_request(b"GET /\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse_request(b"GET / HTTP/2\r\n\r\n").unwrap_err(), 505);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}
