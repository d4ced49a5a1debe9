//! The rules that need more than the row: E_CODE against the tree,
//! E_DUPLICATE against the keys seen so far, E_BAND against the bands stored
//! for the same region, period and role. The record path and the columnar
//! path ([`super::columnar`]) both call these, so the two cannot disagree on
//! which row is kept or on a message.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::contract::grammar::Band;
use crate::contract::Rule;
use crate::ingest::quarantine::Reject;

/// The hasher of maps keyed by [`key_hash`]'s values: the keys are already
/// XXH3 hashes, so their low 64 bits are the hash (SipHash over them was
/// ~3% of a national ingest).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is used; anything else is folded in.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, k: u128) {
        self.0 = k as u64;
    }
}

/// A map keyed by [`key_hash`] values.
pub(super) type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;

/// A row key as 128 bits: E_DUPLICATE needs every key seen, and at national
/// scale (tens of millions of rows) 16 bytes a key instead of a string keeps
/// that set small. XXH3-128 rather than BLAKE3: the keys never leave memory,
/// and for a few dozen bytes it is several times faster; a collision among
/// n keys has probability about n²/2^129 (10^-23 for 10^8 keys).
pub(super) fn key_hash(parts: &[&[u8]]) -> u128 {
    let mut buf = [0u8; 256];
    let mut len = 0;
    for p in parts {
        if len + p.len() + 1 > buf.len() {
            // A key longer than the buffer (a long centre name): hash it whole.
            let mut v = Vec::new();
            for p in parts {
                v.extend_from_slice(p);
                v.push(0x1f);
            }
            return xxhash_rust::xxh3::xxh3_128(&v);
        }
        buf[len..len + p.len()].copy_from_slice(p);
        buf[len + p.len()] = 0x1f;
        len += p.len() + 1;
    }
    xxhash_rust::xxh3::xxh3_128(&buf[..len])
}

/// A disputes row's key (contract §2): region, period, category (blank =
/// "all") and, in a printed outline, the row it is a part of (`Others`
/// under Family disputes is not the type `Others`).
pub(super) fn dispute_key(
    code: &str,
    period: &crate::contract::grammar::Period,
    category: Option<&str>,
    part_of: Option<&str>,
) -> u128 {
    let (period, category) = (period.key(), category.unwrap_or("").as_bytes());
    // Only a part's key has a fourth part: the rest hash as they always did.
    match part_of {
        None => key_hash(&[code.as_bytes(), &period, category]),
        Some(p) => key_hash(&[code.as_bytes(), &period, category, p.as_bytes()]),
    }
}

/// The bands stored so far per (region, period, role) group, each group a
/// linked list in one arena: a `Vec` per group cost ~5 GB at national scale
/// (12M groups, 62M rows), this about a third of it.
#[derive(Default)]
pub(super) struct BandIndex {
    heads: KeyMap<u32>,
    arena: Vec<BandEntry>,
}

#[derive(Clone, Copy)]
struct BandEntry {
    band: Band,
    origin: Origin,
    next: u32,
}

const NIL: u32 = u32::MAX;

impl BandIndex {
    pub(super) fn bands(&self, group: u128) -> impl Iterator<Item = (Band, Origin)> + '_ {
        let mut at = self.heads.get(&group).copied().unwrap_or(NIL);
        std::iter::from_fn(move || {
            (at != NIL).then(|| {
                let e = self.arena[at as usize];
                at = e.next;
                (e.band, e.origin)
            })
        })
    }

    pub(super) fn push(&mut self, group: u128, band: Band, origin: Origin) {
        let head = self.heads.entry(group).or_insert(NIL);
        self.arena.push(BandEntry {
            band,
            origin,
            next: *head,
        });
        *head = (self.arena.len() - 1) as u32;
    }
}

/// Where a key was first seen, for the E_DUPLICATE message: the file's index
/// and the spreadsheet row in one u64 (20 + 44 bits), so that a key set at
/// national scale costs 24 bytes a key.
#[derive(Debug, Clone, Copy)]
pub(super) struct Origin(pub(super) u64);

impl Origin {
    pub(super) fn new(file: usize, row: u64) -> Origin {
        debug_assert!(file < 1 << 20 && row < 1 << 44);
        Origin(((file as u64) << 44) | (row & ((1 << 44) - 1)))
    }
    pub(super) fn file(self) -> usize {
        (self.0 >> 44) as usize
    }
    pub(super) fn row(self) -> u64 {
        self.0 & ((1 << 44) - 1)
    }
}

pub(super) fn unknown_code(code: &str) -> Reject {
    Reject::new(
        Rule::Code,
        "region_code",
        Some(code),
        format!("region_code {code} is not in the region tree"),
    )
}

pub(super) fn duplicate(key: &str, first: u64, shown: &str) -> Reject {
    Reject::new(
        Rule::Duplicate,
        key,
        None,
        format!("a second row with the same key as {shown} row {first} (the first is kept)"),
    )
    .keeping(shown, first)
}

/// E_DUPLICATE or E_BAND for a band about to be stored in `group`: the first
/// stored band it equals or overlaps (`column` names the cell, `shown` the
/// file of each origin), or `earlier` bands of the same row (a wide row).
pub(super) fn band_clash(
    groups: &BandIndex,
    group: u128,
    band: &Band,
    column: &str,
    earlier: impl Iterator<Item = (Band, Origin)>,
    shown: impl Fn(usize) -> String,
) -> Result<(), Reject> {
    let mut earlier = earlier;
    let hits = |(b, _): &(Band, Origin)| b == band || b.overlaps(band);
    // The index lists a group newest first: its last hit is the first
    // stored band the row clashes with, as a clerk reads.
    let clash = groups
        .bands(group)
        .filter(hits)
        .last()
        .or_else(|| earlier.find(hits));
    let Some((b, o)) = clash else {
        return Ok(());
    };
    let first = o.row();
    if b == *band {
        return Err(duplicate(column, first, &shown(o.file())));
    }
    Err(Reject::new(
        Rule::Band,
        column,
        Some(&band.canonical()),
        format!(
            "band {} overlaps band {} (row {first}) of the same region, period and role",
            band.canonical(),
            b.canonical()
        ),
    ))
}
