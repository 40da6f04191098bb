//! Printable documents as PDF: the activation letter, and the document center's records
//! (visit records, the immunization record, blank forms). Written with typst's `pdf-writer` (small, maintained, no dependencies worth the
//! name): it writes PDF objects and leaves layout to us, and a letter needs little layout.
//!
//! The text is set in fonts the PDF carries (pdf_fonts.rs: Liberation Sans and Mono, only
//! the glyphs used), metric-compatible with Helvetica and Courier, whose widths the layout
//! wraps at. Content streams are compressed. Pages are US Letter with one-inch margins.
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::pdf_fonts::{Face, FontUse, IDS_PER_FONT};

const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 72.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

const BODY_SIZE: f32 = 11.0;
const HEADING_SIZE: f32 = 16.0;
const CODE_SIZE: f32 = 20.0;
const FOOTER_SIZE: f32 = 8.0;
/// Baseline to baseline, as a multiple of the font size.
const LINE_SPACING: f32 = 1.35;

const PROSE: Face = Face::Sans;
const PROSE_BOLD: Face = Face::SansBold;
const MONO_BOLD: Face = Face::MonoBold;

/// The name a page's resources give each face.
fn resource_name(face: Face) -> Name<'static> {
    match face {
        Face::Sans => Name(b"F1"),
        Face::SansBold => Name(b"F2"),
        Face::MonoBold => Name(b"F3"),
    }
}

/// A document written top to bottom; a block that does not fit starts a new page.
pub struct TextDocument {
    title: String,
    pages: Vec<Content>,
    page: Content,
    /// The baseline of the next line, from the bottom of the page.
    y: f32,
    /// Printed at the foot of every page, with "{page}" and "{pages}" filled in.
    footer: Option<String>,
    /// The glyphs each face has shown so far (in `Face::ALL`'s order).
    fonts: [FontUse; 3],
}

impl TextDocument {
    pub fn new(title: &str) -> Self {
        TextDocument {
            title: title.to_owned(),
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
            footer: None,
            fonts: Face::ALL.map(FontUse::new),
        }
    }

    /// A line for the foot of every page: who and what the document is about, when it was
    /// made, and where this page is ("{page}" and "{pages}" are replaced: a record printed
    /// and handed over keeps its pages together).
    pub fn set_footer(&mut self, template: &str) {
        self.footer = Some(template.to_owned());
    }

    /// A smaller heading, for a part of the document (one visit, one section).
    pub fn subheading(&mut self, text: &str) {
        self.space(BODY_SIZE * 0.4);
        self.lines(PROSE_BOLD, BODY_SIZE * 1.2, text);
        self.space(BODY_SIZE * 0.3);
    }

    /// A label and its value on one line ("Date of birth: 1980-04-02"), wrapped if long.
    pub fn field(&mut self, label: &str, value: &str) {
        self.lines(PROSE, BODY_SIZE, &format!("{label}: {value}"));
    }

    /// A line that says something is missing or empty; spaced like a paragraph.
    pub fn note(&mut self, text: &str) {
        self.paragraph(text);
    }

