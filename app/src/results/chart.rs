//! The trend graph, drawn as SVG by our own components: the reference range as a band,
//! a line through the values, every point focusable with its value and date, points
//! outside the range marked by shape as well as colour.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{format_value, Flag, Point, UnitSeries};
use crate::i18n::*;

/// The time range the graph shows, counting back from the server's "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    OneYear,
    FiveYears,
    All,
}

impl Span {
    pub fn start_ms(self, as_of_ms: i64) -> Option<i64> {
        const YEAR_MS: i64 = 365 * 86_400_000 + 21_600_000; // 365.25 days
        match self {
            Span::OneYear => Some(as_of_ms - YEAR_MS),
            Span::FiveYears => Some(as_of_ms - 5 * YEAR_MS),
            Span::All => None,
        }
    }
}

/// The points of `series` inside `span`.
pub fn visible(series: &UnitSeries, span: Span, as_of_ms: i64) -> Vec<Point> {
    let start = span.start_ms(as_of_ms).unwrap_or(i64::MIN);
    series.points.iter().filter(|p| p.at_ms >= start).cloned().collect()
}

// The drawing area, in SVG user units (the SVG scales to its container).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// Where things go on the canvas: pure, so it is unit-tested.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// (x, y) for every point, in order.
    pub xy: Vec<(f64, f64)>,
    /// Top and bottom y of the reference band, when the range has both ends in view.
    pub band: Option<(f64, f64)>,
    /// Value labels for the y axis: (y, text).
    pub y_ticks: Vec<(f64, String)>,
}

pub fn layout(points: &[Point], ref_low: Option<f64>, ref_high: Option<f64>) -> Plot {
    let values = points.iter().map(|p| p.value).chain(ref_low).chain(ref_high);
    let (mut lo, mut hi) =
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.1 } else { lo.abs().max(1.0) * 0.1 };
    (lo, hi) = (lo - pad, hi + pad);
    let y_of = |v: f64| TOP + (hi - v) / (hi - lo) * (HEIGHT - TOP - BOTTOM);

    let (t0, t1) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.at_ms, b.at_ms),
        _ => (0, 0),
    };
    let x_of = |t: i64| {
        if t1 == t0 {
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (WIDTH - LEFT - RIGHT)
        }
    };
    let xy = points.iter().map(|p| (x_of(p.at_ms), y_of(p.value))).collect();
    let band = match (ref_low, ref_high) {
        (Some(low), Some(high)) => Some((y_of(high), y_of(low))),
        (None, Some(high)) => Some((y_of(high), y_of(lo))),
        (Some(low), None) => Some((y_of(hi), y_of(low))),
        (None, None) => None,
    };
    let y_ticks = (0..=4)
        .map(|i| {
            let v = lo + (hi - lo) * f64::from(i) / 4.0;
            (y_of(v), format_value((v * 10.0).round() / 10.0))
        })
        .collect();
    Plot { xy, band, y_ticks }
}

fn flag_word(i18n: leptos_i18n::I18nContext<Locale>, flag: Option<Flag>) -> String {
    match flag {
        Some(Flag::High) => t_string!(i18n, results.flag_high).to_string(),
        Some(Flag::Low) => t_string!(i18n, results.flag_low).to_string(),
        Some(Flag::Abnormal) => t_string!(i18n, results.flag_abnormal).to_string(),
        None => t_string!(i18n, results.flag_normal).to_string(),
    }
}

