//! The layout of a cache file: the translations of one mapped file (an
//! "image") made by one Kestrel build.
//!
//! ```text
//!   header  (48 bytes)  magic "KSTRLTC1", image key, Kestrel version,
//!                       record count, index checksum, total length
//!   index   (40 bytes a record, sorted by pc)  image-relative pc, hash of
//!                       the guest instruction words, record checksum,
//!                       record offset and length, flags
//!   records             one `CodeRecord` each, little-endian fields
//! ```
//!
//! Everything is checked before use: the header and the index when the file
//! is opened, a record's checksum before it is decoded. A file that fails
//! any check is ignored as a whole or in part, never trusted.

use super::hash::hash64;
use crate::backend::x86::CodeRecord;

/// First bytes of every cache file (the last digit is the format version).
pub const MAGIC: &[u8; 8] = b"KSTRLTC3";
/// Bytes of the header.
pub const HEADER: usize = 48;
/// Bytes of an index entry.
pub const ENTRY: usize = 40;

/// One index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexEntry {
    /// Guest pc relative to the image base.
    pub rel: u64,
    /// Hash of the block's instruction words (checked against memory).
    pub words: u64,
    /// Hash of the record's bytes.
    pub checksum: u64,
    /// Offset of the record in the file.
    pub offset: u32,
    /// Length of the record.
    pub len: u32,
    /// How the block was translated (see `persist::block_flags`).
    pub flags: u32,
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// A cache file's bytes whose header and index have been checked.
pub struct Checked<'a> {
    bytes: &'a [u8],
    count: usize,
}

