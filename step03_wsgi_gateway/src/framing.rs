//! Where a body ends, both ways. A request's ends after `Content-Length`
//! bytes, or, with `Transfer-Encoding: chunked`, after a chunk of size zero.
//! A response's has one more way: the end of the connection.
//!
//! ```text
//! 5\r\n          a chunk of 5 bytes (the size is hexadecimal)
//! Hello\r\n
//! 7\r\n
//! , Seven\r\n
//! 0\r\n          the last chunk: size 0
//! \r\n           (trailer fields would come here), then an empty line
//! ```
//!
//! Chunked encoding lets a client send a body whose length it does not know
//! in advance. Step 2 refused it with `501`; this step decodes it.

use step02_http_reply::request::{self, Version};
use step02_http_reply::{Error, Head};

// ANCHOR: framing
/// How the body of a request is delimited.
#[derive(Debug)]
pub enum RequestFraming {
    /// No body.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunks, decoded as they arrive.
    Chunked(ChunkedDecoder),
}

/// Decides how a request's body is framed, refusing what is ambiguous.
pub fn request_framing(head: &Head, max_body: u64) -> Result<RequestFraming, Error> {
    request::check_host(head)?;
    let length = request::content_length(head)?;
    let mut encodings = head.headers_named("Transfer-Encoding").peekable();
    if encodings.peek().is_none() {
        return match length {
            None | Some(0) => Ok(RequestFraming::Empty),
            Some(n) if n > max_body => Err(Error::BodyTooLarge),
            Some(n) => Ok(RequestFraming::Length(n)),
        };
    }
    // Both headers: which one would a proxy in front of us have believed?
    // When two programs frame a body differently, one request can hide
    // inside another (request smuggling), so RFC 9112 (section 6.1) says
    // to refuse it and close the connection.
    if length.is_some() {
        return Err(Error::BadRequest(
            "both Content-Length and Transfer-Encoding",
        ));
    }
    if head.version == Version::Http10 {
        return Err(Error::BadRequest(
            "Transfer-Encoding in an HTTP/1.0 request",
        ));
    }
    // `chunked` must be the only coding (we implement no other), and it
    // must be last: `chunked, gzip` would leave the body's end unknown.
    let codings: Vec<String> = encodings
        .flat_map(|value| value.split(','))
        .map(|coding| coding.trim().to_ascii_lowercase())
        .collect();
    match codings.as_slice() {
        [only] if only == "chunked" => Ok(RequestFraming::Chunked(ChunkedDecoder::new(max_body))),
        [.., last] if last == "chunked" => {
            Err(Error::NotImplemented("transfer codings other than chunked"))
        }
        _ => Err(Error::BadRequest(
            "Transfer-Encoding does not end with chunked",
        )),
    }
}
// ANCHOR_END: framing

// ANCHOR: response_framing
/// How the body of a response is delimited: the same cases as a request's,
/// with the same names, and one more. A request can never end with its
/// connection, since the client still has to read our answer on it; a
/// response to an HTTP/1.0 client can, and must when its length is not
/// known, because HTTP/1.0 has no chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFraming {
    /// No body (`HEAD`, `204`, `304`).
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// Chunked encoding.
    Chunked,
    /// Bytes until the connection closes.
    UntilClose,
}
// ANCHOR_END: response_framing

/// The longest chunk-size line we accept (a size and its extensions).
/// Sizes are hexadecimal and fit in 16 digits; extensions are rare.
const MAX_CHUNK_LINE: usize = 1024;

/// The most bytes of trailer fields we read (and ignore) after the last chunk.
const MAX_TRAILERS: usize = request::MAX_HEAD_BYTES;

// ANCHOR: decoder
/// Decodes a chunked body incrementally: feed it bytes as they arrive, and
/// it says when the body is complete.
#[derive(Debug)]
pub struct ChunkedDecoder {
    state: State,
    /// The decoded body so far.
    body: Vec<u8>,
    /// The most decoded bytes accepted.
    max_body: u64,
    /// Trailer bytes read so far.
    trailers: usize,
}

#[derive(Debug, PartialEq)]
enum State {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk, with this many bytes still to come.
    Data(u64),
    /// After a chunk's data, expecting its CR LF.
    DataEnd,
    /// After the last chunk, reading trailer lines until an empty one.
    Trailers,
    /// The body is complete.
    Done,
}

