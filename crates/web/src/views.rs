//! What every page shares: the header, navigation, CSRF token and title, plus the form
//! error pattern (an error summary at the top, a message beside each field).

use convene_domain::accounts::{Role, User};
use convene_domain::policy::Principal;

/// The page frame: the title in the tab, the signed-in person, the menu, the CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    pub user_name: Option<String>,
    pub role_label: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// True when the page shows form errors: the tab title starts "Error: ".
    pub has_errors: bool,
    pub back_link: Option<String>,
    /// Shown only in `convene demo`.
    pub demo: bool,
}

/// A link in the header's menu.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

impl Chrome {
    /// A page for whoever is (or is not) signed in.
    pub fn new(
        title: impl Into<String>,
        who: Option<&(User, Principal)>,
        csrf: String,
        current_path: &str,
    ) -> Chrome {
        let mut nav = Vec::new();
        if let Some((_, principal)) = who {
            nav.push(("/dashboard", "Dashboard"));
            if principal.holds(Role::ServiceAdmin, None) || principal.holds(Role::ProgrammeAdmin, None) {
                nav.push(("/programmes", "Programmes"));
            }
            nav.push(("/account", "Your account"));
        }
        Chrome {
            title: title.into(),
            user_name: who.map(|(u, _)| u.name.clone()),
            role_label: who
                .and_then(|(_, p)| p.main_role())
                .map(|r| r.label().to_string()),
            csrf,
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    current: current_path == href || current_path.starts_with(&format!("{href}/")),
                    href: href.to_string(),
                    label: label.to_string(),
                })
                .collect(),
            has_errors: false,
            back_link: None,
            demo: false,
        }
    }

    /// The browser tab title: "Page – Convene", with "Error: " first when a form failed.
    pub fn tab_title(&self) -> String {
        let prefix = if self.has_errors { "Error: " } else { "" };
        format!("{prefix}{} – Convene", self.title)
    }

    /// Adds a back link.
    pub fn with_back(mut self, href: impl Into<String>) -> Chrome {
        self.back_link = Some(href.into());
        self
    }
}

/// Problems with a submitted form, in page order; each names the field it belongs to.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub items: Vec<FieldError>,
}

/// One problem, shown in the summary (linking to the field) and beside the field.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FormErrors {
    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.items.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for `field`, if it has one (templates show the first).
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Text as it reads at the start of a line: "underway" as "Underway".
pub fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
