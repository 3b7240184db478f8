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
#[derive(Debug, Default)]
pub struct Deframer {
    buffer: Vec<u8>,
    /// Set once the stream is broken; every later call returns the same error.
    failed: Option<FrameError>,
}

impl Deframer {
    /// A deframer with an empty buffer.
    pub fn new() -> Deframer {
        Deframer::default()
    }

    /// Buffers bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buffer.extend_from_slice(bytes);
        }
    }

    /// The next whole frame, `Ok(None)` if more bytes are needed, or the error that broke the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match self.decode_next() {
            Ok(frame) => Ok(frame),
            Err(error) => {
                self.buffer = Vec::new();
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }

    fn decode_next(&mut self) -> Result<Option<Frame>, FrameError> {
        let Some(header) = self.buffer.first_chunk::<FRAME_HEADER_BYTES>() else {
            return Ok(None);
        };
        let announced_bytes = u32::from_be_bytes(*header);
        if announced_bytes > FRAME_SIZE_BYTES_MAX {
            return Err(FrameError::TooLarge { announced_bytes });
        }
        let frame_end = FRAME_HEADER_BYTES + announced_bytes as usize;
        if self.buffer.len() < frame_end {
            return Ok(None);
        }
        let frame = Frame::decode(&self.buffer[FRAME_HEADER_BYTES..frame_end])
            .map_err(|error| FrameError::Malformed(error.to_string()))?;
        if frame.body.is_none() {
            return Err(FrameError::Malformed("frame has no body".to_owned()));
        }
        self.buffer.drain(..frame_end);
        Ok(Some(frame))
    }

    /// Bytes buffered but not yet returned as frames.
    pub fn buffered_bytes(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests;