/// One unit's values as a graph.
#[component]
pub fn TrendGraph(
    name: String,
    unit: String,
    points: Vec<Point>,
    ref_low: Option<f64>,
    ref_high: Option<f64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let plot = layout(&points, ref_low, ref_high);
    let line = plot.xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    let summary = match (points.first(), points.last()) {
        (Some(a), Some(b)) => t_string!(
            i18n,
            results.graph_label,
            name = name.clone(),
            unit = unit.clone(),
            count = points.len(),
            from = crate::ui::when::plain_words(i18n, &a.date()),
            to = crate::ui::when::plain_words(i18n, &b.date())
        )
        .to_string(),
        _ => String::new(),
    };
    let (first_date, last_date) = (
        points.first().map(|p| crate::ui::when::plain_words(i18n, &p.date())).unwrap_or_default(),
        points.last().map(|p| crate::ui::when::plain_words(i18n, &p.date())).unwrap_or_default(),
    );
    let marks = points
        .iter()
        .zip(plot.xy.iter().copied())
        .map(|(p, (x, y))| {
            let label = format!(
                "{} {} {}, {}",
                format_value(p.value),
                unit,
                crate::ui::when::plain_words(i18n, &p.date()),
                flag_word(i18n, p.flag)
            );
            let title = label.clone();
            let shape = if p.flag.is_some() {
                // Outside the range: a diamond, not only a colour.
                let d = format!(
                    "M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z",
                    y - 7.0,
                    x + 7.0,
                    y + 7.0,
                    x - 7.0
                );
                view! { <path d=d /> }.into_any()
            } else {
                view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="5" /> }.into_any()
            };
            view! {
                <g class=if p.flag.is_some() { "point out-of-range" } else { "point" } tabindex="0" role="img"
                    aria-label=label data-value=format_value(p.value) data-date=p.date()>
                    <title>{title}</title>
                    {shape}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="trend">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="group" aria-label=summary class="trend-graph">
                {plot.band.map(|(top, bottom)| view! {
                    <rect class="band" x=LEFT y=format!("{top:.1}") width=WIDTH - LEFT - RIGHT
                        height=format!("{:.1}", (bottom - top).max(0.0)) aria-hidden="true" />
                })}
                <g class="axis" aria-hidden="true">
                    {plot.y_ticks.into_iter().map(|(y, text)| view! {
                        <line x1=LEFT - 4.0 x2=WIDTH - RIGHT y1=format!("{y:.1}") y2=format!("{y:.1}") />
                        <text x=LEFT - 8.0 y=format!("{:.1}", y + 4.0) text-anchor="end">{text}</text>
                    }).collect_view()}
                    <text x=LEFT y=HEIGHT - 10.0 text-anchor="start">{first_date}</text>
                    <text x=WIDTH - RIGHT y=HEIGHT - 10.0 text-anchor="end">{last_date}</text>
                </g>
                <polyline class="line" points=line aria-hidden="true" />
                {marks}
            </svg>
            <figcaption>
                <span class="legend-band">{t!(i18n, results.legend_band)}</span>
                " "
                <span class="legend-out">{t!(i18n, results.legend_out)}</span>
            </figcaption>
        </figure>
    }
}

/// The same values as a table.
#[component]
pub fn TrendTable(name: String, unit: String, points: Vec<Point>, range: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="data trend-table">
            <caption>{format!("{name} ({unit})")}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, results.date)}</th>
                <th scope="col">{t!(i18n, results.value)}</th>
                <th scope="col">{t!(i18n, results.range)}</th>
                <th scope="col">{t!(i18n, results.flag)}</th>
            </tr></thead>
            <tbody>
                {points.into_iter().rev().map(|p| view! {
                    <tr class=p.flag.map(|_| "abnormal")>
                        <td><When iso=p.date() plain=true /></td>
                        <td>{format!("{} {}", format_value(p.value), unit)}</td>
                        <td>{range.clone().unwrap_or_default()}</td>
                        <td>{flag_word(i18n, p.flag)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: i64, value: f64) -> Point {
        Point { at_ms: day * 86_400_000, day, value, flag: None }
    }

    #[test]
    fn points_spread_left_to_right_and_high_values_sit_higher() {
        let plot = layout(&[point(0, 100.0), point(10, 150.0), point(20, 120.0)], Some(0.0), Some(130.0));
        let xs: Vec<f64> = plot.xy.iter().map(|p| p.0).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(xs[0], LEFT);
        assert_eq!(xs[2], WIDTH - RIGHT);
        // SVG y grows downward: the larger value has the smaller y.
        assert!(plot.xy[1].1 < plot.xy[0].1);
        let (top, bottom) = plot.band.unwrap();
        assert!(top < bottom);
        // 150 is above the band's top (130).
        assert!(plot.xy[1].1 < top);
    }

    #[test]
    fn one_point_is_centred_and_flat_values_do_not_divide_by_zero() {
        let plot = layout(&[point(5, 7.0)], None, None);
        assert_eq!(plot.xy.len(), 1);
        assert!(plot.xy[0].0.is_finite() && plot.xy[0].1.is_finite());
        let plot = layout(&[point(0, 7.0), point(1, 7.0)], None, None);
        assert!(plot.xy.iter().all(|(x, y)| x.is_finite() && y.is_finite()));
    }

    #[test]
    fn spans_count_back_from_now() {
        let series = UnitSeries {
            unit: "%".into(),
            ref_low: None,
            ref_high: None,
            points: vec![point(0, 1.0), point(3000, 2.0), point(3500, 3.0)],
        };
        let now = 3600 * 86_400_000;
        assert_eq!(visible(&series, Span::All, now).len(), 3);
        assert_eq!(visible(&series, Span::FiveYears, now).len(), 2);
        assert_eq!(visible(&series, Span::OneYear, now).len(), 1);
    }
}
