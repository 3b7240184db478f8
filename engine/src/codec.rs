//! Length-prefixed framing of protobuf `Frame`s (DESIGN.md, "The wire protocol").
//!
//! A frame is a 4-byte big-endian length followed by that many bytes of protobuf. The `Deframer` is sans-I/O: it
//! takes bytes as they arrive, in any split, and yields whole frames. It checks the length prefix against
//! `FRAME_SIZE_BYTES_MAX` before buffering the body, so a hostile or broken peer can neither make it allocate
//! unboundedly nor make it panic: every bad input is a `FrameError`, after which the connection must be closed.

use prost::Message as _;

use crate::error::ErrorCode;
use crate::limits::{FRAME_HEADER_BYTES, FRAME_SIZE_BYTES_MAX};
use crate::proto::Frame;

/// Why a byte stream stopped making sense. Either is fatal to the connection it came from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix announced more than `FRAME_SIZE_BYTES_MAX` bytes.
    #[error("frame of {announced_bytes} bytes exceeds the limit of {FRAME_SIZE_BYTES_MAX} bytes")]
    TooLarge {
        /// What the prefix said.
        announced_bytes: u32,
    },
    /// The body is not a valid protobuf `Frame`, or a frame has no body.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

impl FrameError {
    /// The code a peer reports when it closes a connection over this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::TooLarge { .. } => ErrorCode::PROTOCOL_FRAME_TOO_LARGE,
            FrameError::Malformed(_) => ErrorCode::PROTOCOL_MALFORMED_FRAME,
        }
    }
}

/// Appends `frame`, length-prefixed, to `out`.
///
/// Fails with `FrameError::TooLarge` (and leaves `out` as it was) when the encoding would exceed the limit: the
/// caller decides what that means (a send fails with 30016, a server splits a package), and nothing oversized ever
/// reaches the wire.
pub fn encode_frame(frame: &Frame, out: &mut Vec<u8>) -> Result<(), FrameError> {
    let body_len = frame.encoded_len();
    let announced_bytes = u32::try_from(body_len).unwrap_or(u32::MAX);
    if announced_bytes > FRAME_SIZE_BYTES_MAX {
        return Err(FrameError::TooLarge { announced_bytes });
    }
    out.reserve(FRAME_HEADER_BYTES + body_len);
    out.extend_from_slice(&announced_bytes.to_be_bytes());
    frame.encode(out).expect("invariant: `out` was reserved for the frame's encoded length");
    Ok(())
}

/// The encoded size of `frame` on the wire, header included.
pub fn framed_len(frame: &Frame) -> usize {
    FRAME_HEADER_BYTES + frame.encoded_len()
}

/// Reassembles frames from a byte stream.
///
/// Whole frames are decoded in place and skipped with a read cursor, so a frame costs one copy into the buffer and
/// no shifting of what follows it; the consumed prefix is dropped when the buffer empties (the common case: a read
/// ends on a frame boundary) or, before new bytes are buffered, once it is at least half the buffer.
#[derive(Debug, Default)]
pub struct Deframer {
    buffer: Vec<u8>,
    /// Where the next frame starts in `buffer`; everything before it has been returned.
    read_from: usize,
    /// Set once the stream is broken; every later call returns the same error.
    failed: Option<FrameError>,
}

impl Deframer {
    /// A deframer with an empty buffer.
    pub fn new() -> Deframer {
        Deframer::default()
    }

    /// Buffers bytes read from the stream.
    #[inline]
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.read_from == self.buffer.len() {
            self.buffer.clear();
            self.read_from = 0;
        } else if self.read_from >= self.buffer.len() / 2 {
            self.buffer.drain(..self.read_from);
            self.read_from = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame, `Ok(None)` if more bytes are needed, or the error that broke the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let unread = &self.buffer[self.read_from..];
        let Some(header) = unread.first_chunk::<FRAME_HEADER_BYTES>() else {
            return Ok(None);
        };
        let announced_bytes = u32::from_be_bytes(*header);
        if announced_bytes > FRAME_SIZE_BYTES_MAX {
            return Err(self.fail(FrameError::TooLarge { announced_bytes }));
        }
        let frame_end = FRAME_HEADER_BYTES + announced_bytes as usize;
        let Some(body) = unread.get(FRAME_HEADER_BYTES..frame_end) else {
            return Ok(None);
        };
        match Frame::decode(body) {
            Ok(frame) if frame.body.is_some() => {
                self.read_from += frame_end;
                Ok(Some(frame))
            }
            Ok(_) => Err(self.fail(FrameError::Malformed("frame has no body".to_owned()))),
            Err(error) => Err(self.fail(FrameError::Malformed(error.to_string()))),
        }
    }

    /// Breaks the stream for good: the buffer is dropped and every later call returns `error`.
    #[cold]
    fn fail(&mut self, error: FrameError) -> FrameError {
        self.buffer = Vec::new();
        self.read_from = 0;
        self.failed = Some(error.clone());
        error
    }

    /// Bytes buffered but not yet returned as frames.
    pub fn buffered_bytes(&self) -> usize {
        self.buffer.len() - self.read_from
    }
}

#[cfg(test)]
mod tests;
