//! A document built once and written two ways: as Markdown (the console's download and
//! `kiemchung report`), and as a Word file (.docx), which is how district offices file,
//! sign and forward a report. Pure: blocks in, bytes out.
//!
//! The Word file follows the layout Vietnamese administrative documents use (Nghị định
//! 30/2020/NĐ-CP): A4, Times New Roman 13 pt, margins 20 mm top and bottom, 30 mm left,
//! 20 mm right, body paragraphs justified with a first-line indent. It is a minimal
//! WordprocessingML package, stored without compression, readable by Word, LibreOffice and
//! the online viewers.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            bold: true,
            ..Span::plain(text)
        }
    }

    pub fn italic(text: impl Into<String>) -> Span {
        Span {
            italic: true,
            ..Span::plain(text)
        }
    }
}

/// One table row; `bold` for a total row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
    pub bold: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Level 1: the document's title (centred, capitals as written); level 2: a section.
    Heading { level: u8, text: String },
    /// Lines kept in one paragraph (hard line breaks between them).
    Paragraph { lines: Vec<Vec<Span>>, align: Align },
    /// Consecutive items form one list; `depth` 1 is an item under the item before.
    Bullet { depth: u8, spans: Vec<Span> },
    /// A header row, then the rows. The first column is text, the others figures.
    Table { header: Vec<String>, rows: Vec<Row> },
}

impl Block {
    /// A paragraph of one line.
    pub fn para(spans: Vec<Span>, align: Align) -> Block {
        Block::Paragraph {
            lines: vec![spans],
            align,
        }
    }
}

/// Markdown, as the report has always been written: GitHub tables, `**bold**`, `_italic_`,
/// two trailing spaces for a line break, a blank line after each block (none between the
/// items of one list).
pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Heading { level, text } => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level)));
            }
            Block::Paragraph { lines, .. } => {
                let lines: Vec<String> = lines.iter().map(|l| md_spans(l)).collect();
                let _ = writeln!(out, "{}\n", lines.join("  \n"));
            }
            Block::Bullet { depth, spans } => {
                let indent = "  ".repeat(usize::from(*depth));
                let _ = writeln!(out, "{indent}- {}", md_spans(spans));
                if !matches!(blocks.get(i + 1), Some(Block::Bullet { .. })) {
                    out.push('\n');
                }
            }
            Block::Table { header, rows } => {
                let cells =
                    |c: &[String]| c.iter().map(|x| md_cell(x)).collect::<Vec<_>>().join(" | ");
                let _ = writeln!(out, "| {} |", cells(header));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for r in rows {
                    let mut c: Vec<String> = r.cells.iter().map(|x| md_cell(x)).collect();
                    if r.bold {
                        if let Some(first) = c.first_mut() {
                            *first = format!("**{first}**");
                        }
                    }
                    let _ = writeln!(out, "| {} |", c.join(" | "));
                }
                out.push('\n');
            }
        }
    }
    // One final newline, as a text file ends.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            let text = md_text(&s.text);
            match (s.bold, s.italic) {
                (true, true) => format!("**_{text}_**"),
                (true, false) => format!("**{text}**"),
                (false, true) => format!("_{text}_"),
                (false, false) => text,
            }
        })
        .collect()
}

/// Text as Markdown shows it literally. Spans carry what officers typed (a duty's progress
/// summary and unit), and a Markdown viewer must not turn `<script>`, `[a](javascript:…)`
/// or `**` in it into markup; a line break would end the list item or table row, and a
/// control character has no place in a text file.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A table cell cannot hold a `|` or a line break in Markdown.
fn md_cell(text: &str) -> String {
    md_text(&text.replace('|', "/"))
}

