//! How the tagger knows a word: its hashes (as written, lower-cased with digits folded to `0`,
//! shape, affixes) and a few character flags, computed once per token. The lower-case hash is
//! the key of every word table the model carries (gazetteer, clusters, word classes), so the
//! tables and the features agree on what counts as the same word. Depends on nothing else.

/// One step of the hash every word hash is built from (FxHash's mixing step).
#[inline]
pub(crate) fn fx(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517C_C1B7_2722_0A95)
}

/// Maps typographic variants onto the ASCII forms the training news uses.
#[inline]
fn norm_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        _ => c,
    }
}

/// Flags of [`TokInfo::flags`]: first letter a capital, capitals and no lower-case letter, a
/// digit, a letter, first letter lower-case.
pub(crate) const F_CAP: u8 = 1;
pub(crate) const F_ALLCAP: u8 = 2;
pub(crate) const F_DIGIT: u8 = 4;
pub(crate) const F_ALPHA: u8 = 8;
pub(crate) const F_LOWER: u8 = 16;

/// Per-token hashes, computed once per token.
#[derive(Clone, Copy, Default)]
pub(crate) struct TokInfo {
    /// The word as written (typographic quotes and dashes as ASCII).
    pub(crate) w: u64,
    /// Lower-cased, digits as `0`: the key of the word tables.
    pub(crate) l: u64,
    /// Shape of the first ten characters (`Xxxxd`).
    pub(crate) shape: u64,
    /// Short shape: runs of one shape character as one (`Xxd`).
    pub(crate) sshape: u64,
    /// Lower-case prefixes of one to four characters.
    pub(crate) pre: [u64; 4],
    /// Lower-case suffixes of one to four characters.
    pub(crate) suf: [u64; 4],
    /// `F_*` flags.
    pub(crate) flags: u8,
    /// Length in characters, at most 255.
    pub(crate) len: u8,
}

/// The hashes and flags of `word`; `buf` is scratch space reused across calls.
pub(crate) fn tok_info(word: &str, buf: &mut Vec<char>) -> TokInfo {
    buf.clear();
    let (mut w, mut l, mut shape, mut sshape) = (1u64, 2u64, 3u64, 4u64);
    let mut last = '\0';
    let (mut up, mut low, mut dig, mut alpha) = (0usize, 0usize, 0usize, 0usize);
    let mut first = '\0';
    for (i, c0) in word.chars().enumerate() {
        let c = norm_char(c0);
        if i == 0 {
            first = c;
        }
        w = fx(w, c as u64);
        let lc = if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            c.to_lowercase().next().unwrap_or(c)
        };
        let lc = if lc.is_ascii_digit() { '0' } else { lc };
        l = fx(l, lc as u64);
        buf.push(lc);
        let sc = if c.is_uppercase() {
            up += 1;
            alpha += 1;
            'X'
        } else if c.is_lowercase() {
            low += 1;
            alpha += 1;
            'x'
        } else if c.is_numeric() {
            dig += 1;
            'd'
        } else if c.is_alphabetic() {
            alpha += 1;
            'x'
        } else {
            c
        };
        if i < 10 {
            shape = fx(shape, sc as u64);
        }
        if sc != last {
            sshape = fx(sshape, sc as u64);
            last = sc;
        }
    }
    let n = buf.len();
    let mut pre = [0u64; 4];
    let mut suf = [0u64; 4];
    for k in 0..4 {
        let m = (k + 1).min(n);
        pre[k] = buf[..m].iter().fold(10 + k as u64, |h, &c| fx(h, c as u64));
        suf[k] = buf[n - m..]
            .iter()
            .fold(20 + k as u64, |h, &c| fx(h, c as u64));
    }
    let mut flags = 0;
    if first.is_uppercase() {
        flags |= F_CAP;
    }
    if up > 0 && low == 0 {
        flags |= F_ALLCAP;
    }
    if dig > 0 {
        flags |= F_DIGIT;
    }
    if alpha > 0 {
        flags |= F_ALPHA;
    }
    if first.is_lowercase() {
        flags |= F_LOWER;
    }
    TokInfo {
        w,
        l,
        shape,
        sshape,
        pre,
        suf,
        flags,
        len: n.min(255) as u8,
    }
}

/// The tagger's lower-case, digit-normalised hash of a word (the key of the word tables).
#[cfg(feature = "train")]
pub(crate) fn lower_hash(word: &str, buf: &mut Vec<char>) -> u64 {
    tok_info(word, buf).l
}
