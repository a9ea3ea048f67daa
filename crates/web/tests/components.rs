#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The component macros in `templates/components/` draw what nhsuk-frontend's own macros draw.
//!
//! For each component, a few of nhsuk-frontend's fixtures (the Nunjucks macro's parameters, and
//! the markup it gives) are read from `node_modules` (`npm ci` puts them there); each fixture's
//! parameters are handed to our askama macro and what it renders is compared with the fixture's
//! markup, both normalised by [`normalise`]. The fixtures chosen are the variants Convene uses.

use askama::Template;
use serde::Deserialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// The fixture of `component` with this name (and description, which tells apart fixtures of
/// the same name): its parameters (`context`) and markup (`html`).
fn fixture(component: &str, name: &str, description: Option<&str>) -> (Value, String) {
    let path = format!(
        "{}/../../node_modules/nhsuk-frontend/dist/nhsuk/components/{component}/fixtures.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` at the top of the repository"));
    let all: Value = serde_json::from_str(&text).unwrap();
    let found = all["fixtures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name && f["description"].as_str() == description)
        .unwrap_or_else(|| panic!("{component} has no fixture {name:?} {description:?}"));
    (
        found["context"].clone(),
        found["html"].as_str().unwrap().to_string(),
    )
}

/// Makes two renderings of the same markup compare equal: whitespace in markup is layout, not
/// content, except inside text. So every run of whitespace becomes one space, and a run goes
/// entirely if it is at the very start or end, or if it holds a line break and touches a tag
/// (a `>` before it or a `<` after it): that is the indentation nhsuk-frontend's templates add.
/// A space on one line beside a tag, as in `<span> name</span>`, is text and is kept.
/// askama writes `&` as `&#38;` where Nunjucks writes `&amp;` (the same character), so
/// numeric references to the characters both escape are written by name first.
/// Attributes are compared as written: our macros write them in the frontend's order.
fn normalise(html: &str) -> String {
    let html = html
        .replace("&#38;", "&amp;")
        .replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#x27;", "&#39;");
    let mut out = String::new();
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_whitespace() {
            out.push(c);
            continue;
        }
        let mut newline = c == '\n';
        while let Some(&n) = chars.peek().filter(|n| n.is_whitespace()) {
            newline |= n == '\n';
            chars.next();
        }
        let (before, after) = (out.chars().last(), chars.peek().copied());
        let at_edge = before.is_none() || after.is_none();
        let layout = newline && (before == Some('>') || after == Some('<'));
        if !at_edge && !layout {
            out.push(' ');
        }
    }
    out
}

#[track_caller]
fn assert_same(component: &str, name: &str, rendered: &str, expected: &str) {
    assert_eq!(
        normalise(rendered),
        normalise(expected),
        "{component} {name:?}: ours (left) differs from nhsuk-frontend's (right)\nours:\n{rendered}"
    );
}

#[test]
fn normalise_keeps_text_and_drops_layout() {
    assert_eq!(
        normalise("\n<dt class=\"a  b\">\n    A&#38;E  of\n  </dt>\n<a>Change<span> name</span></a> x\n"),
        "<dt class=\"a b\">A&amp;E of</dt><a>Change<span> name</span></a> x"
    );
}

/// Text or markup, as the frontend's parameters give it: a string (text), or `{text}`/`{html}`.
/// Trimmed, as the frontend's macros trim them.
#[derive(Deserialize, Default, Clone)]
#[serde(untagged)]
enum Content {
    Text(String),
    Object {
        text: Option<String>,
        html: Option<String>,
    },
    #[default]
    None,
}

impl Content {
    fn of(v: &Value) -> Self {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }
    fn html(&self) -> Option<&str> {
        match self {
            Content::Object { html: Some(h), .. } => Some(h.trim()),
            _ => None,
        }
    }
    fn text(&self) -> &str {
        match self {
            Content::Text(t) | Content::Object { text: Some(t), .. } => t.trim(),
            _ => "",
        }
    }
}