/// The Word file (.docx) of the same blocks.
pub fn docx(blocks: &[Block]) -> Vec<u8> {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Heading { level: 1, text } => {
                paragraph(
                    &mut body,
                    Align::Center,
                    None,
                    &[vec![run_of(&Span::bold(text.clone()), Some(28))]],
                    (240, 60),
                );
            }
            Block::Heading { text, .. } => {
                paragraph(
                    &mut body,
                    Align::Left,
                    None,
                    &[vec![run_of(&Span::bold(text.clone()), None)]],
                    (180, 60),
                );
            }
            Block::Paragraph { lines, align } => {
                let runs: Vec<Vec<String>> = lines
                    .iter()
                    .map(|l| l.iter().map(|s| run_of(s, None)).collect())
                    .collect();
                let indent = (*align == Align::Justify).then_some(567);
                paragraph(&mut body, *align, indent, &runs, (60, 60));
            }
            Block::Bullet { depth, spans } => {
                // A dash, then a plus under it, as administrative documents list.
                let mark = if *depth == 0 { "- " } else { "+ " };
                let mut runs = vec![run_of(&Span::plain(mark), None)];
                runs.extend(spans.iter().map(|s| run_of(s, None)));
                let indent = 567 * (u32::from(*depth) + 1);
                paragraph(&mut body, Align::Justify, Some(indent), &[runs], (0, 60));
            }
            Block::Table { header, rows } => table(&mut body, header, rows),
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W}\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1701\" \
         w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let mut zip = StoredZip::default();
    zip.add("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    zip.add("_rels/.rels", ROOT_RELS.as_bytes());
    zip.add("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes());
    zip.add("word/styles.xml", STYLES.as_bytes());
    zip.add("word/document.xml", document.as_bytes());
    zip.finish()
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

/// Times New Roman 13 pt throughout (26 half-points), the administrative standard.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\" w:eastAsia=\"Times New Roman\"/>\
<w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/><w:lang w:val=\"vi-VN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"276\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
</w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:tblPr><w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
</w:styles>";

/// One run's XML: its text escaped, its style, an optional size in half-points.
fn run_of(span: &Span, size: Option<u32>) -> String {
    let mut props = String::new();
    if span.bold {
        props.push_str("<w:b/><w:bCs/>");
    }
    if span.italic {
        props.push_str("<w:i/><w:iCs/>");
    }
    if let Some(sz) = size {
        let _ = write!(props, "<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/>");
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{props}</w:rPr>")
    };
    format!(
        "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        xml_text(&span.text)
    )
}

/// A paragraph of `lines` (each already runs), broken by `<w:br/>`; a first-line indent
/// and `(before, after)` spacing in twentieths of a point.
fn paragraph(
    out: &mut String,
    align: Align,
    indent: Option<u32>,
    lines: &[Vec<String>],
    (before, after): (u32, u32),
) {
    let jc = match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "both",
    };
    let _ = write!(
        out,
        "<w:p><w:pPr><w:spacing w:before=\"{before}\" w:after=\"{after}\"/>{}<w:jc w:val=\"{jc}\"/></w:pPr>",
        indent.map_or(String::new(), |i| format!("<w:ind w:firstLine=\"{i}\"/>"))
    );
    for (i, runs) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        for r in runs {
            out.push_str(r);
        }
    }
    out.push_str("</w:p>");
}

