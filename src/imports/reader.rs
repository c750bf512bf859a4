//! The one record reader of every import file (CONTRACT.md "Import files"), from any
//! [`Read`]: a file on disk or the bytes of an upload, streamed.
//!
//! - Encoding: UTF-8 (a leading BOM dropped) when the whole file is valid UTF-8,
//!   otherwise GB18030 (which includes GBK) through `encoding_rs`. [`detect`] decides
//!   with one pass over the bytes in chunks; the text is then decoded chunk by chunk
//!   while the csv reader asks for it, so no file is ever held whole.
//! - Line numbers are physical: the line on which a record starts, the header being
//!   line 1, whatever the line ends (LF, CRLF, a lone CR) and however many line breaks
//!   quoted cells hold. Only the line ends of the text the csv reader has buffered
//!   are kept ([`LineEnds`]).
//! - Cells are trimmed; a cell with a control character is refused by line and field.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Collector, ImportErrors, LineError, Row};

/// Bytes read (and decoded) at a time.
const CHUNK: usize = 64 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

const UNDECODABLE: &str = "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK（请将文件另存为 UTF-8 CSV）";

/// What an import reads, as many times as it needs (each pass opens it again):
/// the bytes of an upload, or a file.
pub trait Source: Send + Sync {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>>;
}

impl Source for [u8] {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(self))
    }
}

impl Source for Vec<u8> {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        self.as_slice().open()
    }
}

impl Source for Path {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::fs::File::open(self)?))
    }
}

impl Source for PathBuf {
    fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        self.as_path().open()
    }
}

/// The encoding of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// GB18030 (and so GBK), what Excel on a Chinese Windows writes as "CSV".
    Gb18030,
}

/// Which encoding `r` is in: UTF-8 when every byte after a leading BOM is valid
/// UTF-8 (checked chunk by chunk), otherwise GB18030.
pub fn detect(r: impl Read) -> io::Result<Encoding> {
    detect_in_chunks(r, CHUNK)
}

fn detect_in_chunks(mut r: impl Read, chunk: usize) -> io::Result<Encoding> {
    // A sequence cut by the chunk's end (at most 3 bytes) is carried to the next one.
    // (A BOM is valid UTF-8 itself: it changes nothing here.)
    let mut buf = vec![0u8; chunk + 3];
    let mut carried = 0;
    loop {
        let n = fill(&mut r, &mut buf[carried..carried + chunk])?;
        if n == 0 {
            return Ok(if carried == 0 { Encoding::Utf8 } else { Encoding::Gb18030 });
        }
        match std::str::from_utf8(&buf[..carried + n]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                let cut = e.valid_up_to();
                buf.copy_within(cut..carried + n, 0);
                carried = carried + n - cut;
            }
            Err(_) => return Ok(Encoding::Gb18030),
        }
    }
}

/// Read into `buf` until it is full or the input ends; the bytes read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The line ends of the text handed to the csv reader and not yet passed: runs of
/// consecutive CR and LF bytes, each with the lines it ends. A lone CR ends a line,
/// as does an LF, except the LF of a CRLF (its CR has ended the line).
struct LineEnds {
    /// (first byte, byte after the last, lines ended), by position.
    runs: VecDeque<(u64, u64, u64)>,
    /// The line of the text after the runs taken off the front.
    line: u64,
    /// The last CR or LF seen, and whether it was a CR.
    last: Option<(u64, bool)>,
}

impl LineEnds {
    fn new() -> Self {
        Self { runs: VecDeque::new(), line: 1, last: None }
    }

    /// Note the line ends of `bytes`, which start at `base` in the text.
    fn scan(&mut self, base: u64, bytes: &[u8]) {
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            let pos = base + i as u64;
            let cr = bytes[i] == b'\r';
            let ends = u64::from(cr || self.last != Some((pos.wrapping_sub(1), true)));
            self.last = Some((pos, cr));
            match self.runs.back_mut() {
                Some(run) if run.1 == pos => {
                    run.1 += 1;
                    run.2 += ends;
                }
                _ => self.runs.push_back((pos, pos + 1, ends)),
            }
        }
    }

    /// The line on which the record found at `offset` starts (`offset` never
    /// decreases). The csv reader ends a record at a CR and may report the next one
    /// from the LF after it, or from the blank lines before it, so the line ends at
    /// `offset` count as passed: a record never starts with one. The text up to the
    /// record's first cell has been scanned, since the csv reader has read it.
    fn at(&mut self, offset: u64) -> u64 {
        while let Some(&(start, _, ends)) = self.runs.front() {
            if start > offset {
                break;
            }
            self.line += ends;
            self.runs.pop_front();
        }
        self.line
    }
}

