//! Links that carry a secret. Some emails hold a link whose last segment is a one-time
//! secret (signing off an application, accepting an invitation, confirming an address,
//! choosing a new password). Once such a mail has been sent, or when it is shown to anyone
//! but its addressee's mailbox (a subject access download), the link is replaced by
//! [`LINK_REMOVED`], so a copy of the text never grants what the link grants.

/// Every route whose last segment is a secret. A route added with a secret in its path
/// belongs here.
pub const SECRET_LINK_ROUTES: &[&str] = &[
    "/sign-off/",
    "/invitations/",
    "/verify-email/",
    "/reset-password/",
];

/// What a removed link is replaced by.
pub const LINK_REMOVED: &str = "[link removed]";

/// True for characters that end a link in plain text: whitespace, quotes, angle brackets
/// and brackets.
fn ends_link(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '(' | ')')
}

/// Punctuation that ends a sentence rather than a link when it comes last ("open
/// https://…/sign-off/abc." keeps its full stop).
fn trailing_punctuation(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | ':' | '!' | '?')
}

/// The first secret-bearing link in `text[from..]`: where the whole link (with its scheme
/// and host, when it has them) starts and ends.
fn next_secret_link(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut from = from;
    loop {
        let rest = &text[from..];
        let (at, route) = SECRET_LINK_ROUTES
            .iter()
            .filter_map(|route| rest.find(route).map(|i| (from + i, *route)))
            .min_by_key(|(i, _)| *i)?;
        // The link starts where its word does: `https://host` (and any base path the
        // service is served under) before the route.
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|(_, c)| ends_link(*c))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let token_start = at + route.len();
        let mut end = text[token_start..]
            .char_indices()
            .find(|(_, c)| ends_link(*c))
            .map(|(i, _)| token_start + i)
            .unwrap_or(text.len());
        while end > token_start && text[..end].ends_with(trailing_punctuation) {
            end -= 1;
        }
        // A bare path with the route further along (`/applications/4/sign-off/send`) is
        // another page; a route with nothing after it ("the /sign-off/ page") holds no
        // secret. Either way, look further on.
        if text[start..at].starts_with('/') || end == token_start {
            from = at + 1;
            continue;
        }
        return Some((start, end));
    }
}

/// `body` with every link to a [`SECRET_LINK_ROUTES`] route, absolute
/// (`https://host/sign-off/…`) or a bare path (`/sign-off/…`), replaced by
/// [`LINK_REMOVED`]. Other links stay as they are.
pub fn redact_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut copied = 0;
    while let Some((start, end)) = next_secret_link(body, copied) {
        out.push_str(&body[copied..start]);
        out.push_str(LINK_REMOVED);
        copied = end;
    }
    out.push_str(&body[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOKEN: &str = "3f9a0c1b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829304a5b6c7d8";

    #[test]
    fn every_secret_route_is_removed_with_its_host() {
        for route in SECRET_LINK_ROUTES {
            let body = format!("Open this link:\n\nhttps://convene.example.org{route}{TOKEN}\n\nConvene");
            assert_eq!(
                redact_links(&body),
                "Open this link:\n\n[link removed]\n\nConvene",
                "{route}"
            );
        }
    }

    #[test]
    fn a_bare_path_is_removed() {
        assert_eq!(
            redact_links(&format!("Go to /reset-password/{TOKEN} now")),
            "Go to [link removed] now"
        );
    }

    #[test]
    fn a_link_at_the_very_end_is_removed() {
        assert_eq!(
            redact_links(&format!("Accept: http://127.0.0.1:8080/invitations/{TOKEN}")),
            "Accept: [link removed]"
        );
        assert_eq!(redact_links(&format!("/verify-email/{TOKEN}")), "[link removed]");
    }

    #[test]
    fn two_links_in_one_body_are_both_removed() {
        let body = format!(
            "Sign off: https://convene.example.org/sign-off/{TOKEN}\nOr confirm: https://convene.example.org/verify-email/abc123\n"
        );
        assert_eq!(
            redact_links(&body),
            "Sign off: [link removed]\nOr confirm: [link removed]\n"
        );
    }

    #[test]
    fn punctuation_after_a_link_stays() {
        assert_eq!(
            redact_links(&format!(
                "Open https://x.example/sign-off/{TOKEN}. Then reply, please."
            )),
            "Open [link removed]. Then reply, please."
        );
        assert_eq!(
            redact_links(&format!(
                "(see https://x.example/invitations/{TOKEN}), or \"/reset-password/{TOKEN}\""
            )),
            "(see [link removed]), or \"[link removed]\""
        );
        assert_eq!(
            redact_links(&format!("<https://x.example/verify-email/{TOKEN}>?")),
            "<[link removed]>?"
        );
    }

    #[test]
    fn a_base_path_and_query_go_with_the_link() {
        assert_eq!(
            redact_links(&format!(
                "https://nhs.example/convene/sign-off/{TOKEN}?from=mail#top end"
            )),
            "[link removed] end"
        );
    }

    #[test]
    fn other_links_stay() {
        let body = "Sign in at https://convene.example.org/sign-in, or choose a new password at \
                    https://convene.example.org/forgot-password.\n\nDecide at https://convene.example.org/requests/12 \
                    or see /dashboard, /applications/4/sign-off/send and /applications/4/sign-off (the sign-off page).";
        assert_eq!(redact_links(body), body);
    }

    #[test]
    fn a_route_named_with_no_secret_stays() {
        let body = format!("The /sign-off/ page, then /sign-off/{TOKEN}");
        assert_eq!(redact_links(&body), "The /sign-off/ page, then [link removed]");
        assert_eq!(redact_links("/sign-off/"), "/sign-off/");
        assert_eq!(redact_links("/sign-off/."), "/sign-off/.");
    }

    #[test]
    fn text_without_links_is_unchanged() {
        for body in [
            "",
            "Dear Lee,\n\nNothing to see.\n\nConvene",
            "naïve café – £10,000 ✓",
        ] {
            assert_eq!(redact_links(body), body);
        }
    }

    #[test]
    fn non_ascii_around_a_link_is_kept() {
        assert_eq!(
            redact_links(&format!("Café – https://x.example/sign-off/{TOKEN} – ✓")),
            "Café – [link removed] – ✓"
        );
    }

    proptest! {
        #[test]
        fn a_secret_never_survives_whatever_surrounds_it(
            before in "\\PC{0,40}",
            after in "\\PC{0,40}",
            route in 0..SECRET_LINK_ROUTES.len(),
            secret in "[0-9a-f]{16,64}",
            absolute in any::<bool>(),
        ) {
            let host = if absolute { "https://convene.example.org" } else { "" };
            let body = format!("{before} {host}{}{secret}{after}", SECRET_LINK_ROUTES[route]);
            let redacted = redact_links(&body);
            prop_assert!(!redacted.contains(&secret), "{redacted}");
            prop_assert!(redacted.contains(LINK_REMOVED));
        }

        #[test]
        fn redacting_twice_changes_nothing_more(
            body in "([ a-z0-9./:()\"<>-]|/sign-off/|/invitations/|/verify-email/|/reset-password/|https://){0,30}",
        ) {
            let once = redact_links(&body);
            prop_assert_eq!(redact_links(&once), once.clone());
        }
    }
}