/// A bordered table across the text width (A4 less the margins: 9,071 twips), the
/// first column widest, figures centred. A wide table (the agency table's nine columns)
/// is set in 10 pt with a narrower first column, so that its headings break between
/// words rather than inside them on a portrait page.
fn table(out: &mut String, header: &[String], rows: &[Row]) {
    const TEXT_WIDTH: usize = 9071;
    let n = header.len().max(1);
    let wide = n > 4;
    let size = if wide { 20 } else { 24 };
    let first = if n == 1 {
        TEXT_WIDTH
    } else if wide {
        TEXT_WIDTH / 4
    } else {
        TEXT_WIDTH * 2 / (n + 1)
    };
    let other = if n == 1 {
        0
    } else {
        (TEXT_WIDTH - first) / (n - 1)
    };
    let widths: Vec<usize> = (0..n).map(|i| if i == 0 { first } else { other }).collect();
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblBorders>{}{}{}{}{}{}</w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
        border("top"),
        border("left"),
        border("bottom"),
        border("right"),
        border("insideH"),
        border("insideV")
    );
    for w in &widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let mut row = |cells: &[String], bold: bool, header: bool| {
        out.push_str("<w:tr>");
        if header {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map_or("", String::as_str);
            let span = Span {
                text: text.to_string(),
                bold,
                italic: false,
            };
            let align = if i == 0 && !header {
                Align::Left
            } else {
                Align::Center
            };
            let _ = write!(
                out,
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            );
            paragraph(
                out,
                align,
                None,
                &[vec![run_of(&span, Some(size))]],
                (40, 40),
            );
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    };
    row(header, true, true);
    for r in rows {
        row(&r.cells, r.bold, false);
    }
    // Word needs a paragraph between a table and whatever follows.
    out.push_str("</w:tbl><w:p/>");
}

/// Text as XML character data: the three markup characters escaped, and control
/// characters (which XML 1.0 forbids) dropped.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A ZIP archive with stored (uncompressed) entries: all a .docx needs, in a few lines.
#[derive(Default)]
struct StoredZip {
    bytes: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

impl StoredZip {
    fn add(&mut self, name: &str, data: &[u8]) {
        let crc = CRC32.checksum(data);
        // Report texts are far below the 4 GiB of a plain ZIP entry.
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let offset = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        // 1980-01-01 00:00, the format's epoch: the same report makes the same bytes.
        let (time, date): (u16, u16) = (0, (1 << 5) | 1);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
            v.extend_from_slice(&0x0800u16.to_le_bytes()); // names are UTF-8
            v.extend_from_slice(&0u16.to_le_bytes()); // stored
            v.extend_from_slice(&time.to_le_bytes());
            v.extend_from_slice(&date.to_le_bytes());
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&name_len.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        };
        self.bytes.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut self.bytes);
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(data);

