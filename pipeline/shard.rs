//! Which shard a row belongs to. Shards follow the region tree: every region
//! is owned by the shard its ancestor at `[shard] level` hashes to, so a
//! unit, everything under it and every fact about them land in one shard,
//! and a shard's unit metrics need no other shard.
//!
//! Rows that cannot be placed on the tree (a code that does not parse, is not
//! in the tree, or lies above the shard level) belong to shard 0: each input
//! row is read by every shard but handled by exactly one, so it is stored or
//! quarantined exactly once over the whole run.

use std::collections::HashMap;
use std::fmt;

use crate::contract::Level;
use crate::regions::Region;

/// `--shard I/N`: shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The largest shard count: far more than a cluster's array limit, and
    /// the folder names stay four digits wide.
    pub const MAX: u32 = 9999;

    /// Parses `I/N` with 0 ≤ I < N ≤ [`Shard::MAX`].
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not I/N (for example 0/8: the first of 8 shards)"))?;
        let num = |x: &str, what: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("'{s}': {what} '{x}' is not a whole number"))
        };
        let (index, count) = (num(i, "the shard")?, num(n, "the shard count")?);
        if count == 0 || count > Shard::MAX {
            return Err(format!(
                "'{s}': the shard count must be 1 to {}",
                Shard::MAX
            ));
        }
        if index >= count {
            return Err(format!(
                "'{s}': shards are numbered 0 to {} (0-based, like Slurm's array task ids)",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard's folder name in the shared folder.
    pub fn folder(&self) -> String {
        format!("shard-{:04}-of-{:04}", self.index, self.count)
    }

    /// Reads a folder name made by [`Shard::folder`].
    pub fn from_folder(name: &str) -> Option<Shard> {
        let rest = name.strip_prefix("shard-")?;
        let (i, n) = rest.split_once("-of-")?;
        if i.len() != 4 || n.len() != 4 {
            return None;
        }
        Shard::parse(&format!("{i}/{n}")).ok()
    }

    /// The shard a code at the shard level hashes to. XXH3 of the code's
    /// bytes: the same on every machine and every run.
    pub fn of_code(code: &str, count: u32) -> u32 {
        (xxhash_rust::xxh3::xxh3_64(code.as_bytes()) % count as u64) as u32
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Region code → owning shard, for the regions of the tree at or below the
/// shard level.
pub struct Owners {
    pub shard: Shard,
    owner: HashMap<String, u32>,
}

impl Owners {
    pub fn new(shard: Shard, level: Level, regions: &[Region]) -> Owners {
        let index: HashMap<&str, &Region> =
            regions.iter().map(|r| (r.row.code.as_str(), r)).collect();
        let mut owner = HashMap::with_capacity(regions.len());
        for r in regions {
            // Walk up to the ancestor at the shard level (the tree was
            // checked for cycles; the guard only bounds a broken one).
            let mut cur = Some(r);
            for _ in 0..64 {
                let Some(c) = cur else { break };
                if c.row.level == level {
                    owner.insert(r.row.code.clone(), Shard::of_code(&c.row.code, shard.count));
                    break;
                }
                if c.row.level < level {
                    break;
                }
                cur = c.row.parent.as_deref().and_then(|p| index.get(p).copied());
            }
        }
        Owners { shard, owner }
    }

    /// Whether this shard handles a row whose region code is `code` (`None`:
    /// the code could not be read).
    pub fn owns(&self, code: Option<&str>) -> bool {
        let o = code.and_then(|c| self.owner.get(c)).copied().unwrap_or(0);
        o == self.shard.index
    }

    /// How many of the tree's regions each shard owns (shard 0 also takes
    /// the regions above the shard level).
    pub fn sizes(&self, regions: usize) -> Vec<usize> {
        let mut v = vec![0; self.shard.count as usize];
        for o in self.owner.values() {
            v[*o as usize] += 1;
        }
        v[0] += regions - self.owner.len();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // XXH3-64 of the codes, mod 4, as first released.
    const PINNED: [u32; 5] = [2, 3, 2, 0, 2];

    #[test]
    fn shard_arguments_are_checked() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 3, count: 8 }));
        assert!(Shard::parse("8/8").unwrap_err().contains("0 to 7"));
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("a/2").unwrap_err().contains("'a'"));
        assert!(Shard::parse("3").unwrap_err().contains("I/N"));
        let s = Shard {
            index: 12,
            count: 40,
        };
        assert_eq!(s.folder(), "shard-0012-of-0040");
        assert_eq!(Shard::from_folder(&s.folder()), Some(s));
        assert_eq!(Shard::from_folder("shard-12-of-40"), None);
    }

    /// The hash is part of the shard folders' meaning: a change would put
    /// rows in other shards than a running job's siblings expect.
    #[test]
    fn codes_hash_to_the_same_shards_everywhere() {
        let got: Vec<u32> = ["11", "31", "44", "51", "65"]
            .iter()
            .map(|c| Shard::of_code(c, 4))
            .collect();
        assert_eq!(got, PINNED);
    }
}
