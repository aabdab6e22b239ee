//! `kiemchung import`: reports from a monitored feed or a file of items (JSONL, CSV, RSS,
//! Atom), taken through the same intake as the web form, once per item.
//!
//! Each item gets a key that is stable across runs: its own id in the source (`id`
//! column or field, RSS `guid`, Atom `id`), or else a hash of its text and links. The key
//! is stored with the report in one transaction, so running the import again, or after an
//! interruption, takes only what is new. A bad item is named (file, line, field) and
//! skipped; the others are taken, and the command exits non-zero at the end.

use crate::progress::Progress;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// Its format; by default from the file name (.jsonl/.ndjson, .csv, .rss/.xml, .atom).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// A name for the source, kept in every item's key so that two feeds using the same
    /// item ids stay apart (default: a feed's own id or link, else the file name).
    #[arg(long)]
    pub source: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Rss,
    Atom,
}

impl Format {
    fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "rss" | "xml" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            _ => None,
        }
    }
}

/// One item of the source, as the intake will take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Line of the file where the item starts (1-based), for messages.
    pub line: usize,
    /// The item's id in its source, when it has one.
    pub id: Option<String>,
    pub text: String,
    pub urls: Vec<String>,
}

impl Item {
    /// The item's key: its source id, or a hash of its content.
    pub fn key(&self, source: &str) -> String {
        match &self.id {
            Some(id) => format!("{source}#id:{id}"),
            None => {
                let mut content = self.text.clone();
                for u in &self.urls {
                    content.push('\n');
                    content.push_str(u);
                }
                format!("{source}#sha256:{}", kc_text::content_hash(&content))
            }
        }
    }
}

/// An item that cannot be taken: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// Items and problems of a source file, in file order, and the source's own identity
/// when it has one (a feed's id or link): the same feed downloaded under another file
/// name is the same source.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub problems: Vec<Problem>,
    pub source: Option<String>,
    /// Set when the lines are a feed's entry numbers instead: the entries could not be
    /// found in the file's text.
    pub by_entry: bool,
}

pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed> {
    let mut parsed = match format {
        Format::Jsonl => parse_jsonl(bytes),
        Format::Csv => parse_csv(bytes)?,
        Format::Rss | Format::Atom => parse_feed(bytes)?,
    };
    refuse_reused_ids(&mut parsed);
    Ok(parsed)
}

/// An id is an item's key: a second item of the file with the same id and other content
/// would be counted as "already imported" and its content silently lost. It is named
/// instead, and not taken. (The same item twice, or an item whose content changed since an
/// earlier run, stays one item: that is what the id is for.)
fn refuse_reused_ids(parsed: &mut Parsed) {
    let mut first: std::collections::HashMap<&str, &Item> = std::collections::HashMap::new();
    let mut reused = Vec::new();
    for (i, item) in parsed.items.iter().enumerate() {
        let Some(id) = item.id.as_deref() else {
            continue;
        };
        match first.get(id) {
            None => {
                first.insert(id, item);
            }
            Some(earlier) if earlier.text == item.text && earlier.urls == item.urls => {}
            Some(earlier) => reused.push((i, earlier.line)),
        }
    }
    let (vi, en) = match parsed.by_entry {
        true => ("mục", "entry"),
        false => ("dòng", "line"),
    };
    for &(i, earlier) in reused.iter().rev() {
        let item = parsed.items.remove(i);
        let id = item.id.unwrap_or_default();
        parsed.problems.push(problem(
            item.line,
            "id",
            format!(
                "mã `{id}` đã dùng cho nội dung khác ở {vi} {earlier}: mục này chưa được nhập, \
                 hãy cho nó một mã riêng / id `{id}` is already used for other content on \
                 {en} {earlier}: this item was not taken, give it an id of its own"
            ),
        ));
    }
    parsed.problems.sort_by_key(|p| p.line);
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What to do about a file in a legacy encoding (Windows-1258/1252, TCVN3…): detecting which
/// one would be a guess, and a wrong guess garbles Vietnamese silently.
const NOT_UTF8: &str =
    "không phải UTF-8: lưu lại tệp dưới dạng UTF-8 (Excel: Lưu thành → \"CSV UTF-8\"; \
     Notepad: Mã hóa → UTF-8) / not UTF-8: save the file as UTF-8 (Excel: Save As → \"CSV UTF-8\"; \
     Notepad: Encoding → UTF-8)";

/// A file in a legacy encoding is wrong on every line with an accent: the advice is given
/// once, at the first.
const NOT_UTF8_AGAIN: &str = "không phải UTF-8, xem trên / not UTF-8, see above";

fn not_utf8(told: &mut bool) -> &'static str {
    if std::mem::replace(told, true) {
        NOT_UTF8_AGAIN
    } else {
        NOT_UTF8
    }
}

