//! The shortcode grammar (SPEC 3.4): `{{ delegations() }}`,
//! `{{ delegation(id="…") }}` and `{{ claims() }}`, each alone in a paragraph.

use super::Shortcode;

pub(super) const SHORTCODE_HELP: &str =
    "shortcodes are {{ delegations() }}, {{ delegation(id=\"…\") }} and {{ claims() }}";

pub(super) fn parse_shortcode(inner: &str) -> Result<Shortcode, (String, String)> {
    let err = |m: String| Err((m, SHORTCODE_HELP.to_string()));
    let Some((name, rest)) = inner.split_once('(') else {
        return err(format!("malformed shortcode `{{{{ {inner} }}}}`"));
    };
    let Some(args) = rest.trim_end().strip_suffix(')') else {
        return err(format!("shortcode `{}` is missing `)`", name.trim()));
    };
    let name = name.trim();
    let args = args.trim();
    match name {
        "delegations" | "claims" if args.is_empty() => Ok(if name == "claims" {
            Shortcode::Claims
        } else {
            Shortcode::Delegations
        }),
        "delegations" | "claims" => err(format!(
            "shortcode `{name}` takes no arguments, found `{args}`"
        )),
        "delegation" => {
            let value = args
                .strip_prefix("id")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(str::trim)
                .and_then(|v| {
                    v.strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .or_else(|| v.strip_prefix('“').and_then(|v| v.strip_suffix('”')))
                });
            match value {
                Some(id) if !id.is_empty() && !id.contains('"') => {
                    Ok(Shortcode::Delegation { id: id.to_string() })
                }
                _ => err(format!(
                    "shortcode `delegation` needs one argument id=\"…\", found `{args}`"
                )),
            }
        }
        other => err(format!("unknown shortcode `{other}`")),
    }
}