impl ChunkedDecoder {
    /// A decoder that refuses bodies larger than `max_body` once decoded.
    pub fn new(max_body: u64) -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::Size,
            body: Vec::new(),
            max_body,
            trailers: 0,
        }
    }

    // ANCHOR_END: decoder

    // ANCHOR: decoder_feed
    /// Decodes as much of `input` as it can. Returns how many bytes of
    /// `input` it used; the rest must be offered again, with more, later.
    pub fn feed(&mut self, input: &[u8]) -> Result<usize, Error> {
        let mut used = 0;
        loop {
            let rest = &input[used..];
            match self.state {
                State::Done => return Ok(used),
                State::Size => match httparse::parse_chunk_size(rest) {
                    Ok(httparse::Status::Complete((line, 0))) => {
                        used += line;
                        self.state = State::Trailers;
                    }
                    Ok(httparse::Status::Complete((line, size))) => {
                        if self.body.len() as u64 + size > self.max_body {
                            return Err(Error::BodyTooLarge);
                        }
                        used += line;
                        self.state = State::Data(size);
                    }
                    Ok(httparse::Status::Partial) if rest.len() > MAX_CHUNK_LINE => {
                        return Err(Error::BadRequest("chunk-size line too long"));
                    }
                    Ok(httparse::Status::Partial) => return Ok(used),
                    Err(_) => return Err(Error::BadRequest("invalid chunk size")),
                },
                State::Data(left) => {
                    if rest.is_empty() {
                        return Ok(used);
                    }
                    let n = rest.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    self.body.extend_from_slice(&rest[..n]);
                    used += n;
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        State::DataEnd
                    } else {
                        State::Data(left)
                    };
                }
                State::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        used += 2;
                        self.state = State::Size;
                    }
                    [] | [b'\r'] => return Ok(used),
                    _ => return Err(Error::BadRequest("chunk data not followed by CR LF")),
                },
                State::Trailers => {
                    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                        if self.trailers + rest.len() > MAX_TRAILERS {
                            return Err(Error::HeadTooLarge);
                        }
                        return Ok(used);
                    };
                    let line = &rest[..end];
                    used += end + 1;
                    self.trailers += end + 1;
                    if self.trailers > MAX_TRAILERS {
                        return Err(Error::HeadTooLarge);
                    }
                    if line.is_empty() || line == b"\r" {
                        self.state = State::Done;
                    }
                }
            }
        }
    }

    /// Whether the last chunk and the trailers have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The decoded body.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}
// ANCHOR_END: decoder_feed

#[cfg(test)]
mod tests {
    use super::*;
    use step02_http_reply::request::parse_head;

    /// Feeds `input` in pieces of `piece` bytes, the way it may arrive.
    fn decode_in_pieces(
        input: &[u8],
        piece: usize,
        max_body: u64,
    ) -> Result<(Vec<u8>, usize), Error> {
        let mut decoder = ChunkedDecoder::new(max_body);
        let mut pending = Vec::new();
        let mut consumed = 0;
        for chunk in input.chunks(piece) {
            pending.extend_from_slice(chunk);
            let used = decoder.feed(&pending)?;
            pending.drain(..used);
            consumed += used;
            if decoder.is_done() {
                break;
            }
        }
        assert!(decoder.is_done(), "not done after all input");
        Ok((decoder.into_body(), consumed))
    }

    /// However the bytes arrive, the same body comes out, and the decoder
    /// stops exactly at the end of the body (the next request is left alone).
    #[test]
    fn decodes_whatever_the_split() {
        let body = b"5\r\nHello\r\n7;ext=1\r\n, Seven\r\n0\r\nX-Trailer: yes\r\n\r\n";
        let mut input = body.to_vec();
        input.extend_from_slice(b"GET /next HTTP/1.1\r\n");
        for piece in [1, 2, 3, 5, 8, 1000] {
            let (decoded, used) = decode_in_pieces(&input, piece, 1000).unwrap();
            assert_eq!(decoded, b"Hello, Seven", "pieces of {piece}");
            assert_eq!(used, body.len(), "pieces of {piece}");
        }
    }

    /// Malformed chunks are 400; a body over the limit is 413.
    #[test]
    fn refuses_what_is_malformed_or_too_big() {
        let cases: [(&[u8], u16); 5] = [
            (b"zz\r\nhi\r\n0\r\n\r\n", 400),
            (b"2\r\nhiXX0\r\n\r\n", 400),
            (b"FFFFFFFFFFFFFFFFFF\r\n", 400),
            (b"b\r\nhello world\r\n0\r\n\r\n", 413),
            (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 413),
        ];
        for (input, status) in cases {
            let error = decode_in_pieces(input, 3, 10).unwrap_err();
            assert_eq!(
                error.status().map(|s| s.code()),
                Some(status),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// Parses a request head, as the server would have.
    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap().unwrap().0
    }

    /// Which framings are accepted, and the status of those refused.
    #[test]
    fn framing_table() {
        let cases: [(&str, Result<&str, u16>); 11] = [
            ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", Ok("empty")),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
                Ok("length"),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                Ok("chunked"),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n",
                Ok("chunked"),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(400),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                Err(400),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                Err(400),
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                Err(501),
            ),
            (
                "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(400),
            ),
            ("POST / HTTP/1.1\r\n\r\n", Err(400)),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n",
                Err(413),
            ),
        ];
        for (text, expected) in cases {
            let got = match request_framing(&head(text), 1000) {
                Ok(RequestFraming::Empty) => Ok("empty"),
                Ok(RequestFraming::Length(_)) => Ok("length"),
                Ok(RequestFraming::Chunked(_)) => Ok("chunked"),
                Err(error) => Err(error.status().map_or(0, |s| s.code())),
            };
            assert_eq!(got, expected, "{text:?}");
        }
    }
}
