//! The parts of `RCIMIWEngineOptions` that configure a deployment rather than the engine's behaviour (ENG-7 to
//! ENG-17): the server addresses of a private deployment, the push configuration and the compression options.
//! All are given at `create` (ENG-3), validated there as the rules say (a bad address fails `create` with -101),
//! stored, and readable back (`Engine::options`). The file server names where media files go (ENG-9: the URLs of
//! SEND-13); the simulator has no navigation or statistics server and no push vendors, so nothing else reads the
//! rest: image and video compression is outside the protocol simulator (ENG-17).

use crate::error::ImError;

/// ENG-10: the port an `https://` address without one uses.
pub const HTTPS_DEFAULT_PORT: u16 = 443;
/// ENG-10: the port an address with no scheme (HTTP) without one uses.
pub const HTTP_DEFAULT_PORT: u16 = 80;

/// How a server address is reached (ENG-10, ENG-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `https://host[:port]`.
    Https,
    /// `host[:port]` with no scheme, or `http://host[:port]` (ENG-12).
    Http,
}

/// A server address as ENG-10 reads it: scheme, host (a name or an IP address) and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerAddress {
    /// HTTPS or HTTP.
    pub scheme: Scheme,
    /// The host name or IP address.
    pub host: String,
    /// The port, the scheme's default when the address names none.
    pub port: u16,
}

impl ServerAddress {
    /// Reads an address in ENG-10's forms (`https://h`, `https://h:8443`, `h`, `h:8080`, `1.2.3.4`) and ENG-12's
    /// `http://h[:port]`; anything else (another scheme, an empty string or host, a path, a port that is not a
    /// number from 1 to 65535) is a parameter error (-101).
    pub fn parse(text: &str) -> Result<ServerAddress, ImError> {
        let invalid =
            || ImError::param(format!("{text:?} is not a server address (https://host[:port] or host[:port])"));
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else if text.contains("://") {
            return Err(invalid());
        } else {
            (Scheme::Http, text)
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port.parse().map_err(|_| invalid())?;
                if port == 0 {
                    return Err(invalid());
                }
                (host, port)
            }
            None => (rest, if scheme == Scheme::Https { HTTPS_DEFAULT_PORT } else { HTTP_DEFAULT_PORT }),
        };
        let host_is_valid =
            !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
        if !host_is_valid {
            return Err(invalid());
        }
        Ok(ServerAddress { scheme, host: host.to_owned(), port })
    }

    /// The address as the start of a URL: `https://host` or `http://host`, with `:port` unless it is the scheme's
    /// default. Media URLs start with the file server's (ENG-9, SEND-13).
    pub fn base_url(&self) -> String {
        let (scheme, default_port) = match self.scheme {
            Scheme::Https => ("https", HTTPS_DEFAULT_PORT),
            Scheme::Http => ("http", HTTP_DEFAULT_PORT),
        };
        if self.port == default_port {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// `RCIMIWPushOptions.create(...)` (ENG-13, PUSH-2): the vendor push configuration, stored as given. No defaults
/// are stated, so every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// `idMI`.
    pub id_mi: Option<String>,
    /// `appKeyMI`.
    pub app_key_mi: Option<String>,
    /// `appIdMeizu`.
    pub app_id_meizu: Option<String>,
    /// `appKeyMeizu`.
    pub app_key_meizu: Option<String>,
    /// `appKeyOPPO`.
    pub app_key_oppo: Option<String>,
    /// `appSecretOPPO`.
    pub app_secret_oppo: Option<String>,
    /// `enableHWPush`.
    pub enable_hw_push: Option<bool>,
    /// `enableFCM`.
    pub enable_fcm: Option<bool>,
    /// `enableVIVOPush`.
    pub enable_vivo_push: Option<bool>,
}

/// `RCIMIWCompressOptions.create(...)` (ENG-15): image and short-video compression. ENG-16: the manual's example
/// values are not defaults, so an option not given is `None`; ENG-17: every value is accepted and stored, and none
/// ever fails `create`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompressOptions {
    /// `originalImageQuality`.
    pub original_image_quality: Option<i32>,
    /// `originalImageMaxSize`.
    pub original_image_max_size: Option<i32>,
    /// `originalImageSize`.
    pub original_image_size: Option<i32>,
    /// `thumbnailQuality`.
    pub thumbnail_quality: Option<i32>,
    /// `thumbnailMaxSize`.
    pub thumbnail_max_size: Option<i32>,
    /// `thumbnailMinSize`.
    pub thumbnail_min_size: Option<i32>,
    /// `sightCompressWidth`.
    pub sight_compress_width: Option<i32>,
    /// `sightCompressHeight`.
    pub sight_compress_height: Option<i32>,
    /// `locationThumbnailQuality`.
    pub location_thumbnail_quality: Option<i32>,
    /// `locationThumbnailWidth`.
    pub location_thumbnail_width: Option<i32>,
    /// `locationThumbnailHeight`.
    pub location_thumbnail_height: Option<i32>,
}

