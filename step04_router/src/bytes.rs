//! Byte tricks for the route tree, kept apart from the lesson: each one
//! does what a plain loop or `==` would do, and was kept because the
//! benchmark (`benches/lookup.rs`) showed it faster. The step 4 chapter
//! has the figures; the tests check each against the plain version.

// ANCHOR: bytes
/// Where the first `/` in `bytes` is, looking at eight bytes at a time.
pub(crate) fn find_slash(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    for (n, chunk) in words.by_ref().enumerate() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let slashes = equal_bytes(u64::from_le_bytes(word), b'/');
        if slashes != 0 {
            // Little-endian: the first byte is the lowest. Each byte that
            // matched has its top bit set: bit 7 for byte 0, 15 for byte 1...
            return Some(n * 8 + slashes.trailing_zeros() as usize / 8);
        }
    }
    let seen = bytes.len() - words.remainder().len();
    let in_tail = words.remainder().iter().position(|&b| b == b'/');
    in_tail.map(|i| seen + i)
}

/// The top bit of each byte of `word` that equals `byte`, and no other bit.
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // Bytes equal to `byte` become 0, the others do not.
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    // A byte's top bit is set if its low seven bits were not all 0 (adding
    // 0x7f carries into bit 7, and never into the next byte), or if its own
    // top bit was set: that is, if it was not 0.
    let nonzero = ((x & LOW_SEVEN) + LOW_SEVEN) | x;
    !(nonzero | LOW_SEVEN)
}

/// Whether two texts are the same: the lengths, then every byte, without
/// stopping at the first difference. For texts this short, a loop with no
/// branch inside is faster than the general `==`, which calls `memcmp`.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |diff, (x, y)| diff | (x ^ y))
            == 0
}
// ANCHOR_END: bytes

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight bytes at a time finds the same slash as one at a time, and
    /// `equal_bytes` marks exactly the bytes that are equal, wherever they
    /// are and whatever their neighbours (the carries stay in their byte).
    #[test]
    fn byte_tricks_agree_with_plain_loops() {
        for byte in 0..=255u8 {
            for place in 0..8 {
                for other in [0u8, 1, 0x7f, 0x80, 0xff, byte ^ 1] {
                    let mut bytes = [other; 8];
                    bytes[place] = byte;
                    let word = u64::from_le_bytes(bytes);
                    let expected = (0..8)
                        .filter(|&i| bytes[i] == b'/')
                        .fold(0u64, |mask, i| mask | 0x80 << (8 * i));
                    assert_eq!(equal_bytes(word, b'/'), expected, "{bytes:?}");
                }
            }
        }
        let paths = [
            "",
            "/",
            "a",
            "abcdefg/",
            "abcdefgh/",
            "abcdefghijklmnop",
            "é/ü/",
        ];
        for path in paths {
            for start in 0..path.len() {
                let bytes = &path.as_bytes()[start..];
                let plain = bytes.iter().position(|&b| b == b'/');
                assert_eq!(find_slash(bytes), plain, "{path} from {start}");
            }
        }
        assert!(same_text("issues", "issues"));
        assert!(!same_text("issues", "issuer"));
        assert!(!same_text("issue", "issues"));
    }
}
