//! Line charts drawn as SVG on the server, each with the same figures as a table.
//!
//! A chart is a string a template puts in with `|safe`, so every text in it is escaped
//! here. It carries no `style` attribute and no script (the Content-Security-Policy allows
//! neither): colours, dashes and fonts come from the `convene-chart` classes in
//! `assets/convene.scss`. It is an image to assistive technology (`role="img"`), named by
//! its `<title>` and `<desc>`, and the table beside it gives every figure in words.

use std::fmt::Write;

use convene_domain::engagements::{BurnPoint, DayLength, Minutes};
use jiff::civil::Date;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 48.0;
const BOTTOM: f64 = 64.0;
/// Most labels along the x axis: more would overlap once the chart shrinks to a phone.
const MAX_X_TICKS: usize = 5;

/// How a series is drawn, named by its part in the chart rather than its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStyle {
    /// What happened: a solid NHS blue line.
    Primary,
    /// What was expected or aimed for: a dashed grey line.
    Reference,
}

impl LineStyle {
    fn modifier(self) -> &'static str {
        match self {
            LineStyle::Primary => "primary",
            LineStyle::Reference => "reference",
        }
    }
}

/// One line of a chart: a value on each of some dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub style: LineStyle,
    pub points: Vec<(Date, f64)>,
}

/// A line chart of one or more series over dates.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Unique on the page: the title and description are found by it.
    pub id: String,
    pub title: String,
    /// What the chart shows, in words (read out in place of the picture).
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

/// The figures of a chart as a table: one row per date, a column per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartTable {
    pub caption: String,
    /// The first heads the row labels (the dates); the rest head the figures.
    pub headings: Vec<String>,
    pub rows: Vec<ChartRow>,
}

/// A row of a [`ChartTable`]: its label and its figures, blank where there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRow {
    pub label: String,
    pub figures: Vec<String>,
}

/// Escapes text for XML content or a double- or single-quoted attribute.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id made safe for an attribute and an `aria-labelledby` list: letters, digits and
/// hyphens only.
fn safe_id(id: &str) -> String {
    let kept: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if kept.is_empty() { "chart".into() } else { kept }
}

/// Where dates and values fall in the plot area.
struct Frame {
    first: Option<Date>,
    days: i64,
    low: f64,
    high: f64,
    step: f64,
}

impl Frame {
    fn new(series: &[Series]) -> Frame {
        let points = || {
            series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|p| p.1.is_finite())
        };
        let first = points().map(|p| p.0).min();
        let last = points().map(|p| p.0).max();
        let days = match (first, last) {
            (Some(f), Some(l)) => days_between(f, l),
            _ => 0,
        };
        let min = points().map(|p| p.1).fold(0.0_f64, f64::min);
        let max = points().map(|p| p.1).fold(0.0_f64, f64::max);
        let step = nice_step(max - min);
        let low = (min / step).floor() * step;
        let high = ((max / step).ceil() * step).max(low + step);
        Frame {
            first,
            days,
            low,
            high,
            step,
        }
    }

    fn x(&self, date: Date) -> f64 {
        let width = WIDTH - LEFT - RIGHT;
        match self.first {
            Some(first) if self.days > 0 => {
                LEFT + width * days_between(first, date) as f64 / self.days as f64
            }
            _ => LEFT + width / 2.0,
        }
    }

    fn y(&self, value: f64) -> f64 {
        let height = HEIGHT - TOP - BOTTOM;
        HEIGHT - BOTTOM - height * (value - self.low) / (self.high - self.low)
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_secs() / 86_400
}

