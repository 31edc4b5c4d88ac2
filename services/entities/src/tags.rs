//! The tagger's tag set: BILOU tags for the four CoNLL-2003 entity types, as small integers, and
//! the conversions between tag sequences and entity spans. The encoding every other part of the
//! crate (and the lab, which scores the tags) shares; depends on nothing else.

/// The four CoNLL-2003 entity types, in tag order.
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
/// The type id of people, as in [`TYPES`].
pub(crate) const PER: u8 = 0;
/// The type id of organisations, as in [`TYPES`].
pub(crate) const ORG: u8 = 1;
/// Number of tags: `O` plus B, I, L, U for each type.
pub(crate) const NTAGS: usize = 1 + 4 * TYPES.len();

/// The BILOU positions: first, inside, last word of a span, and a span of one word.
pub(crate) const POS_B: u8 = 0;
pub(crate) const POS_I: u8 = 1;
pub(crate) const POS_L: u8 = 2;
pub(crate) const POS_U: u8 = 3;

/// The tag id for type `ty` at BILOU position `pos` (0 = B, 1 = I, 2 = L, 3 = U).
pub(crate) const fn tag(ty: u8, pos: u8) -> u8 {
    1 + 4 * ty + pos
}

/// The (type, position) of a tag, or `None` for `O`.
pub const fn untag(t: u8) -> Option<(u8, u8)> {
    if t == 0 {
        None
    } else {
        Some(((t - 1) / 4, (t - 1) % 4))
    }
}

/// Whether tag `next` may follow tag `prev` in a well-formed BILOU sequence.
pub(crate) fn allowed(prev: u8, next: u8) -> bool {
    let open = matches!(untag(prev), Some((_, POS_B | POS_I)));
    match untag(next) {
        None | Some((_, POS_B | POS_U)) => !open,
        Some((ty, _)) => open && untag(prev).map(|p| p.0) == Some(ty),
    }
}

/// Entity spans `(start, end, type)` (token indices, end exclusive) in a tag sequence. Tolerant
/// of ill-formed sequences: a span ends at `L`/`U`, at a type change, or at a new `B`/`U`.
pub fn spans(tags: &[u8]) -> Vec<(usize, usize, u8)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (i, &t) in tags.iter().enumerate() {
        match untag(t) {
            None => {
                if let Some((s, ty)) = open.take() {
                    out.push((s, i, ty));
                }
            }
            Some((ty, pos)) => {
                let continues = matches!(pos, POS_I | POS_L) && open.map(|o| o.1) == Some(ty);
                if !continues {
                    if let Some((s, oty)) = open.take() {
                        out.push((s, i, oty));
                    }
                    open = Some((i, ty));
                }
                if matches!(pos, POS_L | POS_U) {
                    let (s, ty) = open.take().expect("a span was opened above");
                    out.push((s, i + 1, ty));
                }
            }
        }
    }
    if let Some((s, ty)) = open {
        out.push((s, tags.len(), ty));
    }
    out
}

/// BILOU tags for spans over `n` tokens.
pub fn spans_to_tags(n: usize, spans: &[(usize, usize, u8)]) -> Vec<u8> {
    let mut tags = vec![0u8; n];
    for &(s, e, ty) in spans {
        if e == s + 1 {
            tags[s] = tag(ty, POS_U);
        } else {
            tags[s] = tag(ty, POS_B);
            for t in &mut tags[s + 1..e - 1] {
                *t = tag(ty, POS_I);
            }
            tags[e - 1] = tag(ty, POS_L);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_reads_bilou_and_tolerates_broken_sequences() {
        let tags = [0, tag(0, 0), tag(0, 1), tag(0, 2), tag(2, 3), tag(1, 1), 0];
        assert_eq!(spans(&tags), vec![(1, 4, 0), (4, 5, 2), (5, 6, 1)]);
    }

    #[test]
    fn spans_to_tags_round_trips_through_spans() {
        let s = vec![(0, 1, 3), (2, 5, 1)];
        assert_eq!(spans(&spans_to_tags(6, &s)), s);
    }

    #[test]
    fn allowed_forbids_inside_tag_after_outside() {
        assert!(!allowed(0, tag(0, 1)));
        assert!(allowed(tag(0, 0), tag(0, 2)));
        assert!(!allowed(tag(0, 0), tag(1, 2)));
        assert!(!allowed(tag(0, 0), 0));
    }
}