/// The text of a file for the csv reader: its bytes decoded chunk by chunk (the BOM
/// dropped), the line ends of what it hands out noted.
struct Decoded<R> {
    src: R,
    /// GB18030; `None` for UTF-8, whose bytes are the text.
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    text: Vec<u8>,
    /// How much of `text` has been handed out.
    taken: usize,
    started: bool,
    ended: bool,
    /// The bytes were not GB18030 after all.
    undecodable: bool,
    /// Bytes of text handed out so far (the csv reader's byte positions).
    handed: u64,
    lines: LineEnds,
}

impl<R: Read> Decoded<R> {
    fn new(src: R, encoding: Encoding) -> Self {
        let decoder = match encoding {
            Encoding::Utf8 => None,
            Encoding::Gb18030 => Some(encoding_rs::GB18030.new_decoder_without_bom_handling()),
        };
        Self {
            src,
            decoder,
            raw: vec![0; CHUNK],
            text: Vec::new(),
            taken: 0,
            started: false,
            ended: false,
            undecodable: false,
            handed: 0,
            lines: LineEnds::new(),
        }
    }

    /// The next chunk of text into `text` (empty at the end).
    fn refill(&mut self) -> io::Result<()> {
        self.text.clear();
        self.taken = 0;
        while self.text.is_empty() && !self.ended {
            let n = fill(&mut self.src, &mut self.raw)?;
            let last = n < self.raw.len();
            let mut input = &self.raw[..n];
            if !self.started {
                self.started = true;
                input = input.strip_prefix(BOM).unwrap_or(input);
            }
            match &mut self.decoder {
                None => self.text.extend_from_slice(input),
                Some(decoder) => {
                    let room = decoder.max_utf8_buffer_length_without_replacement(input.len()).unwrap_or(4 * CHUNK);
                    self.text.resize(room, 0);
                    let (result, _, written) = decoder.decode_to_utf8_without_replacement(input, &mut self.text, last);
                    self.text.truncate(written);
                    if !matches!(result, encoding_rs::DecoderResult::InputEmpty) {
                        self.undecodable = true;
                        return Err(io::Error::new(io::ErrorKind::InvalidData, UNDECODABLE));
                    }
                }
            }
            self.ended = last;
        }
        Ok(())
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.taken == self.text.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.text.len() - self.taken);
        buf[..n].copy_from_slice(&self.text[self.taken..self.taken + n]);
        self.taken += n;
        self.lines.scan(self.handed, &buf[..n]);
        self.handed += n as u64;
        Ok(n)
    }
}

/// What the first record turned out to be.
enum First {
    /// The header (consumed), or nothing more to give.
    Nothing,
    /// A data line (a file without its header): `record` holds it.
    Record,
    /// It could not be read: said when the data lines are asked for.
    Error(csv::Error),
}

/// The data lines of an import file, one at a time.
pub struct Records<'s> {
    file: String,
    csv: csv::Reader<Decoded<Box<dyn Read + Send + 's>>>,
    record: csv::StringRecord,
    /// The fields as errors name them (the first header).
    header: Vec<&'static str>,
    first: First,
    done: bool,
}

