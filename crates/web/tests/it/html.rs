//! A page's HTML as a tree, for tests that ask what a browser or a screen reader would find
//! on it (labels, headings, landmarks). Tokens come from quick-xml, already in the lock
//! through feed-rs; the tree is built here, knowing HTML's void elements. The desk's
//! templates close every element they open, so an end tag that closes something else is
//! reported as a problem instead of being repaired the way a browser would.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::BTreeMap;

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

pub enum Child {
    Element(usize),
    Text(String),
}

pub struct Element {
    pub tag: String,
    pub attrs: BTreeMap<String, String>,
    pub parent: Option<usize>,
    pub children: Vec<Child>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.attrs.contains_key(name)
    }
}

pub struct Document {
    /// Every element in document order; 0 is a synthetic root.
    pub elements: Vec<Element>,
    /// What could not be read as well-formed markup.
    pub problems: Vec<String>,
}

impl Document {
    pub fn parse(html: &str) -> Document {
        let mut doc = Document {
            elements: vec![Element {
                tag: "#root".into(),
                attrs: BTreeMap::new(),
                parent: None,
                children: Vec::new(),
            }],
            problems: Vec::new(),
        };
        let mut reader = Reader::from_str(html);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        let mut open = vec![0usize];
        loop {
            let current = *open.last().unwrap_or(&0);
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    let idx = doc.push(current, &e);
                    if !VOID.contains(&doc.elements[idx].tag.as_str()) {
                        open.push(idx);
                    }
                }
                Ok(Event::Empty(e)) => {
                    doc.push(current, &e);
                }
                Ok(Event::End(e)) => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).to_ascii_lowercase();
                    if VOID.contains(&name.as_str()) {
                        continue;
                    }
                    if doc.elements[current].tag == name && open.len() > 1 {
                        open.pop();
                    } else {
                        doc.problems.push(format!(
                            "</{name}> closes <{}> (at byte {})",
                            doc.elements[current].tag,
                            reader.buffer_position()
                        ));
                        // Recover as a browser would: close up to the element named.
                        if let Some(at) = open.iter().rposition(|&i| doc.elements[i].tag == name) {
                            open.truncate(at.max(1));
                        }
                    }
                }
                Ok(Event::Text(t)) => {
                    let text = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                    doc.elements[current].children.push(Child::Text(text));
                }
                Ok(Event::GeneralRef(r)) => {
                    let name = r.decode().map(|c| c.into_owned()).unwrap_or_default();
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        _ => match name.as_str() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            "nbsp" => Some('\u{a0}'),
                            _ => None,
                        },
                    };
                    match ch {
                        Some(c) => doc.elements[current]
                            .children
                            .push(Child::Text(c.to_string())),
                        None => doc.problems.push(format!("unknown entity &{name};")),
                    }
                }
                Ok(Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_)) => {}
                Ok(Event::DocType(_)) => {}
                Ok(Event::Eof) => break,
                Err(e) => {
                    doc.problems.push(format!(
                        "unreadable at byte {}: {e}",
                        reader.error_position()
                    ));
                    break;
                }
            }
        }
        for &i in open.iter().skip(1) {
            doc.problems
                .push(format!("<{}> is never closed", doc.elements[i].tag));
        }
        doc
    }

    fn push(&mut self, parent: usize, e: &BytesStart) -> usize {
        let tag = String::from_utf8_lossy(e.name().as_ref()).to_ascii_lowercase();
        let mut attrs = BTreeMap::new();
        for a in e.html_attributes() {
            match a {
                Ok(a) => {
                    let key = String::from_utf8_lossy(a.key.as_ref()).to_ascii_lowercase();
                    let raw = String::from_utf8_lossy(&a.value);
                    let value = quick_xml::escape::unescape(&raw)
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| raw.clone().into_owned());
                    if attrs.insert(key.clone(), value).is_some() {
                        self.problems
                            .push(format!("<{tag}> has the attribute {key} twice"));
                    }
                }
                Err(err) => self.problems.push(format!("<{tag}>: {err}")),
            }
        }
        let idx = self.elements.len();
        self.elements.push(Element {
            tag,
            attrs,
            parent: Some(parent),
            children: Vec::new(),
        });
        self.elements[parent].children.push(Child::Element(idx));
        idx
    }

    /// The indices of the elements with this tag, in document order.
    pub fn all<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.elements.len()).filter(move |&i| self.elements[i].tag == tag)
    }

    pub fn el(&self, i: usize) -> &Element {
        &self.elements[i]
    }

    pub fn by_id(&self, id: &str) -> Option<usize> {
        (0..self.elements.len()).find(|&i| self.elements[i].attr("id") == Some(id))
    }

    /// Whether `i` is `ancestor` or inside it.
    pub fn within(&self, mut i: usize, ancestor: usize) -> bool {
        loop {
            if i == ancestor {
                return true;
            }
            match self.elements[i].parent {
                Some(p) => i = p,
                None => return false,
            }
        }
    }

    /// The nearest element around `i` (or `i` itself) with this tag.
    pub fn closest(&self, mut i: usize, tag: &str) -> Option<usize> {
        loop {
            if self.elements[i].tag == tag {
                return Some(i);
            }
            i = self.elements[i].parent?;
        }
    }

    /// The text inside `i`, whitespace collapsed, as a screen reader would read it (an
    /// image inside counts by its alt text).
    pub fn text(&self, i: usize) -> String {
        let mut out = String::new();
        self.collect_text(i, &mut out);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn collect_text(&self, i: usize, out: &mut String) {
        let e = &self.elements[i];
        if e.attr("aria-hidden") == Some("true") {
            return;
        }
        if e.tag == "img" {
            out.push_str(e.attr("alt").unwrap_or(""));
        }
        for c in &e.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Element(k) => {
                    out.push(' ');
                    self.collect_text(*k, out);
                    out.push(' ');
                }
            }
        }
    }
}

#[test]
fn the_tree_knows_void_elements_entities_and_bad_nesting() {
    let doc = Document::parse(
        "<!doctype html><p id=a>x &amp; y&#x2f;z<br><input required name=\"q\" value=\"&quot;\"></p>",
    );
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let p = doc.by_id("a").expect("the paragraph");
    assert_eq!(doc.text(p), "x & y/z");
    let input = doc.all("input").next().expect("the input");
    assert!(
        doc.within(input, p),
        "a void element closes itself, inside its parent"
    );
    assert!(doc.el(input).has("required"));
    assert_eq!(doc.el(input).attr("value"), Some("\""));

    let bad = Document::parse("<div><p>x</div>");
    assert!(
        bad.problems.iter().any(|m| m.contains("</div> closes <p>")),
        "{:?}",
        bad.problems
    );
    let unclosed = Document::parse("<main><section>x</main>");
    assert!(!unclosed.problems.is_empty());
}