/// A string parameter, empty when missing.
fn string(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------------
// Tag

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/tag.html" as tag -%}
{% call tag::tag(text, classes = classes, colour = colour, border = border) %}{% endcall %}"#
)]
struct TagTest {
    text: String,
    classes: String,
    colour: String,
    border: bool,
}

impl TagTest {
    /// The frontend's `tag` parameters: `colour: false` is our "no-colour".
    fn from(p: &Value) -> Self {
        TagTest {
            text: Content::of(&p["text"]).text().to_string(),
            classes: string(&p["classes"]),
            colour: match &p["colour"] {
                Value::Bool(false) => "no-colour".into(),
                v => string(v),
            },
            border: p["border"] != Value::Bool(false),
        }
    }
}

#[test]
fn tag_matches_the_frontend() {
    let mut cases = vec![
        ("default", None),
        ("colour class", None),
        ("without border", None),
        ("with text escaping", None),
    ];
    let colours = [
        "white",
        "grey",
        "green",
        "aqua-green",
        "blue",
        "purple",
        "pink",
        "red",
        "orange",
        "yellow",
    ];
    for colour in colours {
        cases.push(("default", Some(colour)));
        cases.push(("without border", Some(colour)));
    }
    for (name, description) in cases {
        let (params, html) = fixture("tag", name, description);
        let ours = TagTest::from(&params).render().unwrap();
        assert_same("tag", &format!("{name} {description:?}"), &ours, &html);
    }
}

// ---------------------------------------------------------------------------------------------
// Summary list

struct SummaryRow {
    key: Content,
    value: Content,
    href: String,
    action: String,
    hidden: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/summary_list.html" as summary_list -%}
{% call summary_list::summary_list(classes) %}
{% for r in rows %}
{% call summary_list::row(r.key.text(), href = r.href, action = r.action, hidden = r.hidden) -%}
{% if let Some(h) = r.value.html() %}{{ h|safe }}{% else %}{{ r.value.text() }}{% endif %}
{%- endcall %}
{% endfor %}
{% endcall %}"#
)]
struct SummaryListTest {
    classes: String,
    rows: Vec<SummaryRow>,
}

impl SummaryListTest {
    /// The frontend's `summaryList` parameters, for rows with one action at most; `border:
    /// false` is the class it stands for.
    fn from(p: &Value) -> Self {
        let rows = p["rows"].as_array().unwrap().iter().map(|r| {
            let action = &r["actions"]["items"][0];
            SummaryRow {
                key: Content::of(&r["key"]),
                value: Content::of(&r["value"]),
                href: string(&action["href"]),
                action: string(&action["text"]),
                hidden: string(&action["visuallyHiddenText"]),
            }
        });
        SummaryListTest {
            classes: if p["border"] == Value::Bool(false) {
                "nhsuk-summary-list--no-border".into()
            } else {
                string(&p["classes"])
            },
            rows: rows.collect(),
        }
    }
}

/// The same rows through `row_with_actions`, its call block drawing the action link as the
/// frontend does: rows whose actions are not one link share the row's markup.
#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/summary_list.html" as summary_list -%}
{% call summary_list::summary_list(classes) %}
{% for r in rows %}
{% let value %}{% if let Some(h) = r.value.html() %}{{ h|safe }}{% else %}{{ r.value.text() }}{% endif %}{% endlet %}
{% call summary_list::row_with_actions(r.key.text(), value|safe) -%}
<a class="nhsuk-link" href="{{ r.href }}">{{ r.action }}<span class="nhsuk-u-visually-hidden"> {{ r.hidden }}</span></a>
{%- endcall %}
{% endfor %}
{% endcall %}"#
)]
struct SummaryListWithActionsTest {
    classes: String,
    rows: Vec<SummaryRow>,
}

#[test]
fn summary_list_matches_the_frontend() {
    for name in [
        "default",
        "with actions",
        "with item strings",
        "without border",
        "example person: Karen Francis",
    ] {
        let (params, html) = fixture("summary-list", name, None);
        let ours = SummaryListTest::from(&params).render().unwrap();
        assert_same("summary list", name, &ours, &html);
    }
    let (params, html) = fixture("summary-list", "with actions", None);
    let SummaryListTest { classes, rows } = SummaryListTest::from(&params);
    let ours = SummaryListWithActionsTest { classes, rows }.render().unwrap();
    assert_same("summary list", "with actions (row_with_actions)", &ours, &html);
}