/// A round step for about five gridlines over `range`: 1, 2, 2.5 or 5 times a power of ten.
fn nice_step(range: f64) -> f64 {
    if !range.is_finite() || range <= 0.0 {
        return 1.0;
    }
    let raw = range / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A gridline's label: whole numbers plainly, others to the step's precision.
fn tick_label(value: f64, step: f64) -> String {
    if step.fract() == 0.0 {
        format!("{value:.0}")
    } else if (step * 10.0).fract() == 0.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

impl LineChart {
    /// The chart as an `<svg>` element, scaled by its `viewBox` to the width it is given.
    pub fn to_svg(&self) -> String {
        let id = safe_id(&self.id);
        let frame = Frame::new(&self.series);
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="convene-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape_xml(&self.title),
            escape_xml(&self.description),
        );
        self.draw_axes(&mut svg, &frame);
        self.draw_legend(&mut svg);
        for series in &self.series {
            draw_series(&mut svg, &frame, series);
        }
        svg.push_str("</svg>");
        svg
    }

    fn draw_axes(&self, svg: &mut String, frame: &Frame) {
        let (left, right, bottom) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM);
        let mut value = frame.low;
        while value <= frame.high + frame.step / 2.0 {
            let y = frame.y(value);
            let _ = write!(
                svg,
                r#"<line class="convene-chart__grid" x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}"/><text class="convene-chart__tick convene-chart__tick--y" x="{:.1}" y="{:.1}">{}</text>"#,
                left - 8.0,
                y + 4.0,
                tick_label(value, frame.step),
            );
            value += frame.step;
        }
        let _ = write!(
            svg,
            r#"<line class="convene-chart__axis" x1="{left}" y1="{TOP}" x2="{left}" y2="{bottom}"/><line class="convene-chart__axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>"#
        );
        let ticks = x_ticks(&self.series);
        let mut previous_year = None;
        for (i, date) in ticks.iter().enumerate() {
            let year = (previous_year != Some(date.year())).then(|| format!(" {}", date.year()));
            previous_year = Some(date.year());
            let label = format!("{}{}", date.strftime("%-d %b"), year.unwrap_or_default());
            // The end labels lean inwards so they are not cut off at the edges.
            let end = match i {
                _ if ticks.len() < 2 => "",
                0 => " convene-chart__tick--first",
                i if i + 1 == ticks.len() => " convene-chart__tick--last",
                _ => "",
            };
            let _ = write!(
                svg,
                r#"<text class="convene-chart__tick convene-chart__tick--x{end}" x="{:.1}" y="{:.1}">{}</text>"#,
                frame.x(*date),
                bottom + 20.0,
                escape_xml(&label),
            );
        }
        let _ = write!(
            svg,
            r#"<text class="convene-chart__axis-label convene-chart__axis-label--x" x="{:.1}" y="{:.1}">{}</text><text class="convene-chart__axis-label convene-chart__axis-label--y" transform="rotate(-90)" x="{:.1}" y="20">{}</text>"#,
            (left + right) / 2.0,
            HEIGHT - 12.0,
            escape_xml(&self.x_label),
            -(TOP + bottom) / 2.0,
            escape_xml(&self.y_label),
        );
    }

    fn draw_legend(&self, svg: &mut String) {
        let spacing = (WIDTH - LEFT - RIGHT) / self.series.len().max(1) as f64;
        for (i, series) in self.series.iter().enumerate() {
            let x = LEFT + spacing * i as f64;
            let _ = write!(
                svg,
                r#"<line class="convene-chart__line convene-chart__line--{m}" x1="{x:.1}" y1="20" x2="{:.1}" y2="20"/><text class="convene-chart__legend" x="{:.1}" y="24">{}</text>"#,
                x + 24.0,
                x + 32.0,
                escape_xml(&series.name),
                m = series.style.modifier(),
            );
        }
    }
}

/// Up to [`MAX_X_TICKS`] of the chart's dates, spread evenly, always the first and last.
fn x_ticks(series: &[Series]) -> Vec<Date> {
    let mut dates: Vec<Date> = series
        .iter()
        .flat_map(|s| s.points.iter().filter(|p| p.1.is_finite()).map(|p| p.0))
        .collect();
    dates.sort();
    dates.dedup();
    if dates.len() <= MAX_X_TICKS {
        return dates;
    }
    let last = dates.len() - 1;
    (0..MAX_X_TICKS)
        .filter_map(|i| dates.get(i * last / (MAX_X_TICKS - 1)).copied())
        .collect()
}

/// A series as a line through its points, with a dot on each so one point still shows.
fn draw_series(svg: &mut String, frame: &Frame, series: &Series) {
    let m = series.style.modifier();
    let coords: Vec<(f64, f64)> = series
        .points
        .iter()
        .filter(|p| p.1.is_finite())
        .map(|(date, value)| (frame.x(*date), frame.y(*value)))
        .collect();
    if coords.len() > 1 {
        let points: Vec<String> = coords.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            svg,
            r#"<polyline class="convene-chart__line convene-chart__line--{m}" points="{}"/>"#,
            points.join(" ")
        );
    }
    for (x, y) in coords {
        let _ = write!(
            svg,
            r#"<circle class="convene-chart__point convene-chart__point--{m}" cx="{x:.1}" cy="{y:.1}" r="3"/>"#
        );
    }
}

