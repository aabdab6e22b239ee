use super::*;
use proptest::prelude::*;

const SECRET: &[u8] = b"GPS 21.0285N 105.8542E Nguyen Van A iPhone";

fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// An EXIF block in the given byte order: IFD0 with an orientation and a pointer-sized
/// entry, then the secret as if it were the GPS IFD's strings.
fn exif(big: bool, orientation: u16) -> Vec<u8> {
    let w16 = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w32 = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut t = Vec::new();
    t.extend_from_slice(if big { b"MM" } else { b"II" });
    t.extend_from_slice(&w16(42));
    t.extend_from_slice(&w32(8));
    t.extend_from_slice(&w16(2));
    // Make (0x010F), ASCII, pointing past the IFD.
    t.extend_from_slice(&w16(0x010F));
    t.extend_from_slice(&w16(2));
    t.extend_from_slice(&w32(SECRET.len() as u32));
    t.extend_from_slice(&w32(38));
    // Orientation, SHORT, inline.
    t.extend_from_slice(&w16(0x0112));
    t.extend_from_slice(&w16(3));
    t.extend_from_slice(&w32(1));
    t.extend_from_slice(&w16(orientation));
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&w32(0));
    t.extend_from_slice(SECRET);
    let mut p = b"Exif\0\0".to_vec();
    p.extend_from_slice(&t);
    p
}

const SCAN: &[u8] = &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78, 0x9A];

