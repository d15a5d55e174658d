//! AS4_PATH (type 17, optional transitive; RFC 6793 §3, §4.2.3).
//!
//! Same layout as AS_PATH but always with 4-octet AS numbers. An old (2-octet)
//! speaker passes it on untouched, so a new speaker can rebuild the real path
//! from AS_PATH (where 4-octet AS numbers appear as AS_TRANS) and AS4_PATH
//! ([`reconstruct`]). A malformed AS4_PATH is discarded (RFC 6793 §6,
//! RFC 7606 §7.12).

use super::{AsPath, Fault, SegmentType};

pub(crate) fn decode(value: &[u8]) -> Result<AsPath, Fault> {
    let p = AsPath::decode(value, true).map_err(|_| Fault::OPTIONAL)?;
    Ok(p)
}

/// Rebuilds the real AS path from a 2-octet AS_PATH and an AS4_PATH
/// (RFC 6793 §4.2.3).
///
/// Confederation segments in AS4_PATH are ignored (RFC 6793 §4.2.2 forbids
/// them). If AS_PATH holds fewer AS numbers than AS4_PATH, AS4_PATH is ignored.
/// Otherwise the leading AS numbers of AS_PATH that AS4_PATH does not cover
/// are kept and AS4_PATH is appended.
pub fn reconstruct(as_path: &AsPath, as4_path: &AsPath) -> AsPath {
    let as4 = AsPath {
        segments: as4_path
            .segments
            .iter()
            .filter(|s| !s.kind.is_confed())
            .cloned()
            .collect(),
    };
    let n2 = as_path.path_len();
    let n4 = as4.path_len();
    if n2 < n4 {
        return as_path.clone();
    }
    let mut keep = n2 - n4;
    let mut out = AsPath::default();
    for seg in &as_path.segments {
        if keep == 0 {
            break;
        }
        match seg.kind {
            SegmentType::Sequence => {
                let take = keep.min(seg.asns.len());
                out.segments.push(super::Segment {
                    kind: seg.kind,
                    asns: seg.asns[..take].to_vec(),
                });
                keep -= take;
            }
            SegmentType::Set => {
                out.segments.push(seg.clone());
                keep -= 1;
            }
            _ => out.segments.push(seg.clone()),
        }
    }
    for seg in as4.segments {
        match out.segments.last_mut() {
            Some(last)
                if last.kind == SegmentType::Sequence && seg.kind == SegmentType::Sequence =>
            {
                last.asns.extend_from_slice(&seg.asns)
            }
            _ => out.segments.push(seg),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::AS_TRANS;

    #[test]
    fn rebuilds_the_real_path_through_an_old_speaker() {
        // 64500 (2-octet speaker) received a path from 4200000001 via AS_TRANS.
        let as_path = AsPath::from_sequence(vec![64500, AS_TRANS, AS_TRANS]);
        let as4 = AsPath::from_sequence(vec![4_200_000_001, 4_200_000_002]);
        assert_eq!(
            reconstruct(&as_path, &as4).to_string(),
            "64500 4200000001 4200000002"
        );
    }

    #[test]
    fn longer_as4_path_is_ignored() {
        let as_path = AsPath::from_sequence(vec![64500]);
        let as4 = AsPath::from_sequence(vec![4_200_000_001, 4_200_000_002]);
        assert_eq!(reconstruct(&as_path, &as4), as_path);
    }

    #[test]
    fn sets_count_as_one() {
        let mut as_path = AsPath::from_sequence(vec![64500, AS_TRANS]);
        as_path.segments.push(super::super::Segment {
            kind: SegmentType::Set,
            asns: vec![1, 2, 3],
        });
        let mut as4 = AsPath::from_sequence(vec![4_200_000_001]);
        as4.segments.push(super::super::Segment {
            kind: SegmentType::Set,
            asns: vec![1, 2, 3],
        });
        assert_eq!(
            reconstruct(&as_path, &as4).to_string(),
            "64500 4200000001 {1,2,3}"
        );
    }
}