impl<'s> Records<'s> {
    /// Open `src` (in `encoding`, from [`detect`]) as a file whose first line is one
    /// of `headers` — the same columns named in other languages; errors name the
    /// fields as the first does — or, unless `header_required`, may be missing (then
    /// the first line is data). A wrong or missing header is the file's one error.
    pub fn open(
        file: &str,
        src: &'s (impl Source + ?Sized),
        encoding: Encoding,
        headers: &[&[&'static str]],
        header_required: bool,
    ) -> Result<Self, ImportErrors> {
        let reader = src.open().map_err(|e| unreadable(file, 1, &e))?;
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(CHUNK)
            .from_reader(Decoded::new(reader, encoding));
        let mut records = Records {
            file: file.to_owned(),
            csv,
            record: csv::StringRecord::new(),
            header: headers[0].to_vec(),
            first: First::Nothing,
            done: false,
        };
        let fail = |message: String| one_error(file, 1, message);
        let expected = headers.iter().map(|h| h.join(",")).collect::<Vec<_>>().join("` 或 `");
        match records.csv.read_record(&mut records.record) {
            Ok(false) => return Err(fail(format!("文件为空；第一行必须是：{expected}"))),
            Err(e) => {
                records.check_decoded()?;
                if header_required {
                    return Err(fail(format!("无法读取表头：{e}")));
                }
                records.first = First::Error(e);
            }
            Ok(true) => {
                let first = &records.record;
                if !headers.iter().any(|h| first.iter().eq(h.iter().copied())) {
                    if header_required {
                        let got: Vec<&str> = first.iter().collect();
                        return Err(fail(format!("表头必须是 `{expected}`，实际为 `{}`", got.join(","))));
                    }
                    records.first = First::Record;
                }
            }
        }
        Ok(records)
    }

    /// The next data line into `row` (its line and trimmed cells), `false` at the
    /// end. The lines' problems go to `c`: a line with the wrong number of cells is
    /// skipped, a cell with a control character named (its line still given), and a
    /// CSV format error ends the reading. `Err` only when the file cannot be read or
    /// decoded after all: that is the file's one error.
    pub fn next(&mut self, row: &mut Row, c: &mut Collector) -> Result<bool, ImportErrors> {
        loop {
            if self.done {
                return Ok(false);
            }
            match std::mem::replace(&mut self.first, First::Nothing) {
                First::Record => {}
                First::Error(e) => return self.format_error(e, c),
                First::Nothing => match self.csv.read_record(&mut self.record) {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return Ok(false);
                    }
                    Err(e) => return self.format_error(e, c),
                },
            }
            let rec = &self.record;
            let line = rec.position().map_or(0, |p| self.csv.get_mut().lines.at(p.byte()));
            if rec.len() == 1 && rec.get(0).is_some_and(|cell| cell.trim().is_empty()) {
                continue; // a blank line
            }
            if rec.len() != self.header.len() {
                c.add(line, None, format!("应有 {} 列，实际 {} 列", self.header.len(), rec.len()));
                continue;
            }
            row.line = line;
            row.cells.resize_with(rec.len(), String::new);
            for ((cell, field), out) in rec.iter().zip(&self.header).zip(&mut row.cells) {
                if let Err(message) = crate::input::check_text(cell) {
                    c.add(line, Some(field), message);
                }
                out.clear();
                out.push_str(cell.trim());
            }
            return Ok(true);
        }
    }

    /// A record that could not be read: the file's one error when it is not
    /// decodable or not readable, otherwise a CSV format error by line (the end).
    fn format_error(&mut self, e: csv::Error, c: &mut Collector) -> Result<bool, ImportErrors> {
        self.done = true;
        self.check_decoded()?;
        let line = e.position().map_or(0, |p| self.csv.get_mut().lines.at(p.byte()));
        if let csv::ErrorKind::Io(io) = e.kind() {
            return Err(unreadable(&self.file, line, io));
        }
        c.add(line, None, format!("CSV 格式错误：{e}"));
        Ok(false)
    }

    fn check_decoded(&self) -> Result<(), ImportErrors> {
        if self.csv.get_ref().undecodable {
            Err(one_error(&self.file, 1, UNDECODABLE.to_owned()))
        } else {
            Ok(())
        }
    }
}

fn one_error(file: &str, line: u64, message: String) -> ImportErrors {
    ImportErrors { file: file.to_owned(), errors: vec![LineError { line, field: None, message }] }
}

fn unreadable(file: &str, line: u64, e: &io::Error) -> ImportErrors {
    one_error(file, line, format!("无法读取文件：{e}"))
}

/// Every data line of `src` (see [`Records`]), or every problem found.
pub fn read_all(
    file: &str,
    src: &(impl Source + ?Sized),
    headers: &[&[&'static str]],
    header_required: bool,
) -> Result<Vec<Row>, ImportErrors> {
    let encoding = open_encoding(file, src)?;
    let mut records = Records::open(file, src, encoding, headers, header_required)?;
    let mut c = Collector::new();
    let mut rows = Vec::new();
    let mut row = Row::default();
    while records.next(&mut row, &mut c)? {
        rows.push(std::mem::take(&mut row));
    }
    c.finish(file, rows)
}

/// [`detect`] on `src`, a failure to read it being the file's one error.
pub fn open_encoding(file: &str, src: &(impl Source + ?Sized)) -> Result<Encoding, ImportErrors> {
    src.open().and_then(detect).map_err(|e| unreadable(file, 1, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `n` bytes a call (a file read in small pieces).
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf8_is_recognised_across_chunk_ends() {
        let text = "\u{feff}平台,店铺\n淘宝,旗舰店😀\r\n".repeat(50);
        for chunk in [1, 2, 3, 4, 5, 7, 64, 4096] {
            let got = detect_in_chunks(Trickle(text.as_bytes(), 3), chunk).unwrap();
            assert_eq!(got, Encoding::Utf8, "chunk {chunk}");
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text[3..]);
        for chunk in [1, 2, 3, 5, 64, 4096] {
            assert_eq!(detect_in_chunks(&gbk[..], chunk).unwrap(), Encoding::Gb18030, "chunk {chunk}");
        }
        // A sequence cut off by the end of the file is not UTF-8.
        assert_eq!(detect_in_chunks(&"ab平".as_bytes()[..4], 2).unwrap(), Encoding::Gb18030);
        assert_eq!(detect(&b""[..]).unwrap(), Encoding::Utf8);
        assert_eq!(detect(BOM).unwrap(), Encoding::Utf8);
        assert_eq!(detect(&BOM[..2]).unwrap(), Encoding::Gb18030);
    }

    /// The lines of records at `offsets` as the whole text gives them: a line ends at
    /// LF, CRLF or a lone CR, and the line ends at a record's offset are passed.
    fn reference(text: &[u8], offsets: &[u64]) -> Vec<u64> {
        let (mut pos, mut line) = (0, 1);
        offsets
            .iter()
            .map(|&offset| {
                let offset = (offset as usize).min(text.len());
                while pos < offset || matches!(text.get(pos), Some(b'\r' | b'\n')) {
                    match text[pos] {
                        b'\n' => line += 1,
                        b'\r' if text.get(pos + 1) != Some(&b'\n') => line += 1,
                        _ => {}
                    }
                    pos += 1;
                }
                line
            })
            .collect()
    }

    #[test]
    fn line_ends_in_pieces_count_as_in_one_text() {
        let texts: [&[u8]; 4] = [b"a\r\nb\rc\n\r\n\rd\n\ne", b"\r\r\n\n\rx\r", b"x\ny\r\n\r\n\r\nz", b"\n\n\r\r\r\n\r"];
        for text in texts {
            let offsets: Vec<u64> = (0..=text.len() as u64).collect();
            for first in 0..offsets.len() {
                let asked = &offsets[first..];
                let want = reference(text, asked);
                // Every way of cutting the text into two pieces gives the same lines.
                for cut in 0..=text.len() {
                    let mut l = LineEnds::new();
                    l.scan(0, &text[..cut]);
                    l.scan(cut as u64, &text[cut..]);
                    let got: Vec<u64> = asked.iter().map(|o| l.at(*o)).collect();
                    assert_eq!(got, want, "{text:?} cut at {cut}, from {first}");
                }
            }
        }
    }

    #[test]
    fn a_bad_gb18030_sequence_is_the_files_one_error() {
        let mut text = b"a,b\n1,2\n".to_vec();
        text.extend_from_slice(&[0x81, 0x20, b'\n']);
        let err = read_all("f.csv", &text, &[&["a", "b"]], true).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].line, 1);
        assert!(err.errors[0].message.contains("文件编码无法识别"), "{err}");
    }

    #[test]
    fn long_files_keep_their_line_numbers_across_chunks() {
        // Lines of every ending across many chunks of text, GB18030 and UTF-8.
        let mut text = String::from("a,b\r\n");
        for i in 0..20_000 {
            let end = ["\n", "\r\n", "\r"][i % 3];
            if i % 1000 == 999 {
                text.push_str(&format!("{i},\"多行\r\n单元格\"{end}"));
            } else {
                text.push_str(&format!("{i},第 {i} 行{end}"));
            }
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        for bytes in [text.as_bytes(), &gbk[..]] {
            let rows = read_all("f.csv", bytes, &[&["a", "b"]], true).unwrap();
            assert_eq!(rows.len(), 20_000);
            let mut line = 2;
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.line, line, "row {i}");
                assert_eq!(row.cells[0], i.to_string());
                line += if i % 1000 == 999 { 2 } else { 1 };
            }
        }
    }
}