    /// Text that keeps its own paragraphs (a note, a summary): each blank-line-separated
    /// part becomes a paragraph, each single line break a line of its own.
    pub fn text_block(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n");
        for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            for line in para.lines() {
                self.lines(PROSE, BODY_SIZE, line);
            }
            self.space(BODY_SIZE * 0.6);
        }
    }

    pub fn heading(&mut self, text: &str) {
        self.lines(PROSE_BOLD, HEADING_SIZE, text);
        self.space(BODY_SIZE * 0.5);
    }

    /// A paragraph, wrapped to the page's width, with a blank half-line after it.
    pub fn paragraph(&mut self, text: &str) {
        self.lines(PROSE, BODY_SIZE, text);
        self.space(BODY_SIZE * 0.6);
    }

    /// A bold line (a label above a code, a step's title).
    pub fn strong(&mut self, text: &str) {
        self.lines(PROSE_BOLD, BODY_SIZE, text);
    }

    /// Something to type exactly (a code, an address): large, fixed-width, never wrapped.
    pub fn code(&mut self, text: &str) {
        self.line(MONO_BOLD, CODE_SIZE, text);
        self.space(BODY_SIZE * 0.6);
    }

    /// Numbered steps, each wrapped with its number hanging.
    pub fn steps(&mut self, steps: &[String]) {
        for (n, step) in steps.iter().enumerate() {
            let number = format!("{}.", n + 1);
            let indent = 18.0;
            let lines = wrap(step, BODY_SIZE, TEXT_WIDTH - indent);
            self.make_room(lines.len() as f32 * BODY_SIZE * LINE_SPACING);
            self.show_at(PROSE, BODY_SIZE, MARGIN, &number);
            for line in lines {
                self.show_at(PROSE, BODY_SIZE, MARGIN + indent, &line);
                self.y -= BODY_SIZE * LINE_SPACING;
            }
        }
        self.space(BODY_SIZE * 0.6);
    }

    pub fn finish(mut self) -> Vec<u8> {
        let last = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(last);
        if let Some(template) = self.footer.take() {
            let count = self.pages.len();
            for (n, page) in self.pages.iter_mut().enumerate() {
                let text =
                    template.replace("{page}", &(n + 1).to_string()).replace("{pages}", &count.to_string());
                let y = MARGIN / 2.0;
                let shown = self.fonts[0].encode(&text);
                page.begin_text()
                    .set_font(resource_name(PROSE), FOOTER_SIZE)
                    .next_line(MARGIN, y)
                    .show(Str(&shown))
                    .end_text();
            }
        }
        write_pdf(&self.title, self.pages, &self.fonts)
    }

    fn lines(&mut self, font: Face, size: f32, text: &str) {
        for line in wrap(text, size, TEXT_WIDTH) {
            self.line(font, size, &line);
        }
    }

    fn line(&mut self, font: Face, size: f32, text: &str) {
        self.make_room(size * LINE_SPACING);
        self.show_at(font, size, MARGIN, text);
        self.y -= size * LINE_SPACING;
    }

    fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// Starts a new page when `height` more points would run into the bottom margin.
    fn make_room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            let full = std::mem::replace(&mut self.page, Content::new());
            self.pages.push(full);
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn show_at(&mut self, font: Face, size: f32, x: f32, text: &str) {
        let y = self.y - size;
        let index = Face::ALL.iter().position(|f| *f == font).unwrap_or(0);
        let shown = self.fonts[index].encode(text);
        self.page
            .begin_text()
            .set_font(resource_name(font), size)
            .next_line(x, y)
            .show(Str(&shown))
            .end_text();
    }
}

fn write_pdf(title: &str, pages: Vec<Content>, fonts: &[FontUse; 3]) -> Vec<u8> {
    let catalog = Ref::new(1);
    let page_tree = Ref::new(2);
    let info = Ref::new(3);
    // Each font takes `IDS_PER_FONT` ids from its own on.
    let font_ids: Vec<Ref> = (0..3).map(|i| Ref::new(4 + IDS_PER_FONT * i)).collect();
    let first_page = 4 + IDS_PER_FONT * 3;
    // Each page takes two ids: the page and its content stream.
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(page_tree);
    pdf.pages(page_tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("Portico"));
    for (font, id) in fonts.iter().zip(&font_ids) {
        font.write(&mut pdf, *id);
    }
    for (page_id, content) in page_ids.iter().zip(pages) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(page_tree).contents(content_id);
        let mut resources = page.resources();
        let mut font_map = resources.fonts();
        for (face, id) in Face::ALL.iter().zip(&font_ids) {
            font_map.pair(resource_name(*face), *id);
        }
        font_map.finish();
        resources.finish();
        page.finish();
        let stream = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), 6);
        pdf.stream(content_id, &stream).filter(Filter::FlateDecode);
    }
    pdf.finish()
}