/// An engagement's burn-down: days left against the allocation, as a chart and a table.
#[derive(Debug, Clone, PartialEq)]
pub struct BurnDown {
    pub chart: LineChart,
    pub table: ChartTable,
}

impl BurnDown {
    /// Both views of the domain's burn-down points, in days of `day` length.
    pub fn new(id: &str, points: &[BurnPoint], day: DayLength) -> BurnDown {
        let days = |m| day.hundredths(m) as f64 / 100.0;
        let expected = points.iter().map(|p| (p.date, days(p.expected_remaining)));
        let actual = points
            .iter()
            .filter_map(|p| p.actual_remaining.map(|a| (p.date, days(a))));
        let chart = LineChart {
            id: id.into(),
            title: "Days used against the allocation".into(),
            description: burn_down_summary(points, day),
            x_label: "Week ending".into(),
            y_label: "Days remaining".into(),
            series: vec![
                Series {
                    name: "Expected remaining".into(),
                    style: LineStyle::Reference,
                    points: expected.collect(),
                },
                Series {
                    name: "Actual remaining".into(),
                    style: LineStyle::Primary,
                    points: actual.collect(),
                },
            ],
        };
        let rows = points
            .iter()
            .enumerate()
            .map(|(i, p)| ChartRow {
                // The first point is the start, not the end of a week.
                label: format!(
                    "{}{}",
                    p.date.strftime("%-d %B %Y"),
                    if i == 0 { " (start)" } else { "" }
                ),
                figures: vec![
                    day.days_figure(p.expected_remaining),
                    p.actual_remaining.map(|a| day.days_figure(a)).unwrap_or_default(),
                ],
            })
            .collect();
        let table = ChartTable {
            caption: "Days remaining, week by week".into(),
            headings: vec![
                "Week ending".into(),
                "Expected remaining (days)".into(),
                "Actual remaining (days)".into(),
            ],
            rows,
        };
        BurnDown { chart, table }
    }
}