/// The 1-based line of a CSV row starting at a byte offset: the line breaks before it,
/// plus one. Counted here rather than taken from the CSV reader, whose count drifts on a
/// quoted CRLF. The reader's offset can point at the previous row's line break (the `\n`
/// of a CRLF); a row never starts with one, as blank lines are skipped.
fn line_at(bytes: &[u8], offset: u64) -> usize {
    let mut end = usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()));
    while bytes.get(end).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        end += 1;
    }
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

fn problem(line: usize, field: &str, message: impl Into<String>) -> Problem {
    Problem {
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

/// Links given as a list or as one string of links separated by spaces.
fn urls_of(value: Option<&serde_json::Value>) -> Result<Vec<String>, &'static str> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::String(s)) => {
            Ok(s.split_whitespace().map(str::to_string).collect())
        }
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|u| {
                u.as_str()
                    .map(str::to_string)
                    .ok_or("mỗi đường dẫn phải là chuỗi / each link must be a string")
            })
            .collect(),
        Some(_) => {
            Err("cần một chuỗi hoặc danh sách chuỗi / expected a string or a list of strings")
        }
    }
}

/// `{"text": …, "urls"|"url": …, "id": …}` per line; other fields are ignored.
fn parse_jsonl(bytes: &[u8]) -> Parsed {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    // Notepad and Excel start a UTF-8 file with a byte order mark, which JSON does not allow.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let mut told_utf8 = false;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            problems.push(problem(line, "(line)", not_utf8(&mut told_utf8)));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(problem(
                    line,
                    "(line)",
                    format!("JSON không hợp lệ / malformed JSON: {e}"),
                ));
                continue;
            }
        };
        let Some(obj) = value.as_object() else {
            problems.push(problem(
                line,
                "(line)",
                "cần một đối tượng JSON / expected a JSON object",
            ));
            continue;
        };
        let body = match obj.get("text") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => {
                problems.push(problem(line, "text", "cần một chuỗi / expected a string"));
                continue;
            }
            None => {
                problems.push(problem(line, "text", "thiếu nội dung / missing"));
                continue;
            }
        };
        let field = if obj.contains_key("urls") {
            "urls"
        } else {
            "url"
        };
        let urls = match urls_of(obj.get(field)) {
            Ok(u) => u,
            Err(m) => {
                problems.push(problem(line, field, m));
                continue;
            }
        };
        let id = match obj.get("id") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                problems.push(problem(
                    line,
                    "id",
                    "cần một chuỗi hoặc số / expected a string or a number",
                ));
                continue;
            }
        };
        items.push(Item {
            line,
            id,
            text: body,
            urls,
        });
    }
    Parsed {
        items,
        problems,
        source: None,
        by_entry: false,
    }
}

/// A header row naming the columns: `text` (required), `url` or `urls` (links separated
/// by spaces), `id`; other columns are ignored.
/// The separator of a CSV file, read from its header row: Excel saves "CSV UTF-8" with the
/// list separator of the computer's region, which is a semicolon where the decimal mark is a
/// comma, as on a Vietnamese Windows; a sheet copied out as text has tabs. Column names
/// hold none of them.
fn delimiter_of(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .find(|d| header.contains(d))
        .unwrap_or(b',')
}

