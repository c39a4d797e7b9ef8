//! A model download's progress, as the inference worker reports it to the page: how many
//! bytes to expect, and which of the reports after each chunk are worth a message.

/// Milliseconds between two progress reports at most, after the first: often enough that
/// the bar moves smoothly, rarely enough that a fast download is not a flood of messages.
pub const REPORT_EVERY_MS: f64 = 50.0;

/// How many bytes a download of a file the registry says is `registered` bytes long will
/// read: that size when there is one. Otherwise the response's `Content-Length`, but only
/// if no `Content-Encoding` applies: a host that compresses the file on the way gives
/// the compressed size there, while the body reads as the file's own bytes. `None` when
/// nothing tells.
pub fn expected_total(
    registered: Option<u64>,
    content_length: Option<&str>,
    content_encoding: Option<&str>,
) -> Option<u64> {
    let encoded = content_encoding.is_some_and(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("identity"));
    registered.or_else(|| content_length.filter(|_| !encoded)?.trim().parse().ok())
}

/// Decides which of the reports made after each chunk are sent: the first one at once,
/// then at most one per [`REPORT_EVERY_MS`]. The report when the download starts and the
/// one when it ends do not ask: they are always sent.
#[derive(Clone, Debug, Default)]
pub struct Throttle {
    last: Option<f64>,
}

impl Throttle {
    /// Whether a report at `now` (milliseconds, any clock) is due; if so, it counts as sent.
    pub fn due(&mut self, now: f64) -> bool {
        let due = self.last.is_none_or(|last| now - last >= REPORT_EVERY_MS);
        if due {
            self.last = Some(now);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_size_wins_over_the_header() {
        // 78,374 bytes of model served gzipped as 21,000: the body reads 78,374.
        assert_eq!(expected_total(Some(78_374), Some("21000"), Some("gzip")), Some(78_374));
        assert_eq!(expected_total(Some(78_374), Some("78374"), None), Some(78_374));
        assert_eq!(expected_total(Some(78_374), None, None), Some(78_374));
    }

    #[test]
    fn without_a_registry_size_the_header_counts_only_uncompressed() {
        assert_eq!(expected_total(None, Some("78374"), None), Some(78_374));
        assert_eq!(expected_total(None, Some(" 78374 "), Some("identity")), Some(78_374));
        assert_eq!(expected_total(None, Some("78374"), Some("")), Some(78_374));
        assert_eq!(expected_total(None, Some("21000"), Some("gzip")), None);
        assert_eq!(expected_total(None, Some("21000"), Some("br")), None);
        assert_eq!(expected_total(None, Some("many"), None), None);
        assert_eq!(expected_total(None, None, None), None);
    }

    #[test]
    fn reports_are_sent_at_first_then_one_per_interval() {
        let mut throttle = Throttle::default();
        let sent: Vec<f64> = [1000.0, 1001.0, 1049.0, 1050.0, 1051.0, 1099.9, 1100.0, 2000.0]
            .into_iter()
            .filter(|&t| throttle.due(t))
            .collect();
        assert_eq!(sent, [1000.0, 1050.0, 1100.0, 2000.0]);
    }
}