/// "Days used against the allocation: 12.40 of 27.20 days used by 6 December 2013;
/// expected 11.60".
fn burn_down_summary(points: &[BurnPoint], day: DayLength) -> String {
    let Some(start) = points.first() else {
        return "Days used against the allocation: no dates to show".into();
    };
    let allocation = start.expected_remaining;
    let latest = points
        .iter()
        .filter_map(|p| p.actual_remaining.map(|a| (p, a)))
        .next_back();
    match latest {
        None => format!(
            "Days used against the allocation: {} allocated; the engagement has not started yet",
            day.days_text(allocation)
        ),
        Some((point, actual)) => {
            let used = Minutes(allocation.0 - actual.0);
            let expected = Minutes(allocation.0 - point.expected_remaining.0);
            format!(
                "Days used against the allocation: {} of {} used by {}; expected {}",
                day.days_figure(used),
                day.days_text(allocation),
                point.date.strftime("%-d %B %Y"),
                day.days_figure(expected),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn chart(series: Vec<Series>) -> LineChart {
        LineChart {
            id: "burn".into(),
            title: "Days used".into(),
            description: "What is left".into(),
            x_label: "Week ending".into(),
            y_label: "Days".into(),
            series,
        }
    }

    fn line(name: &str, points: Vec<(Date, f64)>) -> Series {
        Series {
            name: name.into(),
            style: LineStyle::Primary,
            points,
        }
    }

    /// Every number in each `name="…"` attribute of the SVG.
    fn attribute_values(svg: &str, name: &str) -> Vec<f64> {
        let marker = format!(" {name}=\"");
        svg.split(&marker)
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .flat_map(|v| v.split([' ', ',']).map(str::to_owned).collect::<Vec<_>>())
            .filter_map(|v| v.parse().ok())
            .collect()
    }

    #[test]
    fn every_text_is_escaped() {
        let mut c = chart(vec![line("<&\"'>", vec![(date(2013, 9, 18), 1.0)])]);
        c.title = "A <b>bold</b> & \"quoted\" title".into();
        c.description = "</desc><script>".into();
        c.x_label = "<x>".into();
        c.id = "a\" onload=\"x".into();
        let svg = c.to_svg();
        assert!(svg.contains("&lt;&amp;&quot;&#39;&gt;"));
        assert!(svg.contains("A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title"));
        assert!(svg.contains("&lt;/desc&gt;&lt;script&gt;"));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(r#"aria-labelledby="a--onload--x-title a--onload--x-desc""#));
    }

    #[test]
    fn no_inline_styles_and_an_accessible_name() {
        let c = chart(vec![line(
            "Actual",
            vec![(date(2013, 9, 18), 27.2), (date(2013, 9, 20), 26.6)],
        )]);
        let svg = c.to_svg();
        assert!(!svg.contains("style"));
        assert!(!svg.contains("<script"));
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"viewBox="0 0 640 360""#));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="burn-title burn-desc""#));
        assert!(svg.contains(r#"<title id="burn-title">Days used</title>"#));
        assert!(svg.contains(r#"<desc id="burn-desc">What is left</desc>"#));
        assert!(svg.contains("Week ending"));
        assert!(svg.contains("18 Sep 2013"));
    }

    #[test]
    fn points_fall_inside_the_plot() {
        let points = vec![
            (date(2013, 9, 18), 27.2),
            (date(2013, 12, 6), 14.8),
            (date(2014, 3, 31), -3.5),
            (date(2014, 1, 1), f64::NAN),
        ];
        let svg = chart(vec![line("Actual", points)]).to_svg();
        let xs = attribute_values(&svg, "cx");
        let ys = attribute_values(&svg, "cy");
        assert_eq!((xs.len(), ys.len()), (3, 3));
        assert!(xs.iter().all(|x| (LEFT..=WIDTH - RIGHT).contains(x)), "{xs:?}");
        assert!(ys.iter().all(|y| (TOP..=HEIGHT - BOTTOM).contains(y)), "{ys:?}");
        // The first date is at the left edge, the last at the right; higher is higher up.
        assert_eq!(xs[0], LEFT);
        assert_eq!(xs[2], WIDTH - RIGHT);
        assert!(ys[0] < ys[1] && ys[1] < ys[2]);
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn empty_and_single_point_series_draw_without_panicking() {
        let empty = chart(vec![]).to_svg();
        assert!(empty.contains("<title"));
        assert!(!empty.contains("<polyline"));
        let blank = chart(vec![line("None", vec![])]).to_svg();
        assert!(!blank.contains("<circle"));
        let one = chart(vec![line("One", vec![(date(2013, 9, 18), 0.0)])]).to_svg();
        assert!(!one.contains("<polyline"));
        assert_eq!(
            attribute_values(&one, "cx"),
            vec![LEFT + (WIDTH - LEFT - RIGHT) / 2.0]
        );
    }

    #[test]
    fn gridlines_are_round_numbers() {
        assert_eq!(nice_step(27.2), 10.0);
        assert_eq!(nice_step(9.0), 2.0);
        assert_eq!(nice_step(0.8), 0.2);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(tick_label(2.5, 2.5), "2.5");
        assert_eq!(tick_label(20.0, 10.0), "20");
    }

    fn point(d: Date, expected: i64, actual: Option<i64>) -> BurnPoint {
        BurnPoint {
            date: d,
            expected_remaining: Minutes(expected),
            actual_remaining: actual.map(Minutes),
        }
    }

    #[test]
    fn a_burn_down_as_chart_and_table() {
        let points = [
            point(date(2013, 9, 18), 12_240, Some(12_240)),
            point(date(2013, 12, 6), 7_020, Some(6_660)),
            point(date(2013, 12, 13), 6_570, None),
        ];
        let b = BurnDown::new("engagement-4", &points, DayLength::STANDARD);
        assert_eq!(
            b.chart.description,
            "Days used against the allocation: 12.40 of 27.20 days used by 6 December 2013; expected 11.60"
        );
        assert_eq!(b.chart.series[0].points.len(), 3);
        assert_eq!(
            b.chart.series[1].points,
            vec![(date(2013, 9, 18), 27.2), (date(2013, 12, 6), 14.8)]
        );
        assert_eq!(b.table.headings.len(), 3);
        assert_eq!(b.table.rows[0].label, "18 September 2013 (start)");
        assert_eq!(b.table.rows[1].label, "6 December 2013");
        assert_eq!(
            b.table.rows[1].figures,
            vec!["15.60".to_string(), "14.80".to_string()]
        );
        assert_eq!(b.table.rows[2].figures[1], "");
        assert!(b.chart.to_svg().contains("Expected remaining"));
        let none = BurnDown::new("x", &[], DayLength::STANDARD);
        assert!(none.table.rows.is_empty());
        assert!(!none.chart.to_svg().is_empty());
    }
}