// ---------------------------------------------------------------------------------------------
// Task list

struct Task {
    index: usize,
    heading: String,
    href: String,
    hint: String,
    status_classes: String,
    status_text: String,
    tag: Option<TagTest>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/task_list.html" as task_list -%}
{% import "components/tag.html" as tag -%}
{% call task_list::task_list() %}
{% for t in tasks %}
{% call task_list::task(id_prefix, t.index, t.heading, href = t.href, hint = t.hint, status_classes = t.status_classes) -%}
{% if let Some(s) = t.tag %}{% call tag::tag(s.text, classes = s.classes, colour = s.colour, border = s.border) %}{% endcall %}{% else %}{{ t.status_text }}{% endif %}
{%- endcall %}
{% endfor %}
{% endcall %}"#
)]
struct TaskListTest {
    id_prefix: String,
    tasks: Vec<Task>,
}

impl TaskListTest {
    /// The frontend's `taskList` parameters. An empty item keeps its place in the count, as
    /// there; the deprecated `title` is read as the heading.
    fn from(p: &Value) -> Self {
        let tasks = p["items"].as_array().unwrap().iter().enumerate();
        let tasks = tasks.filter(|(_, item)| item.is_object()).map(|(i, item)| {
            let heading = if item["heading"].is_null() {
                Content::of(&item["title"])
            } else {
                Content::of(&item["heading"])
            };
            let status = &item["status"];
            Task {
                index: i + 1,
                heading: heading.text().to_string(),
                href: string(&item["href"]),
                hint: Content::of(&item["hint"]).text().to_string(),
                status_classes: string(&status["classes"]),
                status_text: Content::of(status).text().to_string(),
                tag: status["tag"].is_object().then(|| TagTest::from(&status["tag"])),
            }
        });
        TaskListTest {
            id_prefix: string(&p["idPrefix"]),
            tasks: tasks.collect(),
        }
    }
}

#[test]
fn task_list_matches_the_frontend() {
    for name in [
        "default",
        "with headings and hints as strings",
        "with empty items",
        "with deprecated status classes",
    ] {
        let (params, html) = fixture("task-list", name, None);
        let ours = TaskListTest::from(&params).render().unwrap();
        assert_same("task list", name, &ours, &html);
    }
}

// ---------------------------------------------------------------------------------------------
// Table

struct Cell {
    content: Content,
    format: String,
    classes: String,
    /// The column's heading, shown beside the value in a responsive table.
    heading: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/table.html" as table -%}
{% call table::table(caption, caption_classes = caption_classes, classes = classes, responsive = responsive) %}
{% if !head.is_empty() %}
{% call table::head() %}
{% for h in head %}
{% call table::header(format = h.format, classes = h.classes) %}{% call content(h.content) %}{% endcall %}{% endcall %}
{% endfor %}
{% endcall %}
{% endif %}
{% call table::body() %}
{% for r in rows %}
{% call table::row() %}
{% for c in r %}
{% if loop.first && first_cell_is_header -%}
{% call table::row_header(format = c.format, classes = c.classes, heading = c.heading, markup = c.content.html().is_some()) %}{% call content(c.content) %}{% endcall %}{% endcall %}
{%- else -%}
{% call table::cell(format = c.format, classes = c.classes, heading = c.heading, markup = c.content.html().is_some()) %}{% call content(c.content) %}{% endcall %}{% endcall %}
{%- endif %}
{% endfor %}
{% endcall %}
{% endfor %}
{% endcall %}
{% endcall %}
{% macro content(c) %}{% if let Some(h) = c.html() %}{{ h|safe }}{% else %}{{ c.text() }}{% endif %}{% endmacro %}"#
)]
struct TableTest {
    caption: String,
    caption_classes: String,
    classes: String,
    responsive: bool,
    first_cell_is_header: bool,
    head: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
}