/// A JPEG's structure: the tables and the scan are stand-ins, but every segment is where a
/// camera puts it.
fn jpeg(extra_before: &[Vec<u8>], trailer: &[u8]) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    for e in extra_before {
        j.extend_from_slice(e);
    }
    j.extend(seg(0xDB, &[0; 65]));
    j.extend(seg(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    j.extend(seg(0xC4, &[0; 20]));
    j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
    j.extend_from_slice(SCAN);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j.extend_from_slice(trailer);
    j
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_photo_loses_its_location_and_camera_but_keeps_its_picture_and_orientation() {
    for big in [true, false] {
        let xmp = seg(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Nguyen Van A</x:xmpmeta>",
        );
        let input = jpeg(
            &[seg(0xE1, &exif(big, 6)), xmp, seg(0xFE, b"Nguyen Van A")],
            b"samsung trailer Nguyen Van A",
        );
        let f = accept_report_file("files[0]", &input).expect("a valid jpeg");
        assert_eq!(f.media_type, MediaType::Jpeg);
        assert!(!contains(&f.bytes, b"Nguyen"), "{:?}", f.bytes);
        assert!(!contains(&f.bytes, b"GPS"));
        assert!(
            contains(&f.bytes, SCAN),
            "the picture's data is kept as it was"
        );
        assert!(f.bytes.ends_with(&[0xFF, 0xD9]));
        assert_eq!(
            f.removed,
            vec!["EXIF", "XMP", "comment", "data after the image"]
        );
        // The orientation alone is written back, so a phone photo is not shown sideways.
        assert_eq!(exif::orientation(&f.bytes[2 + 18 + 10..]), Some(6));
        assert_eq!(f.sha256, hex::encode(Sha256::digest(&f.bytes)));
        // Accepting the result again changes nothing and finds nothing to remove.
        let again = accept_report_file("files[0]", &f.bytes).expect("still valid");
        assert_eq!(again.bytes, f.bytes);
        assert!(again.removed.is_empty(), "{:?}", again.removed);
    }
}

#[test]
fn thumbnails_go_since_they_can_show_what_an_edit_cropped_out() {
    // A JFIF header with a 1×1 thumbnail, and a JFXX thumbnail segment.
    let mut jfif = b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01".to_vec();
    jfif.extend_from_slice(&[0xAA, 0xBB, 0xCC]);
    let mut input = vec![0xFF, 0xD8];
    input.extend(seg(0xE0, &jfif));
    input.extend(seg(0xE0, b"JFXX\0\x10thumbnail"));
    input.extend_from_slice(&jpeg(&[], b"")[2 + 18..]);
    let f = accept_report_file("files[0]", &input).expect("valid");
    assert_eq!(
        f.bytes,
        jpeg(&[], b""),
        "the header stays, without its thumbnail"
    );
    assert_eq!(f.removed, vec!["thumbnail"]);
}

#[test]
fn a_clean_jpeg_is_kept_byte_for_byte() {
    let input = jpeg(&[seg(0xE2, b"ICC_PROFILE\0\x01\x01abc")], b"");
    let f = accept_report_file("files[0]", &input).expect("valid");
    assert_eq!(f.bytes, input);
    assert!(f.removed.is_empty());
}

#[test]
fn a_jpeg_cut_short_is_named_and_one_cut_inside_its_scan_still_shows() {
    let full = jpeg(&[], b"");
    let header_cut = &full[..30];
    let e = accept_report_file("files[2]", header_cut).expect_err("cut in the header");
    assert_eq!(e.field, "files[2]");
    assert!(e.message_vi.contains("JPEG"), "{}", e.message_vi);
    assert!(e.message_en.contains("cut short"), "{}", e.message_en);
    let scan_cut = &full[..full.len() - 4];
    let f = accept_report_file("files[0]", scan_cut).expect("a scan without its end shows");
    assert!(f.bytes.ends_with(&[0xFF, 0xD9]));
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xFC, 0xCF, 0xC0, 0x50,
    0x0F, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xA9, 0x8C, 0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&[0, 0, 0, 0]);
    c
}

#[test]
fn a_screenshot_loses_its_text_chunks_and_keeps_its_pixels() {
    // Insert metadata after IHDR (8 + 25 bytes) and junk after IEND.
    let mut input = PNG_1X1[..33].to_vec();
    input.extend(png_chunk(b"tEXt", b"Author\0Nguyen Van A"));
    input.extend(png_chunk(b"eXIf", SECRET));
    input.extend(png_chunk(b"tIME", &[7, 234, 11, 29, 1, 2, 3]));
    input.extend(png_chunk(b"sRGB", &[0]));
    input.extend_from_slice(&PNG_1X1[33..]);
    input.extend_from_slice(b"trailing Nguyen Van A");
    let f = accept_report_file("files[0]", &input).expect("valid png");
    assert_eq!(f.media_type, MediaType::Png);
    let mut expected = PNG_1X1[..33].to_vec();
    expected.extend(png_chunk(b"sRGB", &[0]));
    expected.extend_from_slice(&PNG_1X1[33..]);
    assert_eq!(f.bytes, expected);
    assert_eq!(
        f.removed,
        vec!["text", "EXIF", "time", "data after the image"]
    );
    let plain = accept_report_file("files[0]", PNG_1X1).expect("valid");
    assert_eq!(plain.bytes, PNG_1X1);
}

#[test]
fn a_png_without_its_header_or_cut_short_is_refused() {
    let mut no_header = PNG_1X1[..8].to_vec();
    no_header.extend_from_slice(&PNG_1X1[33..]);
    let e = accept_report_file("files[0]", &no_header).expect_err("no IHDR");
    assert!(e.message_en.contains("IHDR"), "{}", e.message_en);
    let e = accept_report_file("files[0]", &PNG_1X1[..50]).expect_err("cut");
    assert!(e.message_en.contains("cut short"), "{}", e.message_en);
}

fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (k, d) in chunks {
        body.extend_from_slice(*k);
        body.extend_from_slice(&(d.len() as u32).to_le_bytes());
        body.extend_from_slice(d);
        if d.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn a_webp_loses_exif_and_xmp_and_their_flags() {
    let vp8x = [0x20 | 0x08 | 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let input = riff(&[
        (b"VP8X", &vp8x),
        (b"ICCP", b"profile"),
        (b"VP8L", b"\x2f\0\0\0\0pixels"),
        (b"EXIF", SECRET),
        (b"XMP ", b"<x:xmpmeta>Nguyen Van A</x:xmpmeta>"),
    ]);
    let f = accept_report_file("files[0]", &input).expect("valid webp");
    assert_eq!(f.media_type, MediaType::Webp);
    let expected = riff(&[
        (b"VP8X", &[0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (b"ICCP", b"profile"),
        (b"VP8L", b"\x2f\0\0\0\0pixels"),
    ]);
    assert_eq!(f.bytes, expected);
    assert_eq!(f.removed, vec!["EXIF", "XMP"]);
    let e = accept_report_file("files[0]", &riff(&[(b"EXIF", SECRET)])).expect_err("no image");
    assert!(e.message_en.contains("no image data"), "{}", e.message_en);
}

fn gif(blocks: &[&[u8]]) -> Vec<u8> {
    let mut g = b"GIF89a\x01\0\x01\0\x80\0\0".to_vec();
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    for b in blocks {
        g.extend_from_slice(b);
    }
    g.push(0x3B);
    g
}

#[test]
fn a_gif_keeps_its_frames_and_loop_and_loses_comments_and_xmp() {
    let image: &[u8] = b"\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0";
    let control: &[u8] = b"\x21\xf9\x04\0\0\0\0\0";
    let looped: &[u8] = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0\0";
    let comment: &[u8] = b"\x21\xfe\x0cNguyen Van A\0";
    let xmp: &[u8] = b"\x21\xff\x0bXMP DataXMP\x05Nguye\0";
    let input = gif(&[looped, comment, control, image, xmp]);
    let f = accept_report_file("files[0]", &input).expect("valid gif");
    assert_eq!(f.bytes, gif(&[looped, control, image]));
    assert_eq!(f.removed, vec!["comment", "XMP"]);
    assert!(accept_report_file("files[0]", &gif(&[comment])).is_err());
}

#[test]
fn what_is_not_an_accepted_image_is_told_what_is() {
    let e = accept_report_file("files[1]", b"hello, this is text").expect_err("text");
    assert_eq!(e.field, "files[1]");
    assert!(e.message_vi.contains("JPEG, PNG, WebP"), "{}", e.message_vi);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    let e = accept_report_file("files[0]", heic).expect_err("heic");
    assert!(e.message_vi.contains("HEIC"), "{}", e.message_vi);
    let pdf = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    let e = accept_report_file("files[0]", pdf).expect_err("a citizen's pdf");
    assert!(e.message_en.contains("not PDF"), "{}", e.message_en);
    let f = accept_evidence_file("file", pdf).expect("staff may add a pdf");
    assert_eq!(
        (f.media_type, f.bytes.as_slice()),
        (MediaType::Pdf, &pdf[..])
    );
    let e = accept_report_file("files[0]", b"").expect_err("empty");
    assert_eq!(e.message_en, "The file is empty.");
    let big = vec![0u8; MAX_FILE_BYTES + 1];
    let e = accept_report_file("files[0]", &big).expect_err("too big");
    assert!(
        e.message_en.contains("over the 5 MB limit"),
        "{}",
        e.message_en
    );
    assert!(check_report_file_count(3).is_ok());
    assert_eq!(check_report_file_count(4).expect_err("four").field, "files");
}

#[test]
fn media_types_round_trip_through_their_stored_names() {
    for m in [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Webp,
        MediaType::Gif,
        MediaType::Pdf,
    ] {
        assert_eq!(MediaType::parse(m.as_str()), Some(m));
        assert_eq!(m.is_image(), m != MediaType::Pdf);
    }
    assert_eq!(MediaType::parse("exe"), None);
}

/// A JPEG's skeleton (tables, frame, one or two scans) with metadata segments, some holding
/// the secret, slipped in anywhere between them, and sometimes bytes after its end.
fn jpeg_soup() -> impl Strategy<Value = Vec<u8>> {
    let meta = prop_oneof![
        Just(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0")),
        Just(seg(0xE0, SECRET)),
        Just(seg(
            0xE0,
            &[b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01".as_slice(), SECRET].concat()
        )),
        Just(seg(0xE0, &[b"JFXX\0\x10".as_slice(), SECRET].concat())),
        Just(seg(0xE1, &exif(true, 3))),
        Just(seg(0xE1, &exif(false, 8))),
        Just(seg(0xE1, SECRET)),
        Just(seg(0xE2, SECRET)),
        Just(seg(0xE2, b"ICC_PROFILE\0\x01\x01")),
        Just(seg(0xED, SECRET)),
        Just(seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01")),
        Just(seg(0xEF, SECRET)),
        Just(seg(0xFE, SECRET)),
        Just(seg(0xDD, &[0, 4])),
        Just(seg(0xF0, SECRET)),
        Just(seg(0xB0, SECRET)),
        Just(seg(
            0xEE,
            &[b"Adobe\0\x64\0\0\0\0\x01".as_slice(), SECRET].concat()
        )),
    ];
    let metas = || proptest::collection::vec(meta.clone(), 0..4);
    let scan = proptest::collection::vec(
        prop_oneof![4 => (0u8..0xFF).prop_map(|b| vec![b]), 1 => Just(vec![0xFF, 0x00]), 1 => Just(vec![0xFF, 0xD5]), 1 => Just(vec![0xFF, 0xFF, 0xD6])],
        0..30,
    );
    (
        (metas(), metas(), metas(), metas()),
        (scan.clone(), proptest::option::of(scan)),
        0u8..3,
        proptest::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|((a, b, c, d), (scan1, scan2), end, tail)| {
            let mut j = vec![0xFF, 0xD8];
            j.extend(a.concat());
            j.extend(seg(0xDB, &[0; 65]));
            j.extend(b.concat());
            j.extend(seg(0xC2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
            j.extend(seg(0xC4, &[0; 20]));
            j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
            j.extend(scan1.concat());
            j.extend(c.concat());
            if let Some(scan2) = scan2 {
                j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
                j.extend(scan2.concat());
            }
            j.extend(d.concat());
            match end {
                // End marker, then a trailer.
                0 => {
                    j.extend_from_slice(&[0xFF, 0xD9]);
                    j.extend_from_slice(SECRET);
                    j.extend(tail);
                }
                1 => j.extend_from_slice(&[0xFF, 0xD9]),
                // Cut short anywhere.
                _ => j.truncate(j.len().saturating_sub(tail.len())),
            }
            j
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_bytes_are_accepted_or_refused_without_panicking(
        prefix in 0usize..6,
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let heads: [&[u8]; 6] = [b"\xff\xd8\xff", png::SIGNATURE, b"RIFF\x20\0\0\0WEBP", b"GIF89a", b"%PDF-", b""];
        let mut input = heads[prefix].to_vec();
        input.extend(body);
        for accept in [accept_report_file, accept_evidence_file] {
            if let Ok(f) = accept("f", &input) {
                let again = accept("f", &f.bytes).expect("what was accepted is accepted again");
                prop_assert_eq!(&again.bytes, &f.bytes);
            }
        }
    }

    #[test]
    fn no_metadata_survives_in_any_accepted_jpeg(input in jpeg_soup()) {
        if let Ok(f) = accept_report_file("f", &input) {
            prop_assert!(!contains(&f.bytes, SECRET));
            prop_assert!(!contains(&f.bytes, b"Nguyen"));
            let again = accept_report_file("f", &f.bytes).expect("accepted again");
            prop_assert_eq!(&again.bytes, &f.bytes);
            prop_assert!(again.removed.is_empty(), "{:?}", again.removed);
        }
    }
}

#[test]
fn segments_and_chunks_outside_the_picture_go_even_when_named_like_it() {
    // JPEG: a JPGn extension and a reserved marker, an Adobe header with a tail.
    let mut adobe = b"Adobe\0\x64\0\0\0\0\x01".to_vec();
    adobe.extend_from_slice(SECRET);
    let input = jpeg(
        &[seg(0xF0, SECRET), seg(0xB0, SECRET), seg(0xEE, &adobe)],
        b"",
    );
    let f = accept_report_file("f", &input).expect("valid");
    assert!(!contains(&f.bytes, SECRET), "{:?}", f.bytes);
    assert!(
        contains(&f.bytes, b"Adobe\0\x64\0\0\0\0\x01"),
        "the colour transform stays"
    );
    // PNG: a chunk named as critical that no decoder knows.
    let mut png = PNG_1X1[..33].to_vec();
    png.extend(png_chunk(b"SECR", SECRET));
    png.extend_from_slice(&PNG_1X1[33..]);
    let f = accept_report_file("f", &png).expect("valid");
    assert_eq!(f.bytes, PNG_1X1);
    // GIF: data riding in extra sub-blocks of the loop and graphic-control blocks, and a
    // plain-text block.
    let image: &[u8] = b"\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0";
    let mut looped = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0".to_vec();
    looped.push(SECRET.len() as u8);
    looped.extend_from_slice(SECRET);
    looped.push(0);
    let mut control = b"\x21\xf9\x04\0\0\0\0".to_vec();
    control.push(SECRET.len() as u8);
    control.extend_from_slice(SECRET);
    control.push(0);
    let mut text = b"\x21\x01\x0c\0\0\0\0\x01\0\x01\0\x01\x01\0\0".to_vec();
    text.push(SECRET.len() as u8);
    text.extend_from_slice(SECRET);
    text.push(0);
    let f = accept_report_file("f", &gif(&[&looped, &control, &text, image])).expect("valid");
    assert!(!contains(&f.bytes, SECRET), "{:?}", f.bytes);
    assert_eq!(
        f.bytes,
        gif(&[
            b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0\0",
            b"\x21\xf9\x04\0\0\0\0\0",
            image
        ])
    );
}

#[test]
fn a_webp_whose_last_dropped_chunk_lacks_its_pad_is_clean_and_stays_accepted() {
    let mut input = riff(&[(b"VP8L", b"\x2f\0\0\0\0pixels")]);
    // An odd-sized EXIF chunk at the end, without the pad byte the format asks for.
    input.extend_from_slice(b"EXIF");
    input.extend_from_slice(&3u32.to_le_bytes());
    input.extend_from_slice(b"GPS");
    let size = (input.len() - 8) as u32;
    input[4..8].copy_from_slice(&size.to_le_bytes());
    let f = accept_report_file("f", &input).expect("valid");
    assert_eq!(f.bytes, riff(&[(b"VP8L", b"\x2f\0\0\0\0pixels")]));
    assert_eq!(
        accept_report_file("f", &f.bytes).expect("again").bytes,
        f.bytes
    );
}

/// A PNG, WebP or GIF built from kept and secret-bearing pieces in any order.
fn container_soup() -> impl Strategy<Value = Vec<u8>> {
    let png_part = prop_oneof![
        Just(png_chunk(b"tEXt", SECRET)),
        Just(png_chunk(b"SECR", SECRET)),
        Just(png_chunk(b"zzzz", SECRET)),
        Just(png_chunk(b"sRGB", &[0])),
        Just(png_chunk(b"iTXt", SECRET)),
    ];
    let webp_part = prop_oneof![
        Just((*b"EXIF", SECRET.to_vec())),
        Just((*b"XMP ", SECRET.to_vec())),
        Just((*b"ZZZZ", SECRET.to_vec())),
        Just((*b"ICCP", b"icc".to_vec())),
        Just((*b"EXIF", b"odd".to_vec())),
    ];
    let gif_part = prop_oneof![
        Just([b"\x21\xfe".as_slice(), &[SECRET.len() as u8], SECRET, b"\0"].concat()),
        Just(
            [
                b"\x21\x01\x0c\0\0\0\0\x01\0\x01\0\x01\x01\0\0".as_slice(),
                &[SECRET.len() as u8],
                SECRET,
                b"\0"
            ]
            .concat()
        ),
        Just(
            [
                b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0".as_slice(),
                &[SECRET.len() as u8],
                SECRET,
                b"\0"
            ]
            .concat()
        ),
        Just(
            [
                b"\x21\xf9\x04\0\0\0\0".as_slice(),
                &[SECRET.len() as u8],
                SECRET,
                b"\0"
            ]
            .concat()
        ),
        Just(b"\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0".to_vec()),
    ];
    prop_oneof![
        proptest::collection::vec(png_part, 0..6).prop_map(|parts| {
            let mut p = PNG_1X1[..33].to_vec();
            p.extend(parts.concat());
            p.extend_from_slice(&PNG_1X1[33..]);
            p
        }),
        (proptest::collection::vec(webp_part, 0..6), any::<bool>()).prop_map(|(parts, at_end)| {
            let mut chunks: Vec<([u8; 4], Vec<u8>)> = parts;
            let image = (*b"VP8L", b"\x2f\0\0\0\0pixels".to_vec());
            if at_end {
                chunks.insert(0, image);
            } else {
                chunks.push(image);
            }
            let refs: Vec<(&[u8; 4], &[u8])> =
                chunks.iter().map(|(k, d)| (k, d.as_slice())).collect();
            riff(&refs)
        }),
        proptest::collection::vec(gif_part, 0..6).prop_map(|parts| {
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            gif(&refs)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_metadata_survives_in_any_accepted_png_webp_or_gif(input in container_soup()) {
        if let Ok(f) = accept_report_file("f", &input) {
            prop_assert!(!contains(&f.bytes, SECRET));
            let again = accept_report_file("f", &f.bytes).expect("accepted again");
            prop_assert_eq!(&again.bytes, &f.bytes);
            prop_assert!(again.removed.is_empty(), "{:?}", again.removed);
        }
    }
}
