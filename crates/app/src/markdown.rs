//! Markdown fields (programme pages, news, and every later one): the one place that checks,
//! renders and sanitises them.
//!
//! Writers get plain CommonMark with tables. Raw HTML and links to anything but web, mail
//! and same-site addresses are refused with a message when saved ([`check`]), and the
//! rendered HTML is sanitised by ammonia all the same ([`render`]), so nothing stored can
//! run script in a reader's browser.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// True for the addresses a page may link to.
fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#')
}

/// Shortens what the writer typed for quoting back in a message.
fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Why `source` cannot be saved, in words for the person who wrote it; `None` when it can.
pub fn check(source: &str) -> Option<String> {
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                return Some(format!(
                    "Remove the HTML “{}”: write in Markdown. HTML, scripts and event handlers are not allowed",
                    quote(&html)
                ));
            }
            Event::Start(Tag::Image { .. }) => {
                return Some("Remove the picture: pictures cannot be added to this text".into());
            }
            Event::Start(Tag::Link { dest_url, .. }) if !safe_link(&dest_url) => {
                return Some(format!(
                    "The link “{}” cannot be used: links must start with https://, http://, mailto: or /",
                    quote(&dest_url)
                ));
            }
            _ => {}
        }
    }
    None
}

/// Renders `source` to sanitised HTML.
pub fn render(source: &str) -> String {
    let events = Parser::new_ext(source, options()).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: lower(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string()
}

/// The page title is the only `h1`, so a written `#` heading becomes an `h2`.
fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown_with_headings_below_the_page_title() {
        let html = render("# What is this?\n\n## Dates\n\nA *fund* of £1m.\n\n- one\n- two\n");
        assert!(html.contains("<h2>What is this?</h2>"), "{html}");
        assert!(html.contains("<h2>Dates</h2>"), "{html}");
        assert!(html.contains("<em>fund</em>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn refuses_html_scripts_and_event_handlers() {
        for bad in [
            "Hello <script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"/\" onclick=\"steal()\">x</a>",
            "<div>\nblock\n</div>",
        ] {
            let problem = check(bad).unwrap_or_default();
            assert!(problem.starts_with("Remove the"), "{bad}: {problem}");
        }
    }

    #[test]
    fn refuses_script_links_and_allows_ordinary_ones() {
        assert!(check("[click](javascript:alert(1))").is_some());
        assert!(check("[x](data:text/html;base64,AAAA)").is_some());
        assert!(check("[x](//evil.example/)").is_some());
        assert_eq!(
            check("[hub](https://hub.example/) [us](mailto:a@b.example) [calls](/open-calls)"),
            None
        );
    }

    #[test]
    fn sanitises_whatever_gets_past_the_check() {
        // Stored before the check existed, or written straight into the database.
        let html =
            render("x <script>alert(1)</script> <a href=\"javascript:alert(1)\" onclick=\"x()\">y</a>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