impl<'a> Checked<'a> {
    /// Checks `bytes` as the file of image `key` by Kestrel `version`.
    pub fn new(bytes: &'a [u8], key: u64, version: u64) -> Option<Checked<'a>> {
        if bytes.get(..8)? != MAGIC || u64_at(bytes, 8)? != key || u64_at(bytes, 16)? != version {
            return None;
        }
        let count = u32_at(bytes, 24)? as usize;
        if u64_at(bytes, 40)? != bytes.len() as u64 {
            return None;
        }
        let index = bytes.get(HEADER..HEADER.checked_add(count.checked_mul(ENTRY)?)?)?;
        if hash64(index, 0) != u64_at(bytes, 32)? {
            return None;
        }
        Some(Checked { bytes, count })
    }

    /// `bytes` that passed [`Checked::new`] before (not checked again).
    pub fn reopen(bytes: &'a [u8]) -> Checked<'a> {
        Checked { bytes, count: u32_at(bytes, 24).unwrap_or(0) as usize }
    }

    /// The `i`th index entry.
    pub fn entry(&self, i: usize) -> IndexEntry {
        let at = HEADER + i * ENTRY;
        let b = self.bytes;
        // The index was checked to lie inside the file.
        IndexEntry {
            rel: u64_at(b, at).unwrap_or(0),
            words: u64_at(b, at + 8).unwrap_or(0),
            checksum: u64_at(b, at + 16).unwrap_or(0),
            offset: u32_at(b, at + 24).unwrap_or(0),
            len: u32_at(b, at + 28).unwrap_or(0),
            flags: u32_at(b, at + 32).unwrap_or(0),
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The entry for image-relative pc `rel`.
    pub fn find(&self, rel: u64) -> Option<IndexEntry> {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let e = self.entry(mid);
            match e.rel.cmp(&rel) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(e),
            }
        }
        None
    }

    /// The bytes of `e`'s record, if they are intact.
    pub fn record_bytes(&self, e: &IndexEntry) -> Option<&'a [u8]> {
        let start = e.offset as usize;
        let bytes = self.bytes.get(start..start.checked_add(e.len as usize)?)?;
        (hash64(bytes, 1) == e.checksum).then_some(bytes)
    }
}

/// Appends `rec` in record form.
pub fn encode_record(rec: &CodeRecord, out: &mut Vec<u8>) {
    let mut w = |v: u32| out.extend_from_slice(&v.to_le_bytes());
    w(rec.code.len() as u32);
    w(rec.entry);
    w(rec.leave);
    w(rec.guest_insns);
    w(rec.counter.unwrap_or(u32::MAX));
    w(rec.image.len() as u32);
    w(rec.helpers.len() as u32);
    w(rec.faults.len() as u32);
    out.extend_from_slice(&rec.code);
    let mut w = |v: u32| out.extend_from_slice(&v.to_le_bytes());
    rec.image.iter().for_each(|&o| w(o));
    rec.helpers.iter().for_each(|&(o, id)| {
        w(o);
        w(id)
    });
    rec.faults.iter().for_each(|&(o, i)| {
        w(o);
        w(i)
    });
}

/// Decodes a record into `out` (reusing its buffers); false if its
/// lengths do not add up.
pub fn decode_record_into(b: &[u8], out: &mut CodeRecord) -> bool {
    decode_parts(b, out).is_some()
}

/// Decodes a record; `None` if its lengths do not add up.
#[cfg(test)]
pub fn decode_record(b: &[u8]) -> Option<CodeRecord> {
    let mut r = CodeRecord::default();
    decode_parts(b, &mut r)?;
    Some(r)
}

fn decode_parts(b: &[u8], out: &mut CodeRecord) -> Option<()> {
    let field = |i: usize| u32_at(b, 4 * i);
    let code_len = field(0)? as usize;
    let counts: Vec<usize> = (5..8).map(|i| field(i).map(|v| v as usize)).collect::<Option<_>>()?;
    let (n_image, n_helpers, n_faults) = (counts[0], counts[1], counts[2]);
    let mut at = 32usize;
    let words = n_image.checked_add(2usize.checked_mul(n_helpers.checked_add(n_faults)?)?)?;
    if at.checked_add(code_len)?.checked_add(words.checked_mul(4)?)? != b.len() {
        return None;
    }
    out.code.clear();
    out.code.extend_from_slice(&b[at..at + code_len]);
    at += code_len;
    let mut next = || {
        let v = u32_at(b, at).unwrap_or(0);
        at += 4;
        v
    };
    out.image.clear();
    out.image.extend((0..n_image).map(|_| next()));
    out.helpers.clear();
    out.helpers.extend((0..n_helpers).map(|_| (next(), next())));
    out.faults.clear();
    out.faults.extend((0..n_faults).map(|_| (next(), next())));
    let counter = field(4)?;
    out.entry = field(1)?;
    out.leave = field(2)?;
    out.guest_insns = field(3)?;
    out.counter = (counter != u32::MAX).then_some(counter);
    Some(())
}

/// Builds a whole file from `(entry, record bytes, checksum known)`
/// sorted by pc (offsets and lengths are filled in here, and checksums
/// unless the entry has the record's already).
pub fn build_file(key: u64, version: u64, records: &[(IndexEntry, &[u8], bool)]) -> Vec<u8> {
    let data_start = HEADER + records.len() * ENTRY;
    let total = data_start + records.iter().map(|(_, r, _)| r.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes()); // index checksum, below
    out.extend_from_slice(&(total as u64).to_le_bytes());
    let mut offset = data_start;
    for (e, r, known) in records {
        let checksum = if *known { e.checksum } else { hash64(r, 1) };
        out.extend_from_slice(&e.rel.to_le_bytes());
        out.extend_from_slice(&e.words.to_le_bytes());
        out.extend_from_slice(&checksum.to_le_bytes());
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(r.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        offset += r.len();
    }
    let index_sum = hash64(&out[HEADER..data_start], 0);
    out[32..40].copy_from_slice(&index_sum.to_le_bytes());
    for (_, r, _) in records {
        out.extend_from_slice(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: u8) -> CodeRecord {
        CodeRecord {
            code: vec![0x90 ^ n; 40],
            entry: 0,
            leave: 20,
            guest_insns: 3,
            image: vec![2, 12],
            helpers: vec![(22, 1)],
            counter: Some(9),
            faults: vec![(5, 0), (14, 2)],
        }
    }

    fn file_of(recs: &[(u64, CodeRecord)]) -> Vec<u8> {
        let encoded: Vec<(IndexEntry, Vec<u8>)> = recs
            .iter()
            .map(|(rel, r)| {
                let mut b = Vec::new();
                encode_record(r, &mut b);
                (IndexEntry { rel: *rel, words: rel ^ 7, checksum: 0, offset: 0, len: 0, flags: 1 }, b)
            })
            .collect();
        let refs: Vec<(IndexEntry, &[u8], bool)> = encoded.iter().map(|(e, b)| (*e, b.as_slice(), false)).collect();
        build_file(0xabc, 0xdef, &refs)
    }

    #[test]
    fn records_round_trip_through_a_file() {
        let recs = [(0x100, sample(1)), (0x2000, sample(2)), (0x2004, sample(3))];
        let file = file_of(&recs);
        let c = Checked::new(&file, 0xabc, 0xdef).expect("valid file");
        assert_eq!(c.len(), 3);
        for (rel, rec) in &recs {
            let e = c.find(*rel).expect("indexed");
            assert_eq!((e.words, e.flags), (rel ^ 7, 1));
            assert_eq!(&decode_record(c.record_bytes(&e).expect("intact")).expect("decodes"), rec);
        }
        assert!(c.find(0x104).is_none());
    }

    #[test]
    fn damaged_files_are_refused() {
        let file = file_of(&[(0x100, sample(1)), (0x200, sample(2))]);
        assert!(Checked::new(&file, 0xabc, 0xdee).is_none(), "other version");
        assert!(Checked::new(&file, 0xabd, 0xdef).is_none(), "other image");
        for cut in [0, 7, HEADER, HEADER + ENTRY, file.len() - 1] {
            assert!(Checked::new(&file[..cut], 0xabc, 0xdef).is_none(), "truncated at {cut}");
        }
        // A flipped byte in the index fails the whole file; one in a record
        // fails only that record.
        let mut bad = file.clone();
        bad[HEADER + 3] ^= 1;
        assert!(Checked::new(&bad, 0xabc, 0xdef).is_none());
        let mut bad = file.clone();
        let last = bad.len() - 3;
        bad[last] ^= 0x40;
        let c = Checked::new(&bad, 0xabc, 0xdef).expect("index intact");
        assert!(c.record_bytes(&c.find(0x200).expect("indexed")).is_none());
        assert!(c.record_bytes(&c.find(0x100).expect("indexed")).is_some());
        // Records whose lengths do not add up do not decode.
        let mut b = Vec::new();
        encode_record(&sample(1), &mut b);
        assert!(decode_record(&b[..b.len() - 4]).is_none());
        b.extend_from_slice(&[0; 4]);
        assert!(decode_record(&b).is_none());
    }
}