fn parse_csv(bytes: &[u8]) -> Result<Parsed> {
    let delimiter = delimiter_of(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    // Column names are ASCII; a file in a legacy encoding is named at its first bad row.
    let headers = csv::StringRecord::from_byte_record_lossy(
        reader
            .byte_headers()
            .context("dòng tiêu đề CSV không đọc được / cannot read the CSV header row")?
            .clone(),
    );
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let Some(text_col) = column("text") else {
        // An empty file (a failed download, a sheet saved before it was filled) has no
        // columns to list.
        if headers
            .iter()
            .all(|h| h.trim().trim_start_matches('\u{feff}').is_empty())
        {
            bail!(
                "dòng 1: tệp trống, không có dòng tiêu đề (cần cột `text`) / line 1: the file is \
                 empty, with no header row (a `text` column is needed)"
            );
        }
        bail!(
            "dòng 1: thiếu cột `text` / line 1: no `text` column (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let url_col = column("urls").or_else(|| column("url"));
    let id_col = column("id");
    let mut items = Vec::new();
    let mut problems = Vec::new();
    // Where each row started, to read its quotes again afterwards: the CSV reader takes a
    // quote left open as running to the end of the file, and text after a closing quote
    // as part of the cell, so one row can silently swallow the rows after it.
    let mut rows: Vec<(u64, usize)> = Vec::new();
    let mut told_utf8 = false;
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(bytes, p.byte()));
                problems.push(problem(
                    line,
                    "(row)",
                    format!("CSV không hợp lệ / malformed CSV: {e}"),
                ));
                continue;
            }
        };
        let start = record.position().map(csv::Position::byte);
        let line = start.map_or(0, |b| line_at(bytes, b));
        rows.extend(start.map(|b| (b, line)));
        let record = match csv::StringRecord::from_byte_record(record) {
            Ok(r) => r,
            Err(e) => {
                let field = headers.get(e.utf8_error().field()).map_or_else(
                    || "(row)".to_string(),
                    |h| h.trim().trim_start_matches('\u{feff}').to_string(),
                );
                problems.push(problem(line, &field, not_utf8(&mut told_utf8)));
                continue;
            }
        };
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(text) = cell(Some(text_col)) else {
            problems.push(problem(line, "text", "trống / empty"));
            continue;
        };
        items.push(Item {
            line,
            id: cell(id_col).map(str::to_string),
            text: text.to_string(),
            urls: cell(url_col)
                .map(|u| u.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        });
    }
    for (i, &(start, line)) in rows.iter().enumerate() {
        let end = rows.get(i + 1).map_or(bytes.len() as u64, |r| r.0);
        let span = usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(s, e)| bytes.get(s..e))
            .unwrap_or_default();
        let Some(trouble) = quote_trouble(span, delimiter) else {
            continue;
        };
        items.retain(|it| it.line != line);
        problems.retain(|p| p.line != line);
        problems.push(problem(
            line,
            "(row)",
            match trouble {
                QuoteTrouble::Open => {
                    "dấu ngoặc kép mở mà không đóng: dòng này kéo đến hết tệp, các dòng sau nó chưa được nhập / \
                     a quote opened and never closed: this row runs to the end of the file, so the rows after it were not imported"
                }
                QuoteTrouble::Stray => {
                    "dấu ngoặc kép không khớp: có chữ ngay sau dấu đóng ngoặc, nên ô này có thể đã nuốt cả dòng sau; \
                     dấu ngoặc kép trong ô phải viết đôi (\"\") / a quote does not match: text follows a closing quote, \
                     so this cell may have swallowed the next row; a quote inside a cell is written twice (\"\")"
                }
            },
        ));
    }
    problems.sort_by_key(|p| p.line);
    Ok(Parsed {
        items,
        problems,
        source: None,
        by_entry: false,
    })
}

/// What is wrong with the quotes of one CSV row's text, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteTrouble {
    /// A quoted cell never closes: the row runs to the end of the file.
    Open,
    /// A quote closes a cell and text follows it: a quote meant as text, which closed the
    /// cell early, or a cell opened on one row and closed on a later one.
    Stray,
}

/// Reads the quotes of CSV text as RFC 4180 does. Only a quote that opens a cell opens
/// quoting; one inside an unquoted cell (`màn hình 5"`) is a plain character. A closing
/// quote must be followed by the separator, a line end or the end (spaces allowed between).
fn quote_trouble(csv: &[u8], delimiter: u8) -> Option<QuoteTrouble> {
    let mut quoted = false;
    let mut cell_start = true;
    let mut bytes = csv.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                    while bytes.next_if(|c| matches!(c, b' ' | b'\t')).is_some() {}
                    if !matches!(bytes.peek(), None | Some(b'\n' | b'\r'))
                        && bytes.peek() != Some(&&delimiter)
                    {
                        return Some(QuoteTrouble::Stray);
                    }
                }
            }
        } else if b == b'"' && cell_start {
            quoted = true;
        }
        cell_start = !quoted && (b == delimiter || matches!(b, b'\n' | b'\r'));
    }
    quoted.then_some(QuoteTrouble::Open)
}

