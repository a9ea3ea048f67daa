//! News items: their address (slug) made from the title, and tags as people type them.

/// The most tags an item may have.
pub const MAX_TAGS: usize = 8;

/// An address-friendly form of a title: lower case, words joined by hyphens, at most 60
/// characters ("Applications open on 27 August" → "applications-open-on-27-august").
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { "news".into() } else { slug }
}

/// Reads comma-separated tags: trimmed, lower case, spaces as hyphens, no repeats.
pub fn parse_tags(typed: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for raw in typed.split(',') {
        let tag = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 40 {
            return Err("Each tag must be 40 characters or fewer");
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err("Tags can only use letters, numbers and hyphens, separated by commas");
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err("Give 8 tags or fewer");
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(
            slugify("Applications open on 27 August!"),
            "applications-open-on-27-august"
        );
        assert_eq!(slugify("  --  "), "news");
        assert!(slugify(&"long ".repeat(40)).len() <= 60);
    }

    #[test]
    fn tags_are_tidied_and_checked() {
        assert_eq!(
            parse_tags(" Applications, launch event ,applications,"),
            Ok(vec!["applications".to_string(), "launch-event".to_string()])
        );
        assert_eq!(parse_tags(""), Ok(vec![]));
        assert!(parse_tags("<script>").is_err());
        assert!(parse_tags("a,b,c,d,e,f,g,h,i").is_err());
    }
}
