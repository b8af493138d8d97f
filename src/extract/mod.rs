//! HTML → page snapshot, natively (the command line). It interprets the same site
//! adapters (`data/sites/*.toml`) as the content script does in the browser, so the two
//! can be compared on the same saved pages (`tests/e2e`).

mod generic;

use scraper::{ElementRef, Html, Selector};

use crate::engine::knowledge::{Field, Site, SitePage};
use crate::engine::text::squash_whitespace;
use crate::engine::{path_of, Engine, Error, PageSnapshot, SnapshotItem};

/// Largest HTML document accepted, in bytes.
pub const MAX_HTML_BYTES: usize = 32 * 1024 * 1024;

/// Reads the page's own URL from `<link rel=canonical>` or `og:url`.
pub fn canonical_url(doc: &Html) -> Option<String> {
    let sel = |s: &str| Selector::parse(s).ok();
    let canonical = sel("link[rel='canonical']").and_then(|s| doc.select(&s).find_map(|e| e.value().attr("href").map(str::to_string)));
    canonical
        .or_else(|| sel("meta[property='og:url']").and_then(|s| doc.select(&s).find_map(|e| e.value().attr("content").map(str::to_string))))
        .filter(|u| u.starts_with("http"))
}

/// Finds the complaints on a page. `url` decides the site adapter; without it, the
/// page's canonical URL is used.
pub fn snapshot_from_html(engine: &Engine, html: &str, url: Option<&str>) -> Result<PageSnapshot, Error> {
    if html.len() > MAX_HTML_BYTES {
        return Err(Error(format!("the page is {} MB; pages over {} MB are not read", html.len() >> 20, MAX_HTML_BYTES >> 20)));
    }
    let doc = Html::parse_document(html);
    let url = url.map(str::to_string).or_else(|| canonical_url(&doc));
    let title = Selector::parse("title").ok().and_then(|s| doc.select(&s).next()).map(|t| squash_whitespace(&t.text().collect::<String>()));
    let lang = Selector::parse("html[lang]").ok().and_then(|s| doc.select(&s).next()).and_then(|h| h.value().attr("lang")).map(str::trim).filter(|l| !l.is_empty() && l.len() <= 35).map(str::to_string);
    let mut snap = PageSnapshot { url: url.clone(), title, site: None, kind: "unknown".into(), lang, items: Vec::new() };
    let site = url.as_deref().and_then(|u| engine.site_for_url(u));
    snap.site = site.map(|s| s.id.clone());
    let page = site.zip(url.as_deref()).and_then(|(s, u)| page_for(s, &path_of(u)));
    let (Some(site), Some(page)) = (site, page) else {
        // No adapter page: schema.org markup and the comment-list heuristic (the caller
        // asked for this page, as the extension's user does with "Analyse page").
        snap.items = generic::generic_items(&doc, true);
        for (n, item) in snap.items.iter_mut().enumerate() {
            item.id = format!("{}-{n}", site.map_or("page", |s| s.id.as_str()));
            item.platform = site.map(|s| s.platform.clone());
        }
        if !snap.items.is_empty() {
            snap.kind = "generic".into();
        }
        return Ok(snap);
    };
    snap.kind = page.kind.clone();
    if page.item.is_empty() {
        return Ok(snap);
    }
    let item_sel = Selector::parse(&page.item).map_err(|e| Error(format!("data/sites/{}.toml: bad item selector: {e:?}", site.id)))?;
    for (n, el) in doc.select(&item_sel).enumerate() {
        let text = read(el, page.text.as_ref()).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let rating = read(el, page.rating.as_ref()).and_then(|r| first_number(&r));
        snap.items.push(SnapshotItem {
            id: format!("{}-{}", site.id, n),
            text,
            title: read(el, page.title.as_ref()),
            author: read(el, page.author.as_ref()),
            rating,
            rating_max: rating.map(|_| page.rating_max.unwrap_or(5.0)),
            date: read(el, page.date.as_ref()),
            platform: Some(site.platform.clone()),
            ..Default::default()
        });
    }
    Ok(snap)
}