/// RSS (0.9x, 1.0, 2.0) or Atom: an entry's title and summary (or content) are its text,
/// its links its URLs, its `guid`/`id` its id.
fn parse_feed(bytes: &[u8]) -> Result<Parsed> {
    // feed-rs makes up an id for an entry without one, at random by default: such an
    // entry gets none here, and its key comes from its content instead.
    let feed = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(bytes)
        .map_err(|e| {
            anyhow::anyhow!("nguồn tin RSS/Atom không hợp lệ / not a valid RSS or Atom feed: {e}")
        })?;
    // An Atom feed's id, else the feed's own link (RSS has no id).
    let source = Some(feed.id.trim().to_string())
        .filter(|id| !id.is_empty())
        .or_else(|| feed.links.first().map(|l| l.href.trim().to_string()))
        .filter(|s| !s.is_empty());
    // RSS says a description may hold HTML (entity-encoded or in CDATA) but never says
    // whether one does; its titles are plain text. Atom says so with each text's type.
    let rss = matches!(
        feed.feed_type,
        feed_rs::model::FeedType::RSS0
            | feed_rs::model::FeedType::RSS1
            | feed_rs::model::FeedType::RSS2
    );
    let is_html =
        |mime: &str| mime.starts_with("text/html") || mime.starts_with("application/xhtml");
    let text_of = |s: &str, html: bool| if html { strip_html(s) } else { plain_text(s) };
    let lines = entry_lines(bytes);
    let by_entry = lines.len() != feed.entries.len();
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let line = if by_entry { i + 1 } else { lines[i] };
        // An RSS title is plain text, but many feeds escape it twice (`&amp;quot;`): its
        // character references are decoded, its `<…>` kept as words.
        let title = entry
            .title
            .map(|t| match is_html(t.content_type.as_str()) {
                true => strip_html(&t.content),
                false if rss => plain_text(&decode_entities(&t.content)),
                false => plain_text(&t.content),
            })
            .unwrap_or_default();
        let body = entry
            .summary
            .map(|s| text_of(&s.content, rss || is_html(s.content_type.as_str())))
            .or_else(|| {
                entry.content.and_then(|c| {
                    let html = rss || is_html(c.content_type.as_str());
                    c.body.map(|b| text_of(&b, html))
                })
            })
            .unwrap_or_default();
        let text = match (title.trim(), body.trim()) {
            ("", "") => {
                problems.push(problem(
                    line,
                    "title",
                    "mục tin không có tiêu đề và nội dung / entry without title or summary",
                ));
                continue;
            }
            (t, "") => t.to_string(),
            ("", b) => b.to_string(),
            (t, b) if b.starts_with(t) => b.to_string(),
            (t, b) => format!("{t}\n\n{b}"),
        };
        let urls: Vec<String> = entry.links.into_iter().map(|l| l.href).take(1).collect();
        let id = (!entry.id.trim().is_empty()).then_some(entry.id);
        items.push(Item {
            line,
            id,
            text,
            urls,
        });
    }
    Ok(Parsed {
        items,
        problems,
        source,
        by_entry,
    })
}

/// The line where each `<item>` (RSS) or `<entry>` (Atom) starts, in document order: the
/// entries feed-rs returns, located in the file for messages. Tags inside CDATA or escaped
/// text are text, not entries. Stops at the first XML error (feed-rs, more lenient, may
/// still read the feed; the caller then counts entries instead).
fn entry_lines(bytes: &[u8]) -> Vec<usize> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut lines = Vec::new();
    loop {
        let at = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if matches!(e.local_name().as_ref(), b"item" | b"entry") =>
            {
                lines.push(line_at(bytes, at));
            }
            Ok(Event::Eof) | Err(_) => return lines,
            Ok(_) => {}
        }
    }
}

/// Plain text as it is, its lines trimmed and blank lines dropped.
fn plain_text(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the text after a `<` is a tag: `!` or `?` (comment, doctype), or an ASCII
/// element name, possibly closing, ended by a space, `/` or `>`. HTML would also hide
/// `<tăng>` as an unknown element; in a Vietnamese feed it is a word in angle brackets.
fn opens_tag(after: &str) -> bool {
    let name = after.strip_prefix('/').unwrap_or(after);
    if after.starts_with(['!', '?']) {
        return true;
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':')))
        .map_or("", |i| &name[i..]);
    end.is_empty() || end.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>')
}

/// Text of an HTML fragment: tags dropped (a block tag leaves a line break), the common
/// entities decoded. A `<` that does not open a tag (`a < b`, `<tăng>`) is text.
fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        if !opens_tag(&rest[open + 1..]) {
            out.push('<');
            rest = &rest[open + 1..];
            continue;
        }
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        if ["p", "br", "div", "li", "h1", "h2", "h3", "tr"]
            .iter()
            .any(|b| {
                tag == *b || tag.starts_with(&format!("{b} ")) || tag.starts_with(&format!("{b}/"))
            })
        {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    plain_text(&decode_entities(&out))
}