        self.central
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
        common(&mut self.central);
        self.central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.central.extend_from_slice(&0u16.to_le_bytes()); // disk
        self.central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let offset = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        let size = u32::try_from(self.central.len()).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&self.central);
        self.bytes.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.bytes.extend_from_slice(&0u16.to_le_bytes());
        self.bytes.extend_from_slice(&0u16.to_le_bytes());
        self.bytes.extend_from_slice(&self.entries.to_le_bytes());
        self.bytes.extend_from_slice(&self.entries.to_le_bytes());
        self.bytes.extend_from_slice(&size.to_le_bytes());
        self.bytes.extend_from_slice(&offset.to_le_bytes());
        self.bytes.extend_from_slice(&0u16.to_le_bytes());
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Block> {
        vec![
            Block::Paragraph {
                lines: vec![
                    vec![Span::bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
                    vec![Span::bold("Độc lập - Tự do - Hạnh phúc")],
                ],
                align: Align::Center,
            },
            Block::Heading {
                level: 1,
                text: "BÁO CÁO".into(),
            },
            Block::Heading {
                level: 2,
                text: "1. Số liệu <chung> & riêng".into(),
            },
            Block::Table {
                header: vec!["Nội dung".into(), "Số lượng".into()],
                rows: vec![
                    Row {
                        cells: vec!["Phản ánh | tin".into(), "12".into()],
                        bold: false,
                    },
                    Row {
                        cells: vec!["Tổng cộng".into(), "12".into()],
                        bold: true,
                    },
                ],
            },
            Block::Bullet {
                depth: 0,
                spans: vec![Span::plain("(1) một")],
            },
            Block::Bullet {
                depth: 1,
                spans: vec![Span::italic("chưa có")],
            },
            Block::Bullet {
                depth: 0,
                spans: vec![Span::plain("(2) hai")],
            },
            Block::para(vec![Span::italic("Ghi chú")], Align::Justify),
        ]
    }

    #[test]
    fn markdown_writes_tables_lists_and_styles_as_the_report_always_had() {
        let md = markdown(&sample());
        assert_eq!(
            md,
            "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  \n**Độc lập - Tự do - Hạnh phúc**\n\n\
             # BÁO CÁO\n\n## 1. Số liệu <chung> & riêng\n\n\
             | Nội dung | Số lượng |\n|---|---|\n| Phản ánh / tin | 12 |\n| **Tổng cộng** | 12 |\n\n\
             - (1) một\n  - _chưa có_\n- (2) hai\n\n_Ghi chú_\n"
        );
    }

    /// Reads a stored ZIP back: (name, data) per entry, checking each CRC and that the
    /// central directory agrees with the local headers.
    fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let end = bytes.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50, "end of central directory");
        let count = usize::from(u16_at(end + 10));
        let mut at = u32_at(end + 16) as usize;
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(at), 0x0201_4b50, "central header");
            let crc = u32_at(at + 16);
            let size = u32_at(at + 20) as usize;
            let name_len = usize::from(u16_at(at + 28));
            let local = u32_at(at + 42) as usize;
            let name =
                String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).expect("utf-8");
            assert_eq!(u32_at(local), 0x0403_4b50, "local header of {name}");
            assert_eq!(u16_at(local + 8), 0, "{name} is stored");
            let data_at = local + 30 + usize::from(u16_at(local + 26));
            let data = bytes[data_at..data_at + size].to_vec();
            assert_eq!(CRC32.checksum(&data), crc, "CRC of {name}");
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn the_word_file_is_a_package_word_opens_with_the_text_escaped() {
        let bytes = docx(&sample());
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let entries = unzip(&bytes);
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "word/_rels/document.xml.rels",
                "word/styles.xml",
                "word/document.xml"
            ]
        );
        let doc = String::from_utf8(entries[4].1.clone()).expect("utf-8");
        assert!(
            doc.contains("1. Số liệu &lt;chung&gt; &amp; riêng"),
            "{doc}"
        );
        assert!(doc.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(
            doc.contains("<w:br/>"),
            "the two heading lines stay one paragraph"
        );
        assert_eq!(doc.matches("<w:tr>").count(), 3, "header and two rows");
        assert!(
            doc.contains("Phản ánh | tin"),
            "a Word cell keeps its text as it is"
        );
        assert!(doc.contains("<w:i/>"));
        // Well-formed enough: every opened paragraph and table closes.
        assert_eq!(doc.matches("<w:p>").count(), doc.matches("</w:p>").count());
        assert_eq!(
            doc.matches("<w:tbl>").count(),
            doc.matches("</w:tbl>").count()
        );
        // The same blocks make the same bytes (no clock inside).
        assert_eq!(bytes, docx(&sample()));
    }

    #[test]
    fn typed_text_stays_text_in_markdown() {
        let md = markdown(&[
            Block::Bullet {
                depth: 1,
                spans: vec![Span::plain(
                    "**12** <script>x</script> [a](javascript:y) a_b `c` | d &lt;\n# e\u{7}",
                )],
            },
            Block::Table {
                header: vec!["Nội dung".into()],
                rows: vec![Row {
                    cells: vec!["<b>x</b> | y".into()],
                    bold: false,
                }],
            },
        ]);
        assert_eq!(
            md,
            "  - \\*\\*12\\*\\* \\<script\\>x\\</script\\> \\[a\\](javascript:y) a\\_b \\`c\\` \\| d \\&lt; \\# e\n\n\
             | Nội dung |\n|---|\n| \\<b\\>x\\</b\\> / y |\n"
        );
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_text("a\u{0}b\u{7}c\td"), "abc d");
    }
}