/// The deployment options of `RCIMIWEngineOptions` (ENG-7 to ENG-17). The default is the China data centre with no
/// private servers (ENG-7), no push configuration and no compression options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentOptions {
    /// ENG-8: `naviServer`, the navigation server of a private deployment; a valid server address.
    pub navi_server: Option<String>,
    /// ENG-9: `fileServer`, the media upload server of a private deployment; a valid server address.
    pub file_server: Option<String>,
    /// ENG-10: `statisticServer`, for a dedicated data centre; a valid server address.
    pub statistic_server: Option<String>,
    /// ENG-13: `pushOptions`.
    pub push_options: Option<PushOptions>,
    /// ENG-15: `compressOptions`.
    pub compress_options: Option<CompressOptions>,
}

impl DeploymentOptions {
    /// Checks the server addresses (ENG-8 to ENG-12): -101 for one that is not an address.
    pub fn validate(&self) -> Result<(), ImError> {
        for address in [&self.navi_server, &self.file_server, &self.statistic_server].into_iter().flatten() {
            ServerAddress::parse(address)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn address(scheme: Scheme, host: &str, port: u16) -> ServerAddress {
        ServerAddress { scheme, host: host.to_owned(), port }
    }

    /// ENG-10, ENG-11: the test vectors.
    #[test]
    fn eng_11_the_statistic_server_test_vectors() {
        assert_eq!(ServerAddress::parse("https://h"), Ok(address(Scheme::Https, "h", 443)));
        assert_eq!(ServerAddress::parse("https://h:8443"), Ok(address(Scheme::Https, "h", 8443)));
        assert_eq!(ServerAddress::parse("h"), Ok(address(Scheme::Http, "h", 80)));
        assert_eq!(ServerAddress::parse("h:8080"), Ok(address(Scheme::Http, "h", 8080)));
        assert_eq!(ServerAddress::parse("1.2.3.4"), Ok(address(Scheme::Http, "1.2.3.4", 80)));
        // ENG-10: the host may be an IP address, with a port too.
        assert_eq!(ServerAddress::parse("https://1.2.3.4:9"), Ok(address(Scheme::Https, "1.2.3.4", 9)));
    }

    /// ENG-12: `http://` is HTTP with port 80; any other scheme, or an empty string, is -101.
    #[test]
    fn eng_12_http_is_accepted_and_any_other_scheme_or_an_empty_string_is_a_parameter_error() {
        assert_eq!(ServerAddress::parse("http://h"), Ok(address(Scheme::Http, "h", 80)));
        assert_eq!(ServerAddress::parse("http://h:81"), Ok(address(Scheme::Http, "h", 81)));
        for bad in ["", "ftp://h", "wss://h:1", "https://", "h:", "h:0", "h:65536", "h:x", "https://h/path", "h h"] {
            let error = ServerAddress::parse(bad).expect_err(bad);
            assert_eq!(error.code, ErrorCode::PARAM_ERROR, "{bad}");
        }
    }

    /// ENG-7, ENG-8, ENG-9, ENG-10: the default data centre, and every server address validated.
    #[test]
    fn eng_7_to_eng_10_the_default_is_the_china_data_centre_and_every_server_address_is_validated() {
        assert_eq!(DeploymentOptions::default().validate(), Ok(()));
        assert_eq!(DeploymentOptions::default().navi_server, None, "ENG-7: no private navigation server");
        let with = |navi: &str, file: &str, statistic: &str| DeploymentOptions {
            navi_server: Some(navi.into()),
            file_server: Some(file.into()),
            statistic_server: Some(statistic.into()),
            ..DeploymentOptions::default()
        };
        assert_eq!(with("nav.example.com", "https://files.example.com", "stats.example.com:8080").validate(), Ok(()));
        for (navi, file, statistic) in [("", "f", "s"), ("n", "ftp://f", "s"), ("n", "f", "https://")] {
            let error = with(navi, file, statistic).validate().expect_err("a bad address");
            assert_eq!(error.code, ErrorCode::PARAM_ERROR);
        }
    }

    /// ENG-15, ENG-16, ENG-17: compression options have no defaults, and any value is accepted.
    #[test]
    fn eng_16_and_eng_17_compression_options_have_no_defaults_and_any_value_is_accepted() {
        assert_eq!(CompressOptions::default().original_image_quality, None, "ENG-16: 80 is an example, not a default");
        let odd = CompressOptions {
            original_image_quality: Some(-5),
            sight_compress_width: Some(17),
            ..CompressOptions::default()
        };
        let options = DeploymentOptions { compress_options: Some(odd), ..DeploymentOptions::default() };
        assert_eq!(options.validate(), Ok(()), "ENG-17: never fails create");
    }
}