/// Splits `text` into lines no wider than `width` points at `size`, at spaces (a word
/// longer than a line gets a line of its own and runs over, rather than being cut).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if text_width(&candidate, size) <= width || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Width in points of `text` in Helvetica at `size` (bold is a little wider: wrapping at
/// regular widths leaves bold lines at most ~5% longer, still inside the margin's slack).
fn text_width(text: &str, size: f32) -> f32 {
    let units: u32 = text.chars().map(helvetica_width).sum();
    units as f32 * size / 1000.0 * 1.05
}

/// Helvetica's advance widths (its AFM file, in 1/1000 em) for printable ASCII; an accented
/// Latin letter is as wide as its base letter in this font, so it borrows that width.
fn helvetica_width(c: char) -> u32 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '..'/'
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // '0'..'?'
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // '@'..'O'
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 'P'..'_'
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // '`'..'o'
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
    ];
    let base = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'A',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'Ñ' => 'N',
        other => other,
    };
    match base as u32 {
        code @ 32..=126 => u32::from(ASCII[(code - 32) as usize]),
        _ => 1000,
    }
}

/// A PDF's text as a reader extracts it (poppler's pdftotext, which `scripts/bootstrap.sh
/// test` installs): the check that the ToUnicode maps give the words back.
#[cfg(test)]
pub(crate) fn text_of(bytes: &[u8]) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let file = std::env::temp_dir().join(format!(
        "portico-unit-{}-{}.pdf",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils: scripts/bootstrap.sh test installs it)");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_inside_the_margins_and_long_words_run_on_alone() {
        let text = "Open the link in the e-mail or go to the sign-up page and type the code exactly as printed above, then your date of birth.";
        let lines = wrap(text, BODY_SIZE, TEXT_WIDTH);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, BODY_SIZE) <= TEXT_WIDTH));
        assert_eq!(lines.join(" "), text);
        let long = "x".repeat(200);
        assert_eq!(wrap(&long, BODY_SIZE, TEXT_WIDTH), vec![long]);
    }

    #[test]
    fn a_document_is_a_pdf_with_its_text_and_starts_pages_as_needed() {
        let mut doc = TextDocument::new("Test");
        doc.heading("Activation");
        doc.code("ABCDE-FGHJK-MNPQR");
        for _ in 0..40 {
            doc.paragraph("A line of text.");
        }
        let bytes = doc.finish();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&bytes).contains("/Count 2"), "40 paragraphs take two pages");
        let text = text_of(&bytes);
        assert!(text.contains("ABCDE-FGHJK-MNPQR"), "{text}");
        assert!(text.contains("Activation"));
    }

    #[test]
    fn every_page_carries_the_footer_with_its_number() {
        let mut doc = TextDocument::new("Test");
        doc.set_footer("Avery Chen - page {page} of {pages}");
        for _ in 0..40 {
            doc.paragraph("A line of text.");
        }
        let text = text_of(&doc.finish());
        assert!(text.contains("Avery Chen - page 1 of 2"), "{text}");
        assert!(text.contains("Avery Chen - page 2 of 2"));
    }

    #[test]
    fn spanish_text_reads_back_as_written_and_the_fonts_are_embedded() {
        let mut doc = TextDocument::new("Prueba");
        doc.heading("Autorización de acceso – “sí”");
        doc.paragraph("Año, niño, ¿qué tal? Müller, Zoë, Łódź");
        let bytes = doc.finish();
        let raw = String::from_utf8_lossy(&bytes);
        assert_eq!(raw.matches("/FontFile2").count(), 3, "each face is embedded");
        assert!(!raw.contains("Helvetica"), "no font left to the reader");
        let text = text_of(&bytes);
        assert!(text.contains("Autorización de acceso – “sí”"), "{text}");
        assert!(text.contains("Año, niño, ¿qué tal? Müller, Zoë, Łódź"), "{text}");
    }
}
