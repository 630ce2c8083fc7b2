//! Malformed and oversized requests, shared by the tests of every step that
//! parses HTTP: each comes with the status a correct server answers it with.

/// The limits of the server under test (step 2's constants).
pub struct Limits {
    /// The longest request target accepted.
    pub target: usize,
    /// The largest head accepted.
    pub head: usize,
    /// The most header fields accepted.
    pub headers: usize,
    /// The largest body accepted.
    pub body: u64,
}

/// One hostile request: what it is, its bytes, the expected status.
pub struct BadRequest {
    /// What is wrong with it, for assertion messages.
    pub what: &'static str,
    /// The request, as sent.
    pub bytes: Vec<u8>,
    /// The status a correct server answers.
    pub status: u16,
}

/// Every malformed or oversized request both step 2 and step 3 must refuse.
pub fn bad_requests(limits: &Limits) -> Vec<BadRequest> {
    let owned = |what, bytes: String, status| BadRequest {
        what,
        bytes: bytes.into_bytes(),
        status,
    };
    let fixed = |what, bytes: &[u8], status| BadRequest {
        what,
        bytes: bytes.to_vec(),
        status,
    };
    let fields: String = (0..=limits.headers)
        .map(|i| format!("X-{i}: {i}\r\n"))
        .collect();
    vec![
        owned(
            "target too long",
            format!(
                "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(limits.target + 1)
            ),
            414,
        ),
        owned(
            "head too large",
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n",
                "c".repeat(limits.head)
            ),
            431,
        ),
        owned(
            "too many header fields",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{fields}\r\n"),
            431,
        ),
        owned(
            "body over the limit",
            format!(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                limits.body + 1
            ),
            413,
        ),
        fixed("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400),
        fixed(
            "two Host fields",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
        ),
        fixed(
            "space in the target",
            b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        fixed(
            "space before a colon",
            b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            400,
        ),
        fixed(
            "control character in a value",
            b"GET / HTTP/1.1\r\nHost: x\x07y\r\n\r\n",
            400,
        ),
        fixed(
            "folded header line",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n",
            400,
        ),
        fixed(
            "not HTTP at all",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n",
            400,
        ),
        fixed(
            "Content-Length not a number",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
            400,
        ),
        fixed(
            "negative Content-Length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            400,
        ),
        fixed(
            "repeated Content-Length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            400,
        ),
        fixed("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        fixed("HTTP/1.2", b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
    ]
}