impl TableTest {
    /// The frontend's `table` parameters: `caption` (a string, or `{text, size}`), `head`,
    /// `rows`, `firstCellIsHeader`, `responsive`, `lastRowBorder: false` (the class it stands
    /// for). A cell's `format` defaults to its column's, as there.
    fn from(p: &Value) -> Self {
        let caption = &p["caption"];
        let caption_classes = match caption["size"].as_str() {
            Some(size) => format!("nhsuk-table__caption--{size}"),
            None => string(&caption["classes"]),
        };
        let responsive = p["responsive"] == Value::Bool(true);
        let cell = |v: &Value, column: Option<&Value>| Cell {
            content: Content::of(v),
            format: v["format"]
                .as_str()
                .or_else(|| column.and_then(|c| c["format"].as_str()))
                .unwrap_or_default()
                .to_string(),
            classes: string(&v["classes"]),
            heading: match column {
                Some(c) if responsive => Content::of(c).text().to_string(),
                _ => String::new(),
            },
        };
        let head: Vec<Value> = p["head"].as_array().cloned().unwrap_or_default();
        TableTest {
            caption: Content::of(caption).text().to_string(),
            caption_classes,
            classes: if p["lastRowBorder"] == Value::Bool(false) {
                "nhsuk-table--no-last-row-border".into()
            } else {
                string(&p["classes"])
            },
            responsive,
            first_cell_is_header: p["firstCellIsHeader"] == Value::Bool(true),
            head: head.iter().map(|h| cell(h, None)).collect(),
            rows: p["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let r = r.as_array().unwrap().iter().enumerate();
                    r.map(|(i, c)| cell(c, head.get(i))).collect()
                })
                .collect(),
        }
    }
}

#[test]
fn table_matches_the_frontend() {
    for (name, description) in [
        ("default", None),
        ("default", Some("responsive")),
        ("with custom HTML", None),
        ("with first cell as header", None),
        ("with numeric format", None),
        ("with numeric format", Some("responsive")),
        ("with tags", None),
        ("with string items", None),
    ] {
        let (params, mut html) = fixture("tables", name, description);
        if params["responsive"] == Value::Bool(true) {
            // The frontend puts ARIA roles on a responsive table's elements; the Nu HTML Checker
            // (tests/html.rs) rejects them inside a table, so our macros leave them out.
            html = without_roles(&html);
        }
        let ours = TableTest::from(&params).render().unwrap();
        assert_same("table", &format!("{name} {description:?}"), &ours, &html);
    }
}

/// `html` without its ` role="…"` attributes.
fn without_roles(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(" role=\"") {
        out.push_str(&rest[..at]);
        let value = &rest[at + 7..];
        rest = &value[value.find('"').unwrap() + 1..];
    }
    out + rest
}

// ---------------------------------------------------------------------------------------------
// Error summary

struct ErrorItem {
    text: String,
    href: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "components/error_summary.html" as error_summary -%}
{% call error_summary::error_summary(heading) %}
{% for e in errors %}
{% call error_summary::item(e.text, href = e.href) %}{% endcall %}
{% endfor %}
{% endcall %}"#
)]
struct ErrorSummaryTest {
    heading: String,
    errors: Vec<ErrorItem>,
}

impl ErrorSummaryTest {
    /// The frontend's `errorSummary` parameters: a heading, and errors with or without links.
    fn from(p: &Value) -> Self {
        let errors = p["errorList"].as_array().unwrap().iter();
        ErrorSummaryTest {
            heading: Content::of(&p["heading"]).text().to_string(),
            errors: errors
                .filter(|e| e.is_object())
                .map(|e| ErrorItem {
                    text: Content::of(e).text().to_string(),
                    href: string(&e["href"]),
                })
                .collect(),
        }
    }
}

#[test]
fn error_summary_matches_the_frontend() {
    for name in [
        "default",
        "with multiple errors",
        "with multiple errors (empty items)",
        "with heading as string",
        "without error link",
        "without error link (mixed)",
    ] {
        let (params, html) = fixture("error-summary", name, None);
        let ours = ErrorSummaryTest::from(&params).render().unwrap();
        assert_same("error summary", name, &ours, &html);
    }
}
