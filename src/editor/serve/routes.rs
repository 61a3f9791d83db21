//! What each URL answers: the files of the last good build (HTML with the
//! reload script injected, a folder redirected to its index, the site's own
//! 404 page), the script and the build status under `/__explainer/`; a panic
//! while rendering a file is answered 500.

use std::panic::{self, AssertUnwindSafe};

use super::http::{content_type, not_found, respond, response, site_path, Reply, Request};
use super::reload::{inject, LIVE_JS, NOT_BUILT};
use super::{panic_message, Shared, PREFIX};

/// The response to a request (everything but the event stream).
fn handle(req: &Request, shared: &Shared) -> Reply {
    if !req.allowed {
        return response(
            405,
            &[
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Allow", "GET, HEAD"),
            ],
            b"405 method not allowed\n",
            false,
            false,
        );
    }
    let url = &req.url;
    if let Some(rest) = url.strip_prefix(PREFIX) {
        return match rest.split('?').next().unwrap_or("") {
            "live.js" => respond(
                req,
                200,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes(),
            ),
            "status" => {
                let served = shared.served();
                let body =
                    serde_json::json!({ "generation": served.generation, "errors": served.errors });
                drop(served);
                respond(req, 200, "application/json", body.to_string().as_bytes())
            }
            _ => not_found(req),
        };
    }
    let Some(path) = site_path(url) else {
        return not_found(req);
    };
    let Some(build) = shared.served().build.clone() else {
        // No good build yet: a page that shows the errors (the script asks
        // for them) and reloads when the site builds.
        return respond(
            req,
            503,
            "text/html; charset=utf-8",
            &inject(NOT_BUILT.as_bytes()),
        );
    };
    let found = build.file(&path);
    let folder = !path.ends_with("index.html") && build.has(&format!("{path}/index.html"));
    match (found, folder) {
        (Some(Ok(bytes)), _) => {
            if path.ends_with(".html") {
                respond(req, 200, content_type(&path), &inject(&bytes))
            } else {
                respond(req, 200, content_type(&path), &bytes)
            }
        }
        (Some(Err(d)), _) => respond(
            req,
            500,
            "text/plain; charset=utf-8",
            d.render(false).as_bytes(),
        ),
        (None, true) => {
            let location = format!("{}/", url.split('?').next().unwrap_or(url));
            response(
                301,
                &[("Location", &location)],
                b"",
                req.head_only,
                req.keep_alive,
            )
        }
        (None, false) => match build.file("404.html") {
            Some(Ok(page)) => respond(req, 404, "text/html; charset=utf-8", &inject(&page)),
            _ => not_found(req),
        },
    }
}

/// [`handle`], with a panic (a bug while rendering a file) answered 500
/// rather than taking a worker down.
pub(super) fn handle_guarded(req: &Request, shared: &Shared) -> Reply {
    panic::catch_unwind(AssertUnwindSafe(|| handle(req, shared))).unwrap_or_else(|payload| {
        let text = format!(
            "500: rendering this file crashed (a bug in explainer): {}\n",
            panic_message(payload.as_ref())
        );
        respond(req, 500, "text/plain; charset=utf-8", text.as_bytes())
    })
}
