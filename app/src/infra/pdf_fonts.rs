//! The fonts every PDF embeds: Liberation Sans (regular and bold) for prose and Liberation
//! Mono Bold for codes, version 2 (SIL Open Font License 1.1: app/fonts/LICENSE). They are
//! metric-compatible with Helvetica and Courier, so the layout's widths (pdf.rs) hold, and
//! they cover Latin accents, typographic marks and much beyond: a name or a note prints as
//! written, in any reader, on any machine (a standard font is the reader's to substitute).
//!
//! Each document embeds only the glyphs it uses (typst's `subsetter`), as a CID font with a
//! ToUnicode map, so copying or extracting the text (pdftotext, a screen reader) gives the
//! words back. Glyphs are looked up with `ttf-parser`.
use pdf_writer::{
    types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap},
    Filter, Finish, Name, Pdf, Rect, Ref, Str,
};
use subsetter::GlyphRemapper;

static SANS: &[u8] = include_bytes!("../../fonts/LiberationSans-Regular.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../fonts/LiberationSans-Bold.ttf");
static MONO_BOLD: &[u8] = include_bytes!("../../fonts/LiberationMono-Bold.ttf");

/// The three faces, in the order of the page's font names (F1, F2, F3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Face {
    Sans,
    SansBold,
    MonoBold,
}

impl Face {
    pub const ALL: [Face; 3] = [Face::Sans, Face::SansBold, Face::MonoBold];

    fn data(self) -> &'static [u8] {
        match self {
            Face::Sans => SANS,
            Face::SansBold => SANS_BOLD,
            Face::MonoBold => MONO_BOLD,
        }
    }

    /// The subset's name: a six-letter tag (one per face: a document embeds each once) and
    /// the font's own name.
    fn subset_name(self) -> &'static [u8] {
        match self {
            Face::Sans => b"PRTCAA+LiberationSans",
            Face::SansBold => b"PRTCAB+LiberationSans-Bold",
            Face::MonoBold => b"PRTCAC+LiberationMono-Bold",
        }
    }
}

/// One face as a document uses it: which glyphs, under which ids in the subset, standing
/// for which characters, how wide.
pub struct FontUse {
    face: Face,
    parsed: ttf_parser::Face<'static>,
    remapper: GlyphRemapper,
    /// Indexed by the subset's glyph id: the character it shows and its advance (1/1000 em).
    glyphs: Vec<Option<(char, f32)>>,
}

impl FontUse {
    pub fn new(face: Face) -> FontUse {
        // The files are ours, built in: a face that does not parse is a broken build.
        let parsed = ttf_parser::Face::parse(face.data(), 0).expect("an embedded font parses");
        FontUse { face, parsed, remapper: GlyphRemapper::new(), glyphs: vec![None] }
    }

    /// `text` as the content stream shows it: two bytes per character, the glyph's id in
    /// the subset (a character the font lacks shows its "missing" box).
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.parsed.glyph_index(c).map_or(0, |g| g.0);
            let cid = self.remapper.remap(glyph);
            let index = usize::from(cid);
            if self.glyphs.len() <= index {
                self.glyphs.resize(index + 1, None);
            }
            if self.glyphs[index].is_none() && glyph != 0 {
                self.glyphs[index] = Some((c, self.advance(glyph)));
            }
            bytes.extend_from_slice(&cid.to_be_bytes());
        }
        bytes
    }

    fn advance(&self, glyph: u16) -> f32 {
        let units = self.parsed.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0);
        self.to_thousandths(i32::from(units))
    }

    fn to_thousandths(&self, units: i32) -> f32 {
        units as f32 * 1000.0 / f32::from(self.parsed.units_per_em())
    }

    /// Writes the font (Type 0 over a CID TrueType font, its descriptor, the subset and the
    /// ToUnicode map) under `font`, taking the four ids from `font` on.
    pub fn write(&self, pdf: &mut Pdf, font: Ref) {
        let (cid_font, descriptor, file, cmap) = (
            Ref::new(font.get() + 1),
            Ref::new(font.get() + 2),
            Ref::new(font.get() + 3),
            Ref::new(font.get() + 4),
        );
        let name = Name(self.face.subset_name());
        let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        pdf.type0_font(font)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font)
            .to_unicode(cmap);

        let mut cid = pdf.cid_font(cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let widths: Vec<f32> = self.glyphs.iter().map(|g| g.map_or(0.0, |(_, w)| w)).collect();
        cid.widths().consecutive(0, widths);
        cid.finish();

        let bbox = self.parsed.global_bounding_box();
        let scaled = |v: i16| self.to_thousandths(i32::from(v));
        let mut flags = FontFlags::NON_SYMBOLIC;
        if self.face == Face::MonoBold {
            flags |= FontFlags::FIXED_PITCH;
        }
        pdf.font_descriptor(descriptor)
            .name(name)
            .flags(flags)
            .bbox(Rect::new(scaled(bbox.x_min), scaled(bbox.y_min), scaled(bbox.x_max), scaled(bbox.y_max)))
            .italic_angle(0.0)
            .ascent(scaled(self.parsed.ascender()))
            .descent(scaled(self.parsed.descender()))
            .cap_height(scaled(self.parsed.capital_height().unwrap_or(self.parsed.ascender())))
            .stem_v(if self.face == Face::Sans { 80.0 } else { 140.0 })
            .font_file2(file);

        // A subset that fails (it should not, for our own fonts) embeds the whole face.
        let program = subsetter::subset(self.face.data(), 0, &self.remapper)
            .unwrap_or_else(|_| self.face.data().to_vec());
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&program, 6);
        pdf.stream(file, &packed).filter(Filter::FlateDecode);

        let mut unicode = UnicodeCmap::new(Name(b"Custom"), system);
        for (cid, glyph) in self.glyphs.iter().enumerate() {
            if let (Some((c, _)), Ok(cid)) = (glyph, u16::try_from(cid)) {
                unicode.pair(cid, *c);
            }
        }
        pdf.cmap(cmap, &unicode.finish()).system_info(system).name(Name(b"Custom"));
    }
}

/// Ids each embedded font takes: the font and the four objects behind it.
pub const IDS_PER_FONT: i32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_typographic_characters_have_glyphs_and_keep_their_ids() {
        let mut sans = FontUse::new(Face::Sans);
        let first = sans.encode("Año – “sí” ¿ñ?");
        assert_eq!(first.len(), 2 * "Año – “sí” ¿ñ?".chars().count());
        assert!(sans.glyphs.iter().flatten().all(|(_, w)| *w > 0.0));
        // The same text encodes the same way (one id per glyph for the whole document).
        assert_eq!(sans.encode("Año – “sí” ¿ñ?"), first);
        let shown: String = sans.glyphs.iter().flatten().map(|(c, _)| *c).collect();
        for c in ['ñ', 'í', '–', '“', '”', '¿'] {
            assert!(shown.contains(c), "{c} has a glyph");
        }
    }

    #[test]
    fn liberation_sans_has_helveticas_widths() {
        let mut sans = FontUse::new(Face::Sans);
        sans.encode("a");
        // Helvetica's "a" is 556/1000 em wide (its AFM): the layout's table still holds.
        assert_eq!(sans.glyphs[1].map(|(_, w)| w.round()), Some(556.0));
    }
}
