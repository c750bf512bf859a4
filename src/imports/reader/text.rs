//! The text of an import file for the csv reader, from its bytes: decoded chunk by
//! chunk, with the line ends of what has been handed out but not yet passed.

use std::collections::VecDeque;
use std::io::{self, Read};

use super::Encoding;

/// Bytes read (and decoded) at a time.
pub const CHUNK: usize = 64 * 1024;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub const UNDECODABLE: &str = "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK（请将文件另存为 UTF-8 CSV）";

/// Read into `buf` until it is full or the input ends; the bytes read.
pub fn fill(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
pub struct LineEnds {
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
    pub fn at(&mut self, offset: u64) -> u64 {
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
pub struct Decoded<R> {
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
    pub undecodable: bool,
    /// Bytes of text handed out so far (the csv reader's byte positions).
    handed: u64,
    pub lines: LineEnds,
}

impl<R: Read> Decoded<R> {
    pub fn new(src: R, encoding: Encoding) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