/// The first page kind of a site whose path rule matches.
pub fn page_for<'a>(site: &'a Site, path: &str) -> Option<&'a SitePage> {
    site.pages.iter().find(|p| p.path_contains.is_empty() || p.path_contains.iter().any(|c| path.contains(c.as_str())))
}

fn read(item: ElementRef, field: Option<&Field>) -> Option<String> {
    let field = field?;
    if field.all && !field.selector.is_empty() {
        // Every match of any selector, in document order, each read once.
        let sels: Vec<Selector> = field.selector.iter().filter_map(|s| Selector::parse(s).ok()).collect();
        let parts: Vec<String> = item
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| sels.iter().any(|s| s.matches(e)))
            .filter_map(|e| value(e, field))
            .collect();
        return (!parts.is_empty()).then(|| parts.join(" "));
    }
    let target = if field.selector.is_empty() {
        Some(item)
    } else {
        field.selector.iter().filter_map(|s| Selector::parse(s).ok()).find_map(|s| item.select(&s).next())
    }?;
    value(target, field)
}

/// One element's value for a field: an attribute or its text, whitespace squashed.
fn value(target: ElementRef, field: &Field) -> Option<String> {
    let raw = match &field.attr {
        Some(a) => target.value().attr(a)?.to_string(),
        None => visible_text(target),
    };
    let v = squash_whitespace(&raw);
    if field.number {
        return first_number(&v).map(|n| n.to_string());
    }
    (!v.is_empty()).then_some(v)
}

/// Elements whose text is no text of the page's reader: code, style rules, the markup a
/// `<noscript>` holds as text (a browser running scripts parses it as such, and so does
/// this parser), template contents.
const NOT_TEXT: [&str; 4] = ["script", "style", "noscript", "template"];

/// An element's text as a reader sees it: its text nodes in order, without those inside
/// `NOT_TEXT` elements. Iterative, so a hostile page's deep nesting cannot exhaust the
/// stack. `extension/generic.js` `visibleText` is the same rule in the browser.
pub fn visible_text(el: ElementRef) -> String {
    let mut out = String::new();
    let mut stack: Vec<_> = el.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        match node.value() {
            scraper::Node::Text(t) => out.push_str(t),
            scraper::Node::Element(e) if !NOT_TEXT.contains(&e.name()) => {
                let at = stack.len();
                stack.extend(node.children());
                stack[at..].reverse();
            }
            _ => {}
        }
    }
    out
}

/// The first number in a string, with `,` or `.` as decimal mark: "4,0 de 5" → 4.0.
pub fn first_number(s: &str) -> Option<f32> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let num: String = s[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.').collect();
    num.trim_end_matches(['.', ',']).replace(',', ".").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(first_number("3.0 out of 5 stars"), Some(3.0));
        assert_eq!(first_number("Nota 4,5 de 5"), Some(4.5));
        assert_eq!(first_number("5."), Some(5.0));
        assert_eq!(first_number("none"), None);
    }

    #[test]
    fn visible_text_leaves_out_code_styles_and_noscript_markup() {
        // Amazon's saved review page holds avatar <img>s inside <noscript>: with no site
        // adapter they were read as the text '<img src="https://images-na…"/>Paxton…'.
        let doc = Html::parse_document(
            r#"<div id=r>Screen <b>cracked</b><noscript><img src="a.png"/></noscript> on day one.<script>var x = "<p>code</p>";</script><style>.r{color:red}</style><template><i>later</i></template><svg><script>1</script><text> Refund?</text></svg></div>"#,
        );
        let el = doc.select(&Selector::parse("#r").unwrap()).next().unwrap();
        assert_eq!(visible_text(el), "Screen cracked on day one. Refund?");
        // Deep nesting (a hostile page) is walked without recursion.
        let deep = format!("<div id=r>{}deep{}</div>", "<span>".repeat(50_000), "</span>".repeat(50_000));
        let doc = Html::parse_document(&deep);
        let el = doc.select(&Selector::parse("#r").unwrap()).next().unwrap();
        assert_eq!(visible_text(el), "deep");
    }
}
