//! The token format shared by the fake server (which signs and verifies) and the engine (which only reads the user
//! ID, to open that user's database before the server has answered, CONN-6).
//!
//! A token is `v1.<hex app key>.<hex user id>.<issued at ms>.<expires at ms, 0 for never>.<hex signature>`. The
//! signature is the server's business (an HMAC with the App Secret, in `imsim-sim`); the engine never verifies it,
//! just as a real SDK cannot, since it does not hold the secret (CONN-11).

use std::fmt::Write as _;

/// The version tag every token starts with.
pub const TOKEN_VERSION: &str = "v1";

/// What a token says about itself. Nothing here is trusted until the server has checked the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims {
    /// The App Key the token was issued for (ENG-18).
    pub app_key: String,
    /// The user the token was issued to.
    pub user_id: String,
    /// When the token was issued, Unix milliseconds (used by revocation, CONN-12).
    pub issued_at_ms: i64,
    /// When the token expires, Unix milliseconds, or `None` for a permanent token (CFG-10).
    pub expires_at_ms: Option<i64>,
}

impl TokenClaims {
    /// The text the signature covers: every part of the token but the signature.
    pub fn signing_input(&self) -> String {
        format!(
            "{TOKEN_VERSION}.{}.{}.{}.{}",
            hex(self.app_key.as_bytes()),
            hex(self.user_id.as_bytes()),
            self.issued_at_ms,
            self.expires_at_ms.unwrap_or(0)
        )
    }

    /// The whole token, given the signature over `signing_input()`.
    pub fn to_token(&self, signature: &[u8]) -> String {
        format!("{}.{}", self.signing_input(), hex(signature))
    }
}

/// A token split into its claims and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedToken {
    /// The claims.
    pub claims: TokenClaims,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// Splits a token into its parts, or `None` if it is malformed. Does not check the signature.
pub fn parse_token(token: &str) -> Option<ParsedToken> {
    let mut parts = token.split('.');
    let (version, app_key, user_id, issued, expires, signature) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if version != TOKEN_VERSION || parts.next().is_some() {
        return None;
    }
    let app_key = String::from_utf8(unhex(app_key)?).ok()?;
    let user_id = String::from_utf8(unhex(user_id)?).ok()?;
    if app_key.is_empty() || user_id.is_empty() {
        return None;
    }
    let issued_at_ms = issued.parse().ok()?;
    let expires_at_ms = match expires.parse::<i64>().ok()? {
        0 => None,
        at => Some(at),
    };
    let signature = unhex(signature)?;
    Some(ParsedToken { claims: TokenClaims { app_key, user_id, issued_at_ms, expires_at_ms }, signature })
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The bytes `hex` wrote, or `None` for text that is not an even number of hex digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> TokenClaims {
        TokenClaims {
            app_key: "app-1".to_owned(),
            user_id: "张三".to_owned(),
            issued_at_ms: 1_700_000_000_000,
            expires_at_ms: None,
        }
    }

    #[test]
    fn tokens_round_trip() {
        let token = claims().to_token(&[0xde, 0xad]);
        let parsed = parse_token(&token).expect("a token we made parses");
        assert_eq!(parsed.claims, claims());
        assert_eq!(parsed.signature, vec![0xde, 0xad]);

        let expiring = TokenClaims { expires_at_ms: Some(5), ..claims() };
        assert_eq!(parse_token(&expiring.to_token(&[1])).map(|p| p.claims), Some(expiring));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = claims().to_token(&[1]);
        for bad in [
            "",
            "garbage",
            "v2.00.00.1.0.00",
            &good.replacen("v1", "v2", 1),
            &format!("{good}.extra"),
            "v1.zz.00.1.0.00",
            "v1.616263.6162.x.0.00",
            "v1..6162.1.0.00",
            "v1.616.6162.1.0.00",
        ] {
            assert_eq!(parse_token(bad), None, "{bad:?} must not parse");
        }
    }
}