/// HTML's character references decoded in one pass: numeric (`&#7853;`, `&#x1EAD;`) and
/// every HTML5 name (`&agrave;`, `&ldquo;`, `&hellip;`). Vietnamese sites and WordPress write
/// accented letters and typographic quotes that way inside a description's HTML, and a
/// report reading `Ph&#7843;n &aacute;nh` would reach staff, and the matcher, garbled.
/// Anything else after `&` is text as it stands; a no-break space is a space.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|&end| (1..=32).contains(&end))
            .and_then(|end| Some((reference(&after[..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push_str(&c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace('\u{a0}', " ")
}

/// The text a character reference's name (between `&` and `;`) stands for.
fn reference(name: &str) -> Option<String> {
    let Some(number) = name.strip_prefix('#') else {
        return quick_xml::escape::resolve_html5_entity(name).map(str::to_string);
    };
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
        .filter(|&c| c != '\0')
        .map(String::from)
}

/// Counts of one run, for the summary.
#[derive(Debug, Default)]
struct Tally {
    answered: usize,
    received: usize,
    before: usize,
    refused: usize,
}

pub async fn run_import(args: &ImportArgs, desk: &kc_web::desk::Desk) -> Result<()> {
    let format = match args.format.or_else(|| Format::from_path(&args.file)) {
        Some(f) => f,
        None => bail!(
            "không rõ định dạng của {} / cannot tell the format of {}: use --format jsonl|csv|rss|atom",
            args.file.display(),
            args.file.display()
        ),
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("không mở được / cannot open {}", args.file.display()))?;
    let file = args.file.display().to_string();
    let Parsed {
        items,
        mut problems,
        source: own_source,
        by_entry,
    } = parse(format, &bytes).with_context(|| format!("{file}: không đọc được / cannot read"))?;
    // The same feed saved under another name each day is still one source.
    let source = args.source.clone().or(own_source).unwrap_or_else(|| {
        args.file
            .file_name()
            .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned())
    });
    // A feed whose entries were not found in its text names them by their position.
    let place = |n: usize| match by_entry {
        true => format!("{file}: mục / entry {n}"),
        false => format!("{file}:{n}"),
    };
    let progress = Progress::new("nhập / import", items.len(), 200);
    let mut tally = Tally::default();
    for item in &items {
        match desk
            .import_item(&item.key(&source), &item.text, &item.urls)
            .await
        {
            Ok(kc_web::desk::Imported::Now(a)) if a.answer.is_some() => tally.answered += 1,
            Ok(kc_web::desk::Imported::Now(_)) => tally.received += 1,
            Ok(kc_web::desk::Imported::Before { .. }) => tally.before += 1,
            Err(e) if e.status.is_client_error() => {
                tally.refused += 1;
                problems.push(problem(
                    item.line,
                    e.body.field.as_deref().unwrap_or("(item)"),
                    format!("{} / {}", e.body.message, e.body.message_en),
                ));
            }
            Err(e) => bail!(
                "{}: lỗi khi ghi, các mục trước đã được nhận; chạy lại để tiếp tục / \
                 failed while recording; the items before were kept, run again to resume: {} ",
                place(item.line),
                e.body.message_en
            ),
        }
        progress.add(1);
    }
    problems.sort_by_key(|p| p.line);
    for p in &problems {
        eprintln!("{}: `{}`: {}", place(p.line), p.field, p.message);
    }
    let new = tally.answered + tally.received;
    eprintln!(
        "{file}: {new} mục mới / new items ({} trả lời ngay bằng kết luận đã công bố / answered at once \
         by a published fact-check, {} vào hàng chờ xử lý / queued for staff); {} đã nhập trước đó / \
         already imported; {} lỗi / problems",
        tally.answered,
        tally.received,
        tally.before,
        problems.len()
    );
    match problems.len() {
        0 => {}
        1 => bail!("1 mục không nhận được, xem trên / 1 item was not taken, see above"),
        n => bail!("{n} mục không nhận được, xem trên / {n} items were not taken, see above"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_items_and_problems_name_their_line_and_field() {
        let src = "{\"id\": \"a1\", \"text\": \"Tin đồn một\", \"urls\": [\"https://x.vn/1\"]}\n\
                   \n\
                   {\"text\": \"Tin đồn hai\", \"url\": \"https://x.vn/2 https://x.vn/3\", \"extra\": 1}\n\
                   {\"text\": 5}\n\
                   {\"urls\": []}\n\
                   not json\n\
                   {\"text\": \"ba\", \"urls\": [1]}\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Jsonl, src.as_bytes()).expect("parsed");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id.as_deref(), Some("a1"));
        assert_eq!(items[1].line, 3);
        assert_eq!(items[1].urls, ["https://x.vn/2", "https://x.vn/3"]);
        let where_: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_str()))
            .collect();
        assert_eq!(
            where_,
            [(4, "text"), (5, "text"), (6, "(line)"), (7, "urls")]
        );
    }

    #[test]
    fn csv_needs_a_text_column_and_reads_quoted_cells_across_lines() {
        let src = "id,text,url\n7,\"Tin đồn, có dấu phẩy\nvà xuống dòng\",https://x.vn/7\n8,,\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Tin đồn, có dấu phẩy\nvà xuống dòng");
        assert_eq!(items[0].id.as_deref(), Some("7"));
        assert_eq!(items[0].line, 2);
        assert_eq!((problems[0].line, problems[0].field.as_str()), (4, "text"));
        let err = parse(Format::Csv, b"noi_dung\nabc\n").expect_err("no text column");
        assert!(format!("{err}").contains("`text`"), "{err}");
    }

    #[test]
    fn a_quote_left_open_is_named_and_takes_nothing_with_it() {
        let src = "id,text\n1,Tin đồn một\n2,\"Tin đồn hai\n3,Tin đồn ba\n4,Tin đồn bốn\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].text, "Tin đồn một");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].field.as_str()), (3, "(row)"));
        assert!(problems[0].message.contains("never closed"), "{problems:?}");

        // A quote inside an unquoted cell, or doubled inside a quoted one, is text.
        let src = "text\nMàn hình 5\" giá rẻ\n\"Anh ấy nói \"\"không\"\"\"\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].text, "Anh ấy nói \"không\"");

        // A quote opened on one row and closed on the next: the two rows became one cell.
        let src = "id,text\n4,\"Tin có ngoặc mở\n5,\"Tin năm\"\n6,Tin sáu\n7,\"Tin bảy\" \n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["Tin sáu", "Tin bảy"], "{problems:?}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].field.as_str()), (2, "(row)"));
        assert!(
            problems[0].message.contains("swallowed the next row"),
            "{problems:?}"
        );
    }

    #[test]
    fn rss_and_atom_entries_become_items() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://x.vn/</link>
            <item><title>Điện lực hoàn tiền?</title><description>&lt;p&gt;Tin &amp;amp; ảnh&lt;/p&gt;</description>
            <link>https://x.vn/a</link><guid>g-1</guid></item>
            <item><title>Không có guid</title></item></channel></rss>"#;
        let Parsed {
            items,
            problems,
            source,
            ..
        } = parse(Format::Rss, rss.as_bytes()).expect("parsed");
        assert_eq!(
            source.as_deref(),
            Some("https://x.vn/"),
            "the channel's link"
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items[0].text, "Điện lực hoàn tiền?\n\nTin & ảnh");
        assert_eq!(items[0].urls, ["https://x.vn/a"]);
        assert_eq!(items[0].id.as_deref(), Some("g-1"));
        assert_eq!(
            items[1].id, None,
            "a made-up id would change with the content"
        );
        let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <id>urn:f</id><updated>2026-11-29T00:00:00Z</updated>
            <entry><id>urn:e1</id><title>Tiêu đề</title><updated>2026-11-29T00:00:00Z</updated>
            <summary>Tóm tắt</summary><link href="https://x.vn/e1"/></entry></feed>"#;
        let Parsed { items, source, .. } = parse(Format::Atom, atom.as_bytes()).expect("parsed");
        assert_eq!(source.as_deref(), Some("urn:f"));
        assert_eq!(items[0].text, "Tiêu đề\n\nTóm tắt");
        assert_eq!(items[0].id.as_deref(), Some("urn:e1"));
        assert!(parse(Format::Rss, b"<rss><channel>").is_err());
    }

    #[test]
    fn a_byte_order_mark_and_crlf_lose_no_item() {
        let jsonl = b"\xEF\xBB\xBF{\"id\":\"x1\",\"text\":\"Tin \xC4\x91\xE1\xBB\x93n m\xE1\xBB\x99t\"}\r\n{\"text\":\"hai\"}\r\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Jsonl, jsonl).expect("parsed");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id.as_deref(), Some("x1"));
        assert_eq!(items[0].text, "Tin đồn một");

        let rss =
            "\u{feff}<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\r\n\
                   <item><title>Tin một</title><guid>g1</guid></item></channel></rss>\r\n";
        let Parsed { items, .. } = parse(Format::Rss, rss.as_bytes()).expect("parsed");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Tin một");
        let atom = "\u{feff}<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                    <title>T</title><id>urn:f</id><updated>2026-11-29T00:00:00Z</updated>\
                    <entry><id>urn:e1</id><title>Tin một</title><updated>2026-11-29T00:00:00Z</updated></entry></feed>";
        let Parsed { items, .. } = parse(Format::Atom, atom.as_bytes()).expect("parsed");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text, "Tin một");
    }

    #[test]
    fn csv_lines_are_counted_in_the_file_whatever_its_line_breaks() {
        for (src, empty_line) in [
            ("id,text\r\nx1,\"hai\r\ndong\"\r\nx2,\r\n", 4),
            ("id,text\nx1,\"hai\ndong\"\nx2,\n", 4),
            (
                "\u{feff}id,text\r\nx1,\"a\r\nb\r\nc\"\r\nx2,\"d\r\ne\"\r\nx3,\r\n",
                7,
            ),
        ] {
            let Parsed {
                items, problems, ..
            } = parse(Format::Csv, src.as_bytes()).expect("parsed");
            assert_eq!(items[0].line, 2, "{src:?}");
            let where_: Vec<(usize, &str)> = problems
                .iter()
                .map(|p| (p.line, p.field.as_str()))
                .collect();
            assert_eq!(where_, [(empty_line, "text")], "{src:?}");
        }
        // The open quote's row, after a quoted CRLF, is named at its own line.
        let src = "id,text\r\n1,\"a\r\nb\"\r\n2,\"mở\r\n3,ba\r\n";
        let Parsed { problems, .. } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        assert_eq!((problems[0].line, problems[0].field.as_str()), (4, "(row)"));
    }

    #[test]
    fn a_file_not_in_utf8_names_its_line_and_says_how_to_save_it() {
        // "Tin đồn" in Windows-1258 (đ = 0xF0), then a UTF-8 row.
        let csv = b"id,text\r\nx1,Tin \xF0\xD2n\r\nx2,Tin \xC4\x91\xE1\xBB\x93n\r\nx3,\xF0\xE3\r\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, csv).expect("parsed");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].line, 3);
        let where_: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_str()))
            .collect();
        assert_eq!(where_, [(2, "text"), (4, "text")]);
        assert!(
            problems[0].message.contains("UTF-8") && problems[0].message.contains("CSV UTF-8"),
            "{problems:?}"
        );
        assert!(
            problems[1].message.contains("see above"),
            "the advice is given once: {problems:?}"
        );
        let jsonl = b"{\"text\":\"ok\"}\n{\"text\":\"Tin \xF0\xD2n\"}\n";
        let Parsed { problems, .. } = parse(Format::Jsonl, jsonl).expect("parsed");
        assert_eq!(problems[0].line, 2);
        assert!(
            problems[0].message.contains("save the file as UTF-8"),
            "{problems:?}"
        );
    }

    #[test]
    fn feed_titles_are_plain_text_and_only_html_loses_its_tags() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title><![CDATA[Giá xăng <tăng> 10 nghìn]]></title>
            <description><![CDATA[<p>Giá <b>xăng</b> < 30 nghìn <tăng></p>]]></description>
            <guid>g1</guid></item></channel></rss>"#;
        let Parsed { items, .. } = parse(Format::Rss, rss.as_bytes()).expect("parsed");
        assert_eq!(
            items[0].text,
            "Giá xăng <tăng> 10 nghìn\n\nGiá xăng < 30 nghìn <tăng>"
        );
        let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <id>urn:f</id><updated>2026-11-29T00:00:00Z</updated>
            <entry><id>urn:e1</id><title type="html">&lt;b&gt;Tin&lt;/b&gt; nóng</title>
            <updated>2026-11-29T00:00:00Z</updated><summary>a &lt;b&gt; là chữ</summary></entry></feed>"#;
        let Parsed { items, .. } = parse(Format::Atom, atom.as_bytes()).expect("parsed");
        assert_eq!(items[0].text, "Tin nóng\n\na <b> là chữ");
    }

    #[test]
    fn character_references_in_a_description_become_the_letters_they_stand_for() {
        // How Vietnamese CMSs and WordPress write accents and quotes inside the HTML.
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <item><title>Tin &amp;ldquo;nóng&amp;rdquo; &lt;tăng></title><description><![CDATA[<p>Ph&#7843;n &aacute;nh &ldquo;gi&aacute; x&#x103;ng&rdquo;&nbsp;t&#259;ng&hellip; &foo; &#0; AT&amp;T &amp;lt;b&gt;</p>]]></description>
            <guid>g1</guid></item></channel></rss>"#;
        let Parsed { items, .. } = parse(Format::Rss, rss.as_bytes()).expect("parsed");
        assert_eq!(
            items[0].text,
            "Tin \u{201c}nóng\u{201d} <tăng>\n\nPhản ánh \u{201c}giá xăng\u{201d} tăng\u{2026} &foo; &#0; AT&T &lt;b>"
        );
    }

    #[test]
    fn a_bad_feed_entry_is_named_by_its_line() {
        let rss = "<?xml version=\"1.0\"?>\r\n<rss version=\"2.0\"><channel><title>T</title>\r\n\
                   <item><title>Một</title><description><![CDATA[<item>không phải mục</item>]]></description></item>\r\n\
                   <item>\r\n<title></title>\r\n</item>\r\n\
                   <item><title>Ba</title></item></channel></rss>";
        let Parsed {
            items,
            problems,
            by_entry,
            ..
        } = parse(Format::Rss, rss.as_bytes()).expect("parsed");
        assert!(!by_entry);
        assert_eq!(items.iter().map(|i| i.line).collect::<Vec<_>>(), [3, 7]);
        assert_eq!((problems[0].line, problems[0].field.as_str()), (4, "title"));
        let atom = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id>\n\
                    <entry><id>urn:e1</id><title>Một</title></entry>\n\n\
                    <entry><id>urn:e2</id></entry></feed>";
        let Parsed { problems, .. } = parse(Format::Atom, atom.as_bytes()).expect("parsed");
        assert_eq!((problems[0].line, problems[0].field.as_str()), (4, "title"));
    }

    #[test]
    fn an_id_used_again_for_other_content_is_named_not_lost() {
        let src = "{\"id\": \"d1\", \"text\": \"Tin một\"}\n\
                   {\"id\": \"d2\", \"text\": \"Tin hai\"}\n\
                   {\"id\": \"d1\", \"text\": \"Tin ba, khác hẳn\"}\n\
                   {\"id\": \"d2\", \"text\": \"Tin hai\"}\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Jsonl, src.as_bytes()).expect("parsed");
        let lines: Vec<usize> = items.iter().map(|i| i.line).collect();
        assert_eq!(lines, [1, 2, 4], "the same item twice is still one item");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].field.as_str()), (3, "id"));
        assert!(problems[0].message.contains("line 1"), "{problems:?}");
    }

    #[test]
    fn a_csv_saved_by_excel_with_semicolons_is_read_by_its_columns() {
        // Excel on a Vietnamese Windows separates with `;` (the decimal mark is a comma).
        let src = "\u{feff}id;text;url\r\n1;Giá gạo 1,5 triệu một bao;https://x.vn/1\r\n\
                   2;\"Tin có ; và \"\"ngoặc\"\"\r\nhai dòng\";\r\n3;\"Ngoặc mở\r\n";
        let Parsed {
            items, problems, ..
        } = parse(Format::Csv, src.as_bytes()).expect("parsed");
        let got: Vec<(usize, Option<&str>, &str)> = items
            .iter()
            .map(|i| (i.line, i.id.as_deref(), i.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, Some("1"), "Giá gạo 1,5 triệu một bao"),
                (3, Some("2"), "Tin có ; và \"ngoặc\"\r\nhai dòng")
            ]
        );
        assert_eq!(items[0].urls, ["https://x.vn/1"]);
        assert_eq!((problems[0].line, problems[0].field.as_str()), (5, "(row)"));
    }

    #[test]
    fn an_empty_csv_is_called_empty() {
        for src in ["", "\u{feff}", "\r\n"] {
            let err = format!(
                "{:#}",
                parse(Format::Csv, src.as_bytes()).expect_err("refused")
            );
            assert!(err.contains("the file is empty"), "{src:?}: {err}");
        }
    }

    #[test]
    fn keys_are_stable_and_kept_apart_by_source() {
        let item = Item {
            line: 1,
            id: None,
            text: "Tin đồn".into(),
            urls: vec!["https://x.vn".into()],
        };
        assert_eq!(item.key("a.jsonl"), item.clone().key("a.jsonl"));
        assert_ne!(item.key("a.jsonl"), item.key("b.jsonl"));
        let moved = Item {
            line: 9,
            ..item.clone()
        };
        assert_eq!(
            item.key("a"),
            moved.key("a"),
            "the line is not part of the key"
        );
    }
}
